import CRM
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Tenancy
import Testing

/// Members, cases and times for the service-desk suites.
enum ServiceDesk {
    /// A moment written in ISO 8601 with its offset, e.g. `2026-03-06T17:00:00-05:00`.
    static func time(_ text: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("not an ISO 8601 time: \(text)") }
        return date
    }

    /// The JSON text the API writes for `date`.
    static func json(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// The workspace's owner, as a caller of the services.
    static func owner(_ app: TestApp, of tenant: TestTenant) async throws -> TenantPrincipal {
        let user = try await app.services.database.withTenant(tenant.id) {
            try await $0.rows("SELECT user_id FROM memberships WHERE role = 'owner'", as: UUID.self)[0]
        }
        return principal(tenant, UserID(user), .owner)
    }

    /// A new member of `role`, and an API key acting as them.
    static func member(_ app: TestApp, of tenant: TestTenant, role: MembershipRole) async throws -> (principal: TenantPrincipal, apiKey: String) {
        let member = try await app.makeMember(of: tenant, role: role)
        return (principal(tenant, try #require(UserID(member.id)), role), member.apiKey)
    }

    static func principal(_ tenant: TestTenant, _ user: UserID, _ role: MembershipRole) -> TenantPrincipal {
        TenantPrincipal(tenant: tenant.id, user: user, role: role, tenantStatus: .active, tenantSlug: tenant.slug, locale: "en", timeZone: "UTC")
    }

    /// Creates a case through the API and returns its JSON.
    static func create(_ app: TestApp, _ tenant: TestTenant, _ body: [String: Any] = [:], token: String? = nil) async throws -> [String: Any] {
        var fields: [String: Any] = ["subject": "Printer offline", "channel": "phone"]
        fields.merge(body) { $1 }
        let response = try await app.request(.post, "/api/v1/cases", token: token ?? tenant.apiKey, json: fields)
        #expect(response.status == .created, "\(response.body.string)")
        return try response.json()
    }

    /// The history of a case, oldest first, as `kind`, `from`, `to` triples.
    static func history(_ app: TestApp, _ tenant: TestTenant, _ id: String) async throws -> [[String: Any]] {
        let response = try await app.request(.get, "/api/v1/cases/\(id)/history?limit=200", token: tenant.apiKey)
        #expect(response.status == .ok, "\(response.body.string)")
        return try response.json()["data"] as? [[String: Any]] ?? []
    }

    static func kinds(_ events: [[String: Any]]) -> [String] { events.compactMap { $0["kind"] as? String } }
}

@Suite("Service cases")
struct CasesTests {
    @Test("create, read, change, list and delete a case; bad input is refused and writes nothing")
    func caseLifecycle() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let (agent, agentKey) = try await ServiceDesk.member(app, of: tenant, role: .supportAgent)
            let account = try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey, json: ["name": "北京远景科技"]).json()
            let accountID = try #require(account["id"] as? String)
            let contact = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey,
                                                json: ["name": "刘洋", "account_id": accountID]).json()
            let contactID = try #require(contact["id"] as? String)

            // Refusals first: none of them takes a case number.
            let refusals: [([String: Any], Int, String, String?)] = [
                (["channel": "phone"], 422, "invalid_field", "subject"),
                (["subject": "  ", "channel": "phone"], 422, "invalid_field", "subject"),
                (["subject": "x", "channel": "fax"], 422, "invalid_field", "channel"),
                (["subject": "x", "channel": "web", "priority": "critical"], 422, "invalid_field", "priority"),
                (["subject": "x", "channel": "web", "status": "open"], 422, "unknown_field", "status"),
                (["subject": "x", "channel": "web", "contact_id": UUID().uuidString], 422, "unknown_contact", "contact_id"),
                (["subject": "x", "channel": "web", "account_id": UUID().uuidString], 422, "unknown_account", "account_id"),
                (["subject": "x", "channel": "web", "assignee_id": UUID().uuidString], 422, "unknown_assignee", "assignee_id"),
            ]
            for (body, status, code, field) in refusals {
                let response = try await app.request(.post, "/api/v1/cases", token: tenant.apiKey, json: body)
                #expect(response.status.code == status, "\(body): \(response.body.string)")
                #expect(response.errorCode == code, "\(body)")
                #expect(((try response.json()["error"] as? [String: Any])?["details"] as? [String: String])?["field"] == field, "\(body)")
            }
            #expect((try await app.request(.get, "/api/v1/cases", token: tenant.apiKey).json()["data"] as? [Any])?.isEmpty == true)

            let created = try await ServiceDesk.create(app, tenant, [
                "subject": " 打印机无法连接 ", "description": "The office printer drops off the network every morning.",
                "priority": "high", "category": "Hardware", "channel": "email", "contact_id": contactID,
                "assignee_id": agent.user.description,
            ])
            let id = try #require(created["id"] as? String)
            #expect(created["number"] as? Int == 1001)
            #expect(created["subject"] as? String == "打印机无法连接")
            #expect(created["status"] as? String == "new")
            #expect(created["priority"] as? String == "high")
            #expect(created["channel"] as? String == "email")
            #expect(created["account_id"] as? String == accountID)  // from the contact
            #expect(created["assignee_id"] as? String == agent.user.description)
            #expect(created["first_response_target_minutes"] as? Int == 60)
            #expect(created["resolution_target_minutes"] as? Int == 540)
            #expect(created["first_responded_at"] is NSNull)
            #expect(created["resolution_seconds_left"] is NSNull)
            #expect(created["satisfaction"] is NSNull)
            #expect(created["next_due_at"] as? String == created["first_response_due_at"] as? String)

            let second = try await ServiceDesk.create(app, tenant, ["subject": "Invoice copy", "channel": "walk_in"], token: agentKey)
            #expect(second["number"] as? Int == 1002)
            #expect(second["priority"] as? String == "normal")
            #expect(second["assignee_id"] is NSNull)

            let read = try await app.request(.get, "/api/v1/cases/\(id)", token: agentKey)
            #expect(read.status == .ok)
            #expect(try read.json()["number"] as? Int == 1001)

            let patched = try await app.request(.patch, "/api/v1/cases/\(id)", token: agentKey,
                                                json: ["category": NSNull(), "description": "Fixed by a new cable?", "assignee_id": NSNull()])
            #expect(patched.status == .ok)
            let after = try patched.json()
            #expect(after["category"] is NSNull)
            #expect(after["assignee_id"] is NSNull)
            #expect(after["description"] as? String == "Fixed by a new cable?")
            #expect(after["subject"] as? String == "打印机无法连接")
            for (body, field) in [(["subject": NSNull()], "subject"), (["status": NSNull()], "status"), (["priority": "p1"], "priority"),
                                  (["channel": NSNull()], "channel")] as [([String: Any], String)] {
                let refused = try await app.request(.patch, "/api/v1/cases/\(id)", token: agentKey, json: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(((try refused.json()["error"] as? [String: Any])?["details"] as? [String: String])?["field"] == field)
            }
            #expect(ServiceDesk.kinds(try await ServiceDesk.history(app, tenant, id)) == ["created", "assignee_changed"])

            // Only owners and admins delete; the number is not handed out again.
            let forbidden = try await app.request(.delete, "/api/v1/cases/\(id)", token: agentKey)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.errorCode == "forbidden_role")
            #expect(try await app.request(.delete, "/api/v1/cases/\(id)", token: tenant.apiKey).status == .noContent)
            let gone = try await app.request(.get, "/api/v1/cases/\(id)", token: tenant.apiKey)
            #expect(gone.status == .notFound)
            #expect(gone.errorCode == "case_not_found")
            #expect(try await app.request(.get, "/api/v1/cases/\(id)/history", token: tenant.apiKey).errorCode == "case_not_found")
            #expect(try await ServiceDesk.create(app, tenant)["number"] as? Int == 1003)

            // Deleting the contact keeps the case and drops the link.
            #expect(try await app.request(.delete, "/api/v1/contacts/\(contactID)", token: tenant.apiKey).status == .noContent)
            let third = try await ServiceDesk.create(app, tenant)
            #expect(third["contact_id"] is NSNull)
        }
    }

    @Test("case numbers count from 1001 in each workspace, without gaps, also when created at the same moment")
    func gaplessNumbers() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let other = try await app.makeTenant()
            let owner = try await ServiceDesk.owner(app, of: tenant)
            // Through the service, not HTTP: the plan's four requests at once would refuse most of them.
            // Every fifth create names a contact that does not exist and is refused: refusals take no number.
            let numbers = try await withThrowingTaskGroup(of: Int?.self) { group in
                for index in 0..<25 {
                    group.addTask {
                        let contact: ContactID? = index % 5 == 4 ? ContactID() : nil
                        do {
                            return try await app.services.cases.create(owner, NewCase(subject: "Case \(index)", channel: .web, contactID: contact)).number
                        } catch let error as GuanxiError where error.code == "unknown_contact" {
                            return nil
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(numbers.compactMap { $0 }.sorted() == Array(1001...1020))
            #expect(try await ServiceDesk.create(app, other)["number"] as? Int == 1001)
            let byNumber = try await app.request(.get, "/api/v1/cases?number=1007", token: tenant.apiKey).json()
            #expect((byNumber["data"] as? [[String: Any]])?.compactMap { $0["number"] as? Int } == [1007])
        }
    }

    @Test("status moves follow the rules; a closed case only reopens, by a manager, admin or owner")
    func statusTransitions() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let (agent, agentKey) = try await ServiceDesk.member(app, of: tenant, role: .supportAgent)
            let (manager, managerKey) = try await ServiceDesk.member(app, of: tenant, role: .manager)
            let id = try #require(try await ServiceDesk.create(app, tenant)["id"] as? String)
            func move(_ status: String, key: String) async throws -> TestResponse {
                try await app.request(.patch, "/api/v1/cases/\(id)", token: key, json: ["status": status])
            }

            #expect(try await move("open", key: agentKey).status == .ok)
            let backToNew = try await move("new", key: agentKey)
            #expect(backToNew.status == .conflict)
            #expect(backToNew.errorCode == "invalid_status_transition")
            #expect((try backToNew.json()["error"] as? [String: Any])?["details"] as? [String: String]
                    == ["from": "open", "to": "new", "allowed": "waiting_on_customer, resolved, closed"])
            #expect(try await move("open", key: agentKey).status == .ok)  // unchanged: nothing to do, nothing recorded
            let resolved = try await move("resolved", key: agentKey)
            #expect(resolved.status == .ok)
            #expect(try resolved.json()["resolved_at"] is String)
            #expect(try await move("waiting_on_customer", key: agentKey).errorCode == "invalid_status_transition")
            let closed = try await move("closed", key: agentKey)
            #expect(try closed.json()["closed_at"] is String)
            #expect(try closed.json()["resolved_at"] is String)

            let edit = try await app.request(.patch, "/api/v1/cases/\(id)", token: tenant.apiKey, json: ["subject": "Changed"])
            #expect(edit.status == .conflict)
            #expect(edit.errorCode == "case_closed")
            #expect(try await move("resolved", key: tenant.apiKey).errorCode == "case_closed")
            #expect(try await app.request(.post, "/api/v1/cases/\(id)/responses", token: agentKey, json: [:]).errorCode == "case_closed")
            let agentReopens = try await move("open", key: agentKey)
            #expect(agentReopens.status == .forbidden)
            #expect(agentReopens.errorCode == "forbidden_role")

            let reopened = try await app.request(.patch, "/api/v1/cases/\(id)", token: managerKey, json: ["status": "open", "priority": "urgent"])
            #expect(reopened.status == .ok)
            let json = try reopened.json()
            #expect(json["status"] as? String == "open")
            #expect(json["priority"] as? String == "urgent")
            #expect(json["resolved_at"] is NSNull)
            #expect(json["closed_at"] is NSNull)
            #expect(json["resolution_due_at"] is String)

            let history = try await ServiceDesk.history(app, tenant, id)
            let changes = history.filter { $0["kind"] as? String == "status_changed" }
            #expect(changes.map { "\($0["from"] as? String ?? "")→\($0["to"] as? String ?? "")" }
                    == ["new→open", "open→resolved", "resolved→closed", "closed→open"])
            #expect(changes.map { $0["actor_id"] as? String } == [agent.user, agent.user, agent.user, manager.user].map(\.description))
            #expect(history.contains { $0["kind"] as? String == "priority_changed" && $0["to"] as? String == "urgent" })
        }
    }

    @Test("a response stops the first-response clock once and opens a new case")
    func responses() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let (agent, agentKey) = try await ServiceDesk.member(app, of: tenant, role: .supportAgent)
            let id = try #require(try await ServiceDesk.create(app, tenant)["id"] as? String)
            let first = try await app.request(.post, "/api/v1/cases/\(id)/responses", token: agentKey, json: ["note": "Called back; restarting the router."])
            #expect(first.status == .ok, "\(first.body.string)")
            let answered = try first.json()
            #expect(answered["status"] as? String == "open")
            let respondedAt = try #require(answered["first_responded_at"] as? String)
            #expect(answered["first_response_breached_at"] is NSNull)
            #expect(answered["next_due_at"] as? String == answered["resolution_due_at"] as? String)

            let second = try await app.request(.post, "/api/v1/cases/\(id)/responses", token: tenant.apiKey, json: [:])
            #expect(try second.json()["first_responded_at"] as? String == respondedAt)
            #expect(try await app.request(.post, "/api/v1/cases/\(id)/responses", token: agentKey, json: ["text": "x"]).errorCode == "unknown_field")
            #expect(try await app.request(.post, "/api/v1/cases/\(id)/responses", token: agentKey, json: ["note": String(repeating: "长", count: 2001)])
                .status == .unprocessableContent)

            let history = try await ServiceDesk.history(app, tenant, id)
            #expect(ServiceDesk.kinds(history) == ["created", "responded", "status_changed", "responded"])
            #expect(history[1]["note"] as? String == "Called back; restarting the router.")
            #expect(history[1]["actor_id"] as? String == agent.user.description)
            #expect(history[3]["note"] is NSNull)
        }
    }

    @Test("waiting on the customer and resolution stop the resolution clock; it resumes with the business time left")
    func resolutionClockPauses() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()  // UTC, Monday to Friday 09:00–18:00
            let owner = try await ServiceDesk.owner(app, of: tenant)
            let cases = app.services.cases
            let time = ServiceDesk.time
            // normal: first response 240 minutes, resolution 1620 minutes (three business days)
            let opened = try await cases.create(owner, NewCase(subject: "VPN drops", channel: .phone), now: time("2026-03-02T09:00:00Z"))
            #expect(opened.clocks.firstResponseDueAt == time("2026-03-02T13:00:00Z"))
            #expect(opened.clocks.resolutionDueAt == time("2026-03-04T18:00:00Z"))
            _ = try await cases.respond(owner, opened.id, CaseResponse(), now: time("2026-03-02T09:30:00Z"))

            var waiting = CasePatch()
            waiting.status = .set("waiting_on_customer")
            let paused = try await cases.update(owner, opened.id, waiting, now: time("2026-03-02T10:00:00Z"))
            #expect(paused.clocks.resolutionDueAt == nil)
            #expect(paused.clocks.resolutionSecondsLeft == 1560 * 60)  // one hour of the 27 used
            #expect(paused.nextDueAt == nil)

            // Two business days later the customer answers: the clock goes on with 26 hours of business time.
            var open = CasePatch()
            open.status = .set("open")
            let resumed = try await cases.update(owner, opened.id, open, now: time("2026-03-04T10:00:00Z"))
            #expect(resumed.clocks.resolutionSecondsLeft == nil)
            #expect(resumed.clocks.resolutionDueAt == time("2026-03-06T18:00:00Z"))
            #expect(resumed.nextDueAt == time("2026-03-06T18:00:00Z"))

            // Resolving stops it too, an hour before the due time; reopening on Monday gives back that hour.
            var resolve = CasePatch()
            resolve.status = .set("resolved")
            let resolved = try await cases.update(owner, opened.id, resolve, now: time("2026-03-06T17:00:00Z"))
            #expect(resolved.clocks.resolutionSecondsLeft == 3600)
            #expect(resolved.clocks.resolutionBreachedAt == nil)
            let reopened = try await cases.update(owner, opened.id, open, now: time("2026-03-09T09:00:00Z"))
            #expect(reopened.clocks.resolutionDueAt == time("2026-03-09T10:00:00Z"))
            #expect(reopened.resolvedAt == nil)

            // Resolved after the due time (and before any sweep): the breach is recorded as the clock stops.
            let late = try await cases.update(owner, opened.id, resolve, now: time("2026-03-09T11:00:00Z"))
            #expect(late.clocks.resolutionBreachedAt == time("2026-03-09T10:00:00Z"))
            #expect(late.clocks.resolutionSecondsLeft == 0)
            let history = try await ServiceDesk.history(app, tenant, opened.id.description)
            #expect(ServiceDesk.kinds(history).suffix(2) == ["breached", "status_changed"])
            #expect(history.suffix(2).first?["to"] as? String == "resolution")
            #expect(history.suffix(2).first?["actor_id"] is NSNull)
        }
    }

    @Test("a new priority re-targets running clocks, counting the business time already used")
    func priorityRetargets() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let owner = try await ServiceDesk.owner(app, of: tenant)
            let time = ServiceDesk.time
            let opened = try await app.services.cases.create(owner, NewCase(subject: "Slow app", channel: .web), now: time("2026-03-02T09:00:00Z"))
            var lower = CasePatch()
            lower.priority = .set("low")  // first response 480, resolution 2700 minutes
            let low = try await app.services.cases.update(owner, opened.id, lower, now: time("2026-03-02T10:00:00Z"))
            #expect(low.clocks.firstResponseTargetMinutes == 480)
            #expect(low.clocks.firstResponseDueAt == time("2026-03-02T17:00:00Z"))  // 60 used, 420 left
            #expect(low.clocks.resolutionTargetMinutes == 2700)
            #expect(low.clocks.resolutionDueAt == time("2026-03-06T18:00:00Z"))  // 60 used, 2640 left
            var raise = CasePatch()
            raise.priority = .set("urgent")  // 30 and 240: the first response is due at once
            let urgent = try await app.services.cases.update(owner, opened.id, raise, now: time("2026-03-02T11:00:00Z"))
            #expect(urgent.clocks.firstResponseDueAt == time("2026-03-02T11:00:00Z"))
            #expect(urgent.clocks.resolutionDueAt == time("2026-03-02T13:00:00Z"))  // 120 used, 120 left
        }
    }

    @Test("satisfaction is rated 1 to 5, once per resolution, only after the case was resolved")
    func satisfaction() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let (_, managerKey) = try await ServiceDesk.member(app, of: tenant, role: .manager)
            let id = try #require(try await ServiceDesk.create(app, tenant)["id"] as? String)
            func rate(_ body: [String: Any]) async throws -> TestResponse {
                try await app.request(.post, "/api/v1/cases/\(id)/satisfaction", token: tenant.apiKey, json: body)
            }
            func move(_ status: String) async throws {
                let response = try await app.request(.patch, "/api/v1/cases/\(id)", token: managerKey, json: ["status": status])
                #expect(response.status == .ok, "\(response.body.string)")
            }
            let early = try await rate(["rating": 5])
            #expect(early.status == .conflict)
            #expect(early.errorCode == "case_not_resolved")
            try await move("resolved")
            let badRatings: [Any] = [0, 6, "five"]
            for bad in badRatings {
                let refused = try await rate(["rating": bad])
                #expect(refused.status == .unprocessableContent, "\(bad)")
                #expect(((try refused.json()["error"] as? [String: Any])?["details"] as? [String: String])?["field"] == "rating")
            }
            let rated = try await rate(["rating": 4, "comment": "快速解决，谢谢"])
            #expect(rated.status == .ok)
            #expect(try rated.json()["satisfaction"] as? Int == 4)
            #expect(try rated.json()["satisfaction_comment"] as? String == "快速解决，谢谢")
            #expect(try await rate(["rating": 5]).errorCode == "satisfaction_already_recorded")
            try await move("closed")
            #expect(try await app.request(.get, "/api/v1/cases/\(id)", token: tenant.apiKey).json()["satisfaction"] as? Int == 4)

            try await move("open")
            let reopened = try await app.request(.get, "/api/v1/cases/\(id)", token: tenant.apiKey).json()
            #expect(reopened["satisfaction"] is NSNull)
            #expect(try await rate(["rating": 5]).errorCode == "case_not_resolved")
            try await move("resolved")
            #expect(try await rate(["rating": 5]).status == .ok)
            let ratings = try await ServiceDesk.history(app, tenant, id).filter { $0["kind"] as? String == "satisfaction_recorded" }
            #expect(ratings.map { $0["to"] as? String } == ["4", "5"])
            #expect(ratings.first?["note"] as? String == "快速解决，谢谢")

            // A case closed without being resolved has no resolution to rate.
            let unresolved = try #require(try await ServiceDesk.create(app, tenant)["id"] as? String)
            #expect(try await app.request(.patch, "/api/v1/cases/\(unresolved)", token: tenant.apiKey, json: ["status": "closed"]).status == .ok)
            #expect(try await app.request(.post, "/api/v1/cases/\(unresolved)/satisfaction", token: tenant.apiKey, json: ["rating": 3])
                .errorCode == "case_not_resolved")
        }
    }

    @Test("lists filter by status, priority, assignee, category, contact and account, and refuse bad filters")
    func listFilters() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let (agent, agentKey) = try await ServiceDesk.member(app, of: tenant, role: .supportAgent)
            let account = try #require(try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey, json: ["name": "Acme"]).json()["id"] as? String)
            let contact = try #require(try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "Wile"]).json()["id"] as? String)
            _ = try await ServiceDesk.create(app, tenant, ["subject": "A", "priority": "urgent", "category": "Billing",
                                                                "assignee_id": agent.user.description, "contact_id": contact])
            _ = try await ServiceDesk.create(app, tenant, ["subject": "B", "priority": "low", "account_id": account])
            let c = try await ServiceDesk.create(app, tenant, ["subject": "C", "category": "billing", "assignee_id": agent.user.description])
            #expect(try await app.request(.patch, "/api/v1/cases/\(c["id"] as? String ?? "")", token: tenant.apiKey,
                                          json: ["status": "resolved"]).status == .ok)
            func subjects(_ query: String, key: String? = nil) async throws -> [String] {
                let response = try await app.request(.get, "/api/v1/cases?\(query)", token: key ?? tenant.apiKey)
                #expect(response.status == .ok, "\(query): \(response.body.string)")
                return (try response.json()["data"] as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String }
            }
            #expect(try await subjects("") == ["A", "B", "C"])
            #expect(try await subjects("status=new") == ["A", "B"])
            #expect(try await subjects("status=resolved,closed") == ["C"])
            #expect(try await subjects("priority=urgent,low") == ["A", "B"])
            #expect(try await subjects("assignee=me", key: agentKey) == ["A", "C"])
            #expect(try await subjects("assignee=\(agent.user)") == ["A", "C"])
            #expect(try await subjects("assignee=none") == ["B"])
            #expect(try await subjects("category=BILLING") == ["A", "C"])
            #expect(try await subjects("contact_id=\(contact)") == ["A"])
            #expect(try await subjects("account_id=\(account)") == ["B"])
            #expect(try await subjects("open=false") == ["C"])
            #expect(try await subjects("breached=false") == ["A", "B", "C"])
            #expect(try await subjects("breached=true").isEmpty)
            for bad in ["status=opened", "priority=", "assignee=someone", "open=yes", "breached=1", "contact_id=x", "account_id=1",
                        "number=abc", "number=-4"] {
                let response = try await app.request(.get, "/api/v1/cases?\(bad)", token: tenant.apiKey)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(response.errorCode == "invalid_filter", "\(bad)")
            }
        }
    }

    @Test("an agent's queue: their open cases, nearest due time first, paged")
    func agentQueue() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let owner = try await ServiceDesk.owner(app, of: tenant)
            let (agent, agentKey) = try await ServiceDesk.member(app, of: tenant, role: .supportAgent)
            let (colleague, _) = try await ServiceDesk.member(app, of: tenant, role: .supportAgent)
            let cases = app.services.cases
            let monday = ServiceDesk.time("2026-03-02T09:00:00Z")
            func open(_ subject: String, _ priority: CasePriority, for assignee: UserID) async throws -> ServiceCase {
                try await cases.create(owner, NewCase(subject: subject, priority: priority, channel: .email, assigneeID: assignee), now: monday)
            }
            let waiting = try await open("waiting", .urgent, for: agent.user)
            _ = try await cases.respond(agent, waiting.id, CaseResponse(), now: monday)
            var toCustomer = CasePatch()
            toCustomer.status = .set("waiting_on_customer")
            _ = try await cases.update(agent, waiting.id, toCustomer, now: monday)  // no clock runs: last
            _ = try await open("low", .low, for: agent.user)         // due 17:00
            _ = try await open("urgent", .urgent, for: agent.user)   // due 09:30
            _ = try await open("normal", .normal, for: agent.user)   // due 13:00
            _ = try await open("someone else's", .urgent, for: colleague.user)
            let done = try await open("resolved", .urgent, for: agent.user)
            var resolve = CasePatch()
            resolve.status = .set("resolved")
            _ = try await cases.update(agent, done.id, resolve, now: monday)

            var subjects: [String] = []
            var cursor: String?
            repeat {
                let path = "/api/v1/cases?assignee=me&open=true&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await app.request(.get, path, token: agentKey).json()
                subjects += (page["data"] as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String }
                cursor = page["next_cursor"] as? String
            } while cursor != nil && subjects.count < 10
            #expect(subjects == ["urgent", "normal", "low", "waiting"])
        }
    }
}
