import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Activities and my tasks")
struct ActivitiesTests {
    @Test("tasks, calls, meetings, emails and notes: each kind's fields, attached to records, a task done and undone")
    func kinds() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let me = try await app.userID(tenant)
            let rep = try await app.makeMember(of: tenant)
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "Acme"])
            let contact = try await app.createID("/api/v1/contacts", tenant, ["name": "Ada", "account_id": account])
            let deal = try await app.createID("/api/v1/deals", tenant, ["name": "Acme renewal", "account_id": account])
            let lead = try await app.createID("/api/v1/leads", tenant, ["name": "Grace"])

            let call = try await app.create("/api/v1/activities", tenant, [
                "kind": "call", "title": "Pricing call", "body": "Asked for 5 % off", "duration_minutes": 25,
                "occurred_at": "2026-03-02T09:30:00Z", "contact_id": contact, "deal_id": deal,
            ])
            #expect(call["occurred_at"] as? String == "2026-03-02T09:30:00Z")
            #expect(call["owner_id"] as? String == me)
            #expect(call["assignee_id"] as? String == me)
            #expect(call["done"] is NSNull)
            #expect(call["account_id"] is NSNull)
            let task = try await app.create("/api/v1/activities", tenant, [
                "kind": "task", "title": "Send the contract", "due_date": "2026-03-05", "deal_id": deal, "assignee_id": rep.id,
            ])
            #expect(task["done"] as? Bool == false)
            #expect(task["due_date"] as? String == "2026-03-05")
            #expect(task["assignee_id"] as? String == rep.id)
            let taskID = try #require(task["id"] as? String)
            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "note", "body": "Prefers WeChat", "lead_id": lead])
            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "meeting", "title": "Site visit", "account_id": account,
                                                                       "duration_minutes": 90])
            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "email", "title": "Quote sent", "contact_id": contact])

            let done = try await app.request(.patch, "/api/v1/activities/\(taskID)", token: tenant.apiKey, json: ["done": true]).json()
            #expect(done["done"] as? Bool == true)
            #expect(done["done_at"] is String)
            let undone = try await app.request(.patch, "/api/v1/activities/\(taskID)", token: tenant.apiKey, json: ["done": false]).json()
            #expect(undone["done"] as? Bool == false)
            #expect(undone["done_at"] is NSNull)

            func titles(_ query: String) async throws -> [String] {
                let response = try await app.request(.get, "/api/v1/activities?\(query)", token: tenant.apiKey)
                #expect(response.status == .ok, "\(query) \(response.body.string)")
                return response.items.map { $0["title"] as? String ?? $0["body"] as? String ?? "" }
            }
            #expect(try await titles("contact_id=\(contact)") == ["Pricing call", "Quote sent"])
            #expect(try await titles("deal_id=\(deal)") == ["Pricing call", "Send the contract"])
            #expect(try await titles("lead_id=\(lead)") == ["Prefers WeChat"])
            #expect(try await titles("kind=meeting") == ["Site visit"])
            #expect(try await titles("assignee_id=\(rep.id)") == ["Send the contract"])
            #expect(try await titles("done=false") == ["Send the contract"])
            #expect(try await titles("done=true").isEmpty)
            #expect(try await titles("limit=2").count == 2)
            #expect(try await app.request(.get, "/api/v1/activities?kind=fax", token: tenant.apiKey).errorCode == "invalid_filter")

            let refusals: [([String: Any], String, String)] = [
                (["kind": "note", "contact_id": contact], "invalid_field", "body"),
                (["kind": "call", "contact_id": contact], "invalid_field", "title"),
                (["kind": "call", "title": "x", "due_date": "2026-01-01", "contact_id": contact], "invalid_field", "due_date"),
                (["kind": "task", "title": "x", "duration_minutes": 5, "contact_id": contact], "invalid_field", "duration_minutes"),
                (["kind": "meeting", "title": "x", "duration_minutes": 2000, "contact_id": contact], "invalid_field", "duration_minutes"),
                (["kind": "email", "title": "x", "done": true, "contact_id": contact], "invalid_field", "done"),
                (["kind": "fax", "title": "x", "contact_id": contact], "invalid_field", "kind"),
                (["kind": "call", "title": "x"], "attachment_required", "account_id"),
                (["kind": "call", "title": "x", "contact_id": UUID().uuidString], "unknown_contact", "contact_id"),
                (["kind": "call", "title": "x", "deal_id": UUID().uuidString], "unknown_deal", "deal_id"),
                (["kind": "call", "title": "x", "lead_id": UUID().uuidString], "unknown_lead", "lead_id"),
                (["kind": "call", "title": "x", "account_id": UUID().uuidString], "unknown_account", "account_id"),
                (["kind": "call", "title": "x", "contact_id": contact, "assignee_id": UUID().uuidString], "unknown_user", "assignee_id"),
            ]
            for (body, code, field) in refusals {
                let refused = try await app.request(.post, "/api/v1/activities", token: tenant.apiKey, json: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.errorCode == code, "\(body) \(refused.body.string)")
                #expect(refused.errorField == field, "\(body)")
            }
            let unattach = try await app.request(.patch, "/api/v1/activities/\(taskID)", token: tenant.apiKey, json: ["deal_id": NSNull()])
            #expect(unattach.errorCode == "attachment_required")
            let kindChange = try await app.request(.patch, "/api/v1/activities/\(taskID)", token: tenant.apiKey, json: ["kind": "note"])
            #expect(kindChange.errorCode == "unknown_field")
            #expect(try await titles("").count == 5)

            #expect(try await app.request(.delete, "/api/v1/activities/\(taskID)", token: tenant.apiKey).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/activities/\(taskID)", token: tenant.apiKey).errorCode == "activity_not_found")
        }
    }

    @Test("deleting a record takes the activities attached only to it, and keeps those attached elsewhere too")
    func deletingRecords() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let contact = try await app.createID("/api/v1/contacts", tenant, ["name": "Ada"])
            let deal = try await app.createID("/api/v1/deals", tenant, ["name": "Order", "contact_ids": [contact]])
            let only = try await app.createID("/api/v1/activities", tenant, ["kind": "note", "body": "Only Ada", "contact_id": contact])
            let both = try await app.createID("/api/v1/activities", tenant, ["kind": "call", "title": "Ada about the order",
                                                                              "contact_id": contact, "deal_id": deal])
            #expect(try await app.request(.delete, "/api/v1/contacts/\(contact)", token: tenant.apiKey).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/activities/\(only)", token: tenant.apiKey).status == .notFound)
            let kept = try await app.request(.get, "/api/v1/activities/\(both)", token: tenant.apiKey).json()
            #expect(kept["contact_id"] is NSNull)
            #expect(kept["deal_id"] as? String == deal)
            #expect(try await app.request(.get, "/api/v1/deals/\(deal)", token: tenant.apiKey).json()["contact_ids"] as? [String] == [])
        }
    }

    @Test("my tasks due today, overdue and upcoming, in the workspace's time zone, soonest first")
    func myTasks() async throws {
        try await TestApp.run { app in
            // Kiritimati is 14 hours ahead of UTC, so its today is often not UTC's.
            let zone = "Pacific/Kiritimati"
            let tenant = try await app.makeTenant(zone: zone)
            let rep = try await app.makeMember(of: tenant)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zone)!
            func day(_ offset: Int) -> String {
                let date = calendar.date(byAdding: .day, value: offset, to: Date())!
                let parts = calendar.dateComponents([.year, .month, .day], from: date)
                return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!.description
            }
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "Acme"])
            func task(_ title: String, due: Int?, done: Bool = false, assignee: String? = nil) async throws {
                var body: [String: Any] = ["kind": "task", "title": title, "account_id": account, "done": done]
                if let due { body["due_date"] = day(due) }
                if let assignee { body["assignee_id"] = assignee }
                _ = try await app.createID("/api/v1/activities", tenant, body)
            }
            try await task("Call back, due tomorrow", due: 1)
            try await task("Overdue by a week", due: -7)
            try await task("Someday", due: nil)
            try await task("Due today", due: 0)
            try await task("Overdue yesterday", due: -1)
            try await task("Done yesterday", due: -1, done: true)
            try await task("The rep's, today", due: 0, assignee: rep.id)
            _ = try await app.createID("/api/v1/activities", tenant, ["kind": "call", "title": "Not a task", "account_id": account])

            func mine(_ query: String, key: String? = nil) async throws -> [String] {
                let response = try await app.request(.get, "/api/v1/tasks/mine\(query)", token: key ?? tenant.apiKey)
                #expect(response.status == .ok, "\(query) \(response.body.string)")
                return response.items.compactMap { $0["title"] as? String }
            }
            #expect(try await mine("?due=today") == ["Due today"])
            #expect(try await mine("?due=overdue") == ["Overdue by a week", "Overdue yesterday"])
            #expect(try await mine("?due=upcoming") == ["Call back, due tomorrow"])
            let all = ["Overdue by a week", "Overdue yesterday", "Due today", "Call back, due tomorrow", "Someday"]
            #expect(try await mine("") == all)
            #expect(try await mine("?due=today", key: rep.apiKey) == ["The rep's, today"])

            // Page by page, one at a time, the same order.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await app.request(.get, "/api/v1/tasks/mine?limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                                 token: tenant.apiKey)
                seen += page.items.compactMap { $0["title"] as? String }
                cursor = try page.json()["next_cursor"] as? String
            } while cursor != nil && seen.count < 10
            #expect(seen == all)

            #expect(try await app.request(.get, "/api/v1/tasks/mine?due=tomorrow", token: tenant.apiKey).errorCode == "invalid_filter")
            let idCursor = Cursor(after: UUID()).token
            #expect(try await app.request(.get, "/api/v1/tasks/mine?cursor=\(idCursor)", token: tenant.apiKey).errorCode == "invalid_cursor")
        }
    }
}
