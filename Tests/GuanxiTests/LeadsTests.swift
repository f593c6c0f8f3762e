import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Leads: capture, status, conversion")
struct LeadsTests {
    @Test("a lead's life: created with defaults, filtered, qualified, disqualified with a reason, deleted")
    func lifecycle() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let me = try await app.userID(tenant)
            let rep = try await app.makeMember(of: tenant)

            let created = try await app.create("/api/v1/leads", tenant, [
                "name": " 陈静 ", "company": "杭州青山茶业", "email": "Chen.Jing@QingShan.example", "phone": "+86 571 8888 1234",
                "source": "Trade_Show", "message": "Wants samples of the spring harvest.",
            ])
            #expect(created["name"] as? String == "陈静")
            #expect(created["email"] as? String == "chen.jing@qingshan.example")
            #expect(created["source"] as? String == "trade_show")
            #expect(created["status"] as? String == "new")
            #expect(created["owner_id"] as? String == me)
            #expect(created["disqualified_reason"] is NSNull)
            #expect(created["converted_at"] is NSNull)
            let id = try #require(created["id"] as? String)
            let other = try await app.createID("/api/v1/leads", tenant, ["name": "Tom Baker", "source": "referral", "owner_id": rep.id])

            func names(_ query: String) async throws -> [String] {
                try await app.request(.get, "/api/v1/leads?\(query)", token: tenant.apiKey).items.compactMap { $0["name"] as? String }
            }
            #expect(try await names("source=trade_show") == ["陈静"])
            #expect(try await names("owner_id=\(rep.id)") == ["Tom Baker"])
            #expect(try await names("q=%E9%9D%92%E5%B1%B1") == ["陈静"])  // 青山, a part of the company
            #expect(try await names("status=new") == ["陈静", "Tom Baker"])
            let badFilter = try await app.request(.get, "/api/v1/leads?status=hot", token: tenant.apiKey)
            #expect(badFilter.status == .badRequest)
            #expect(badFilter.errorCode == "invalid_filter")
            #expect(badFilter.errorField == "status")

            let contacted = try await app.request(.patch, "/api/v1/leads/\(id)", token: tenant.apiKey, json: ["status": "contacted"])
            #expect(try contacted.json()["status"] as? String == "contacted")
            #expect(try await names("status=contacted") == ["陈静"])

