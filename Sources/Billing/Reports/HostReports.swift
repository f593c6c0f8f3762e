import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Subscriptions

/// The finance side's reports over every tenant, for a range of months. Each is computed from
/// the recorded history (subscriptions and their events, invoices, payments, metered usage), in
/// the host scope, and answers JSON or CSV through `Report`.
public struct HostReports: Sendable {
    /// The reports by the name the API and the command line use.
    public enum Name: String, Sendable, CaseIterable {
        case mrr
        case revenueByPlan = "revenue-by-plan"
        case invoicedCollected = "invoiced-collected"
        case receivables
        case usage
        case quota
    }

    let database: Database
    /// The longest range one report covers.
    public static let maximumMonths = 120

    public init(database: Database) { self.database = database }

    /// The report `name` for `from`…`to` (receivables are as of `now`; quota pressure flags use of
    /// at least `thresholdBP` of a limit).
    public func report(_ name: Name, from: BillingMonth, to: BillingMonth, thresholdBP: Int = 8000, now: Date = Date()) async throws -> Report {
        guard from <= to else {
            throw GuanxiError(.invalid, code: "invalid_range", message: "from must not be after to.", details: ["field": "from"])
        }
        guard from.through(to).count <= Self.maximumMonths else {
            throw GuanxiError(.invalid, code: "invalid_range", message: "A report covers at most \(Self.maximumMonths) months.", details: ["field": "to"])
        }
        guard (1...100_000).contains(thresholdBP) else {
            throw GuanxiError.invalidField("threshold_bp", "threshold_bp is in basis points, from 1 to 100000 (8000 is 80 %).")
        }
        switch name {
        case .mrr: return try await mrr(from: from, to: to)
        case .revenueByPlan: return try await revenueByPlan(from: from, to: to)
        case .invoicedCollected: return try await invoicedCollected(from: from, to: to)
        case .receivables: return try await receivables(asOf: now)
        case .usage: return try await usage(from: from, to: to)
        case .quota: return try await quotaPressure(from: from, to: to, thresholdBP: thresholdBP)
        }
    }

    // MARK: Recurring revenue

    func recurringRevenue(from: BillingMonth, to: BillingMonth) async throws -> RecurringRevenue {
        try await database.withHost { host in
            let catalog = try await BillingCatalog.load(in: host)
            let events = try await SubscriptionTimeline.events(of: nil, in: host)
            var histories: [RecurringRevenue.TenantHistory] = []
            for row in try await host.query("""
                SELECT s.tenant_id, t.time_zone, s.plan_id, s.seats, s.status, s.billing_cycle
                  FROM subscriptions s JOIN tenants t ON t.id = s.tenant_id
                """) {
                var r = RowReader(row)
                let tenant = try r.next(UUID.self), zone = try r.next(String.self)
                let current = SubscriptionState(planID: try r.next(UUID.self), seats: try r.next(Int.self),
                                                status: Subscription.Status(rawValue: try r.next(String.self)) ?? .locked,
                                                cycle: BillingCycle(rawValue: try r.next(String.self)) ?? .monthly)
                let timeline = SubscriptionTimeline(current: current, events: events[tenant] ?? []) { catalog.plans[$0]?.includedSeats ?? 1 }
                histories.append(.init(tenant: tenant, timeZone: zone, timeline: timeline))
            }
            return RecurringRevenue(histories: histories, plans: catalog.plans, from: from, to: to)
        }
    }

    static let mrrColumns = [
        "month", "currency", "opening_mrr_minor", "new_minor", "expansion_minor", "contraction_minor", "churn_minor", "reactivation_minor",
        "closing_mrr_minor", "arr_minor", "paying_tenants", "new_tenants", "churned_tenants", "arpu_minor", "logo_churn_bp",
        "revenue_churn_bp", "net_revenue_retention_bp",
    ]

    /// MRR at each month's end with its movements, ARR, ARPU, churn and net revenue retention.
    func mrr(from: BillingMonth, to: BillingMonth) async throws -> Report {
        let revenue = try await recurringRevenue(from: from, to: to)
        let rows = revenue.movements.sorted { ($0.key.month, $0.key.currency) < ($1.key.month, $1.key.currency) }.map { key, m in
            func rate(_ numerator: Int64, over denominator: Int64) -> ReportValue {
                denominator > 0 ? .int(MinorUnits.divideRounded(numerator * 10_000, by: denominator)) : .null
            }
            return ReportRow(Self.mrrColumns, [
                .text(key.month.description), .text(key.currency), .int(m.opening), .int(m.new), .int(m.expansion), .int(m.contraction),
                .int(m.churn), .int(m.reactivation), .int(m.closing), .int(12 * m.closing), .int(m.closingTenants), .int(m.newTenants),
                .int(m.churnedTenants), m.closingTenants > 0 ? .int(MinorUnits.divideRounded(m.closing, by: m.closingTenants)) : .null,
                rate(m.churnedTenants, over: m.openingTenants), rate(-(m.churn + m.contraction), over: m.opening),
                rate(m.opening + m.expansion + m.contraction + m.churn, over: m.opening),
            ])
        }
        return Report(name: Name.mrr.rawValue, from: from, to: to, columns: Self.mrrColumns, rows: rows)
    }

