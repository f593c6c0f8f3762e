import Database
import Foundation
import GuanxiCore
import Logging
import PostgresNIO
import Tenancy

/// Each tenant's one subscription: started with the tenant, changed by operators (plan, seats,
/// lifecycle), renewed by the period. Every change is recorded with its time, cause and actor.
public struct Subscriptions: Sendable, ProvisioningStep {
    let database: Database
    let catalog: PlanCatalog
    let tenantCredentials: ExpiringCache<TenantPrincipal>
    /// Length of the trial a tenant created without a plan gets.
    public let trialDays: Int

    public init(database: Database, catalog: PlanCatalog, tenantCredentials: ExpiringCache<TenantPrincipal>, trialDays: Int = 14) {
        self.database = database
        self.catalog = catalog
        self.tenantCredentials = tenantCredentials
        self.trialDays = trialDays
    }

    // MARK: Reading

    typealias Row = (UUID, UUID, String, String, Int, Date, Date, Date?, Date, Date, UUID?, String?)
    static let columns: ColumnList = """
        tenant_id, plan_id, status, billing_cycle, seats, started_at, anchored_at, trial_ends_at, current_period_start, \
        current_period_end, scheduled_plan_id, scheduled_billing_cycle
        """

    /// The subscription read inside `transaction` (tenant or host scope), optionally locked for a change.
    public func subscription(_ tenant: TenantID, in transaction: Transaction, lock: Bool = false) async throws -> Subscription {
        let rows = lock
            ? try await transaction.rows("SELECT \(columns: Self.columns) FROM subscriptions WHERE tenant_id = \(tenant.uuid) FOR UPDATE", as: Row.self)
            : try await transaction.rows("SELECT \(columns: Self.columns) FROM subscriptions WHERE tenant_id = \(tenant.uuid)", as: Row.self)
        guard let row = rows.first else { throw GuanxiError.notFound("subscription") }
        return Subscription(
            tenantID: TenantID(row.0), plan: try await catalog.plan(id: row.1, in: transaction),
            status: Subscription.Status(rawValue: row.2) ?? .locked, billingCycle: BillingCycle(rawValue: row.3) ?? .monthly,
            seats: row.4, startedAt: row.5, anchoredAt: row.6, trialEndsAt: row.7, currentPeriodStart: row.8, currentPeriodEnd: row.9,
            scheduledPlan: try await row.10.asyncMap { try await catalog.plan(id: $0, in: transaction) },
            scheduledBillingCycle: row.11.flatMap(BillingCycle.init(rawValue:)))
    }

    /// The workspace's own subscription, read in its own scope.
    public func current(_ tenant: TenantID) async throws -> Subscription {
        try await database.withTenant(tenant) { try await subscription(tenant, in: $0) }
    }

    /// Any tenant's subscription and its history, for operators.
    public func forOperator(_ tenant: TenantID) async throws -> (Subscription, [SubscriptionEvent]) {
        try await database.withHost { host in
            let subscription = try await self.subscription(tenant, in: host)
            let events = try await host.rows("""
                SELECT id, occurred_at, kind, from_status, to_status, from_plan_id, to_plan_id, seats, cause, actor
                  FROM subscription_events WHERE tenant_id = \(tenant.uuid) ORDER BY id
                """, as: (UUID, Date, String, String?, String?, UUID?, UUID?, Int?, String, String).self)
            return (subscription, events.map {
                SubscriptionEvent(id: $0.0, occurredAt: $0.1, kind: $0.2, fromStatus: $0.3, toStatus: $0.4, fromPlanID: $0.5,
                                  toPlanID: $0.6, seats: $0.7, cause: $0.8, actor: $0.9)
            })
        }
    }

    // MARK: Starting

