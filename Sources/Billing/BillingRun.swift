import Database
import Foundation
import GuanxiCore
import Logging
import PostgresNIO
import Subscriptions

/// Makes the subscription invoices of one month: for each tenant, the billing period whose last
/// day (in the tenant's time zone) falls in that month and has ended by `now`, billed in arrears
/// with its proration, overage and tax. Safe to run again and to run twice at once: an invoice's
/// unique key is its tenant and billing period, and inserts that meet one skip it.
public struct BillingRun: Sendable {
    /// What a run did.
    public struct Summary: Sendable, Codable, Equatable {
        public var period: BillingMonth
        /// Tenants looked at (those without an invoice for the month yet).
        public var considered: Int
        /// Invoices this run created (another run, or an earlier one, made the rest).
        public var created: Int
        public var issued: Int
    }

    let database: Database
    let configuration: BillingConfiguration
    /// Tenants written per transaction.
    let batchSize: Int

    public init(database: Database, configuration: BillingConfiguration, batchSize: Int = 1000) {
        self.database = database
        self.configuration = configuration
        self.batchSize = batchSize
    }

    /// Bills `period` for every tenant, or only for `tenants`; `issue` numbers the new invoices in
    /// the same transaction, else they stay drafts. `progress` hears (tenants done, tenants in all)
    /// after each batch.
    @discardableResult
    public func run(period: BillingMonth, issue: Bool = true, now: Date = Date(), tenants: [TenantID]? = nil,
                    progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Summary {
        let catalog = try await database.withHost { try await BillingCatalog.load(in: $0) }
        let candidates = try await loadCandidates(period, tenants: tenants?.map(\.uuid))
        var summary = Summary(period: period, considered: candidates.count, created: 0, issued: 0)
        progress(0, candidates.count)
        var done = 0
        for batch in stride(from: 0, to: candidates.count, by: batchSize).map({ Array(candidates[$0..<min($0 + batchSize, candidates.count)]) }) {
            let drafts = try await compute(batch, period: period, catalog: catalog, now: now)
            let (created, issued) = try await database.withHost { host in
                let created = try await insert(drafts, in: host)
                let issued = issue ? try await InvoiceNumbering.issue(created, now: now, configuration: configuration, in: host).count : 0
                return (created.count, issued)
            }
            summary.created += created
            summary.issued += issued
            done += batch.count
            progress(done, candidates.count)
        }
        if summary.created > 0 {
            database.logger.info("billing run", metadata: ["period": "\(period)", "created": "\(summary.created)", "issued": "\(summary.issued)"])
        }
        return summary
    }

    // MARK: Reading the inputs

    struct Candidate {
        var tenant: UUID
        var timeZone: String
        var current: SubscriptionState
        var anchoredAt: Date
        var taxRateBP: Int
        /// The end of the last period invoiced, if any.
        var lastBilledEnd: Date?
        var events: [SubscriptionTimeline.Event] = []
    }

    /// Subscriptions that may have a period ending in `period` and have no invoice for it yet,
    /// with their histories: two queries for the whole host.
    func loadCandidates(_ period: BillingMonth, tenants: [UUID]?) async throws -> [Candidate] {
        let monthStart = "\(period)-01"
        return try await database.withHost { host in
            var candidates: [Candidate] = []
            for row in try await host.query("""
                SELECT s.tenant_id, t.time_zone, s.plan_id, s.seats, s.status, s.billing_cycle, s.anchored_at, coalesce(b.tax_rate_bp, 0),
                       (SELECT max(i.period_end) FROM invoices i WHERE i.tenant_id = s.tenant_id AND i.billing_period_start IS NOT NULL)
                  FROM subscriptions s JOIN tenants t ON t.id = s.tenant_id
                  LEFT JOIN billing_profiles b ON b.tenant_id = s.tenant_id
                 WHERE s.anchored_at <= (\(monthStart)::timestamp + interval '1 month') AT TIME ZONE t.time_zone
                   AND (\(tenants)::uuid[] IS NULL OR s.tenant_id = ANY(\(tenants)))
                   AND NOT EXISTS (
                       SELECT 1 FROM invoices i
                        WHERE i.tenant_id = s.tenant_id AND i.billing_period_start IS NOT NULL
                          AND date_trunc('month', (i.period_end - interval '1 microsecond') AT TIME ZONE t.time_zone) = \(monthStart)::timestamp)
                 ORDER BY s.tenant_id
                """) {
                var r = RowReader(row)
                let tenant = try r.next(UUID.self), zone = try r.next(String.self), plan = try r.next(UUID.self), seats = try r.next(Int.self)
                let status = Subscription.Status(rawValue: try r.next(String.self)) ?? .locked
                let cycle = BillingCycle(rawValue: try r.next(String.self)) ?? .monthly
                candidates.append(Candidate(tenant: tenant, timeZone: zone, current: SubscriptionState(planID: plan, seats: seats, status: status, cycle: cycle),
                                            anchoredAt: try r.next(Date.self), taxRateBP: try r.next(Int.self),
                                            lastBilledEnd: try r.next(Date?.self)))
            }
            guard !candidates.isEmpty else { return [] }
            let events = try await SubscriptionTimeline.events(of: candidates.map(\.tenant), in: host)
            for position in candidates.indices { candidates[position].events = events[candidates[position].tenant] ?? [] }
            return candidates
        }
    }

    // MARK: Computing

    struct Draft {
        var tenant: UUID
        var id: UUID
        var periodStart: Date
        var periodEnd: Date
        var amounts: InvoiceAmounts
    }

    /// The period of `anchor`'s periods whose last day falls in `month`, in the tenant's zone.
    public static func period(endingIn month: BillingMonth, anchor: Date, cycle: BillingCycle, timeZone: TimeZone) -> (start: Date, end: Date)? {
        let calendar = TenantCalendar(timeZone: timeZone)
        let monthStart = calendar.start(of: month), monthEnd = calendar.start(of: month.next)
        let cycleMonths = cycle == .monthly ? 1 : 12
        let monthsBefore = calendar.calendar.dateComponents([.month], from: anchor, to: monthStart).month ?? 0
        var index = max(0, monthsBefore / cycleMonths - 1)
        while true {
            let end = BillingPeriod.boundary(anchor: anchor, periods: index + 1, cycle: cycle, timeZone: timeZone)
            if end <= monthStart { index += 1; continue }
            guard end <= monthEnd else { return nil }
            return (BillingPeriod.boundary(anchor: anchor, periods: index, cycle: cycle, timeZone: timeZone), end)
        }
    }

    /// The period to bill in `month`: the one of the current anchor's periods that ends in it, or
    /// else, when the anchor itself moved into the month (a change of billing cycle at a period's
    /// end), the last period of the old cycle, from the end of the last invoiced period to the anchor.
    static func period(endingIn month: BillingMonth, of candidate: Candidate, timeZone: TimeZone) -> (start: Date, end: Date)? {
        if let period = period(endingIn: month, anchor: candidate.anchoredAt, cycle: candidate.current.cycle, timeZone: timeZone) { return period }
        let calendar = TenantCalendar(timeZone: timeZone)
        guard let start = candidate.lastBilledEnd, start < candidate.anchoredAt,
              calendar.start(of: month) < candidate.anchoredAt, candidate.anchoredAt <= calendar.start(of: month.next)
        else { return nil }
        return (start, candidate.anchoredAt)
    }

    /// The invoices of `batch`: periods, usage in one query, then amounts.
    func compute(_ batch: [Candidate], period: BillingMonth, catalog: BillingCatalog, now: Date) async throws -> [Draft] {
        typealias Billable = (candidate: Candidate, timeline: SubscriptionTimeline, zone: TimeZone, start: Date, end: Date)
        var billable: [Billable] = []
        for candidate in batch {
            let zone = TimeZone(identifier: candidate.timeZone) ?? .gmt
            let timeline = SubscriptionTimeline(current: candidate.current, events: candidate.events) { catalog.plans[$0]?.includedSeats ?? 1 }
            guard let (start, end) = Self.period(endingIn: period, of: candidate, timeZone: zone),
                  end <= now, timeline.state(before: end).status.isBillable
            else { continue }
            billable.append((candidate, timeline, zone, start, end))
        }
        guard !billable.isEmpty else { return [] }
        let calls = try await database.withHost { host in
            try await host.rows("""
                SELECT p.tenant_id, coalesce(sum(u.api_calls), 0)::bigint
                  FROM unnest(\(billable.map(\.candidate.tenant)), \(billable.map { TenantCalendar(timeZone: $0.zone).dateString($0.start) }),
                              \(billable.map { TenantCalendar(timeZone: $0.zone).dateString($0.end) })) AS p (tenant_id, first_day, end_day)
                  JOIN usage_daily u ON u.tenant_id = p.tenant_id AND u.day >= p.first_day::date AND u.day < p.end_day::date
                 GROUP BY p.tenant_id
                """, as: (UUID, Int64).self)
        }
        let callsByTenant = Dictionary(uniqueKeysWithValues: calls.map { ($0.0, $0.1) })
        return billable.compactMap { item in
            let state = item.timeline.state(at: item.start)
            guard let plan = catalog.plans[state.planID] else { return nil }
            let changes = item.timeline.changes(between: item.start, and: item.end).compactMap { change in
                catalog.plans[change.state.planID].map { PlanChange(at: change.at, plan: $0, seats: change.state.seats) }
            }
            let endPlan = catalog.plans[item.timeline.state(before: item.end).planID] ?? plan
            let amounts = InvoiceCalculator.amounts(
                periodStart: item.start, periodEnd: item.end, timeZone: item.zone, cycle: state.cycle,
                start: PlanChange(at: item.start, plan: plan, seats: state.seats), changes: changes,
                apiCalls: callsByTenant[item.candidate.tenant] ?? 0, metered: catalog.metered[endPlan.code],
                taxRateBP: item.candidate.taxRateBP)
            // Nothing to ask for (a free plan without overage): no invoice.
            guard amounts.lines.contains(where: { $0.amountMinor != 0 }) else { return nil }
            return Draft(tenant: item.candidate.tenant, id: UUID.version7(), periodStart: item.start, periodEnd: item.end, amounts: amounts)
        }
    }

    // MARK: Writing

    /// Inserts the drafts and their lines in one statement; an invoice that already exists for
    /// the tenant and period (made by another run) is skipped with its lines. Returns the ids made.
    func insert(_ drafts: [Draft], in host: Transaction) async throws -> [UUID] {
        guard !drafts.isEmpty else { return [] }
        let lines = drafts.flatMap { draft in draft.amounts.lines.enumerated().map { (draft, $0.offset + 1, $0.element) } }
        return try await host.rows("""
            WITH new_invoices AS (
                INSERT INTO invoices (tenant_id, id, kind, status, currency, period_start, period_end, billing_period_start,
                                      subtotal_minor, tax_rate_bp, tax_minor, total_minor)
                SELECT n.tenant_id, n.id, 'invoice', 'draft', n.currency, n.period_start, n.period_end, n.period_start,
                       n.subtotal, n.tax_rate, n.tax, n.total
                  FROM unnest(\(drafts.map(\.tenant)), \(drafts.map(\.id)), \(drafts.map(\.amounts.currency)), \(drafts.map(\.periodStart)),
                              \(drafts.map(\.periodEnd)), \(drafts.map(\.amounts.subtotal)), \(drafts.map(\.amounts.taxRateBP)),
                              \(drafts.map(\.amounts.tax)), \(drafts.map(\.amounts.total)))
                       AS n (tenant_id, id, currency, period_start, period_end, subtotal, tax_rate, tax, total)
                ON CONFLICT (tenant_id, billing_period_start) DO NOTHING
                RETURNING tenant_id, id),
            new_lines AS (
                INSERT INTO invoice_lines (tenant_id, invoice_id, position, kind, description_en, description_zh, quantity,
                                           unit_amount_minor, amount_minor)
                SELECT l.tenant_id, l.invoice_id, l.position, l.kind, l.en, l.zh, l.quantity, l.unit, l.amount
                  FROM unnest(\(lines.map(\.0.tenant)), \(lines.map(\.0.id)), \(lines.map(\.1)), \(lines.map(\.2.kind.rawValue)),
                              \(lines.map(\.2.descriptionEN)), \(lines.map(\.2.descriptionZH)), \(lines.map(\.2.quantity)),
                              \(lines.map(\.2.unitAmountMinor)), \(lines.map(\.2.amountMinor)))
                       AS l (tenant_id, invoice_id, position, kind, en, zh, quantity, unit, amount)
                  JOIN new_invoices n ON n.tenant_id = l.tenant_id AND n.id = l.invoice_id)
            SELECT id FROM new_invoices ORDER BY id
            """, as: UUID.self)
    }
}
