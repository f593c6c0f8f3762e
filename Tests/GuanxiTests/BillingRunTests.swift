import Billing
import Database
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// Billing runs against PostgreSQL: an invoice built from a recorded history, idempotent and
/// concurrent runs, gapless numbers. This suite works in 2031.
@Suite("Billing: runs, idempotency and numbering")
struct BillingRunTests {
    func date(_ text: String) -> Date { BillingHistory.date(text) }

    @Test("a month's invoice: plan, prorated upgrade, overage from metering, tax; readable only by its tenant")
    func invoiceFromHistory() async throws {
        try await TestApp.run { app in
            let tenant = try await app.billedTenant(timeZone: "Asia/Shanghai")
            let other = try await app.billedTenant()
            // 1 March 09:00 Shanghai on Starter; Growth from 16 March 10:00 Shanghai.
            try await app.writeHistory(tenant.id, start: date("2031-03-01T01:00:00Z"), plan: BillingHistory.starter, seats: 3, events: [
                .init(at: date("2031-03-16T02:00:00Z"), kind: "upgraded", toPlan: BillingHistory.growth),
            ])
            try await app.writeUsage(tenant.id, day: "2031-03-10", calls: 3_000_000)
            try await app.writeUsage(tenant.id, day: "2031-03-20", calls: 2_100_500)
            try await app.writeUsage(tenant.id, day: "2031-04-01", calls: 999_999)  // the next period's
            let profile = try await app.request(.put, "/ops/v1/tenants/\(tenant.id)/billing-profile", token: app.operatorToken, json: [
                "legal_name": "Billed Firm Ltd", "address": "1 Road, Shanghai", "tax_id": "91310000X", "email": "ap@billed.example", "tax_rate_bp": 600,
            ])
            #expect(profile.status == .ok, "\(profile.body.string)")

            // The period ends on 1 April 09:00 local time: April's run bills it, not March's.
            let run = app.services.billingRun
            #expect(try await run.run(period: BillingMonth("2031-03")!, now: date("2031-04-02T00:00:00Z"), tenants: [tenant.id]).created == 0)
            let summary = try await run.run(period: BillingMonth("2031-04")!, now: date("2031-04-02T00:00:00Z"), tenants: [tenant.id])
            #expect(summary.created == 1 && summary.issued == 1)
            let invoices = try await app.operatorInvoices(tenant.id)
            let invoice = try #require(invoices.first)
            #expect(invoices.count == 1)
            #expect(invoice["status"] as? String == "issued")
            #expect((invoice["number"] as? String)?.wholeMatch(of: /GX-2031-\d{6}/) != nil)
            #expect(invoice["due_date"] as? String == "2031-04-16")
            #expect(invoice["period_start"] as? String == "2031-03-01T01:00:00Z")
            #expect(invoice["period_end"] as? String == "2031-04-01T01:00:00Z")
            let lines = try #require(invoice["lines"] as? [[String: Any]])
            // 9900 plan; −5110 and +15432 for 16 of 31 days; 100,500 calls over 5,000,000 → 101 blocks × 80; 6 % of 28302.
            #expect(lines.compactMap { $0.int("amount_minor") } == [9900, -5110, 15432, 8080, 1698])
            #expect(lines.compactMap { $0["kind"] as? String } == ["plan", "proration_credit", "proration_charge", "overage", "tax"])
            #expect(invoice.int("subtotal_minor") == 28302 && invoice.int("tax_minor") == 1698 && invoice.int("total_minor") == 30000)
            #expect(invoice.int("balance_minor") == 30000)

            let id = try #require(invoice["id"] as? String)
            let own = try await app.request(.get, "/api/v1/invoices", token: tenant.apiKey).json()
            #expect((own["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect(try await app.request(.get, "/api/v1/invoices/\(id)", token: tenant.apiKey).status == .ok)
            // Another tenant: an empty list, and the id answers exactly like a missing one.
            let foreignList = try await app.request(.get, "/api/v1/invoices", token: other.apiKey).json()
            #expect((foreignList["data"] as? [Any])?.isEmpty == true)
            let foreign = try await app.request(.get, "/api/v1/invoices/\(id)", token: other.apiKey)
            let missing = try await app.request(.get, "/api/v1/invoices/\(UUID().uuidString.lowercased())", token: other.apiKey)
            #expect(foreign.status == .notFound && foreign.errorCode == "invoice_not_found")
            #expect(foreign.body.string == missing.body.string)
            #expect(try await app.request(.get, "/api/v1/invoices/\(id)/html", token: other.apiKey).status == .notFound)
        }
    }