    /// Starts the new tenant's subscription: the named plan, or a trial of the entry plan.
    public func provision(_ tenant: Tenant, _ request: TenantDirectory.NewTenant, in transaction: Transaction) async throws {
        let cycle = try request.billingCycle.map {
            guard let cycle = BillingCycle(rawValue: $0) else {
                throw GuanxiError.invalidField("billing_cycle", "billing_cycle must be monthly or yearly.")
            }
            return cycle
        } ?? .monthly
        let plan: Plan
        if let code = request.plan {
            plan = try await catalog.current(code: code, in: transaction)
        } else {
            guard let entry = try await catalog.current(in: transaction).first(where: \.isEntry) else {
                throw GuanxiError(.unavailable, code: "no_entry_plan", message: "The catalog has no entry plan for trials.")
            }
            plan = entry
        }
        let now = Date()
        let trialEnd = request.plan == nil ? now.addingTimeInterval(Double(trialDays) * 86_400) : nil
        let periodEnd = trialEnd ?? BillingPeriod.boundary(anchor: now, periods: 1, cycle: cycle,
                                                            timeZone: TimeZone(identifier: tenant.timeZone) ?? .gmt)
        let status: Subscription.Status = trialEnd == nil ? .active : .trialing
        try await transaction.query("""
            INSERT INTO subscriptions (tenant_id, plan_id, status, billing_cycle, seats, started_at, anchored_at, trial_ends_at,
                                       current_period_start, current_period_end)
            VALUES (\(tenant.id.uuid), \(plan.id), \(status.rawValue), \(cycle.rawValue), \(plan.includedSeats), \(now), \(now),
                    \(trialEnd), \(now), \(periodEnd))
            """)
        try await transaction.query("""
            INSERT INTO record_counters (tenant_id, kind) VALUES (\(tenant.id.uuid), 'contacts'), (\(tenant.id.uuid), 'accounts')
            """)
        try await record(tenant.id, kind: "started", to: status, toPlan: plan.id, seats: plan.includedSeats,
                         cause: trialEnd == nil ? "subscribed to \(plan.code)" : "\(trialDays)-day trial of \(plan.code)",
                         actor: "provisioning", in: transaction)
    }

    // MARK: Changing

    /// Moves to the current version of `code`: an upgrade (a larger plan) at once, a downgrade at
    /// the end of the period, refused while the workspace uses more than the smaller plan allows.
    public func changePlan(_ tenant: TenantID, to code: String, actor: String) async throws -> Subscription {
        try await change(tenant) { host, current in
            let target = try await catalog.current(code: code, in: host)
            guard target.id != current.plan.id else {
                throw GuanxiError(.conflict, code: "plan_unchanged", message: "The subscription is already on \(target.code) version \(target.version).")
            }
            if target.rank >= current.plan.rank {
                try await host.query("""
                    UPDATE subscriptions SET plan_id = \(target.id), scheduled_plan_id = NULL, seats = greatest(seats, \(target.includedSeats)),
                           updated_at = now() WHERE tenant_id = \(tenant.uuid)
                    """)
                try await record(tenant, kind: "upgraded", fromPlan: current.plan.id, toPlan: target.id,
                                 cause: "moved to \(target.code) v\(target.version)", actor: actor, in: host)
                return
            }
            try await requireFits(tenant, in: target, host: host)
            try await host.query("UPDATE subscriptions SET scheduled_plan_id = \(target.id), updated_at = now() WHERE tenant_id = \(tenant.uuid)")
            try await record(tenant, kind: "downgrade_scheduled", fromPlan: current.plan.id, toPlan: target.id,
                             cause: "moves to \(target.code) v\(target.version) at \(current.currentPeriodEnd)", actor: actor, in: host)
        }
    }

    /// Buys `seats` seats (at least the plan's included seats count as bought); never fewer than
    /// the workspace's members.
    public func setSeats(_ tenant: TenantID, to seats: Int, actor: String) async throws -> Subscription {
        try await change(tenant) { host, current in
            guard (1...10_000).contains(seats) else { throw GuanxiError.invalidField("seats", "seats must be from 1 to 10000.") }
            let members = try await host.actAs(tenant).rows("SELECT count(*)::int FROM memberships", as: Int.self)[0]
            guard seats >= members else {
                throw GuanxiError(.conflict, code: "seats_below_members",
                                  message: "The workspace has \(members) members; remove some before going down to \(seats) seats.",
                                  details: ["quota": "seats", "limit": "\(seats)", "used": "\(members)"])
            }
            try await host.query("UPDATE subscriptions SET seats = \(seats), updated_at = now() WHERE tenant_id = \(tenant.uuid)")
            try await record(tenant, kind: "seats_changed", seats: seats, cause: "\(current.seats) → \(seats) seats", actor: actor, in: host)
        }
    }

