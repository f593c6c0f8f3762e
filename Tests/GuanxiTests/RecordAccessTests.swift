import CRM
import Database
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// A workspace with two teams and a member of every role, each with records of their own: what the
/// record-access suites work on.
struct AccessFixture {
    struct Member {
        var id: String
        var key: String
    }

    let tenant: TestTenant
    let owner: Member
    let admin, eastManager, eastRep, westManager, westRep, agent: Member
    let eastTeam: String

    static func make(_ app: TestApp) async throws -> AccessFixture {
        let tenant = try await app.makeTenant()
        try await app.setSeats(tenant, 10)
        let owner = Member(id: try await app.userID(tenant), key: tenant.apiKey)
        func member(_ role: String, team: String? = nil) async throws -> Member {
            let added = try await app.addMember(to: tenant, role: role, teamID: team)
            return Member(id: added.id, key: added.apiKey)
        }
        let eastManager = try await member("manager")
        let westManager = try await member("manager")
        let east = try await app.create("/api/v1/teams", tenant, ["name": "East", "manager_id": eastManager.id])
        let west = try await app.create("/api/v1/teams", tenant, ["name": "West", "manager_id": westManager.id])
        let eastTeam = try #require(east["id"] as? String)
        return AccessFixture(tenant: tenant, owner: owner, admin: try await member("admin"), eastManager: eastManager,
                             eastRep: try await member("sales_rep", team: eastTeam), westManager: westManager,
                             westRep: try await member("sales_rep", team: try #require(west["id"] as? String)),
                             agent: try await member("support_agent"), eastTeam: eastTeam)
    }

    /// One record of each kind made by a member: account, contact at it, lead, deal with the contact,
    /// and a task on the contact.
    struct Records {
        var account, contact, lead, deal, activity: String
    }

    func records(of member: Member, _ app: TestApp, _ label: String) async throws -> Records {
        let account = try await create(app, member, "/api/v1/accounts", ["name": "\(label) Trading"])
        let contact = try await create(app, member, "/api/v1/contacts", ["name": "\(label) Contact", "account_id": account])
        return Records(account: account, contact: contact,
                       lead: try await create(app, member, "/api/v1/leads", ["name": "\(label) Lead", "company": "\(label) Lead Co"]),
                       deal: try await create(app, member, "/api/v1/deals", ["name": "\(label) Deal", "contact_ids": [contact]]),
                       activity: try await create(app, member, "/api/v1/activities",
                                                  ["kind": "task", "title": "\(label) task", "contact_id": contact]))
    }

    /// The id of a POST that must answer 201 Created.
    func create(_ app: TestApp, _ member: Member, _ path: String, _ json: [String: Any]) async throws -> String {
        let response = try await app.request(.post, path, token: member.key, json: json)
        #expect(response.status == .created, "\(path): \(response.body.string)")
        return try #require(try response.json()["id"] as? String)
    }

    /// The ids a member finds in a list (one page of up to 200).
    func seen(_ app: TestApp, _ member: Member, _ path: String) async throws -> Set<String> {
        let separator = path.contains("?") ? "&" : "?"
        let response = try await app.request(.get, "\(path)\(separator)limit=200", token: member.key)
        #expect(response.status == .ok, "\(path): \(response.body.string)")
        return Set(response.items.compactMap { $0["id"] as? String })
    }
}

@Suite("Record access: roles, teams and shares inside a workspace")
struct RecordAccessTests {
    @Test("each role sees in lists and by id exactly the records it may; an invisible id answers 404 like a missing one")
    func visibilityByRole() async throws {
        try await TestApp.run { app in
            let f = try await AccessFixture.make(app)
            let ownerRecords = try await f.records(of: f.owner, app, "Owner")
            let east = try await f.records(of: f.eastRep, app, "East")
            let west = try await f.records(of: f.westRep, app, "West")
            // Made by no member (an import of old, a command-line tool): unowned, everyone's.
            let unownedContact = try await app.services.contacts.create(f.tenant.id, NewContact(name: "Unowned")).id.description
            let unownedAccount = try await app.services.accounts.create(f.tenant.id, NewAccount(name: "Unowned Co")).id.description
            // Cases: one worked by the agent about the east rep's customer, one unassigned, one assigned to the west rep.
            let customerCase = try await f.create(app, f.owner, "/api/v1/cases", ["subject": "Broken", "channel": "phone",
                                                                                   "contact_id": east.contact, "assignee_id": f.agent.id])
            let queuedCase = try await f.create(app, f.owner, "/api/v1/cases", ["subject": "Queued", "channel": "web"])
            let westCase = try await f.create(app, f.owner, "/api/v1/cases", ["subject": "West's", "channel": "email",
                                                                               "assignee_id": f.westRep.id])

            let everyone = [ownerRecords, east, west]
            let all = (accounts: Set(everyone.map(\.account) + [unownedAccount]), contacts: Set(everyone.map(\.contact) + [unownedContact]),
                       leads: Set(everyone.map(\.lead)), deals: Set(everyone.map(\.deal)), activities: Set(everyone.map(\.activity)),
                       cases: Set([customerCase, queuedCase, westCase]))
            typealias Expected = (accounts: Set<String>, contacts: Set<String>, leads: Set<String>, deals: Set<String>,
                                  activities: Set<String>, cases: Set<String>)
            let expected: [(String, AccessFixture.Member, Expected)] = [
                ("owner", f.owner, all),
                ("admin", f.admin, all),
                ("east manager", f.eastManager, ([east.account, unownedAccount], [east.contact, unownedContact], [east.lead], [east.deal],
                                                 [east.activity], [customerCase, queuedCase])),
                ("east rep", f.eastRep, ([east.account, unownedAccount], [east.contact, unownedContact], [east.lead], [east.deal],
                                         [east.activity], [customerCase])),
                ("west rep", f.westRep, ([west.account, unownedAccount], [west.contact, unownedContact], [west.lead], [west.deal],
                                         [west.activity], [westCase])),
                ("support agent", f.agent, (all.accounts, all.contacts, [], [], [], all.cases)),
            ]
            let kinds: [(String, String, KeyPath<Expected, Set<String>>)] = [
                ("accounts", "account", \.accounts), ("contacts", "contact", \.contacts), ("leads", "lead", \.leads),
                ("deals", "deal", \.deals), ("activities", "activity", \.activities), ("cases", "case", \.cases),
            ]
            for (role, member, sees) in expected {
                for (path, entity, key) in kinds {
                    #expect(try await f.seen(app, member, "/api/v1/\(path)") == sees[keyPath: key], "\(role): \(path)")
                    let missing = try await app.request(.get, "/api/v1/\(path)/\(UUID().uuidString.lowercased())", token: member.key)
                    for id in all[keyPath: key] {
                        let read = try await app.request(.get, "/api/v1/\(path)/\(id)", token: member.key)
                        if sees[keyPath: key].contains(id) {
                            #expect(read.status == .ok, "\(role): \(path)/\(id) \(read.body.string)")
                        } else {
                            #expect(read.status == .notFound, "\(role): \(path)/\(id)")
                            #expect(read.errorCode == "\(entity)_not_found")
                            #expect(read.body.string == missing.body.string, "\(role): \(path)/\(id)")
                        }
                    }
                }
            }
            // Owners of what they make: the API's creator, and nobody for what no member made.
            let made = try await app.request(.get, "/api/v1/contacts/\(east.contact)", token: f.eastRep.key).json()
            #expect(made["owner_id"] as? String == f.eastRep.id)
            #expect(try await app.request(.get, "/api/v1/contacts/\(unownedContact)", token: f.admin.key).json()["owner_id"] is NSNull)
            // A team is whoever is in it now: the west rep moves east, and the east manager sees their records.
            let moved = try await app.request(.patch, "/api/v1/members/\(f.westRep.id)", token: f.owner.key, json: ["team_id": f.eastTeam])
            #expect(moved.status == .ok)
            #expect(try await f.seen(app, f.eastManager, "/api/v1/leads") == [east.lead, west.lead])
            #expect(try await f.seen(app, f.westManager, "/api/v1/leads") == [])
        }
    }