    @Test("running a month twice, or twice at once, makes one invoice per tenant and period")
    func idempotentAndConcurrent() async throws {
        try await TestApp.run { app in
            var tenants: [TestTenant] = []
            for _ in 0..<3 { tenants.append(try await app.billedTenant()) }
            for tenant in tenants {
                try await app.writeHistory(tenant.id, start: date("2031-04-05T00:00:00Z"), plan: BillingHistory.starter, seats: 4)
            }
            let ids = tenants.map(\.id)
            let run = app.services.billingRun
            // Before the period ends there is nothing to bill.
            #expect(try await run.run(period: BillingMonth("2031-05")!, now: date("2031-05-04T00:00:00Z"), tenants: ids).created == 0)
            let now = date("2031-05-06T00:00:00Z")
            async let first = run.run(period: BillingMonth("2031-05")!, now: now, tenants: ids)
            async let second = run.run(period: BillingMonth("2031-05")!, now: now, tenants: ids)
            let created = try await first.created + second.created
            let again = try await run.run(period: BillingMonth("2031-05")!, now: now, tenants: ids)
            #expect(created == 3)
            #expect(again.created == 0 && again.considered == 0)
            for tenant in tenants {
                let invoices = try await app.operatorInvoices(tenant.id)
                #expect(invoices.count == 1)
                // Starter with one extra seat: 9900 + 3900.
                #expect(invoices.first?.int("total_minor") == 13800)
            }
            // The unique key, not the code, is what holds: a second row for the period is refused.
            let duplicate = try? await BillingHistory.superuser("""
                INSERT INTO invoices (tenant_id, id, kind, status, currency, period_start, period_end, billing_period_start,
                                      subtotal_minor, tax_rate_bp, tax_minor, total_minor)
                SELECT tenant_id, \(UUID.version7()), kind, 'draft', currency, period_start, period_end, billing_period_start, 0, 0, 0, 0
                  FROM invoices WHERE tenant_id = \(tenants[0].id.uuid)
                """)
            #expect(duplicate == nil)
        }
    }

    @Test("numbers are given at issue, per host, without gaps, even when issued concurrently; drafts are hidden from tenants")
    func gaplessNumbers() async throws {
        try await TestApp.run { app in
            var tenants: [TestTenant] = []
            for _ in 0..<6 { tenants.append(try await app.billedTenant()) }
            for tenant in tenants {
                try await app.writeHistory(tenant.id, start: date("2031-06-10T00:00:00Z"), plan: BillingHistory.starter, seats: 3)
            }
            let summary = try await app.services.billingRun.run(period: BillingMonth("2031-07")!, issue: false, now: date("2031-08-01T00:00:00Z"),
                                                                 tenants: tenants.map(\.id))
            #expect(summary.created == 6 && summary.issued == 0)
            var drafts: [InvoiceID] = []
            for tenant in tenants {
                let invoice = try #require(try await app.operatorInvoices(tenant.id).first)
                #expect(invoice["status"] as? String == "draft" && invoice["number"] is NSNull)
                drafts.append(try #require(InvoiceID(invoice["id"] as? String ?? "")))
                // A draft is not the tenant's to see yet.
                #expect((try await app.request(.get, "/api/v1/invoices", token: tenant.apiKey).json()["data"] as? [Any])?.isEmpty == true)
            }
            let invoices = app.services.invoices
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in drafts.dropFirst() { group.addTask { _ = try await invoices.issue(id, now: BillingHistory.date("2031-08-01T00:00:00Z")) } }
                try await group.waitForAll()
            }
            // Through the operator endpoint, and once only.
            let issued = try await app.request(.post, "/ops/v1/invoices/\(drafts[0])/issue", token: app.operatorToken)
            #expect(issued.status == .ok, "\(issued.body.string)")
            let again = try await app.request(.post, "/ops/v1/invoices/\(drafts[0])/issue", token: app.operatorToken)
            #expect(again.status == .conflict && again.errorCode == "invalid_invoice_state")
            // The whole 2031 series, read in one statement: every number from 1 to the counter, once.
            let row = try await BillingHistory.superuser("""
                SELECT (SELECT last_number FROM invoice_number_series WHERE series = 'GX-2031'),
                       count(*)::int, count(DISTINCT number)::int, coalesce(max(substring(number FROM 9)::int), 0),
                       coalesce(min(substring(number FROM 9)::int), 0)
                  FROM invoices WHERE number LIKE 'GX-2031-%'
                """)[0]
            let (counter, count, distinct, highest, lowest) = try row.decode((Int, Int, Int, Int, Int).self)
            #expect(count == counter && distinct == counter && highest == counter && lowest == 1)
        }
    }