    /// Moves to monthly or yearly billing at the end of the current period (a trial, which has no
    /// paid period yet, changes at once); the new cycle's periods count from there.
    public func setBillingCycle(_ tenant: TenantID, to cycle: BillingCycle, actor: String) async throws -> Subscription {
        try await change(tenant) { host, current in
            guard cycle != (current.scheduledBillingCycle ?? current.billingCycle) else {
                throw GuanxiError(.conflict, code: "billing_cycle_unchanged", message: "The subscription is already billed \(cycle.rawValue).")
            }
            if current.status == .trialing {
                try await host.query("UPDATE subscriptions SET billing_cycle = \(cycle.rawValue), scheduled_billing_cycle = NULL, updated_at = now() WHERE tenant_id = \(tenant.uuid)")
                try await record(tenant, kind: "billing_cycle_changed", cause: "\(current.billingCycle.rawValue) → \(cycle.rawValue) during the trial",
                                 actor: actor, in: host)
                return
            }
            let scheduled: BillingCycle? = cycle == current.billingCycle ? nil : cycle  // back to the current cycle cancels the change
            try await host.query("UPDATE subscriptions SET scheduled_billing_cycle = \(scheduled?.rawValue), updated_at = now() WHERE tenant_id = \(tenant.uuid)")
            try await record(tenant, kind: "billing_cycle_scheduled", cause: "\(cycle.rawValue) from \(current.currentPeriodEnd)", actor: actor, in: host)
        }
    }

    /// A lifecycle move: activate, past-due, read-only, lock, cancel, reactivate.
    public func apply(_ transition: SubscriptionTransition, to tenant: TenantID, cause: String, actor: String) async throws -> Subscription {
        try await change(tenant) { host, current in
            guard transition.allowedFrom.contains(current.status) else {
                throw GuanxiError(.conflict, code: "invalid_transition",
                                  message: "A \(current.status.rawValue) subscription cannot \(transition.rawValue); allowed from \(transition.allowedFrom.map(\.rawValue).sorted().joined(separator: ", ")).",
                                  details: ["status": current.status.rawValue])
            }
            if transition == .activate && current.status == .trialing {
                // A trial that converts starts its first paid period now.
                let now = Date()
                let zone = try await timeZone(of: tenant, in: host)
                try await host.query("""
                    UPDATE subscriptions SET status = 'active', started_at = \(now), anchored_at = \(now), trial_ends_at = NULL,
                           current_period_start = \(now),
                           current_period_end = \(BillingPeriod.boundary(anchor: now, periods: 1, cycle: current.billingCycle, timeZone: zone)),
                           updated_at = now()
                     WHERE tenant_id = \(tenant.uuid)
                    """)
            } else {
                try await host.query("UPDATE subscriptions SET status = \(transition.target.rawValue), updated_at = now() WHERE tenant_id = \(tenant.uuid)")
            }
            try await record(tenant, kind: "status_changed", from: current.status, to: transition.target, cause: cause, actor: actor, in: host)
        }
    }

