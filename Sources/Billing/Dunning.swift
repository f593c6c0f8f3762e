import Database
import Foundation
import PostgresNIO
import GuanxiCore
import Logging
import Subscriptions
import Tenancy

/// Chasing unpaid invoices: `pastDueAfterDays` after the due date the subscription goes
/// `past_due`, after `readOnlyAfterDays` `read_only`, after `suspendAfterDays` it is locked and the
/// tenant suspended. Each step goes through the subscription's own transitions and the tenant
/// directory, so the gateway's enforcement applies as for an operator's action, and is recorded
/// once per invoice in `dunning_events` (and as a subscription event). Settling every overdue
/// invoice restores the workspace.
public struct Dunning: Sendable {
    enum Step: String, CaseIterable {
        case pastDue = "past_due", readOnly = "read_only", suspended
    }

    let database: Database
    let subscriptions: Subscriptions
    let tenants: TenantDirectory
    let policy: BillingConfiguration.DunningPolicy
    static let actor = "dunning"

    public init(database: Database, subscriptions: Subscriptions, tenants: TenantDirectory, policy: BillingConfiguration.DunningPolicy) {
        self.database = database
        self.subscriptions = subscriptions
        self.tenants = tenants
        self.policy = policy
    }

    func threshold(_ step: Step) -> Int {
        switch step {
        case .pastDue: policy.pastDueAfterDays
        case .readOnly: policy.readOnlyAfterDays
        case .suspended: policy.suspendAfterDays
        }
    }

    /// Takes every step that has come due by `now` (each tenant's local date), for every tenant
    /// or only `tenants`, and restores workspaces whose overdue invoices were all settled.
    /// Returns the steps taken.
    @discardableResult
    public func run(now: Date = Date(), tenants only: [TenantID]? = nil) async throws -> Int {
        let filter = only?.map(\.uuid)
        let overdue = try await database.withHost { host in
            try await host.rows("""
                SELECT i.tenant_id, i.id, coalesce(i.number, ''), ((\(now) AT TIME ZONE t.time_zone)::date - i.due_date)::int,
                       array(SELECT d.step FROM dunning_events d WHERE d.tenant_id = i.tenant_id AND d.invoice_id = i.id)
                  FROM invoices i JOIN tenants t ON t.id = i.tenant_id
                 WHERE i.status = 'issued' AND i.kind = 'invoice' AND (\(filter)::uuid[] IS NULL OR i.tenant_id = ANY(\(filter)))
                   AND (\(now) AT TIME ZONE t.time_zone)::date - i.due_date >= \(policy.pastDueAfterDays)
                 ORDER BY i.tenant_id, i.due_date, i.id
                """, as: (UUID, UUID, String, Int, [String]).self)
        }
        var taken = 0
        for (tenant, invoice, number, days, done) in overdue {
            for step in Step.allCases where days >= threshold(step) && !done.contains(step.rawValue) {
                if try await take(step, tenant: TenantID(tenant), invoice: InvoiceID(invoice), number: number, daysOverdue: days, now: now) {
                    taken += 1
                }
            }
        }
        let settled = try await database.withHost { host in
            try await host.rows("""
                SELECT DISTINCT d.tenant_id FROM dunning_events d JOIN invoices i ON i.tenant_id = d.tenant_id AND i.id = d.invoice_id
                 WHERE i.status IN ('paid', 'void') AND (\(filter)::uuid[] IS NULL OR d.tenant_id = ANY(\(filter)))
                   AND NOT EXISTS (SELECT 1 FROM dunning_events r WHERE r.tenant_id = d.tenant_id AND r.invoice_id = d.invoice_id AND r.step = 'restored')
                """, as: UUID.self)
        }
        for tenant in settled { try await restoreIfSettled(TenantID(tenant), now: now) }
        return taken
    }

