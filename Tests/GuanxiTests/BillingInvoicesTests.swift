import Billing
import Database
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// The invoice lifecycle through the API: payments, credit notes, voids, issue, the printable page
/// and who may reach what. This suite works in 2034.
@Suite("Billing: invoice lifecycle and pages")
struct BillingInvoicesTests {
    /// A tenant on Starter (3 seats, UTC) from 1 January 2034 and its January invoice (9900, no tax).
    func januaryInvoice(_ app: TestApp, name: String = "Billed Firm", locale: String = "en", issue: Bool = true) async throws -> (TestTenant, String) {
        let tenant = try await app.billedTenant(name: name, locale: locale)
        try await app.writeHistory(tenant.id, start: BillingHistory.date("2034-01-01T00:00:00Z"), plan: BillingHistory.starter, seats: 3)
        try await app.services.billingRun.run(period: BillingMonth("2034-01")!, issue: issue, now: BillingHistory.date("2034-02-01T00:00:00Z"),
                                              tenants: [tenant.id])
        let invoice = try #require(try await app.operatorInvoices(tenant.id).first)
        return (tenant, try #require(invoice["id"] as? String))
    }

    @Test("payments and credit notes settle an invoice; amounts, currency and state are checked")
    func paymentsAndCreditNotes() async throws {
        try await TestApp.run { app in
            let (tenant, id) = try await januaryInvoice(app)
            let token = app.operatorToken
            let part = try await app.request(.post, "/ops/v1/invoices/\(id)/payments", token: token,
                                             json: ["amount_minor": 4000, "currency": "CNY", "reference": "bank 1"])
            #expect(part.status == .created, "\(part.body.string)")
            #expect(try part.json()["status"] as? String == "issued" && (try part.json()).int("balance_minor") == 5900)
            let tooMuch = try await app.request(.post, "/ops/v1/invoices/\(id)/payments", token: token, json: ["amount_minor": 6000, "currency": "CNY"])
            #expect(tooMuch.status == .unprocessableContent && tooMuch.errorCode == "invalid_amount")
            let dollars = try await app.request(.post, "/ops/v1/invoices/\(id)/payments", token: token, json: ["amount_minor": 100, "currency": "USD"])
            #expect(dollars.errorCode == "currency_mismatch")
            let unknown = try await app.request(.post, "/ops/v1/invoices/\(id)/payments", token: token,
                                                json: ["amount_minor": 100, "currency": "CNY", "memo": "x"])
            #expect(unknown.errorCode == "unknown_field")

            let note = try await app.request(.post, "/ops/v1/invoices/\(id)/credit-notes", token: token, json: ["amount_minor": 900, "reason": "goodwill"])
            #expect(note.status == .created, "\(note.body.string)")
            let credit = try note.json()
            #expect(credit["kind"] as? String == "credit_note" && credit["credited_invoice_id"] as? String == id)
            #expect(credit.int("total_minor") == -900 && (credit["number"] as? String)?.hasPrefix("GX-") == true)
            let lines = credit["lines"] as? [[String: Any]] ?? []
            #expect(lines.compactMap { $0.int("amount_minor") }.reduce(0, +) == -900)
            let tooLarge = try await app.request(.post, "/ops/v1/invoices/\(id)/credit-notes", token: token, json: ["amount_minor": 9001, "reason": "x"])
            #expect(tooLarge.errorCode == "invalid_amount")
            let voidPaid = try await app.request(.post, "/ops/v1/invoices/\(id)/void", token: token)
            #expect(voidPaid.status == .conflict && voidPaid.errorCode == "invalid_invoice_state")

            let rest = try await app.request(.post, "/ops/v1/invoices/\(id)/payments", token: token, json: ["amount_minor": 5000, "currency": "CNY"])
            let settled = try rest.json()
            #expect(settled["status"] as? String == "paid" && settled.int("balance_minor") == 0 && settled.int("credited_minor") == 900)
            #expect(!(settled["paid_at"] is NSNull))
            let late = try await app.request(.post, "/ops/v1/invoices/\(id)/payments", token: token, json: ["amount_minor": 1, "currency": "CNY"])
            #expect(late.status == .conflict)
            let payments = try await app.request(.get, "/ops/v1/invoices/\(id)/payments", token: token).json()["data"] as? [[String: Any]]
            #expect(payments?.compactMap { $0.int("amount_minor") } == [4000, 5000])
            #expect(payments?.first?["recorded_by"] as? String == "operator:test")
            // The tenant sees the invoice and the credit note, newest first.
            let own = try await app.request(.get, "/api/v1/invoices", token: tenant.apiKey).json()["data"] as? [[String: Any]]
            #expect(own?.compactMap { $0["kind"] as? String } == ["credit_note", "invoice"])
        }
    }

    @Test("drafts are issued or voided; an issued invoice without payments can be voided and keeps its number; missing ids are 404")
    func issueAndVoid() async throws {
        try await TestApp.run { app in
            let token = app.operatorToken
            let (_, draft) = try await januaryInvoice(app, issue: false)
            let voided = try await app.request(.post, "/ops/v1/invoices/\(draft)/void", token: token)
            #expect(try voided.json()["status"] as? String == "void" && (try voided.json())["number"] is NSNull)
            #expect(try await app.request(.post, "/ops/v1/invoices/\(draft)/issue", token: token).errorCode == "invalid_invoice_state")
            #expect(try await app.request(.post, "/ops/v1/invoices/\(draft)/void", token: token).errorCode == "invalid_invoice_state")

            let (_, issued) = try await januaryInvoice(app)
            let number = try await app.request(.get, "/ops/v1/invoices/\(issued)", token: token).json()["number"] as? String
            let voidIssued = try await app.request(.post, "/ops/v1/invoices/\(issued)/void", token: token).json()
            #expect(voidIssued["status"] as? String == "void" && voidIssued["number"] as? String == number)
            #expect(try await app.request(.post, "/ops/v1/invoices/\(issued)/credit-notes", token: token,
                                          json: ["amount_minor": 1, "reason": "x"]).errorCode == "invalid_invoice_state")

            let missing = UUID().uuidString.lowercased()
            for (method, path) in [(HTTPRequest.Method.get, "invoices/\(missing)"), (.post, "invoices/\(missing)/issue"), (.post, "invoices/\(missing)/void"),
                                   (.get, "invoices/\(missing)/payments"), (.get, "invoices/not-a-uuid")] {
                let response = try await app.request(method, "/ops/v1/\(path)", token: token)
                #expect(response.status == .notFound && response.errorCode == "invoice_not_found", "\(path)")
            }
            let payment = try await app.request(.post, "/ops/v1/invoices/\(missing)/payments", token: token, json: ["amount_minor": 1, "currency": "CNY"])
            #expect(payment.errorCode == "invoice_not_found")
        }
    }

    @Test("the printable page: the tenant's language, both parties' details, every value escaped")
    func printablePage() async throws {
        try await TestApp.run { app in
            let (chinese, id) = try await januaryInvoice(app, name: "关系<测试> & Co", locale: "zh-CN")
            _ = try await app.request(.put, "/ops/v1/tenants/\(chinese.id)/billing-profile", token: app.operatorToken, json: [
                "legal_name": "上海\"引号\"<b>有限公司</b>", "address": "上海市 1 号", "tax_id": "9131", "email": "ap@cn.example", "tax_rate_bp": 600,
            ])
            let page = try await app.request(.get, "/api/v1/invoices/\(id)/html", token: chinese.apiKey)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = page.body.string
            for label in ["发票", "金额", "税额", "合计", "应付余额", "上海市 1 号", "税号", "Guanxi", "CNY 99.00", "lang=\"zh-CN\""] {
                #expect(html.contains(label), "\(label)")
            }
            #expect(html.contains("上海&quot;引号&quot;&lt;b&gt;有限公司&lt;/b&gt;") && !html.contains("<b>"))

            let (english, englishID) = try await januaryInvoice(app, name: "Plain <Firm>")
            let englishPage = try await app.request(.get, "/api/v1/invoices/\(englishID)/html", token: english.apiKey).body.string
            for label in ["Invoice", "Amount", "Tax", "Total", "Balance due", "Plain &lt;Firm&gt;", "Starter plan (monthly), 2034-01-01 – 2034-01-31"] {
                #expect(englishPage.contains(label), "\(label)")
            }
        }
    }

    @Test("operator billing endpoints refuse tenant keys, and the tenant's invoices refuse operator tokens")
    func credentials() async throws {
        try await TestApp.run { app in
            let (tenant, id) = try await januaryInvoice(app)
            let operatorPaths: [(HTTPRequest.Method, String)] = [
                (.get, "/ops/v1/invoices"), (.get, "/ops/v1/invoices/\(id)"), (.post, "/ops/v1/invoices/\(id)/payments"),
                (.post, "/ops/v1/invoices/\(id)/void"), (.post, "/ops/v1/invoices/\(id)/credit-notes"), (.get, "/ops/v1/dunning"),
                (.get, "/ops/v1/reports/mrr?from=2034-01&to=2034-02"), (.put, "/ops/v1/tenants/\(tenant.id)/billing-profile"),
            ]
            for (method, path) in operatorPaths {
                let response = try await app.request(method, path, token: tenant.apiKey, json: ["amount_minor": 1, "currency": "CNY"])
                #expect(response.status == .unauthorized, "\(path)")
            }
            #expect(try await app.request(.get, "/api/v1/invoices", token: app.operatorToken).status == .unauthorized)
            // The invoice is untouched.
            let invoice = try await app.request(.get, "/ops/v1/invoices/\(id)", token: app.operatorToken).json()
            #expect(invoice["status"] as? String == "issued" && invoice.int("paid_minor") == 0)
        }
    }

    @Test("billing profiles: checked fields, an unknown tenant is 404")
    func billingProfiles() async throws {
        try await TestApp.run { app in
            let tenant = try await app.billedTenant()
            let path = "/ops/v1/tenants/\(tenant.id)/billing-profile"
            let empty = try await app.request(.get, path, token: app.operatorToken).json()
            #expect(empty.int("tax_rate_bp") == 0 && empty["legal_name"] as? String == "")
            let base: [String: Any] = ["legal_name": "A", "address": "B", "tax_id": "C", "email": "ap@a.example", "tax_rate_bp": 1300]
            #expect(try await app.request(.put, path, token: app.operatorToken, json: base).json().int("tax_rate_bp") == 1300)
            var badRate = base
            badRate["tax_rate_bp"] = 10_001
            #expect(try await app.request(.put, path, token: app.operatorToken, json: badRate).errorCode == "invalid_field")
            var badEmail = base
            badEmail["email"] = "nobody"
            #expect(try await app.request(.put, path, token: app.operatorToken, json: badEmail).status == .unprocessableContent)
            var missing = base
            missing.removeValue(forKey: "tax_id")
            #expect(try await app.request(.put, path, token: app.operatorToken, json: missing).errorCode == "invalid_field")
            let unknown = try await app.request(.put, "/ops/v1/tenants/\(UUID().uuidString.lowercased())/billing-profile", token: app.operatorToken, json: base)
            #expect(unknown.status == .notFound && unknown.errorCode == "tenant_not_found")
            #expect(try await app.request(.get, path, token: app.operatorToken).json().int("tax_rate_bp") == 1300)
        }
    }
}