    @Test("a read-only share gives 403 record_read_only on changes, an edit share allows them; shares are granted, listed and revoked")
    func sharing() async throws {
        try await TestApp.run { app in
            let f = try await AccessFixture.make(app)
            let owned = try await f.records(of: f.owner, app, "Owner")
            let contact = "/api/v1/contacts/\(owned.contact)"
            #expect(try await app.request(.get, contact, token: f.westRep.key).status == .notFound)

            let granted = try await app.request(.post, "\(contact)/shares", token: f.owner.key, json: ["user_id": f.westRep.id, "access": "read"])
            #expect(granted.status == .created, "\(granted.body.string)")
            let share = try granted.json()
            #expect(share["entity"] as? String == "contact" && share["entity_id"] as? String == owned.contact)
            #expect(share["user_id"] as? String == f.westRep.id && share["access"] as? String == "read")
            #expect(share["created_by"] as? String == f.owner.id)
            #expect(try await app.request(.get, contact, token: f.westRep.key).status == .ok)
            #expect(try await f.seen(app, f.westRep, "/api/v1/contacts").contains(owned.contact))

            let before = try await app.request(.get, contact, token: f.owner.key).body.string
            for (method, body) in [(HTTPRequest.Method.patch, ["name": "Changed"] as [String: Any]?), (.delete, nil)] {
                let refused = try await app.request(method, contact, token: f.westRep.key, json: body)
                #expect(refused.status == .forbidden, "\(method) \(refused.body.string)")
                #expect(refused.errorCode == "record_read_only")
            }
            // A reader may not share further, nor see who else reads.
            let reshare = try await app.request(.post, "\(contact)/shares", token: f.westRep.key, json: ["user_id": f.eastRep.id, "access": "read"])
            #expect(reshare.errorCode == "record_read_only")
            #expect(try await app.request(.get, "\(contact)/shares", token: f.westRep.key).errorCode == "record_read_only")
            #expect(try await app.request(.get, contact, token: f.owner.key).body.string == before)

            // Sharing again changes the access of the same share.
            let upgraded = try await app.request(.post, "\(contact)/shares", token: f.owner.key, json: ["user_id": f.westRep.id, "access": "edit"])
            #expect(upgraded.status == .ok)
            #expect(try upgraded.json()["id"] as? String == share["id"] as? String)
            let changed = try await app.request(.patch, contact, token: f.westRep.key, json: ["title": "Buyer"])
            #expect(changed.status == .ok, "\(changed.body.string)")
            #expect(try changed.json()["owner_id"] as? String == f.owner.id)  // an edit share does not make it theirs
            let list = try await app.request(.get, "\(contact)/shares", token: f.westRep.key)
            #expect(list.items.map { $0["user_id"] as? String } == [f.westRep.id])

            // Bad shares: a role cannot be shared with a non-member, and access is read or edit.
            let stranger = try await app.request(.post, "\(contact)/shares", token: f.owner.key, json: ["user_id": UUID().uuidString, "access": "read"])
            #expect(stranger.status == .unprocessableContent && stranger.errorField == "user_id")
            let badAccess = try await app.request(.post, "\(contact)/shares", token: f.owner.key, json: ["user_id": f.eastRep.id, "access": "own"])
            #expect(badAccess.status == .unprocessableContent && badAccess.errorField == "access")

            // Every shareable kind: a share opens the record to the rep, revoking closes it again.
            let cases = try await f.create(app, f.owner, "/api/v1/cases", ["subject": "Shared case", "channel": "web", "assignee_id": f.agent.id])
            for path in ["accounts/\(owned.account)", "leads/\(owned.lead)", "deals/\(owned.deal)", "cases/\(cases)", "contacts/\(owned.contact)"] {
                if path.hasPrefix("contacts") == false {
                    #expect(try await app.request(.get, "/api/v1/\(path)", token: f.westRep.key).status == .notFound, "\(path)")
                    let made = try await app.request(.post, "/api/v1/\(path)/shares", token: f.admin.key, json: ["user_id": f.westRep.id, "access": "read"])
                    #expect(made.status == .created, "\(path): \(made.body.string)")
                    #expect(try await app.request(.get, "/api/v1/\(path)", token: f.westRep.key).status == .ok, "\(path)")
                }
                let revoked = try await app.request(.delete, "/api/v1/\(path)/shares/\(f.westRep.id)", token: f.owner.key)
                #expect(revoked.status == .noContent, "\(path): \(revoked.body.string)")
                #expect(try await app.request(.get, "/api/v1/\(path)", token: f.westRep.key).status == .notFound, "\(path)")
                let again = try await app.request(.delete, "/api/v1/\(path)/shares/\(f.westRep.id)", token: f.owner.key)
                #expect(again.status == .notFound && again.errorCode == "share_not_found", "\(path)")
            }
            // A record the caller cannot see cannot be shared: the same 404 as a missing one.
            let hidden = try await app.request(.post, "/api/v1/leads/\(owned.lead)/shares", token: f.eastRep.key,
                                               json: ["user_id": f.eastRep.id, "access": "edit"])
            #expect(hidden.status == .notFound && hidden.errorCode == "lead_not_found")
            // Deleting a record takes its shares with it.
            _ = try await app.request(.post, "/api/v1/leads/\(owned.lead)/shares", token: f.owner.key, json: ["user_id": f.eastRep.id, "access": "read"])
            #expect(try await app.request(.delete, "/api/v1/leads/\(owned.lead)", token: f.owner.key).status == .noContent)
            let left = try await app.services.database.withTenant(f.tenant.id) { transaction in
                try await transaction.rows("SELECT count(*)::int FROM record_shares WHERE entity_id = \(UUID(uuidString: owned.lead)!)", as: Int.self)[0]
            }
            #expect(left == 0)
        }
    }