    /// Claims `step` for the invoice (the unique key lets one runner have it), then moves the
    /// subscription and the tenant. Returns whether this runner took it.
    private func take(_ step: Step, tenant: TenantID, invoice: InvoiceID, number: String, daysOverdue: Int, now: Date) async throws -> Bool {
        let status = try await subscriptions.forOperator(tenant).0.status
        let transition: SubscriptionTransition? = switch step {
        case .pastDue: [.active, .trialing].contains(status) ? .markPastDue : nil
        case .readOnly: [.trialing, .active, .pastDue].contains(status) ? .suspendReadOnly : nil
        case .suspended: [.pastDue, .readOnly].contains(status) ? .lock : nil
        }
        let target = transition.map { _ in step == .suspended ? "locked" : step.rawValue }
        var outcome = target.map { "subscription \(status.rawValue) → \($0)" } ?? "subscription already \(status.rawValue)"
        if step == .suspended && status != .cancelled { outcome += "; tenant suspended" }
        let claimed = try await database.withHost { host in
            try await host.query("""
                INSERT INTO dunning_events (tenant_id, id, invoice_id, step, days_overdue, outcome, occurred_at, actor)
                VALUES (\(tenant.uuid), \(UUID.version7()), \(invoice.uuid), \(step.rawValue), \(daysOverdue), \(outcome), \(now), \(Self.actor))
                ON CONFLICT (tenant_id, invoice_id, step) DO NOTHING
                RETURNING id
                """)
        }
        guard !claimed.isEmpty else { return false }
        let cause = "invoice \(number) unpaid \(daysOverdue) days after its due date"
        if let transition {
            do {
                _ = try await subscriptions.apply(transition, to: tenant, cause: cause, actor: Self.actor)
            } catch let error as GuanxiError where error.code == "invalid_transition" {
                // Another runner (or an operator) moved the subscription on meanwhile; the step stands.
                database.logger.info("dunning transition skipped", metadata: ["tenant": "\(tenant)", "reason": "\(error.message)"])
            }
        }
        if step == .suspended && status != .cancelled {
            _ = try await tenants.setStatus(tenant, .suspended)
        }
        database.logger.notice("dunning step", metadata: ["tenant": "\(tenant)", "invoice": "\(number)", "step": "\(step.rawValue)",
                                                          "outcome": "\(outcome)"])
        return true
    }

    /// Restores a workspace that dunning restricted once none of its invoices is overdue past the
    /// first step any more: the subscription is reactivated and a suspension dunning made is lifted.
    public func restoreIfSettled(_ tenant: TenantID, now: Date = Date()) async throws {
        let restored: [(UUID, Bool)] = try await database.withHost { host in
            let stillOverdue = try await host.rows("""
                SELECT count(*)::int FROM invoices i JOIN tenants t ON t.id = i.tenant_id
                 WHERE i.tenant_id = \(tenant.uuid) AND i.status = 'issued' AND i.kind = 'invoice'
                   AND (\(now) AT TIME ZONE t.time_zone)::date - i.due_date >= \(policy.pastDueAfterDays)
                """, as: Int.self)[0]
            guard stillOverdue == 0 else { return [] }
            let settled = try await host.rows("""
                SELECT d.invoice_id, max(d.days_overdue), bool_or(d.step = 'suspended')
                  FROM dunning_events d JOIN invoices i ON i.tenant_id = d.tenant_id AND i.id = d.invoice_id
                 WHERE d.tenant_id = \(tenant.uuid) AND i.status IN ('paid', 'void')
                 GROUP BY d.invoice_id
                HAVING NOT bool_or(d.step = 'restored')
                """, as: (UUID, Int, Bool).self)
            var claimed: [(UUID, Bool)] = []
            for (invoice, days, suspended) in settled {
                let rows = try await host.query("""
                    INSERT INTO dunning_events (tenant_id, id, invoice_id, step, days_overdue, outcome, occurred_at, actor)
                    VALUES (\(tenant.uuid), \(UUID.version7()), \(invoice), 'restored', \(days), 'settled; restrictions lifted', \(now), \(Self.actor))
                    ON CONFLICT (tenant_id, invoice_id, step) DO NOTHING
                    RETURNING id
                    """)
                if !rows.isEmpty { claimed.append((invoice, suspended)) }
            }
            return claimed
        }
        guard !restored.isEmpty else { return }
        let (subscription, _) = try await subscriptions.forOperator(tenant)
        if [.pastDue, .readOnly, .locked].contains(subscription.status) {
            _ = try await subscriptions.apply(.reactivate, to: tenant, cause: "overdue invoices settled", actor: Self.actor)
        }
        if restored.contains(where: { $0.1 }), try await tenants.find(tenant).status == .suspended {
            _ = try await tenants.setStatus(tenant, .active)
        }
        database.logger.notice("dunning restored", metadata: ["tenant": "\(tenant)", "invoices": "\(restored.count)"])
    }

    /// Dunning steps, newest first, of one tenant or of all.
    public func events(tenant: TenantID?, _ page: PageRequest) async throws -> Page<DunningEvent> {
        let before = page.after?.after ?? UUID.maximum
        let rows = try await database.withHost { host in
            try await host.rows("""
                SELECT id, tenant_id, invoice_id, step, days_overdue, outcome, occurred_at, actor FROM dunning_events
                 WHERE (\(tenant?.uuid)::uuid IS NULL OR tenant_id = \(tenant?.uuid)) AND id < \(before)
                 ORDER BY id DESC LIMIT \(page.limit + 1)
                """, as: (UUID, UUID, UUID, String, Int, String, Date, String).self)
        }
        let events = rows.map {
            DunningEvent(id: $0.0, tenantID: TenantID($0.1), invoiceID: InvoiceID($0.2), step: $0.3, daysOverdue: $0.4, outcome: $0.5,
                         occurredAt: $0.6, actor: $0.7)
        }
        return Page(rows: events, limit: page.limit) { Cursor(after: $0.id) }
    }
}