    /// Rolls every trialing or active subscription whose period ended into its next period: a
    /// scheduled downgrade takes effect, an ended trial becomes past due. (Past-due and suspended
    /// subscriptions wait; reactivating one lets the next run roll it forward.) Returns how many moved.
    @discardableResult
    public func advance(now: Date = Date()) async throws -> Int {
        let due = try await database.withHost { host in
            try await host.rows("""
                SELECT tenant_id FROM subscriptions WHERE current_period_end <= \(now) AND status IN ('trialing', 'active')
                """, as: UUID.self)
        }
        var moved = 0
        for tenant in due.map(TenantID.init) {
            _ = try await change(tenant) { host, current in
                guard current.currentPeriodEnd <= now, [.trialing, .active].contains(current.status) else { return }
                moved += 1
                if current.status == .trialing {
                    try await host.query("UPDATE subscriptions SET status = 'past_due', updated_at = now() WHERE tenant_id = \(tenant.uuid)")
                    try await record(tenant, kind: "status_changed", from: .trialing, to: .pastDue, cause: "trial ended without payment",
                                     actor: "renewal", in: host)
                    return
                }
                let zone = try await timeZone(of: tenant, in: host)
                // A new billing cycle starts its own periods where the last period of the old one ended.
                let cycle = current.scheduledBillingCycle ?? current.billingCycle
                let anchor = current.scheduledBillingCycle == nil ? current.anchoredAt : current.currentPeriodEnd
                let period = BillingPeriod.containing(now, anchor: anchor, cycle: cycle, timeZone: zone)
                var plan = current.plan
                if let scheduled = current.scheduledPlan {
                    do {
                        try await requireFits(tenant, in: scheduled, host: host)
                        plan = scheduled
                    } catch let error as GuanxiError where error.code == "downgrade_blocked" {
                        // The workspace grew after the downgrade was accepted: it stays where it is.
                        try await record(tenant, kind: "downgrade_blocked", fromPlan: current.plan.id, toPlan: scheduled.id,
                                         cause: error.message, actor: "renewal", in: host)
                    }
                }
                try await host.query("""
                    UPDATE subscriptions SET plan_id = \(plan.id), scheduled_plan_id = NULL, billing_cycle = \(cycle.rawValue),
                           anchored_at = \(anchor), scheduled_billing_cycle = NULL, current_period_start = \(period.start),
                           current_period_end = \(period.end), updated_at = now()
                     WHERE tenant_id = \(tenant.uuid)
                    """)
                if let scheduled = current.scheduledBillingCycle {
                    try await record(tenant, kind: "billing_cycle_changed", cause: "\(current.billingCycle.rawValue) → \(scheduled.rawValue)",
                                     actor: "renewal", in: host)
                }
                if let scheduled = current.scheduledPlan, plan.id == scheduled.id {
                    try await record(tenant, kind: "downgraded", fromPlan: current.plan.id, toPlan: scheduled.id,
                                     cause: "scheduled downgrade at period end", actor: "renewal", in: host)
                }
                try await record(tenant, kind: "renewed", cause: "period \(period.start) – \(period.end)", actor: "renewal", in: host)
            }
        }
        return moved
    }

    /// Runs `body` on the locked subscription in one host transaction, then forgets the tenant's
    /// cached credentials (they carry its status and limits) and returns the result.
    private func change(_ tenant: TenantID, _ body: (Transaction, Subscription) async throws -> Void) async throws -> Subscription {
        let updated = try await database.withHost { host in
            let current = try await subscription(tenant, in: host, lock: true)
            try await body(host, current)
            return try await subscription(tenant, in: host)
        }
        tenantCredentials.removeAll(of: tenant)
        return updated
    }

    /// Throws `downgrade_blocked` when the workspace holds more than `plan` allows.
    private func requireFits(_ tenant: TenantID, in plan: Plan, host: Transaction) async throws {
        let used = try await host.rows("SELECT kind, used FROM record_counters WHERE tenant_id = \(tenant.uuid) ORDER BY kind",
                                       as: (String, Int).self)
        for (kind, count) in used {
            if let limit = plan.limits.countLimit(kind), count > limit {
                throw GuanxiError(.conflict, code: "downgrade_blocked",
                                  message: "\(plan.nameEN) allows \(limit) \(kind) and the workspace has \(count); remove \(count - limit) first.",
                                  details: ["quota": kind, "limit": "\(limit)", "used": "\(count)"])
            }
        }
    }

    private func timeZone(of tenant: TenantID, in host: Transaction) async throws -> TimeZone {
        let zone = try await host.rows("SELECT time_zone FROM tenants WHERE id = \(tenant.uuid)", as: String.self).first
        return zone.flatMap(TimeZone.init(identifier:)) ?? .gmt
    }

    private func record(_ tenant: TenantID, kind: String, from: Subscription.Status? = nil, to: Subscription.Status? = nil,
                        fromPlan: UUID? = nil, toPlan: UUID? = nil, seats: Int? = nil, cause: String, actor: String,
                        in transaction: Transaction) async throws {
        try await transaction.query("""
            INSERT INTO subscription_events (tenant_id, id, kind, from_status, to_status, from_plan_id, to_plan_id, seats, cause, actor)
            VALUES (\(tenant.uuid), \(UUID.version7()), \(kind), \(from?.rawValue), \(to?.rawValue), \(fromPlan), \(toPlan), \(seats),
                    \(cause), \(actor))
            """)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