    @Test("roles: support agents read accounts and contacts but change only their own, and make no leads or deals; pipelines are for owners and admins")
    func roleRules() async throws {
        try await TestApp.run { app in
            let f = try await AccessFixture.make(app)
            let east = try await f.records(of: f.eastRep, app, "East")
            for path in ["accounts/\(east.account)", "contacts/\(east.contact)"] {
                #expect(try await app.request(.get, "/api/v1/\(path)", token: f.agent.key).status == .ok)
                let patched = try await app.request(.patch, "/api/v1/\(path)", token: f.agent.key, json: ["name": "Agent's"])
                #expect(patched.status == .forbidden && patched.errorCode == "record_read_only", "\(path)")
                let deleted = try await app.request(.delete, "/api/v1/\(path)", token: f.agent.key)
                #expect(deleted.errorCode == "record_read_only", "\(path)")
            }
            let own = try await f.create(app, f.agent, "/api/v1/contacts", ["name": "Caller"])
            #expect(try await app.request(.patch, "/api/v1/contacts/\(own)", token: f.agent.key, json: ["title": "IT"]).status == .ok)
            for (path, body) in [("leads", ["name": "x"]), ("deals", ["name": "x"])] {
                let refused = try await app.request(.post, "/api/v1/\(path)", token: f.agent.key, json: body)
                #expect(refused.status == .forbidden && refused.errorCode == "forbidden_role", "\(path)")
            }
            // Cases are the agent's work, whoever they are assigned to.
            let unassigned = try await f.create(app, f.eastRep, "/api/v1/cases", ["subject": "Rep's customer", "channel": "phone",
                                                                                    "contact_id": east.contact])
            let taken = try await app.request(.patch, "/api/v1/cases/\(unassigned)", token: f.agent.key, json: ["assignee_id": f.agent.id])
            #expect(taken.status == .ok, "\(taken.body.string)")
            // The rep who opened it about their customer still reads it.
            #expect(try await app.request(.get, "/api/v1/cases/\(unassigned)", token: f.eastRep.key).status == .ok)

            let pipeline = try await app.request(.post, "/api/v1/pipelines", token: f.eastManager.key, json: ["name": "Mine"])
            #expect(pipeline.status == .forbidden && pipeline.errorCode == "forbidden_role")
            #expect(try await app.request(.get, "/api/v1/pipelines", token: f.eastRep.key).status == .ok)
            let byAdmin = try await app.request(.post, "/api/v1/pipelines", token: f.admin.key,
                                                json: ["name": "Export", "stages": [["name": "Enquiry", "win_probability_bp": 1000]]])
            #expect(byAdmin.status == .created)
        }
    }

