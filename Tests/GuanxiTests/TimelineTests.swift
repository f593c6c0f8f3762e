import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Timeline: the 360° view of an account or a contact")
struct TimelineTests {
    /// Every item of a timeline, walked `limit` at a time.
    func walk(_ app: TestApp, _ tenant: TestTenant, _ path: String, limit: Int) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String?
        var pages = 0
        repeat {
            let response = try await app.request(.get, "\(path)?limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? ""), token: tenant.apiKey)
            #expect(response.status == .ok, "\(response.body.string)")
            items += response.items
            cursor = try response.json()["next_cursor"] as? String
            pages += 1
        } while cursor != nil && pages < 50
        return items
    }

    @Test("an account's timeline holds its contacts', deals' and converted leads' items, newest first, page after page")
    func accountTimeline() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let me = try await app.userID(tenant)
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "Golden Lotus Trading"])
            let ada = try await app.createID("/api/v1/contacts", tenant, ["name": "Ada", "account_id": account])
            let bo = try await app.createID("/api/v1/contacts", tenant, ["name": "Bo", "account_id": account])
            let stranger = try await app.createID("/api/v1/contacts", tenant, ["name": "Someone else"])

            // A lead with a note of its own, converted into this account, opening a deal.
            let lead = try await app.createID("/api/v1/leads", tenant, ["name": "Chen", "status": "qualified"])
            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "note", "body": "Met Chen at the fair", "lead_id": lead])
            let conversion = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey,
                                                   json: ["account_id": account, "deal": ["name": "Fair order"]]).json()
            let chen = try #require((conversion["contact"] as? [String: Any])?["id"] as? String)
            let fairDeal = try #require((conversion["deal"] as? [String: Any])?["id"] as? String)

            // Bo's deal at no account: the account sees it through Bo.
            let boDeal = try await app.createID("/api/v1/deals", tenant, ["name": "Bo's side order", "contact_ids": [bo]])
            let stages = try await app.request(.get, "/api/v1/pipelines", token: tenant.apiKey).items.first?["stages"] as? [[String: Any]] ?? []
            let proposal = try #require(stages.first { $0["name"] as? String == "Proposal" }?["id"] as? String)
            let lost = try #require(stages.first { $0["kind"] as? String == "lost" }?["id"] as? String)
            let won = try #require(stages.first { $0["kind"] as? String == "won" }?["id"] as? String)
            _ = try await app.request(.post, "/api/v1/deals/\(fairDeal)/move", token: tenant.apiKey, json: ["stage_id": proposal])
            _ = try await app.request(.post, "/api/v1/deals/\(fairDeal)/move", token: tenant.apiKey, json: ["stage_id": won, "reason": "Best price"])
            _ = try await app.request(.post, "/api/v1/deals/\(boDeal)/move", token: tenant.apiKey, json: ["stage_id": lost, "reason": "Too late"])

            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "call", "title": "Called Ada", "contact_id": ada])
            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "meeting", "title": "Office visit", "account_id": account])
            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "task", "title": "Send samples", "deal_id": fairDeal])
            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "email", "title": "Old email", "contact_id": bo,
                                                                       "occurred_at": "2020-05-01T08:00:00Z"])
            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "call", "title": "Not this customer", "contact_id": stranger])

            let whole = try await app.request(.get, "/api/v1/accounts/\(account)/timeline", token: tenant.apiKey)
            #expect(whole.status == .ok, "\(whole.body.string)")
            let items = whole.items
            let summary = items.map { "\($0["kind"] as? String ?? "?"): \($0["title"] as? String ?? "")" }
            // The conversion and the deal it opened share the conversion's time; the later id comes first.
            #expect(summary == [
                "task: Send samples", "meeting: Office visit", "call: Called Ada",
                "deal_lost: Bo's side order", "deal_won: Fair order", "deal_stage_changed: Fair order", "deal_created: Bo's side order",
                "deal_created: Fair order", "lead_converted: Chen", "note: ", "email: Old email",
            ])
            let times = items.compactMap { $0["occurred_at"] as? String }
            #expect(times == times.sorted(by: >))
            let wonItem = try #require(items.first { $0["kind"] as? String == "deal_won" })
            #expect(wonItem["from"] as? String == "Proposal")
            #expect(wonItem["to"] as? String == "Won")
            #expect(wonItem["body"] as? String == "Best price")
            #expect(wonItem["deal_id"] as? String == fairDeal)
            #expect(wonItem["user_id"] as? String == me)
            let converted = try #require(items.first { $0["kind"] as? String == "lead_converted" })
            #expect(converted["lead_id"] as? String == lead)
            #expect(converted["contact_id"] as? String == chen)
            #expect(converted["deal_id"] as? String == fairDeal)
            let note = try #require(items.first { $0["kind"] as? String == "note" })
            #expect(note["body"] as? String == "Met Chen at the fair")
            #expect(note["activity_id"] as? String == note["id"] as? String)

            // Pages of two walk the same items in the same order, each once.
            let paged = try await walk(app, tenant, "/api/v1/accounts/\(account)/timeline", limit: 2)
            #expect(paged.compactMap { $0["id"] as? String } == items.compactMap { $0["id"] as? String })

            // A contact's timeline: its own items and its deals'.
            let boItems = try await app.request(.get, "/api/v1/contacts/\(bo)/timeline", token: tenant.apiKey).items
            #expect(boItems.map { "\($0["kind"] as? String ?? "?"): \($0["title"] as? String ?? "")" } == [
                "deal_lost: Bo's side order", "deal_created: Bo's side order", "email: Old email",
            ])
            let chenItems = try await app.request(.get, "/api/v1/contacts/\(chen)/timeline", token: tenant.apiKey).items
            #expect(chenItems.compactMap { $0["kind"] as? String } == ["task", "deal_won", "deal_stage_changed", "deal_created", "lead_converted", "note"])

            let idCursor = Cursor(after: UUID()).token
            let badCursor = try await app.request(.get, "/api/v1/accounts/\(account)/timeline?cursor=\(idCursor)", token: tenant.apiKey)
            #expect(badCursor.errorCode == "invalid_cursor")
            let missing = try await app.request(.get, "/api/v1/accounts/\(UUID().uuidString)/timeline", token: tenant.apiKey)
            #expect(missing.errorCode == "account_not_found")
            #expect(try await app.request(.get, "/api/v1/contacts/not-an-id/timeline", token: tenant.apiKey).errorCode == "contact_not_found")
        }
    }

    @Test("a customer's cases show in its timelines: the case's history and the activities attached to the case")
    func casesInTimeline() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "青山茶业"])
            let contact = try await app.createID("/api/v1/contacts", tenant, ["name": "王芳", "account_id": account])
            let other = try await app.createID("/api/v1/contacts", tenant, ["name": "Someone else"])
            let serviceCase = try await app.createID("/api/v1/cases", tenant, ["subject": "Tea arrived damaged", "channel": "phone",
                                                                                "contact_id": contact])
            _ = try await app.createID("/api/v1/cases", tenant, ["subject": "Not theirs", "channel": "email", "contact_id": other])
            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "call", "title": "Called about the damage",
                                                                      "case_id": serviceCase])
            let resolved = try await app.request(.patch, "/api/v1/cases/\(serviceCase)", token: tenant.apiKey, json: ["status": "resolved"])
            #expect(resolved.status == .ok, "\(resolved.body.string)")

            for path in ["/api/v1/contacts/\(contact)/timeline", "/api/v1/accounts/\(account)/timeline"] {
                let items = try await app.request(.get, path, token: tenant.apiKey).items
                #expect(items.compactMap { $0["kind"] as? String } == ["case_status_changed", "call", "case_created"], "\(path)")
                #expect(items.allSatisfy { ($0["case_id"] as? String) == serviceCase })
                #expect(items.first?["to"] as? String == "resolved")
                #expect(items.first?["title"] as? String == "Tea arrived damaged")
            }
            let byCase = try await app.request(.get, "/api/v1/activities?case_id=\(serviceCase)", token: tenant.apiKey).items
            #expect(byCase.compactMap { $0["title"] as? String } == ["Called about the damage"])
            let unknown = try await app.request(.post, "/api/v1/activities", token: tenant.apiKey,
                                                json: ["kind": "note", "body": "x", "case_id": UUID().uuidString])
            #expect(unknown.errorCode == "unknown_case")
        }
    }
}
