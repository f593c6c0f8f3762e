import CRM
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Tenancy
import Testing

/// Another workspace's case answers 404 `case_not_found` on every endpoint that takes a case id,
/// exactly like a missing one, and is left as it was; references into another workspace are refused.
@Suite("Isolation: service cases")
struct CasesIsolationTests {
    @Test("every case endpoint answers 404 for another workspace's case and changes nothing")
    func crossTenantCases() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let created = try await ServiceDesk.create(app, owner, ["subject": "合同纠纷", "priority": "high"])
            let id = try #require(created["id"] as? String)
            // Resolved, so that a rating would be accepted if the case were visible.
            #expect(try await app.request(.patch, "/api/v1/cases/\(id)", token: owner.apiKey, json: ["status": "resolved"]).status == .ok)
            let before = try await app.request(.get, "/api/v1/cases/\(id)", token: owner.apiKey).body.string
            let historyBefore = try await ServiceDesk.history(app, owner, id).count

            let missing = UUID().uuidString.lowercased()
            let calls: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.get, "", nil),
                (.patch, "", ["status": "open", "subject": "hijacked"]),
                (.delete, "", nil),
                (.post, "/responses", ["note": "hello"]),
                (.post, "/satisfaction", ["rating": 1]),
                (.get, "/history", nil),
            ]
            for (method, suffix, body) in calls {
                let foreign = try await app.request(method, "/api/v1/cases/\(id)\(suffix)", token: intruder.apiKey, json: body)
                #expect(foreign.status == .notFound, "\(method) \(suffix)")
                #expect(foreign.errorCode == "case_not_found", "\(method) \(suffix)")
                let absent = try await app.request(method, "/api/v1/cases/\(missing)\(suffix)", token: intruder.apiKey, json: body)
                #expect(absent.body.string == foreign.body.string, "\(method) \(suffix)")
                let malformed = try await app.request(method, "/api/v1/cases/not-a-case\(suffix)", token: intruder.apiKey, json: body)
                #expect(malformed.errorCode == "case_not_found", "\(method) \(suffix)")
            }
            #expect(try await app.request(.get, "/api/v1/cases/\(id)", token: owner.apiKey).body.string == before)
            #expect(try await ServiceDesk.history(app, owner, id).count == historyBefore)

            // Lists never show it, whatever the filter.
            for query in ["", "number=1001", "status=resolved", "priority=high", "open=false"] {
                let list = try await app.request(.get, "/api/v1/cases?\(query)", token: intruder.apiKey).json()
                #expect((list["data"] as? [Any])?.isEmpty == true, "\(query)")
            }
        }
    }

    @Test("cases cannot point at another workspace's contacts, accounts or members")
    func crossTenantReferences() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let (manager, _) = try await ServiceDesk.member(app, of: owner, role: .manager)
            let account = try #require(try await app.request(.post, "/api/v1/accounts", token: owner.apiKey, json: ["name": "Acme"]).json()["id"] as? String)
            let contact = try #require(try await app.request(.post, "/api/v1/contacts", token: owner.apiKey, json: ["name": "Wile"]).json()["id"] as? String)
            _ = try await ServiceDesk.create(app, owner, ["contact_id": contact, "account_id": account, "assignee_id": manager.user.description])

            let references: [(String, String, String)] = [
                ("contact_id", contact, "unknown_contact"), ("account_id", account, "unknown_account"),
                ("assignee_id", manager.user.description, "unknown_assignee"),
            ]
            for (field, value, code) in references {
                let refused = try await app.request(.post, "/api/v1/cases", token: intruder.apiKey,
                                                    json: ["subject": "x", "channel": "web", field: value])
                #expect(refused.status == .unprocessableContent, "\(field)")
                #expect(refused.errorCode == code, "\(field)")
            }
            let own = try await ServiceDesk.create(app, intruder)
            #expect(own["number"] as? Int == 1001)  // the refusals took no numbers
            let ownID = try #require(own["id"] as? String)
            for (field, value, code) in references {
                let refused = try await app.request(.patch, "/api/v1/cases/\(ownID)", token: intruder.apiKey, json: [field: value])
                #expect(refused.errorCode == code, "\(field)")
            }
            let escalation = try await app.request(.patch, "/api/v1/service/sla", token: intruder.apiKey,
                                                   json: ["escalation_assignee_id": manager.user.description])
            #expect(escalation.errorCode == "unknown_assignee")
            for query in ["contact_id=\(contact)", "account_id=\(account)", "assignee=\(manager.user)"] {
                let list = try await app.request(.get, "/api/v1/cases?\(query)", token: intruder.apiKey).json()
                #expect((list["data"] as? [Any])?.isEmpty == true, "\(query)")
            }
            let unchanged = try await app.request(.get, "/api/v1/cases/\(ownID)", token: intruder.apiKey).json()
            #expect(unchanged["contact_id"] is NSNull && unchanged["account_id"] is NSNull && unchanged["assignee_id"] is NSNull)
        }
    }

    @Test("service settings belong to one workspace; the host may read cases but not change them; history cannot be edited")
    func settingsAndRoles() async throws {
        try await TestApp.run { app in
            let first = try await app.makeTenant()
            let second = try await app.makeTenant()
            let changed = try await app.request(.patch, "/api/v1/service/business-hours", token: first.apiKey,
                                                json: ["time_zone": "Asia/Shanghai", "holidays": [["date": "2026-10-01"]]])
            #expect(changed.status == .ok)
            let other = try await app.request(.get, "/api/v1/service/business-hours", token: second.apiKey).json()
            #expect(other["time_zone"] as? String == "UTC")
            #expect((other["holidays"] as? [Any])?.isEmpty == true)

            let id = try #require(CaseID(try await ServiceDesk.create(app, first)["id"] as? String ?? ""))
            let database = app.services.database
            let seenBySecond = try await database.withTenant(second.id) { try await $0.rows("SELECT id FROM cases", as: UUID.self) }
            #expect(!seenBySecond.contains(id.uuid))
            await #expect(throws: GuanxiError.self) {
                try await database.withHost { try await $0.query("UPDATE cases SET subject = 'host' WHERE id = \(id.uuid)") }
            }
            await #expect(throws: GuanxiError.self) {
                try await database.withTenant(first.id) { try await $0.query("UPDATE case_events SET note = 'edited'") }
            }
            await #expect(throws: GuanxiError.self) {
                try await database.withTenant(first.id) { try await $0.query("DELETE FROM case_events") }
            }
            let seenByHost = try await database.withHost { try await $0.rows("SELECT id FROM cases WHERE id = \(id.uuid)", as: UUID.self) }
            #expect(seenByHost == [id.uuid])
        }
    }
}
