import Billing
import Database
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Host reports over a constructed 2033 history, in a currency of its own so no other suite's
/// tenants count: MRR and its movements, revenue by plan, invoiced against collected,
/// receivables, usage and quota pressure; and the identities that make them reconcile.
@Suite("Billing: host reports")
struct BillingReportsTests {
    func date(_ text: String) -> Date { BillingHistory.date(text) }

    struct Fixture {
        var currency: String
        var planA: UUID
        var planB: UUID
        var tenants: [TestTenant]
    }

    func publish(_ app: TestApp, currency: String, month: Int, rank: Int) async throws -> UUID {
        let response = try await app.request(.post, "/ops/v1/plans", token: app.operatorToken, json: [
            "code": "r" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12), "name_en": "Report",
            "name_zh": "报表", "currency": currency, "price_month_minor": month, "price_year_minor": month * 96 / 10, "included_seats": 2,
            "extra_seat_month_minor": 1000, "rank": rank,
            "limits": ["contacts": 100, "accounts": 100, "api_per_minute": 600, "api_per_day": 10_000, "concurrent_requests": 4] as [String: Any],
        ])
        #expect(response.status == .created, "\(response.body.string)")
        return try #require(UUID(uuidString: try response.json()["id"] as? String ?? ""))
    }

    /// T1 A from 10 Jan, B from 5 Mar (expansion); T2 A yearly from 1 Feb, cancelled 20 May; T3 B with 4 seats from
    /// 15 Jan, 3 seats from 10 Apr (contraction), cancelled 1 Jun, back 3 Aug (reactivation); T4 a trial from 1 Jan,
    /// active from 14 Feb (new).
    func fixture(_ app: TestApp) async throws -> Fixture {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let currency = "Z" + String((0..<2).map { _ in letters.randomElement()! })
        let planA = try await publish(app, currency: currency, month: 10000, rank: 10)
        let planB = try await publish(app, currency: currency, month: 30000, rank: 11)
        var tenants: [TestTenant] = []
        for _ in 0..<4 { tenants.append(try await app.billedTenant()) }
        try await app.writeHistory(tenants[0].id, start: date("2033-01-10T00:00:00Z"), plan: planA, seats: 2, events: [
            .init(at: date("2033-03-05T00:00:00Z"), kind: "upgraded", toPlan: planB),
        ])
        try await app.writeHistory(tenants[1].id, start: date("2033-02-01T00:00:00Z"), plan: planA, seats: 2, cycle: "yearly", events: [
            .init(at: date("2033-05-20T00:00:00Z"), kind: "status_changed", toStatus: "cancelled"),
        ])
        try await app.writeHistory(tenants[2].id, start: date("2033-01-15T00:00:00Z"), plan: planB, seats: 4, events: [
            .init(at: date("2033-04-10T00:00:00Z"), kind: "seats_changed", seats: 3),
            .init(at: date("2033-06-01T00:00:00Z"), kind: "status_changed", toStatus: "cancelled"),
            .init(at: date("2033-08-03T00:00:00Z"), kind: "status_changed", toStatus: "active"),
        ])
        try await app.writeHistory(tenants[3].id, start: date("2033-01-01T00:00:00Z"), anchor: date("2033-02-14T00:00:00Z"), plan: planA,
                                   seats: 2, status: "trialing", events: [
            .init(at: date("2033-02-14T00:00:00Z"), kind: "status_changed", toStatus: "active"),
        ])
        return Fixture(currency: currency, planA: planA, planB: planB, tenants: tenants)
    }

    func rows(_ report: Report, currency: String) -> [ReportRow] {
        report.rows.filter { $0["currency"] == .text(currency) }
    }

    @Test("MRR movements add up to each month's change, month after month; ARR, ARPU, churn and retention from them")
    func recurringRevenue() async throws {
        try await TestApp.run { app in
            let fixture = try await fixture(app)
            let reports = app.services.reports
            let mrr = rows(try await reports.report(.mrr, from: BillingMonth("2033-01")!, to: BillingMonth("2033-09")!), currency: fixture.currency)
            #expect(mrr.map { $0["month"] } == BillingMonth("2033-01")!.through(BillingMonth("2033-09")!).map { .text($0.description) })
            for row in mrr {
                let movements = ["new_minor", "expansion_minor", "contraction_minor", "churn_minor", "reactivation_minor"].map(row.int).reduce(0, +)
                #expect(row.int("opening_mrr_minor") + movements == row.int("closing_mrr_minor"), "\(row)")
                #expect(row.int("arr_minor") == 12 * row.int("closing_mrr_minor"))
            }
            for (before, after) in zip(mrr, mrr.dropFirst()) { #expect(before.int("closing_mrr_minor") == after.int("opening_mrr_minor")) }
            #expect(mrr.map { $0.int("closing_mrr_minor") } == [42000, 60000, 80000, 79000, 71000, 40000, 40000, 71000, 71000])
            #expect(mrr[0].int("new_minor") == 42000 && mrr[0].int("new_tenants") == 2)
            #expect(mrr[1].int("new_minor") == 18000)  // T2's 96000 a year is 8000 a month; T4's trial converts
            #expect(mrr[2].int("expansion_minor") == 20000)
            #expect(mrr[3].int("contraction_minor") == -1000 && mrr[3]["net_revenue_retention_bp"] == .int(9875))
            #expect(mrr[4].int("churn_minor") == -8000 && mrr[4]["logo_churn_bp"] == .int(2500) && mrr[4]["revenue_churn_bp"] == .int(1013))
            #expect(mrr[5].int("churn_minor") == -31000)
            #expect(mrr[7].int("reactivation_minor") == 31000 && mrr[7].int("new_minor") == 0)
            #expect(mrr[8].int("paying_tenants") == 3 && mrr[8]["arpu_minor"] == .int(23667))

            // Revenue by plan is the same closing MRR, split.
            let byPlan = rows(try await reports.report(.revenueByPlan, from: BillingMonth("2033-01")!, to: BillingMonth("2033-09")!),
                              currency: fixture.currency)
            for row in mrr {
                let split = byPlan.filter { $0["month"] == row["month"] }.map { $0.int("mrr_minor") }.reduce(0, +)
                #expect(split == row.int("closing_mrr_minor"))
            }
        }
    }

    @Test("invoiced revenue is the sum of the issued invoices, credit notes apart; collected is the payments; receivables are the balances")
    func invoicedAndCollected() async throws {
        try await TestApp.run { app in
            let fixture = try await fixture(app)
            let ids = fixture.tenants.map(\.id)
            let run = app.services.billingRun
            try await run.run(period: BillingMonth("2033-02")!, now: date("2033-03-01T00:00:00Z"), tenants: ids)
            try await run.run(period: BillingMonth("2033-03")!, now: date("2033-04-01T00:00:00Z"), tenants: ids)
            var invoices: [[String: Any]] = []
            for tenant in fixture.tenants { invoices += try await app.operatorInvoices(tenant.id) }
            #expect(invoices.count == 5)  // T1 and T3 twice, T4 once; T2's yearly period has not ended
            let paidID = try #require(InvoiceID(invoices[0]["id"] as? String ?? ""))
            let paid = try await app.services.invoices.recordPayment(paidID, PaymentInput(amountMinor: 5000, currency: fixture.currency,
                                                                                          receivedAt: date("2033-04-10T00:00:00Z")), recordedBy: "test")
            _ = try await app.services.invoices.creditNote(against: paidID, CreditNoteInput(amountMinor: 700, reason: "goodwill"),
                                                           now: date("2033-04-15T00:00:00Z"))

            let report = rows(try await app.services.reports.report(.invoicedCollected, from: BillingMonth("2033-01")!, to: BillingMonth("2033-06")!),
                              currency: fixture.currency)
            let issuedTotal = invoices.compactMap { $0.int("total_minor") }.reduce(0, +)
            #expect(report.map { $0.int("invoiced_minor") }.reduce(0, +) == issuedTotal)
            #expect(report.map { $0.int("invoices") }.reduce(0, +) == 5)
            #expect(report.map { $0.int("credited_minor") }.reduce(0, +) == -700)
            #expect(report.map { $0.int("net_invoiced_minor") }.reduce(0, +) == issuedTotal - 700)
            #expect(report.map { $0.int("collected_minor") }.reduce(0, +) == 5000)
            #expect(report.first { $0["month"] == .text("2033-04") }?.int("collected_minor") == 5000)

            let receivables = try await app.services.reports.report(.receivables, from: BillingMonth("2033-06")!, to: BillingMonth("2033-06")!,
                                                                   now: date("2033-06-01T00:00:00Z"))
            let mine = receivables.rows.filter { row in fixture.tenants.contains { .text($0.id.description) == row["tenant_id"] } }
            #expect(mine.map { $0.int("outstanding_minor") }.reduce(0, +) == issuedTotal - 5000 - 700)
            for row in mine {
                let buckets = ["not_due_minor", "overdue_1_30_minor", "overdue_31_60_minor", "overdue_61_90_minor", "overdue_over_90_minor"]
                #expect(buckets.map(row.int).reduce(0, +) == row.int("outstanding_minor"))
            }
            #expect(paid.paidMinor == 5000)
        }
    }

    @Test("usage against limits, and tenants near or over a quota")
    func usageAndQuota() async throws {
        try await TestApp.run { app in
            let fixture = try await fixture(app)
            let tenant = fixture.tenants[0].id
            try await app.writeUsage(tenant, day: "2033-03-10", calls: 70, contacts: 95, accounts: 60)
            try await app.writeUsage(tenant, day: "2033-03-11", calls: 30, contacts: 90, accounts: 120)
            let usage = try await app.services.reports.report(.usage, from: BillingMonth("2033-03")!, to: BillingMonth("2033-03")!)
            let row = try #require(usage.rows.first { $0["tenant_id"] == .text(tenant.description) })
            #expect(row.int("api_calls") == 100 && row.int("contacts_peak") == 95 && row.int("contacts_limit") == 100)
            #expect(row.int("accounts_peak") == 120 && row.int("members_peak") == 1 && row.int("seats") == 2)
            let quota = try await app.services.reports.report(.quota, from: BillingMonth("2033-03")!, to: BillingMonth("2033-03")!)
            let flagged = quota.rows.filter { $0["tenant_id"] == .text(tenant.description) }
            #expect(flagged.map { $0["quota"] } == [.text("contacts"), .text("accounts")])
            #expect(flagged.map { $0["state"] } == [.text("near"), .text("over")])
            #expect(flagged.map { $0["use_bp"] } == [.int(9500), .int(12000)])
        }
    }

    @Test("the report endpoint: CSV and JSON, checked months and names, operators only")
    func endpoint() async throws {
        try await TestApp.run { app in
            let fixture = try await fixture(app)
            let csv = try await app.request(.get, "/ops/v1/reports/mrr?from=2033-01&to=2033-03&format=csv", token: app.operatorToken)
            #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(lines.first.map(String.init) == HostReportsColumns.mrr)
            #expect(lines.contains { $0.hasPrefix("2033-02,\(fixture.currency),42000,18000,") })
            let json = try await app.request(.get, "/ops/v1/reports/revenue-by-plan?from=2033-01&to=2033-03", token: app.operatorToken).json()
            #expect(json["report"] as? String == "revenue-by-plan" && json["from"] as? String == "2033-01" && json["data"] is [Any])
            #expect(try await app.request(.get, "/ops/v1/reports/mrr?from=2033-1&to=2033-03", token: app.operatorToken).errorCode == "invalid_month")
            #expect(try await app.request(.get, "/ops/v1/reports/mrr?from=2033-04&to=2033-03", token: app.operatorToken).errorCode == "invalid_range")
            #expect(try await app.request(.get, "/ops/v1/reports/mrr?format=xml", token: app.operatorToken).errorCode == "invalid_field")
            #expect(try await app.request(.get, "/ops/v1/reports/profit", token: app.operatorToken).errorCode == "report_not_found")
            #expect(try await app.request(.get, "/ops/v1/reports/mrr", token: fixture.tenants[0].apiKey).status == .unauthorized)
        }
    }
}

enum HostReportsColumns {
    static let mrr = "month,currency,opening_mrr_minor,new_minor,expansion_minor,contraction_minor,churn_minor,reactivation_minor,"
        + "closing_mrr_minor,arr_minor,paying_tenants,new_tenants,churned_tenants,arpu_minor,logo_churn_bp,revenue_churn_bp,net_revenue_retention_bp"
}
