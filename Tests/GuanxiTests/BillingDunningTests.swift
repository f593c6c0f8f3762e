import Billing
import Database
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Dunning against PostgreSQL with the clock passed in: past due, read-only, suspended, and back
/// when paid. This suite works in 2030, before any other suite's due dates.
@Suite("Billing: dunning")
struct BillingDunningTests {
    func date(_ text: String) -> Date { BillingHistory.date(text) }

    /// A tenant on Starter since 1 December 2029 (UTC) with its December invoice, issued on
    /// 1 January 2030 and due on 15 January.
    func overdueTenant(_ app: TestApp) async throws -> (TestTenant, String) {
        let tenant = try await app.billedTenant()
        try await app.writeHistory(tenant.id, start: date("2029-12-01T00:00:00Z"), plan: BillingHistory.starter, seats: 3)
        try await app.services.billingRun.run(period: BillingMonth("2029-12")!, now: date("2030-01-01T00:00:00Z"), tenants: [tenant.id])
        let invoice = try #require(try await app.operatorInvoices(tenant.id).first)
        #expect(invoice["due_date"] as? String == "2030-01-15")
        return (tenant, try #require(invoice["id"] as? String))
    }

    func steps(_ app: TestApp, _ tenant: TestTenant) async throws -> [String] {
        let events = try await app.request(.get, "/ops/v1/dunning?tenant_id=\(tenant.id)", token: app.operatorToken).json()["data"] as? [[String: Any]]
        return (events ?? []).compactMap { $0["step"] as? String }.reversed()
    }

    func status(_ app: TestApp, _ tenant: TestTenant) async throws -> String? {
        let detail = try await app.request(.get, "/ops/v1/tenants/\(tenant.id)/subscription", token: app.operatorToken).json()
        return (detail["subscription"] as? [String: Any])?["status"] as? String
    }

    @Test("7 days late: past due; 21: read-only; 45: locked and suspended; paying restores everything; each step once and visible")
    func stepsAndRestore() async throws {
        try await TestApp.run { app in
            let (tenant, invoice) = try await overdueTenant(app)
            let dunning = app.services.dunning
            try await dunning.run(now: date("2030-01-21T12:00:00Z"), tenants: [tenant.id])
            #expect(try await steps(app, tenant).isEmpty)
            #expect(try await status(app, tenant) == "active")

            try await dunning.run(now: date("2030-01-22T12:00:00Z"), tenants: [tenant.id])
            try await dunning.run(now: date("2030-01-22T13:00:00Z"), tenants: [tenant.id])
            #expect(try await steps(app, tenant) == ["past_due"])
            #expect(try await status(app, tenant) == "past_due")
            let first = try #require(try await app.request(.get, "/ops/v1/dunning?tenant_id=\(tenant.id)", token: app.operatorToken)
                .json()["data"] as? [[String: Any]]).first
            #expect(first?["outcome"] as? String == "subscription active → past_due" && first?.int("days_overdue") == 7)
            #expect(first?["invoice_id"] as? String == invoice)

            try await dunning.run(now: date("2030-02-05T12:00:00Z"), tenants: [tenant.id])
            #expect(try await status(app, tenant) == "read_only")
            let write = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "Blocked"])
            #expect(write.status == .forbidden && write.errorCode == "subscription_read_only")

            try await dunning.run(now: date("2030-03-01T12:00:00Z"), tenants: [tenant.id])
            #expect(try await steps(app, tenant) == ["past_due", "read_only", "suspended"])
            #expect(try await status(app, tenant) == "locked")
            #expect(try await app.request(.get, "/api/v1/invoices", token: tenant.apiKey).errorCode == "tenant_suspended")
            // The subscription's history names each step's cause and actor.
            let history = try await app.request(.get, "/ops/v1/tenants/\(tenant.id)/subscription", token: app.operatorToken).json()["events"] as? [[String: Any]]
            let dunningEvents = (history ?? []).filter { $0["actor"] as? String == "dunning" }
            #expect(dunningEvents.compactMap { $0["to_status"] as? String } == ["past_due", "read_only", "locked"])

            let paid = try await app.request(.post, "/ops/v1/invoices/\(invoice)/payments", token: app.operatorToken,
                                             json: ["amount_minor": 9900, "currency": "CNY"])
            #expect(try paid.json()["status"] as? String == "paid")
            #expect(try await status(app, tenant) == "active")
            #expect(try await steps(app, tenant) == ["past_due", "read_only", "suspended", "restored"])
            #expect(try await app.request(.get, "/api/v1/invoices", token: tenant.apiKey).status == .ok)
            #expect(try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "Back"]).status == .created)
        }
    }

    @Test("two runs at once take each step once and end locked and suspended")
    func concurrentRuns() async throws {
        try await TestApp.run { app in
            let (tenant, _) = try await overdueTenant(app)
            let dunning = app.services.dunning
            async let first = dunning.run(now: date("2030-03-02T00:00:00Z"), tenants: [tenant.id])
            async let second = dunning.run(now: date("2030-03-02T00:00:00Z"), tenants: [tenant.id])
            _ = try await (first, second)
            #expect(try await steps(app, tenant) == ["past_due", "read_only", "suspended"])
            #expect(try await status(app, tenant) == "locked")
            #expect(try await app.services.tenants.find(tenant.id).status == .suspended)
        }
    }

    @Test("N, M and K are configurable: 1, 2 and 3 days")
    func configurableDays() async throws {
        try await TestApp.run { app in
            let (tenant, _) = try await overdueTenant(app)
            let quick = Dunning(database: app.services.database, subscriptions: app.services.subscriptions, tenants: app.services.tenants,
                                policy: .init(pastDueAfterDays: 1, readOnlyAfterDays: 2, suspendAfterDays: 3))
            try await quick.run(now: date("2030-01-16T08:00:00Z"), tenants: [tenant.id])
            #expect(try await status(app, tenant) == "past_due")
            try await quick.run(now: date("2030-01-17T08:00:00Z"), tenants: [tenant.id])
            #expect(try await status(app, tenant) == "read_only")
            try await quick.run(now: date("2030-01-18T08:00:00Z"), tenants: [tenant.id])
            #expect(try await steps(app, tenant) == ["past_due", "read_only", "suspended"])
            #expect(try await app.services.tenants.find(tenant.id).status == .suspended)
        }
    }
}