    static let revenueByPlanColumns = ["month", "currency", "plan", "mrr_minor", "paying_tenants"]

    /// Closing MRR of each month by plan code.
    func revenueByPlan(from: BillingMonth, to: BillingMonth) async throws -> Report {
        let revenue = try await recurringRevenue(from: from, to: to)
        let rows = revenue.byPlan.sorted { ($0.key.month, $0.key.currency, $0.key.plan) < ($1.key.month, $1.key.currency, $1.key.plan) }.map {
            ReportRow(Self.revenueByPlanColumns, [.text($0.key.month.description), .text($0.key.currency), .text($0.key.plan),
                                                  .int($0.value.mrr), .int($0.value.tenants)])
        }
        return Report(name: Name.revenueByPlan.rawValue, from: from, to: to, columns: Self.revenueByPlanColumns, rows: rows)
    }

    // MARK: Invoices and payments

    static let invoicedCollectedColumns = ["month", "currency", "invoices", "invoiced_minor", "credited_minor", "net_invoiced_minor", "collected_minor"]

    /// Per month of issue (the tenant's local month): issued invoices (not void) and credit notes,
    /// and payments by the local month they were received.
    func invoicedCollected(from: BillingMonth, to: BillingMonth) async throws -> Report {
        let first = "\(from)-01", end = "\(to.next)-01"
        let (invoiced, collected) = try await database.withHost { host in
            let invoiced = try await host.rows("""
                SELECT to_char(i.issued_at AT TIME ZONE t.time_zone, 'YYYY-MM'), i.currency,
                       count(*) FILTER (WHERE i.kind = 'invoice')::int8,
                       coalesce(sum(i.total_minor) FILTER (WHERE i.kind = 'invoice'), 0)::int8,
                       coalesce(sum(i.total_minor) FILTER (WHERE i.kind = 'credit_note'), 0)::int8
                  FROM invoices i JOIN tenants t ON t.id = i.tenant_id
                 WHERE i.status IN ('issued', 'paid')
                   AND i.issued_at >= \(first)::timestamp AT TIME ZONE t.time_zone AND i.issued_at < \(end)::timestamp AT TIME ZONE t.time_zone
                 GROUP BY 1, 2
                """, as: (String, String, Int64, Int64, Int64).self)
            let collected = try await host.rows("""
                SELECT to_char(p.received_at AT TIME ZONE t.time_zone, 'YYYY-MM'), p.currency, sum(p.amount_minor)::int8
                  FROM payments p JOIN tenants t ON t.id = p.tenant_id
                 WHERE p.received_at >= \(first)::timestamp AT TIME ZONE t.time_zone AND p.received_at < \(end)::timestamp AT TIME ZONE t.time_zone
                 GROUP BY 1, 2
                """, as: (String, String, Int64).self)
            return (invoiced, collected)
        }
        struct Key: Hashable, Comparable {
            var month: String, currency: String
            static func < (a: Key, b: Key) -> Bool { (a.month, a.currency) < (b.month, b.currency) }
        }
        var totals: [Key: (count: Int64, invoiced: Int64, credited: Int64, collected: Int64)] = [:]
        for (month, currency, count, amount, credited) in invoiced {
            totals[Key(month: month, currency: currency), default: (0, 0, 0, 0)].count += count
            totals[Key(month: month, currency: currency), default: (0, 0, 0, 0)].invoiced += amount
            totals[Key(month: month, currency: currency), default: (0, 0, 0, 0)].credited += credited
        }
        for (month, currency, amount) in collected { totals[Key(month: month, currency: currency), default: (0, 0, 0, 0)].collected += amount }
        let rows = totals.sorted { $0.key < $1.key }.map { key, t in
            ReportRow(Self.invoicedCollectedColumns, [.text(key.month), .text(key.currency), .int(t.count), .int(t.invoiced), .int(t.credited),
                                                      .int(t.invoiced + t.credited), .int(t.collected)])
        }
        return Report(name: Name.invoicedCollected.rawValue, from: from, to: to, columns: Self.invoicedCollectedColumns, rows: rows)
    }

    static let receivablesColumns = [
        "tenant_id", "slug", "currency", "not_due_minor", "overdue_1_30_minor", "overdue_31_60_minor", "overdue_61_90_minor",
        "overdue_over_90_minor", "outstanding_minor",
    ]