            let noReason = try await app.request(.patch, "/api/v1/leads/\(other)", token: tenant.apiKey, json: ["status": "disqualified"])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.errorField == "disqualified_reason")
            let disqualified = try await app.request(.patch, "/api/v1/leads/\(other)", token: tenant.apiKey,
                                                     json: ["status": "disqualified", "disqualified_reason": "No budget this year"])
            #expect(try disqualified.json()["disqualified_reason"] as? String == "No budget this year")
            let reopened = try await app.request(.patch, "/api/v1/leads/\(other)", token: tenant.apiKey, json: ["status": "new"])
            #expect(try reopened.json()["disqualified_reason"] is NSNull)
            let reasonWithoutStatus = try await app.request(.patch, "/api/v1/leads/\(other)", token: tenant.apiKey,
                                                            json: ["disqualified_reason": "just because"])
            #expect(reasonWithoutStatus.errorField == "disqualified_reason")

            for (body, field) in [(["status": "converted"], "status"), (["name": NSNull()], "name"), (["owner_id": UUID().uuidString], "owner_id"),
                                  (["source": "trade show!"], "source"), (["email": "nope"], "email")] as [([String: Any], String)] {
                let refused = try await app.request(.patch, "/api/v1/leads/\(id)", token: tenant.apiKey, json: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.errorField == field, "\(body)")
            }
            #expect(try await app.request(.get, "/api/v1/leads/\(id)", token: tenant.apiKey).json()["status"] as? String == "contacted")

            #expect(try await app.request(.delete, "/api/v1/leads/\(id)", token: tenant.apiKey).status == .noContent)
            let gone = try await app.request(.get, "/api/v1/leads/\(id)", token: tenant.apiKey)
            #expect(gone.status == .notFound)
            #expect(gone.errorCode == "lead_not_found")
        }
    }

    @Test("a qualified lead converts into an account, a contact and a deal at once, and only once")
    func conversion() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let me = try await app.userID(tenant)
            let lead = try await app.createID("/api/v1/leads", tenant, [
                "name": "Li Wei", "company": "Golden Lotus Trading", "email": "li.wei@lotus.example", "title": "Buyer",
            ])
            let note = try await app.createID("/api/v1/activities", tenant, ["kind": "note", "body": "Met at the fair", "lead_id": lead])

            let early = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey, json: [:])
            #expect(early.status == .conflict)
            #expect(early.errorCode == "lead_not_qualified")
            _ = try await app.request(.patch, "/api/v1/leads/\(lead)", token: tenant.apiKey, json: ["status": "qualified"])

            // A bad deal leaves nothing behind: no account, no contact, the lead still qualified.
            let badDeal = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey,
                                                json: ["deal": ["amount_minor": 5000, "currency": "yuan"]])
            #expect(badDeal.status == .unprocessableContent)
            #expect(badDeal.errorField == "deal.currency")
            let misspelt = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey, json: ["deal": ["amout": 5]])
            #expect(misspelt.errorCode == "unknown_field")
            #expect(misspelt.errorField == "deal.amout")
            #expect(try await app.request(.get, "/api/v1/accounts", token: tenant.apiKey).items.isEmpty)
            #expect(try await app.request(.get, "/api/v1/contacts", token: tenant.apiKey).items.isEmpty)

            let response = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey, json: [
                "deal": ["amount_minor": 1_250_000, "currency": "cny", "expected_close_date": "2026-03-31"],
            ])
            #expect(response.status == .ok, "\(response.body.string)")
            let result = try response.json()
            let account = try #require(result["account"] as? [String: Any])
            let contact = try #require(result["contact"] as? [String: Any])
            let deal = try #require(result["deal"] as? [String: Any])
            let converted = try #require(result["lead"] as? [String: Any])
            #expect(account["name"] as? String == "Golden Lotus Trading")
            #expect(contact["name"] as? String == "Li Wei")
            #expect(contact["email"] as? String == "li.wei@lotus.example")
            #expect(contact["title"] as? String == "Buyer")
            #expect(contact["account_id"] as? String == account["id"] as? String)
            #expect(deal["name"] as? String == "Golden Lotus Trading")
            #expect(deal["amount_minor"] as? Int == 1_250_000)
            #expect(deal["currency"] as? String == "CNY")
            #expect(deal["expected_close_date"] as? String == "2026-03-31")
            #expect(deal["account_id"] as? String == account["id"] as? String)
            #expect(deal["contact_ids"] as? [String] == [try #require(contact["id"] as? String)])
            #expect(deal["owner_id"] as? String == me)
            #expect(deal["status"] as? String == "open")
            #expect(converted["status"] as? String == "converted")
            #expect(converted["converted_by"] as? String == me)
            #expect(converted["converted_account_id"] as? String == account["id"] as? String)
            #expect(converted["converted_contact_id"] as? String == contact["id"] as? String)
            #expect(converted["converted_deal_id"] as? String == deal["id"] as? String)

            // The lead stays, with its history, and cannot be converted or changed again.
            let again = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey, json: [:])
            #expect(again.status == .conflict)
            #expect(again.errorCode == "lead_converted")
            let patch = try await app.request(.patch, "/api/v1/leads/\(lead)", token: tenant.apiKey, json: ["name": "Someone else"])
            #expect(patch.errorCode == "lead_converted")
            #expect(try await app.request(.get, "/api/v1/activities/\(note)", token: tenant.apiKey).json()["lead_id"] as? String == lead)
            #expect(try await app.request(.get, "/api/v1/leads?status=converted", token: tenant.apiKey).items.count == 1)
            #expect(try await app.request(.get, "/api/v1/accounts", token: tenant.apiKey).items.count == 1)
        }
    }

    @Test("conversion into an existing account, and a lead without a company needs one")
    func conversionIntoAccount() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "北京远航科技"])
            let lead = try await app.createID("/api/v1/leads", tenant, ["name": "王芳", "phone": "13912345678", "status": "qualified"])

            let noCompany = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey, json: [:])
            #expect(noCompany.status == .unprocessableContent)
            #expect(noCompany.errorCode == "lead_company_missing")

            let result = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey, json: ["account_id": account]).json()
            #expect((result["account"] as? [String: Any])?["id"] as? String == account)
            #expect((result["contact"] as? [String: Any])?["account_id"] as? String == account)
            #expect(result["deal"] is NSNull)
            #expect((result["lead"] as? [String: Any])?["converted_deal_id"] is NSNull)
            #expect(try await app.request(.get, "/api/v1/accounts", token: tenant.apiKey).items.count == 1)
            #expect(try await app.request(.get, "/api/v1/deals", token: tenant.apiKey).items.isEmpty)
        }
    }

    @Test("the public form: served in the workspace's language, a lead per good submission, nothing for spam")
    func publicForm() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant(name: "青山茶业", locale: "zh-CN")
            let page = try await app.request(.get, "/forms/\(tenant.slug)")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = page.body.string
            #expect(html.contains("联系青山茶业"))
            #expect(html.contains("name=\"website\""))
            #expect(html.contains("name=\"form_token\" value=\""))
            #expect(html.contains("action=\"/forms/\(tenant.slug)/leads\""))

            let tokenAnswer = try await app.request(.get, "/forms/\(tenant.slug)/token").json()
            #expect((tokenAnswer["form_token"] as? String)?.contains(".") == true)

            // A token shown ten seconds ago, as a person would send it.
            let token = try await app.services.leadForm.token(for: tenant.id, issuedAt: Date().addingTimeInterval(-10))
            let json = try await app.request(.post, "/forms/\(tenant.slug)/leads", json: [
                "name": "张三", "email": "zhang.san@example.cn", "message": "想了解批发价格", "form_token": token, "website": "",
            ])
            #expect(json.status == .created, "\(json.body.string)")
            #expect(try json.json()["status"] as? String == "received")
            #expect(try json.json()["id"] == nil)  // nothing about the workspace's records is revealed

            let form = "name=%E6%9D%8E%E5%9B%9B&company=Acme&phone=%2B86+138+0000+0000&message=Hello+there&website=&form_token="
                + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)
            let browser = try await app.postForm("/forms/\(tenant.slug)/leads", form)
            #expect(browser.status == .created, "\(browser.body.string)")
            #expect(browser.body.string.contains("谢谢"))

            let leads = try await app.request(.get, "/api/v1/leads?source=web_form", token: tenant.apiKey).items
            try #require(leads.compactMap { $0["name"] as? String } == ["张三", "李四"])
            #expect(leads[1]["phone"] as? String == "+86 138 0000 0000")
            #expect(leads[1]["company"] as? String == "Acme")
            #expect(leads[0]["message"] as? String == "想了解批发价格")
            #expect(leads[0]["owner_id"] as? String == (try await app.userID(tenant)))

            // Every refusal has its code and writes nothing.
            let future = try await app.services.leadForm.token(for: tenant.id, issuedAt: Date().addingTimeInterval(60))
            let old = try await app.services.leadForm.token(for: tenant.id, issuedAt: Date().addingTimeInterval(-3700))
            let other = try await app.makeTenant()
            let elsewhere = try await app.services.leadForm.token(for: other.id, issuedAt: Date().addingTimeInterval(-10))
            let forged = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
            let refusals: [([String: Any], String)] = [
                (["name": "Bot", "email": "bot@example.com", "website": "http://spam.example", "form_token": token], "spam_suspected"),
                (["name": "Quick", "email": "q@example.com", "form_token": future], "form_submitted_too_fast"),
                (["name": "Late", "email": "l@example.com", "form_token": old], "form_token_expired"),
                (["name": "Other", "email": "o@example.com", "form_token": elsewhere], "form_token_invalid"),
                (["name": "Forger", "email": "f@example.com", "form_token": forged], "form_token_invalid"),
                (["name": "NoToken", "email": "n@example.com"], "form_token_invalid"),
                (["name": "Nobody", "form_token": token], "invalid_field"),
            ]
            for (body, code) in refusals {
                let refused = try await app.request(.post, "/forms/\(tenant.slug)/leads", json: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.errorCode == code, "\(body)")
            }
            let refusedPage = try await app.postForm("/forms/\(tenant.slug)/leads", "name=Bot&website=x&form_token=\(token)")
            #expect(refusedPage.status == .unprocessableContent)
            #expect(refusedPage.body.string.contains("spam_suspected"))
            #expect(refusedPage.body.string.contains("您的留言未能提交"))
            #expect(try await app.request(.get, "/api/v1/leads", token: tenant.apiKey).items.count == 2)
        }
    }

    @Test("the public form tells nothing about unknown or suspended workspaces, and limits each address")
    func publicFormRefusals() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let token = try await app.services.leadForm.token(for: tenant.id, issuedAt: Date().addingTimeInterval(-10))
            let body: [String: Any] = ["name": "Ada", "email": "ada@example.com", "form_token": token]

            let unknown = try await app.request(.post, "/forms/no-such-workspace-\(UUID().uuidString.prefix(8).lowercased())/leads", json: body)
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "form_not_found")
            let unknownPage = try await app.request(.get, "/forms/no-such-workspace")
            #expect(unknownPage.status == .notFound)
            #expect(unknownPage.body.string.contains("form_not_found"))

            _ = try await app.request(.post, "/ops/v1/tenants/\(tenant.id)/suspend", token: app.operatorToken)
            let suspended = try await app.request(.post, "/forms/\(tenant.slug)/leads", json: body)
            #expect(suspended.status == .notFound)
            #expect(suspended.body.string == unknown.body.string)
            #expect(try await app.request(.get, "/forms/\(tenant.slug)").status == .notFound)
            _ = try await app.request(.post, "/ops/v1/tenants/\(tenant.id)/resume", token: app.operatorToken)

            _ = try await app.request(.post, "/ops/v1/tenants/\(tenant.id)/subscription/read-only", token: app.operatorToken)
            #expect(try await app.request(.post, "/forms/\(tenant.slug)/leads", json: body).errorCode == "form_not_found")
            _ = try await app.request(.post, "/ops/v1/tenants/\(tenant.id)/subscription/reactivate", token: app.operatorToken)
            #expect(try await app.request(.get, "/api/v1/leads", token: tenant.apiKey).items.isEmpty)

            // Ten submissions per workspace and address in ten minutes (two were spent above, on
            // the suspended and the read-only workspace); the eleventh is refused and writes nothing.
            for _ in 0..<8 {
                #expect(try await app.request(.post, "/forms/\(tenant.slug)/leads", json: body).status == .created)
            }
            let limited = try await app.request(.post, "/forms/\(tenant.slug)/leads", json: body)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "form_rate_limited")
            #expect(limited.headers[.retryAfter] != nil)
            #expect(try await app.request(.get, "/api/v1/leads", token: tenant.apiKey).items.count == 8)
            // Another workspace's form has its own allowance.
            let other = try await app.makeTenant()
            let otherToken = try await app.services.leadForm.token(for: other.id, issuedAt: Date().addingTimeInterval(-10))
            #expect(try await app.request(.post, "/forms/\(other.slug)/leads",
                                          json: ["name": "Ada", "email": "ada@example.com", "form_token": otherToken]).status == .created)
        }
    }
}