    @Test("owners change hands: reps keep theirs, managers reassign within their teams, owners and admins to anyone")
    func reassigningOwners() async throws {
        try await TestApp.run { app in
            let f = try await AccessFixture.make(app)
            let east = try await f.records(of: f.eastRep, app, "East")
            let west = try await f.records(of: f.westRep, app, "West")

            // A rep neither gives a record away nor makes one for someone else.
            let given = try await app.request(.patch, "/api/v1/leads/\(east.lead)", token: f.eastRep.key, json: ["owner_id": f.westRep.id])
            #expect(given.status == .forbidden && given.errorCode == "forbidden_role" && given.errorField == "owner_id")
            let forOther = try await app.request(.post, "/api/v1/deals", token: f.eastRep.key, json: ["name": "x", "owner_id": f.westRep.id])
            #expect(forOther.errorCode == "forbidden_role")
            let claimed = try await app.request(.patch, "/api/v1/contacts/\(east.contact)", token: f.eastRep.key, json: ["owner_id": f.eastRep.id])
            #expect(claimed.status == .ok)  // no change at all
            #expect(try await app.request(.patch, "/api/v1/accounts/\(east.account)", token: f.eastRep.key,
                                          json: ["owner_id": f.eastManager.id]).errorCode == "forbidden_role")