    @Test("a change from monthly to yearly billing: the last monthly period is still invoiced, at the monthly price")
    func cycleChange() async throws {
        try await TestApp.run { app in
            let tenant = try await app.billedTenant()
            let run = app.services.billingRun
            try await app.writeHistory(tenant.id, start: date("2031-10-01T00:00:00Z"), plan: BillingHistory.starter, seats: 3)
            try await run.run(period: BillingMonth("2031-10")!, now: date("2031-11-02T00:00:00Z"), tenants: [tenant.id])
            // At the end of November the renewal moved it to yearly periods counted from 1 December.
            try await app.writeHistory(tenant.id, start: date("2031-10-01T00:00:00Z"), anchor: date("2031-12-01T00:00:00Z"),
                                       plan: BillingHistory.starter, seats: 3, cycle: "yearly",
                                       events: [.init(at: date("2031-12-01T00:01:00Z"), kind: "billing_cycle_changed")])
            try await run.run(period: BillingMonth("2031-11")!, now: date("2031-12-02T00:00:00Z"), tenants: [tenant.id])
            try await run.run(period: BillingMonth("2031-12")!, now: date("2032-01-02T00:00:00Z"), tenants: [tenant.id])
            let invoices = try await app.operatorInvoices(tenant.id).reversed()
            #expect(invoices.map { $0["period_start"] as? String } == ["2031-10-01T00:00:00Z", "2031-11-01T00:00:00Z"])
            #expect(invoices.map { $0.int("total_minor") } == [9900, 9900])
        }
    }

    @Test("the run endpoint: operators only, a month written YYYY-MM, one tenant when asked")
    func runEndpoint() async throws {
        try await TestApp.run { app in
            let tenant = try await app.billedTenant()
            try await app.writeHistory(tenant.id, start: date("2031-09-01T00:00:00Z"), plan: BillingHistory.starter, seats: 3)
            let refused = try await app.request(.post, "/ops/v1/billing/runs", token: tenant.apiKey, json: ["period": "2031-09"])
            #expect(refused.status == .unauthorized)
            let bad = try await app.request(.post, "/ops/v1/billing/runs", token: app.operatorToken, json: ["period": "2031-9"])
            #expect(bad.status == .unprocessableContent && bad.errorCode == "invalid_month")
            let unknown = try await app.request(.post, "/ops/v1/billing/runs", token: app.operatorToken, json: ["period": "2031-09", "dry": true])
            #expect(unknown.errorCode == "unknown_field")
            // September's period ends on 1 October, which has not come: nothing is billed yet.
            let early = try await app.request(.post, "/ops/v1/billing/runs", token: app.operatorToken,
                                              json: ["period": "2031-09", "tenant_id": tenant.id.description])
            #expect(early.status == .ok, "\(early.body.string)")
            let invoices = try await app.operatorInvoices(tenant.id)
            #expect(try early.json().int("created") == 0 && invoices.isEmpty)
        }
    }
}