    /// What each tenant owes on issued invoices as of `asOf`, by days past the due date.
    func receivables(asOf: Date) async throws -> Report {
        let rows = try await database.withHost { host in
            try await host.rows("""
                SELECT o.tenant_id, o.slug, o.currency,
                       coalesce(sum(o.balance) FILTER (WHERE o.days <= 0), 0)::int8,
                       coalesce(sum(o.balance) FILTER (WHERE o.days BETWEEN 1 AND 30), 0)::int8,
                       coalesce(sum(o.balance) FILTER (WHERE o.days BETWEEN 31 AND 60), 0)::int8,
                       coalesce(sum(o.balance) FILTER (WHERE o.days BETWEEN 61 AND 90), 0)::int8,
                       coalesce(sum(o.balance) FILTER (WHERE o.days > 90), 0)::int8,
                       sum(o.balance)::int8
                  FROM (SELECT i.tenant_id, t.slug, i.currency, i.total_minor - i.paid_minor - i.credited_minor AS balance,
                               (\(asOf) AT TIME ZONE t.time_zone)::date - i.due_date AS days
                          FROM invoices i JOIN tenants t ON t.id = i.tenant_id
                         WHERE i.status = 'issued' AND i.kind = 'invoice' AND i.issued_at <= \(asOf)) o
                 GROUP BY o.tenant_id, o.slug, o.currency
                 ORDER BY sum(o.balance) DESC, o.slug
                """, as: (UUID, String, String, Int64, Int64, Int64, Int64, Int64, Int64).self)
        }.map {
            ReportRow(Self.receivablesColumns, [.text($0.0.uuidString.lowercased()), .text($0.1), .text($0.2), .int($0.3), .int($0.4), .int($0.5),
                                                .int($0.6), .int($0.7), .int($0.8)])
        }
        return Report(name: Name.receivables.rawValue, from: nil, to: nil, columns: Self.receivablesColumns, rows: rows)
    }

    // MARK: Usage

    static let usageColumns = [
        "tenant_id", "slug", "plan", "api_calls", "api_calls_included", "contacts_peak", "contacts_limit", "accounts_peak", "accounts_limit",
        "members_peak", "seats",
    ]

    /// Each tenant's metered use over the months against its current plan's limits: API calls
    /// against the monthly allowance times the months, and the highest daily record and member counts.
    func usage(from: BillingMonth, to: BillingMonth) async throws -> Report {
        let months = Int64(from.through(to).count)
        let rows = try await database.withHost { host in
            try await host.rows("""
                SELECT t.id, t.slug, p.code, coalesce(sum(u.api_calls), 0)::int8, coalesce(mp.included_api_calls_month, 0)::int8 * \(months),
                       coalesce(max(u.contacts), 0)::int8, p.max_contacts::int8, coalesce(max(u.accounts), 0)::int8, p.max_accounts::int8,
                       coalesce(max(u.active_seats), 0)::int8, s.seats::int8
                  FROM subscriptions s JOIN tenants t ON t.id = s.tenant_id JOIN plans p ON p.id = s.plan_id
                  LEFT JOIN metered_prices mp ON mp.plan_code = p.code
                  LEFT JOIN usage_daily u ON u.tenant_id = s.tenant_id AND u.day >= \("\(from)-01")::date AND u.day < \("\(to.next)-01")::date
                 GROUP BY t.id, t.slug, p.code, mp.included_api_calls_month, p.max_contacts, p.max_accounts, s.seats
                 ORDER BY t.slug
                """, as: (UUID, String, String, Int64, Int64, Int64, Int64?, Int64, Int64?, Int64, Int64).self)
        }.map { row -> ReportRow in
            let (id, slug, plan, calls, included, contacts, contactsLimit, accounts, accountsLimit, members, seats) = row
            return ReportRow(Self.usageColumns, [
                .text(id.uuidString.lowercased()), .text(slug), .text(plan), .int(calls), .int(included), .int(contacts),
                contactsLimit.map(ReportValue.int) ?? .null, .int(accounts), accountsLimit.map(ReportValue.int) ?? .null, .int(members), .int(seats),
            ])
        }
        return Report(name: Name.usage.rawValue, from: from, to: to, columns: Self.usageColumns, rows: rows)
    }

    static let quotaColumns = ["tenant_id", "slug", "plan", "quota", "used", "limit", "use_bp", "state"]

    /// The tenants whose peak use in the months reached `thresholdBP` of a limit (`near`) or
    /// passed it (`over`), one row per quota, from the usage report.
    func quotaPressure(from: BillingMonth, to: BillingMonth, thresholdBP: Int) async throws -> Report {
        let usage = try await usage(from: from, to: to)
        let quotas = [("api_calls", "api_calls_included"), ("contacts", "contacts_limit"), ("accounts", "accounts_limit"), ("seats", "seats")]
        var rows: [ReportRow] = []
        for row in usage.rows {
            for (quota, limitColumn) in quotas {
                guard case .int(let limit)? = row[limitColumn], limit > 0 else { continue }
                let used = row.int(quota == "seats" ? "members_peak" : quota == "api_calls" ? "api_calls" : "\(quota)_peak")
                let use = MinorUnits.divideRounded(used * 10_000, by: limit)
                guard use >= thresholdBP else { continue }
                rows.append(ReportRow(Self.quotaColumns, [row["tenant_id"]!, row["slug"]!, row["plan"]!, .text(quota), .int(used), .int(limit),
                                                          .int(use), .text(used > limit ? "over" : "near")]))
            }
        }
        return Report(name: Name.quota.rawValue, from: from, to: to, columns: Self.quotaColumns, rows: rows)
    }
}