            // The east manager moves records inside the team, not out of it, and sees nothing of the west.
            let toManager = try await app.request(.patch, "/api/v1/contacts/\(east.contact)", token: f.eastManager.key,
                                                  json: ["owner_id": f.eastManager.id])
            #expect(toManager.status == .ok)
            #expect(try toManager.json()["owner_id"] as? String == f.eastManager.id)
            let out = try await app.request(.patch, "/api/v1/deals/\(east.deal)", token: f.eastManager.key, json: ["owner_id": f.westRep.id])
            #expect(out.errorCode == "forbidden_role")
            #expect(try await app.request(.patch, "/api/v1/deals/\(west.deal)", token: f.eastManager.key,
                                          json: ["owner_id": f.eastManager.id]).errorCode == "deal_not_found")
            let forTeam = try await app.request(.post, "/api/v1/leads", token: f.eastManager.key, json: ["name": "For the rep", "owner_id": f.eastRep.id])
            #expect(forTeam.status == .created)
            #expect(try await app.request(.get, "/api/v1/deals/\(east.deal)", token: f.eastRep.key).json()["owner_id"] as? String == f.eastRep.id)

            // An admin gives the east rep's account to the west rep: it leaves the east and reaches the west.
            let handed = try await app.request(.patch, "/api/v1/accounts/\(east.account)", token: f.admin.key, json: ["owner_id": f.westRep.id])
            #expect(handed.status == .ok)
            #expect(try await app.request(.get, "/api/v1/accounts/\(east.account)", token: f.eastRep.key).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/accounts/\(east.account)", token: f.westRep.key).status == .ok)
            let nobody = try await app.request(.patch, "/api/v1/accounts/\(east.account)", token: f.admin.key, json: ["owner_id": UUID().uuidString])
            #expect(nobody.status == .unprocessableContent && nobody.errorCode == "unknown_user")
        }
    }

    @Test("a departing member's records, open tasks and open cases move to another member in one go")
    func reassignDepartingMember() async throws {
        try await TestApp.run { app in
            let f = try await AccessFixture.make(app)
            let east = try await f.records(of: f.eastRep, app, "East")
            let openCase = try await f.create(app, f.owner, "/api/v1/cases", ["subject": "Open", "channel": "web", "assignee_id": f.eastRep.id])
            let removed = try await app.request(.delete, "/api/v1/members/\(f.eastRep.id)", token: f.owner.key)
            #expect(removed.status == .noContent)

            let path = "/api/v1/members/\(f.eastRep.id)/reassign"
            #expect(try await app.request(.post, path, token: f.eastManager.key, json: ["to_user_id": f.westRep.id]).errorCode == "forbidden_role")
            let notMember = try await app.request(.post, path, token: f.admin.key, json: ["to_user_id": UUID().uuidString])
            #expect(notMember.status == .unprocessableContent && notMember.errorField == "to_user_id")
            let unknown = try await app.request(.post, "/api/v1/members/\(UUID().uuidString)/reassign", token: f.admin.key,
                                                json: ["to_user_id": f.westRep.id])
            #expect(unknown.status == .notFound && unknown.errorCode == "member_not_found")
            #expect(try await f.seen(app, f.westRep, "/api/v1/leads").contains(east.lead) == false)

            let moved = try await app.request(.post, path, token: f.admin.key, json: ["to_user_id": f.westRep.id])
            #expect(moved.status == .ok, "\(moved.body.string)")
            let counts = try moved.json()
            #expect(["accounts", "contacts", "leads", "deals", "activities", "cases"].map { counts[$0] as? Int } == [1, 1, 1, 1, 1, 1])
            for (kind, id) in [("accounts", east.account), ("contacts", east.contact), ("leads", east.lead), ("deals", east.deal),
                               ("activities", east.activity), ("cases", openCase)] {
                let read = try await app.request(.get, "/api/v1/\(kind)/\(id)", token: f.westRep.key)
                #expect(read.status == .ok, "\(kind)")
            }
            let task = try await app.request(.get, "/api/v1/activities/\(east.activity)", token: f.westRep.key).json()
            #expect(task["owner_id"] as? String == f.westRep.id && task["assignee_id"] as? String == f.westRep.id)
            let history = try await ServiceDesk.history(app, f.tenant, openCase)
            #expect(history.last?["kind"] as? String == "assignee_changed" && history.last?["to"] as? String == f.westRep.id)
            // Nothing is left to move.
            let again = try await app.request(.post, path, token: f.admin.key, json: ["to_user_id": f.westRep.id]).json()
            #expect(again["leads"] as? Int == 0)
        }
    }

    @Test("timelines, filters and searches show only what the member may see")
    func noLeaks() async throws {
        try await TestApp.run { app in
            let f = try await AccessFixture.make(app)
            let customer = try await app.services.contacts.create(f.tenant.id, NewContact(name: "Shared Customer")).id.description
            let ownerCall = try await f.create(app, f.owner, "/api/v1/activities", ["kind": "call", "title": "Owner's call", "contact_id": customer])
            let eastDeal = try await f.create(app, f.eastRep, "/api/v1/deals", ["name": "East's deal", "contact_ids": [customer], "amount_minor": 1000,
                                                                                 "currency": "CNY", "expected_close_date": "2026-06-15"])
            _ = try await f.create(app, f.westRep, "/api/v1/deals", ["name": "West's deal", "amount_minor": 500, "currency": "CNY",
                                                                      "expected_close_date": "2026-06-20"])
            let eastNote = try await f.create(app, f.eastRep, "/api/v1/activities", ["kind": "note", "body": "East's note", "contact_id": customer])
            let westCall = try await f.create(app, f.westRep, "/api/v1/activities", ["kind": "call", "title": "West's call", "contact_id": customer])

            func timeline(_ member: AccessFixture.Member) async throws -> Set<String> {
                let response = try await app.request(.get, "/api/v1/contacts/\(customer)/timeline?limit=200", token: member.key)
                #expect(response.status == .ok, "\(response.body.string)")
                return Set(response.items.compactMap { ($0["activity_id"] as? String) ?? ($0["deal_id"] as? String) })
            }
            #expect(try await timeline(f.owner) == [ownerCall, eastDeal, eastNote, westCall])
            #expect(try await timeline(f.westRep) == [westCall])
            #expect(try await timeline(f.eastRep) == [eastDeal, eastNote])
            #expect(try await timeline(f.eastManager) == [eastDeal, eastNote])

            #expect(try await f.seen(app, f.westRep, "/api/v1/activities?contact_id=\(customer)") == [westCall])
            #expect(try await f.seen(app, f.westRep, "/api/v1/deals?contact_id=\(customer)") == [])
            #expect(try await f.seen(app, f.westRep, "/api/v1/deals?q=East") == [])
            let east = try await f.create(app, f.eastRep, "/api/v1/contacts", ["name": "东方明珠"])
            #expect(try await f.seen(app, f.westRep, "/api/v1/contacts?q=明珠") == [])
            #expect(try await f.seen(app, f.eastManager, "/api/v1/contacts?q=明珠") == [east])
            let forecast = try await app.request(.get, "/api/v1/deals/forecast?from=2026-01&to=2026-12", token: f.westRep.key).json()
            #expect((forecast["by_owner"] as? [[String: Any]] ?? []).map { $0["owner_id"] as? String } == [f.westRep.id])
        }
    }

    @Test("another workspace's records and members are unknown to the sharing and reassigning endpoints, which change nothing")
    func crossTenant() async throws {
        try await TestApp.run { app in
            let f = try await AccessFixture.make(app)
            let other = try await app.makeTenant()
            let otherUser = try await app.userID(other)
            let foreign = try await app.createID("/api/v1/contacts", other, ["name": "Elsewhere"])
            let foreignRecords: [(String, String, String)] = [
                ("accounts", "account", try await app.createID("/api/v1/accounts", other, ["name": "Elsewhere Co"])),
                ("contacts", "contact", foreign),
                ("leads", "lead", try await app.createID("/api/v1/leads", other, ["name": "Elsewhere lead"])),
                ("deals", "deal", try await app.createID("/api/v1/deals", other, ["name": "Elsewhere deal"])),
                ("cases", "case", try await app.createID("/api/v1/cases", other, ["subject": "Elsewhere", "channel": "web"])),
            ]
            let mine = try await app.createID("/api/v1/contacts", f.tenant, ["name": "Here"])
            let missing = UUID().uuidString.lowercased()
            for (path, entity, id) in foreignRecords {
                let calls: [(HTTPRequest.Method, String, [String: Any]?)] = [
                    (.post, "/api/v1/\(path)/ID/shares", ["user_id": f.westRep.id, "access": "edit"]),
                    (.get, "/api/v1/\(path)/ID/shares", nil),
                    (.delete, "/api/v1/\(path)/ID/shares/\(otherUser)", nil),
                ]
                for (method, template, body) in calls {
                    let refused = try await app.request(method, template.replacingOccurrences(of: "ID", with: id), token: f.owner.key, json: body)
                    let absent = try await app.request(method, template.replacingOccurrences(of: "ID", with: missing), token: f.owner.key, json: body)
                    #expect(refused.status == .notFound && refused.errorCode == "\(entity)_not_found", "\(method) \(template)")
                    #expect(refused.body.string == absent.body.string, "\(method) \(template)")
                }
                let shares = try await app.request(.get, "/api/v1/\(path)/\(id)/shares", token: other.apiKey)
                #expect(shares.status == .ok && shares.items.isEmpty, "\(path)")
            }
            let toForeigner = try await app.request(.post, "/api/v1/contacts/\(mine)/shares", token: f.owner.key,
                                                    json: ["user_id": otherUser, "access": "read"])
            #expect(toForeigner.status == .unprocessableContent && toForeigner.errorField == "user_id")
            let fromForeigner = try await app.request(.post, "/api/v1/members/\(otherUser)/reassign", token: f.owner.key,
                                                      json: ["to_user_id": f.westRep.id])
            #expect(fromForeigner.status == .notFound && fromForeigner.errorCode == "member_not_found")
            let toOther = try await app.request(.post, "/api/v1/members/\(f.eastRep.id)/reassign", token: f.owner.key,
                                                json: ["to_user_id": otherUser])
            #expect(toOther.status == .unprocessableContent && toOther.errorField == "to_user_id")
            // The other workspace's contact keeps its owner; none of its records got a share (above).
            let unchanged = try await app.request(.get, "/api/v1/contacts/\(foreign)", token: other.apiKey).json()
            #expect(unchanged["owner_id"] as? String == otherUser)
        }
    }

    @Test("the policies are restrictive on every customer-record table, and an admin's contact list still reads the primary key")
    func policiesAndPlan() async throws {
        let database = try await TestDatabase.shared.value
        let restrictive = try await withClient(database.superuser) { client in
            var tables: [String] = []
            let rows = try await client.query("""
                SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
                 WHERE NOT p.polpermissive AND pg_get_expr(p.polqual, p.polrelid) LIKE '%record_access(%' ORDER BY c.relname
                """)
            for try await table in rows.decode(String.self) { tables.append(table) }
            return tables
        }
        #expect(restrictive == ["accounts", "activities", "cases", "contacts", "deals", "leads"])
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let owner = try #require(UserID(try await app.userID(tenant)))
            let plan = try await ActingUser.$current.withValue(ActingUser(user: owner, credential: .apiKey, role: "admin")) {
                try await app.services.database.withTenant(tenant.id) { transaction in
                    // Tiny test tables make any plan cheap; forbidding sequential scans shows whether the index is usable.
                    try await transaction.query("SET LOCAL enable_seqscan = off")
                    return try await transaction.rows("""
                        EXPLAIN SELECT id, name FROM contacts WHERE id > '00000000-0000-0000-0000-000000000000' ORDER BY id LIMIT 51
                        """, as: String.self).joined(separator: "\n")
                }
            }
            #expect(plan.contains("Index Scan using contacts_pkey"), "\(plan)")
            #expect(plan.contains("InitPlan") && !plan.contains("SubPlan"), "\(plan)")  // the member's access is read once, not per row
            #expect(!plan.contains("record_matches"), "\(plan)")  // inlined into the filter
        }
    }
}
