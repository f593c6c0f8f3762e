import CRM
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Tenancy
import Testing

/// The marketing module: campaigns, their members and touches, the deals they source, the report,
/// the touches in the timelines, access by role, and isolation between workspaces.
@Suite("Campaigns: members, touches, attribution and ROI")
struct CampaignsTests {
    /// A campaign through the API: a CNY event unless `fields` say otherwise; its id.
    func campaign(_ app: TestApp, _ tenant: TestTenant, _ fields: [String: Any] = [:]) async throws -> String {
        try await app.createID("/api/v1/campaigns", tenant, ["name": "Canton Fair invitation 广交会邀请", "channel": "event", "currency": "CNY"]
            .merging(fields) { $1 })
    }

    func patch(_ app: TestApp, _ tenant: TestTenant, _ path: String, _ json: [String: Any]) async throws -> TestResponse {
        try await app.request(.patch, path, token: tenant.apiKey, json: json)
    }

    /// Adds people by id; the member ids, in the order added.
    func addMembers(_ app: TestApp, _ tenant: TestTenant, _ campaign: String, contacts: [String] = [], leads: [String] = []) async throws -> [String] {
        let response = try await app.request(.post, "/api/v1/campaigns/\(campaign)/members", token: tenant.apiKey,
                                             json: ["contact_ids": contacts, "lead_ids": leads])
        #expect(response.status == .ok, "\(response.body.string)")
        return (try response.json()["added"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    func touch(_ app: TestApp, _ tenant: TestTenant, _ campaign: String, _ member: String, _ json: [String: Any]) async throws -> TestResponse {
        try await app.request(.post, "/api/v1/campaigns/\(campaign)/members/\(member)/touches", token: tenant.apiKey, json: json)
    }

    func memberStatus(_ app: TestApp, _ tenant: TestTenant, _ campaign: String, _ member: String) async throws -> String? {
        try await app.request(.get, "/api/v1/campaigns/\(campaign)/members/\(member)", token: tenant.apiKey).json()["status"] as? String
    }

    @Test("a campaign's defaults, fields, status moves, filters, refusals and deletion")
    func campaignLife() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let me = try await app.userID(tenant)
            let plain = try await app.create("/api/v1/campaigns", tenant, ["name": "国庆节促销", "channel": "wechat", "currency": "cny"])
            #expect(plain["status"] as? String == "planned")
            #expect(plain["currency"] as? String == "CNY")
            #expect(plain["owner_id"] as? String == me)
            for empty in ["description", "starts_on", "ends_on", "budget_minor", "actual_cost_minor"] {
                #expect(plain[empty] is NSNull, "\(empty)")
            }
            let fair = try await app.create("/api/v1/campaigns", tenant, [
                "name": "Canton Fair", "description": "Invite buyers to booth 12.1", "channel": "event", "status": "active",
                "starts_on": "2026-04-15", "ends_on": "2026-04-19", "currency": "CNY", "budget_minor": 5_000_000, "actual_cost_minor": 0,
            ])
            #expect(fair["budget_minor"] as? Int == 5_000_000)
            #expect(fair["actual_cost_minor"] as? Int == 0)
            #expect(fair["starts_on"] as? String == "2026-04-15")
            #expect(fair["status"] as? String == "active")
            let fairID = try #require(fair["id"] as? String)
            let sms = try await campaign(app, tenant, ["name": "SMS reminder", "channel": "sms"])

            let base: [String: Any] = ["name": "x", "channel": "email", "currency": "CNY"]
            let refusals: [([String: Any], Int, String, String?)] = [
                (["channel": "fax"], 422, "invalid_field", "channel"),
                (["starts_on": "2026-03-10", "ends_on": "2026-03-01"], 422, "invalid_field", "ends_on"),
                (["starts_on": "2026-02-30"], 422, "invalid_field", "starts_on"),
                (["currency": "yuan"], 422, "invalid_field", "currency"),
                (["budget_minor": -1], 422, "invalid_field", "budget_minor"),
                (["actual_cost_minor": 1_000_000_000_000_000], 422, "invalid_field", "actual_cost_minor"),
                (["status": "completed"], 422, "invalid_field", "status"),
                (["name": "  "], 422, "invalid_field", "name"),
                (["owner_id": UUID().uuidString], 422, "unknown_user", "owner_id"),
                (["nmae": "typo"], 422, "unknown_field", "nmae"),
            ]
            for (change, status, code, field) in refusals {
                let refused = try await app.request(.post, "/api/v1/campaigns", token: tenant.apiKey, json: base.merging(change) { $1 })
                #expect(refused.status.code == status, "\(change): \(refused.body.string)")
                #expect(refused.errorCode == code, "\(change): \(refused.body.string)")
                #expect(refused.errorField == field, "\(change)")
            }
            let noCurrency = try await app.request(.post, "/api/v1/campaigns", token: tenant.apiKey, json: ["name": "x", "channel": "email"])
            #expect(noCurrency.errorField == "currency")
            #expect(try await app.request(.get, "/api/v1/campaigns", token: tenant.apiKey).items.count == 3)

            // Status: planned → active → completed, nothing after; the cost is entered afterwards.
            let path = "/api/v1/campaigns/\(plain["id"] as? String ?? "")"
            let early = try await patch(app, tenant, path, ["status": "completed"])
            #expect(early.status == .conflict)
            #expect(early.errorCode == "invalid_status_transition")
            #expect((try early.json()["error"] as? [String: Any]).flatMap { $0["details"] as? [String: String] }?["allowed"] == "active, cancelled")
            #expect(try await patch(app, tenant, path, ["status": "active"]).status == .ok)
            #expect(try await patch(app, tenant, path, ["status": "completed"]).status == .ok)
            #expect(try await patch(app, tenant, path, ["status": "active"]).errorCode == "invalid_status_transition")
            let costed = try await patch(app, tenant, path, ["actual_cost_minor": 88_800, "description": "Moments ads", "currency": "usd"])
            #expect(costed.status == .ok, "\(costed.body.string)")
            #expect(try costed.json()["actual_cost_minor"] as? Int == 88_800)
            #expect(try costed.json()["currency"] as? String == "USD")
            let cleared = try await patch(app, tenant, path, ["description": NSNull()]).json()
            #expect(cleared["description"] is NSNull)
            #expect(cleared["status"] as? String == "completed")
            for field in ["name", "channel", "currency", "status", "owner_id"] {
                let refused = try await patch(app, tenant, path, [field: NSNull()])
                #expect(refused.errorCode == "invalid_field", "\(field)")
                #expect(refused.errorField == field)
            }
            #expect(try await patch(app, tenant, path, ["ends_on": "2020-01-01", "starts_on": "2020-01-02"]).errorField == "ends_on")

            // Filters and pages.
            func listed(_ query: String) async throws -> [String] {
                try await app.request(.get, "/api/v1/campaigns?\(query)", token: tenant.apiKey).items.compactMap { $0["id"] as? String }
            }
            #expect(try await listed("status=active") == [fairID])
            #expect(try await listed("channel=sms") == [sms])
            #expect(try await listed("q=canton") == [fairID])
            #expect(try await listed("q=%E5%9B%BD%E5%BA%86") == [plain["id"] as? String])
            #expect(try await listed("owner_id=\(me)").count == 3)
            let first = try await app.request(.get, "/api/v1/campaigns?limit=2", token: tenant.apiKey)
            let cursor = try #require(try first.json()["next_cursor"] as? String)
            let second = try await app.request(.get, "/api/v1/campaigns?limit=2&cursor=\(cursor)", token: tenant.apiKey)
            #expect(first.items.count == 2)
            #expect(second.items.compactMap { $0["id"] as? String } == [sms])
            for bad in ["status=done", "channel=fax", "owner_id=nobody"] {
                let refused = try await app.request(.get, "/api/v1/campaigns?\(bad)", token: tenant.apiKey)
                #expect(refused.status == .badRequest, "\(bad)")
                #expect(refused.errorCode == "invalid_filter", "\(bad)")
            }

            #expect(try await app.request(.delete, "/api/v1/campaigns/\(sms)", token: tenant.apiKey).status == .noContent)
            let gone = try await app.request(.get, "/api/v1/campaigns/\(sms)", token: tenant.apiKey)
            #expect(gone.status == .notFound)
            #expect(gone.errorCode == "campaign_not_found")
            #expect(try await app.request(.get, "/api/v1/campaigns/not-an-id", token: tenant.apiKey).errorCode == "campaign_not_found")
        }
    }

    @Test("every member reads campaigns; owners, admins, managers and the campaign's owner change them; reps add only people they see")
    func accessByRole() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let owner = try await app.userID(tenant)
            let rep = try await app.makeMember(of: tenant, role: .salesRep)
            let otherRep = try await app.makeMember(of: tenant, role: .salesRep)
            let manager = try await app.makeMember(of: tenant, role: .manager)
            let agent = try await app.makeMember(of: tenant, role: .supportAgent)
            let repTenant = TestTenant(id: tenant.id, slug: tenant.slug, apiKey: rep.apiKey, adminEmail: "", adminPassword: "")

            let mine = try await campaign(app, repTenant, ["name": "Rep's tea tasting", "status": "active"])
            #expect(try await app.request(.get, "/api/v1/campaigns/\(mine)", token: tenant.apiKey).json()["owner_id"] as? String == rep.id)
            let forOwner = try await app.request(.post, "/api/v1/campaigns", token: rep.apiKey,
                                                 json: ["name": "x", "channel": "email", "currency": "CNY", "owner_id": owner])
            #expect(forOwner.status == .forbidden)
            #expect(forOwner.errorCode == "forbidden_role")
            #expect(forOwner.errorField == "owner_id")

            // Another rep reads it and its members, and changes nothing.
            #expect(try await app.request(.get, "/api/v1/campaigns/\(mine)", token: otherRep.apiKey).status == .ok)
            #expect(try await app.request(.get, "/api/v1/campaigns/\(mine)/members", token: otherRep.apiKey).status == .ok)
            #expect(try await app.request(.get, "/api/v1/campaigns/\(mine)/report", token: otherRep.apiKey).status == .ok)
            let otherContact = try await app.createID("/api/v1/contacts", TestTenant(id: tenant.id, slug: tenant.slug, apiKey: otherRep.apiKey,
                                                                                      adminEmail: "", adminPassword: ""), ["name": "Other's customer"])
            let refusals: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.patch, "/api/v1/campaigns/\(mine)", ["name": "hijacked"]),
                (.delete, "/api/v1/campaigns/\(mine)", nil),
                (.post, "/api/v1/campaigns/\(mine)/members", ["contact_ids": [otherContact]]),
                (.post, "/api/v1/campaigns/\(mine)/members/segment", nil),
                (.post, "/api/v1/campaigns/\(mine)/touches", ["status": "sent", "from_status": "targeted"]),
            ]
            for (method, path, body) in refusals {
                let refused = try await app.request(method, path, token: otherRep.apiKey, json: body)
                #expect(refused.status == .forbidden, "\(method) \(path) \(refused.body.string)")
                #expect(refused.errorCode == "record_read_only", "\(method) \(path)")
            }
            #expect(try await app.request(.get, "/api/v1/campaigns/\(mine)/members", token: tenant.apiKey).items.isEmpty)

            // The rep may not give the campaign away; a manager may change and reassign it.
            let giveAway = try await app.request(.patch, "/api/v1/campaigns/\(mine)", token: rep.apiKey, json: ["owner_id": otherRep.id])
            #expect(giveAway.errorCode == "forbidden_role")
            #expect(try await app.request(.patch, "/api/v1/campaigns/\(mine)", token: manager.apiKey, json: ["budget_minor": 100]).status == .ok)
            let unknown = try await app.request(.patch, "/api/v1/campaigns/\(mine)", token: manager.apiKey, json: ["owner_id": UUID().uuidString])
            #expect(unknown.errorCode == "unknown_user")

            // Support agents read campaigns but do not run them.
            #expect(try await app.request(.get, "/api/v1/campaigns", token: agent.apiKey).items.count == 1)
            let agentCreates = try await app.request(.post, "/api/v1/campaigns", token: agent.apiKey, json: ["name": "x", "channel": "email", "currency": "CNY"])
            #expect(agentCreates.status == .forbidden)
            #expect(agentCreates.errorCode == "forbidden_role")

            // The rep's segment holds only the contacts the rep sees; the owner's contact by id is unknown to the rep.
            let ownerContact = try await app.createID("/api/v1/contacts", tenant, ["name": "Owner's customer"])
            let repContact = try await app.createID("/api/v1/contacts", repTenant, ["name": "Rep's customer"])
            let segment = try await app.request(.post, "/api/v1/campaigns/\(mine)/members/segment", token: rep.apiKey)
            #expect(segment.status == .ok, "\(segment.body.string)")
            #expect(try segment.json()["added"] as? Int == 1)
            let byID = try await app.request(.post, "/api/v1/campaigns/\(mine)/members", token: rep.apiKey, json: ["contact_ids": [ownerContact]])
            #expect(byID.errorCode == "unknown_contact")
            #expect(byID.errorField == "contact_ids")

            // The owner adds their own customer to the rep's campaign: the rep sees the member, not who it is.
            _ = try await addMembers(app, tenant, mine, contacts: [ownerContact])
            let members = try await app.request(.get, "/api/v1/campaigns/\(mine)/members", token: rep.apiKey).items
            #expect(members.count == 2)
            #expect(members.first { $0["contact_id"] as? String == repContact }?["name"] as? String == "Rep's customer")
            #expect(members.first { $0["contact_id"] as? String == ownerContact }?["name"] is NSNull)
            #expect(try await app.request(.get, "/api/v1/campaigns/\(mine)/members", token: tenant.apiKey).items
                .compactMap { $0["name"] as? String }.sorted() == ["Owner's customer", "Rep's customer"])
            // After the manager gives the campaign to the other rep, the first rep only reads it.
            #expect(try await app.request(.patch, "/api/v1/campaigns/\(mine)", token: manager.apiKey, json: ["owner_id": otherRep.id]).status == .ok)
            #expect(try await app.request(.patch, "/api/v1/campaigns/\(mine)", token: rep.apiKey, json: ["name": "x"]).errorCode == "record_read_only")
            #expect(try await app.request(.patch, "/api/v1/campaigns/\(mine)", token: otherRep.apiKey, json: ["name": "Taken over"]).status == .ok)
        }
    }

    @Test("members by id: all or none, duplicates skipped and reported, at most 1,000, listed by status, removed; closed campaigns keep theirs")
    func membersByID() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let id = try await campaign(app, tenant)
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "明华贸易"])
            let zhang = try await app.createID("/api/v1/contacts", tenant, ["name": "张伟明", "email": "zhang@minghua.example", "phone": "+86 138-0013-8000",
                                                                            "account_id": account])
            let li = try await app.createID("/api/v1/contacts", tenant, ["name": "李娜"])
            let wang = try await app.createID("/api/v1/contacts", tenant, ["name": "王芳"])
            let chen = try await app.createID("/api/v1/leads", tenant, ["name": "陈静", "email": "chen@qingshan.example"])

            let first = try await app.request(.post, "/api/v1/campaigns/\(id)/members", token: tenant.apiKey,
                                              json: ["contact_ids": [zhang, li, zhang], "lead_ids": [chen]])
            #expect(first.status == .ok, "\(first.body.string)")
            let added = try first.json()["added"] as? [[String: Any]] ?? []
            #expect(added.count == 3)
            #expect(try first.json()["skipped_contact_ids"] as? [String] == [])
            let zhangMember = try #require(added.first { $0["contact_id"] as? String == zhang })
            #expect(zhangMember["name"] as? String == "张伟明")
            #expect(zhangMember["email"] as? String == "zhang@minghua.example")
            #expect(zhangMember["phone"] as? String == "+86 138-0013-8000")
            #expect(zhangMember["status"] as? String == "targeted")
            #expect(zhangMember["lead_id"] is NSNull)
            #expect(zhangMember["campaign_id"] as? String == id)
            #expect(zhangMember["added_by"] as? String == (try await app.userID(tenant)))
            let chenMember = try #require(added.first { $0["lead_id"] as? String == chen })
            #expect(chenMember["name"] as? String == "陈静")
            #expect(chenMember["contact_id"] is NSNull)

            let again = try await app.request(.post, "/api/v1/campaigns/\(id)/members", token: tenant.apiKey,
                                              json: ["contact_ids": [zhang, wang], "lead_ids": [chen]])
            #expect((try again.json()["added"] as? [[String: Any]])?.compactMap { $0["contact_id"] as? String } == [wang])
            #expect(try again.json()["skipped_contact_ids"] as? [String] == [zhang])
            #expect(try again.json()["skipped_lead_ids"] as? [String] == [chen])

            // All or none, and limits.
            let newcomer = try await app.createID("/api/v1/contacts", tenant, ["name": "New"])
            let refusals: [([String: Any], String, String)] = [
                (["contact_ids": [newcomer, UUID().uuidString]], "unknown_contact", "contact_ids"),
                (["contact_ids": [newcomer], "lead_ids": [UUID().uuidString]], "unknown_lead", "lead_ids"),
                (["contact_ids": (0...1_000).map { _ in UUID().uuidString }], "invalid_field", "contact_ids"),
                ([:], "invalid_field", "contact_ids"),
                (["contact_ids": ["not-an-id"]], "invalid_field", "contact_ids.0"),
                (["contacts": [newcomer]], "unknown_field", "contacts"),
            ]
            for (body, code, field) in refusals {
                let refused = try await app.request(.post, "/api/v1/campaigns/\(id)/members", token: tenant.apiKey, json: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.errorCode == code, "\(body): \(refused.body.string)")
                #expect(refused.errorField == field, "\(body)")
            }

            // Lists: by status, page by page, in the order added.
            let all = try await app.request(.get, "/api/v1/campaigns/\(id)/members", token: tenant.apiKey).items
            #expect(all.compactMap { $0["contact_id"] as? String } == [zhang, li, wang])
            #expect(all.count == 4)
            let page = try await app.request(.get, "/api/v1/campaigns/\(id)/members?limit=3", token: tenant.apiKey)
            let cursor = try #require(try page.json()["next_cursor"] as? String)
            let rest = try await app.request(.get, "/api/v1/campaigns/\(id)/members?limit=3&cursor=\(cursor)", token: tenant.apiKey).items
            #expect((page.items + rest).compactMap { $0["id"] as? String } == all.compactMap { $0["id"] as? String })
            #expect(try await app.request(.get, "/api/v1/campaigns/\(id)/members?status=sent", token: tenant.apiKey).items.isEmpty)
            #expect(try await app.request(.get, "/api/v1/campaigns/\(id)/members?status=targeted", token: tenant.apiKey).items.count == 4)
            #expect(try await app.request(.get, "/api/v1/campaigns/\(id)/members?status=read", token: tenant.apiKey).errorCode == "invalid_filter")

            // One member, through its own campaign only; removal; a deleted contact leaves the campaign.
            let zhangID = try #require(zhangMember["id"] as? String)
            #expect(try await app.request(.get, "/api/v1/campaigns/\(id)/members/\(zhangID)", token: tenant.apiKey).json()["name"] as? String == "张伟明")
            let elsewhere = try await campaign(app, tenant, ["name": "Elsewhere"])
            let wrongCampaign = try await app.request(.get, "/api/v1/campaigns/\(elsewhere)/members/\(zhangID)", token: tenant.apiKey)
            #expect(wrongCampaign.status == .notFound)
            #expect(wrongCampaign.errorCode == "campaign_member_not_found")
            #expect(try await app.request(.delete, "/api/v1/campaigns/\(elsewhere)/members/\(zhangID)", token: tenant.apiKey).errorCode
                == "campaign_member_not_found")
            #expect(try await app.request(.delete, "/api/v1/campaigns/\(id)/members/\(zhangID)", token: tenant.apiKey).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/campaigns/\(id)/members/\(zhangID)", token: tenant.apiKey).errorCode == "campaign_member_not_found")
            #expect(try await app.request(.delete, "/api/v1/contacts/\(li)", token: tenant.apiKey).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/campaigns/\(id)/members", token: tenant.apiKey).items.compactMap { $0["contact_id"] as? String }
                == [wang])

            // A completed campaign's members stay as they are.
            _ = try await patch(app, tenant, "/api/v1/campaigns/\(id)", ["status": "active"])
            _ = try await patch(app, tenant, "/api/v1/campaigns/\(id)", ["status": "completed"])
            let late = try await app.request(.post, "/api/v1/campaigns/\(id)/members", token: tenant.apiKey, json: ["contact_ids": [newcomer]])
            #expect(late.status == .conflict)
            #expect(late.errorCode == "campaign_closed")
            let wangID = try #require(all.first { $0["contact_id"] as? String == wang }?["id"] as? String)
            #expect(try await app.request(.delete, "/api/v1/campaigns/\(id)/members/\(wangID)", token: tenant.apiKey).errorCode == "campaign_closed")
            #expect(try await app.request(.post, "/api/v1/campaigns/\(id)/members/segment", token: tenant.apiKey).errorCode == "campaign_closed")
        }
    }

    @Test("a segment adds the contacts GET /api/v1/contacts lists with the same filters, skips members, and goes on where it stopped")
    func segments() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            try await app.define(tenant, "contact", "tier", "single_choice", ["options": [["value": "gold", "label": "Gold"], ["value": "silver", "label": "Silver"]]])
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "青山茶业"])
            let gold = try await app.createID("/api/v1/contacts", tenant, ["name": "张伟", "account_id": account, "custom_fields": ["tier": "gold"]])
            let silver = try await app.createID("/api/v1/contacts", tenant, ["name": "赵敏", "account_id": account, "custom_fields": ["tier": "silver"]])
            let goldElsewhere = try await app.createID("/api/v1/contacts", tenant, ["name": "Li Wei", "custom_fields": ["tier": "gold"]])
            let plain = try await app.createID("/api/v1/contacts", tenant, ["name": "李娜", "phone": "139 0000 1234"])
            let id = try await campaign(app, tenant, ["channel": "wechat"])
            let path = "/api/v1/campaigns/\(id)/members/segment"

            func add(_ query: String) async throws -> [String: Any] {
                let response = try await app.request(.post, path + query, token: tenant.apiKey)
                #expect(response.status == .ok, "\(query): \(response.body.string)")
                return try response.json()
            }
            func members() async throws -> Set<String> {
                Set(try await app.request(.get, "/api/v1/campaigns/\(id)/members", token: tenant.apiKey).items.compactMap { $0["contact_id"] as? String })
            }
            // The preview and the segment agree.
            let preview = try await app.request(.get, "/api/v1/contacts?cf.tier=gold", token: tenant.apiKey).items.compactMap { $0["id"] as? String }
            #expect(Set(preview) == [gold, goldElsewhere])
            let golden = try await add("?cf.tier=gold")
            #expect(golden["added"] as? Int == 2)
            #expect(golden["skipped"] as? Int == 0)
            #expect(golden["more"] as? Bool == false)
            #expect(try await members() == [gold, goldElsewhere])
            let repeated = try await add("?cf.tier=gold")
            #expect(repeated["added"] as? Int == 0)
            #expect(repeated["skipped"] as? Int == 2)
            let atAccount = try await add("?account_id=\(account)")
            #expect(atAccount["added"] as? Int == 1)
            #expect(atAccount["skipped"] as? Int == 1)
            #expect(try await members() == [gold, goldElsewhere, silver])
            #expect(try await add("?q=1234")["added"] as? Int == 1)
            #expect(try await members() == [gold, goldElsewhere, silver, plain])

            for bad in ["?cf.nope=1", "?account_id=xyz", "?cf.tier.gte=gold"] {
                let refused = try await app.request(.post, path + bad, token: tenant.apiKey)
                #expect(refused.status == .badRequest, "\(bad): \(refused.body.string)")
                #expect(refused.errorCode == "invalid_filter", "\(bad)")
            }

            // A segment larger than one request's batch: each request adds the next ones.
            let owner = try await ServiceDesk.owner(app, of: tenant)
            let smallBatches = CampaignMembers(database: app.services.database, batchSize: 3)
            let second = try #require(CampaignID(try await campaign(app, tenant, ["name": "Everyone"])))
            for (added, skipped, more) in [(3, 0, true), (1, 3, false), (0, 4, false)] {
                let batch = try await smallBatches.addSegment(owner, second, ContactFilter())
                #expect((batch.added, batch.skipped, batch.more) == (added, skipped, more))
            }
        }
    }

    @Test("member statuses move forward as touches: refused moves, notes, past times, bulk changes, and the campaign's status")
    func touches() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let me = try await app.userID(tenant)
            let id = try await campaign(app, tenant, ["channel": "email"])
            let contacts = try await (0..<5).asyncMap { try await app.createID("/api/v1/contacts", tenant, ["name": "Buyer \($0)"]) }
            let lead = try await app.createID("/api/v1/leads", tenant, ["name": "Walk-in"])
            let members = try await addMembers(app, tenant, id, contacts: contacts, leads: [lead])
            let (ada, bo, cy, di, ed, walkIn) = (members[0], members[1], members[2], members[3], members[4], members[5])

            let early = try await touch(app, tenant, id, ada, ["status": "sent"])
            #expect(early.status == .conflict)
            #expect(early.errorCode == "campaign_not_started")
            #expect(try await patch(app, tenant, "/api/v1/campaigns/\(id)", ["status": "active"]).status == .ok)

            let sent = try await touch(app, tenant, id, ada, ["status": "sent"])
            #expect(sent.status == .created, "\(sent.body.string)")
            let sentTouch = try sent.json()
            #expect(sentTouch["from_status"] as? String == "targeted")
            #expect(sentTouch["to_status"] as? String == "sent")
            #expect(sentTouch["member_id"] as? String == ada)
            #expect(sentTouch["campaign_id"] as? String == id)
            #expect(sentTouch["recorded_by"] as? String == me)
            #expect(sentTouch["note"] is NSNull)
            #expect(try await touch(app, tenant, id, ada, ["status": "opened", "note": "opened twice"]).status == .created)
            let back = try await touch(app, tenant, id, ada, ["status": "sent"])
            #expect(back.errorCode == "invalid_status_transition")
            let details = (try back.json()["error"] as? [String: Any])?["details"] as? [String: String]
            #expect(details?["from"] == "opened")
            #expect(details?["allowed"] == "clicked, responded, unsubscribed")
            #expect(details?["member_id"] == ada)
            let fieldRefusals: [([String: Any], String)] = [
                (["status": "bogus"], "status"), (["status": "targeted"], "status"), (["status": "clicked", "occurred_at": "2099-01-01T00:00:00Z"], "occurred_at"),
                (["status": "clicked", "note": String(repeating: "x", count: 1_001)], "note"), (["status": "clicked", "when": "now"], "when"),
            ]
            for (body, field) in fieldRefusals {
                let refused = try await touch(app, tenant, id, ada, body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.errorField == field, "\(body): \(refused.body.string)")
            }
            let replied = try await touch(app, tenant, id, ada, ["status": "responded", "occurred_at": "2026-01-05T10:00:00Z", "note": "Booked a booth visit"])
            #expect(try replied.json()["occurred_at"] as? String == "2026-01-05T10:00:00Z")
            let adaNow = try await app.request(.get, "/api/v1/campaigns/\(id)/members/\(ada)", token: tenant.apiKey).json()
            #expect(adaNow["status"] as? String == "responded")
            #expect(adaNow["status_changed_at"] as? String == "2026-01-05T10:00:00Z")
            let history = try await app.request(.get, "/api/v1/campaigns/\(id)/members/\(ada)/touches?limit=2", token: tenant.apiKey)
            let cursor = try #require(try history.json()["next_cursor"] as? String)
            let last = try await app.request(.get, "/api/v1/campaigns/\(id)/members/\(ada)/touches?limit=2&cursor=\(cursor)", token: tenant.apiKey)
            #expect((history.items + last.items).compactMap { $0["to_status"] as? String } == ["sent", "opened", "responded"])
            #expect(history.items.last?["note"] as? String == "opened twice")

            // A phone call skips steps; unsubscribing is final; a bounce is sent again.
            #expect(try await touch(app, tenant, id, walkIn, ["status": "responded"]).status == .created)
            #expect(try await touch(app, tenant, id, bo, ["status": "unsubscribed"]).status == .created)
            #expect(try await touch(app, tenant, id, bo, ["status": "sent"]).errorCode == "invalid_status_transition")
            #expect(try await touch(app, tenant, id, cy, ["status": "bounced"]).status == .created)
            #expect(try await touch(app, tenant, id, cy, ["status": "opened"]).errorCode == "invalid_status_transition")
            #expect(try await touch(app, tenant, id, cy, ["status": "sent"]).status == .created)

            // Many at once: every member still targeted, then named members, all or none.
            let bulk = "/api/v1/campaigns/\(id)/touches"
            let mailing = try await app.request(.post, bulk, token: tenant.apiKey, json: ["status": "sent", "from_status": "targeted", "note": "Mailing 1"])
            #expect(mailing.status == .ok, "\(mailing.body.string)")
            #expect(try mailing.json()["touched"] as? Int == 2)
            #expect(try mailing.json()["more"] as? Bool == false)
            #expect(try await memberStatus(app, tenant, id, di) == "sent")
            #expect(try await memberStatus(app, tenant, id, ed) == "sent")
            let refused = try await app.request(.post, bulk, token: tenant.apiKey, json: ["status": "opened", "member_ids": [di, ed, ada]])
            #expect(refused.errorCode == "invalid_status_transition")
            #expect(((try refused.json()["error"] as? [String: Any])?["details"] as? [String: String])?["member_id"] == ada)
            #expect(try await memberStatus(app, tenant, id, di) == "sent")
            let opened = try await app.request(.post, bulk, token: tenant.apiKey, json: ["status": "opened", "member_ids": [di, di]])
            #expect(try opened.json()["touched"] as? Int == 1)
            let skipped = try await app.request(.post, bulk, token: tenant.apiKey, json: ["status": "opened", "member_ids": [di, ed]])
            #expect(try skipped.json()["touched"] as? Int == 1)
            #expect(try skipped.json()["skipped_member_ids"] as? [String] == [di])
            let bulkRefusals: [([String: Any], Int, String)] = [
                (["status": "sent"], 422, "invalid_field"),
                (["status": "sent", "from_status": "targeted", "member_ids": [di]], 422, "invalid_field"),
                (["status": "sent", "member_ids": []], 422, "invalid_field"),
                (["status": "sent", "member_ids": [UUID().uuidString]], 422, "unknown_campaign_member"),
                (["status": "sent", "from_status": "nowhere"], 422, "invalid_field"),
                (["status": "sent", "from_status": "unsubscribed"], 409, "invalid_status_transition"),
            ]
            for (body, status, code) in bulkRefusals {
                let response = try await app.request(.post, bulk, token: tenant.apiKey, json: body)
                #expect(response.status.code == status, "\(body): \(response.body.string)")
                #expect(response.errorCode == code, "\(body)")
            }

            // A completed campaign still takes late replies; a cancelled one takes nothing.
            _ = try await patch(app, tenant, "/api/v1/campaigns/\(id)", ["status": "completed"])
            #expect(try await touch(app, tenant, id, di, ["status": "responded"]).status == .created)
            let cancelled = try await campaign(app, tenant, ["name": "Called off"])
            let cancelledMember = try await addMembers(app, tenant, cancelled, contacts: [contacts[0]])[0]
            _ = try await patch(app, tenant, "/api/v1/campaigns/\(cancelled)", ["status": "cancelled"])
            #expect(try await touch(app, tenant, cancelled, cancelledMember, ["status": "sent"]).errorCode == "campaign_closed")
        }
    }

    @Test("deals carry the campaign that sourced them; the report counts members, responses, deals per currency, cost per response and ROI")
    func attributionAndReport() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let id = try await campaign(app, tenant, ["status": "active", "budget_minor": 200_000])
            let contacts = try await (0..<4).asyncMap { try await app.createID("/api/v1/contacts", tenant, ["name": "Visitor \($0)"]) }
            let members = try await addMembers(app, tenant, id, contacts: contacts)
            _ = try await touch(app, tenant, id, members[0], ["status": "responded"])
            _ = try await touch(app, tenant, id, members[1], ["status": "responded"])
            _ = try await touch(app, tenant, id, members[1], ["status": "unsubscribed"])
            _ = try await touch(app, tenant, id, members[2], ["status": "sent"])

            let stages = try await app.request(.get, "/api/v1/pipelines", token: tenant.apiKey).items.first?["stages"] as? [[String: Any]] ?? []
            let won = try #require(stages.first { $0["kind"] as? String == "won" }?["id"] as? String)
            let lost = try #require(stages.first { $0["kind"] as? String == "lost" }?["id"] as? String)
            func deal(_ fields: [String: Any], to stage: String? = nil) async throws -> String {
                let deal = try await app.createID("/api/v1/deals", tenant, ["name": "Order"].merging(fields) { $1 })
                if let stage {
                    let moved = try await app.request(.post, "/api/v1/deals/\(deal)/move", token: tenant.apiKey, json: ["stage_id": stage, "reason": "decided"])
                    #expect(moved.status == .ok, "\(moved.body.string)")
                }
                return deal
            }
            let bigOrder = try await deal(["campaign_id": id, "amount_minor": 300_000, "currency": "CNY"], to: won)
            #expect(try await app.request(.get, "/api/v1/deals/\(bigOrder)", token: tenant.apiKey).json()["campaign_id"] as? String == id)
            _ = try await deal(["campaign_id": id, "amount_minor": 100_000, "currency": "CNY"])
            _ = try await deal(["campaign_id": id, "amount_minor": 5_000, "currency": "USD"], to: won)
            _ = try await deal(["campaign_id": id], to: won)
            let later = try await deal(["amount_minor": 50_000, "currency": "CNY"], to: lost)
            let attributed = try await patch(app, tenant, "/api/v1/deals/\(later)", ["campaign_id": id])
            #expect(try attributed.json()["campaign_id"] as? String == id)
            let unrelated = try await deal(["amount_minor": 1, "currency": "CNY"], to: won)
            #expect(try await app.request(.get, "/api/v1/deals/\(unrelated)", token: tenant.apiKey).json()["campaign_id"] is NSNull)
            #expect(try await app.request(.get, "/api/v1/deals?campaign_id=\(id)", token: tenant.apiKey).items.count == 5)
            #expect(try await app.request(.get, "/api/v1/deals?campaign_id=x", token: tenant.apiKey).errorCode == "invalid_filter")
            let unknown = try await app.request(.post, "/api/v1/deals", token: tenant.apiKey, json: ["name": "x", "campaign_id": UUID().uuidString])
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.errorCode == "unknown_campaign")
            #expect(unknown.errorField == "campaign_id")

            func report() async throws -> [String: Any] {
                let response = try await app.request(.get, "/api/v1/campaigns/\(id)/report", token: tenant.apiKey)
                #expect(response.status == .ok, "\(response.body.string)")
                return try response.json()
            }
            var figures = try await report()
            #expect(figures["campaign_id"] as? String == id)
            #expect(figures["currency"] as? String == "CNY")
            #expect(figures["members"] as? Int == 4)
            #expect(figures["members_by_status"] as? [String: Int] == ["targeted": 1, "sent": 1, "opened": 0, "clicked": 0, "responded": 1,
                                                                       "bounced": 0, "unsubscribed": 1])
            #expect(figures["responses"] as? Int == 2)
            #expect(figures["response_rate_bp"] as? Int == 5_000)
            let deals = try #require(figures["deals"] as? [String: Any])
            #expect(deals["count"] as? Int == 5)
            #expect(deals["open"] as? Int == 1)
            #expect(deals["won"] as? Int == 3)
            #expect(deals["lost"] as? Int == 1)
            #expect(deals["won_amount_minor"] as? Int == 300_000)
            #expect(deals["won_without_amount"] as? Int == 1)
            let others = try #require(deals["won_in_other_currencies"] as? [[String: Any]])
            #expect(others.count == 1)
            #expect(others.first?["currency"] as? String == "USD")
            #expect(others.first?["won"] as? Int == 1)
            #expect(others.first?["won_amount_minor"] as? Int == 5_000)
            #expect(figures["budget_minor"] as? Int == 200_000)
            for unknowable in ["actual_cost_minor", "cost_per_response_minor", "roi_bp"] {
                #expect(figures[unknowable] is NSNull, "\(unknowable)")
            }

            _ = try await patch(app, tenant, "/api/v1/campaigns/\(id)", ["actual_cost_minor": 120_000])
            figures = try await report()
            #expect(figures["cost_per_response_minor"] as? Int == 60_000)
            #expect(figures["roi_bp"] as? Int == 15_000)
            _ = try await patch(app, tenant, "/api/v1/campaigns/\(id)", ["actual_cost_minor": 700_000])
            figures = try await report()
            #expect(figures["roi_bp"] as? Int == -5_714)  // −0.571428…
            _ = try await patch(app, tenant, "/api/v1/campaigns/\(id)", ["actual_cost_minor": 0])
            figures = try await report()
            #expect(figures["cost_per_response_minor"] as? Int == 0)
            #expect(figures["roi_bp"] is NSNull)
            // One response among three members: 3,333 basis points; a campaign without members has no rate.
            let small = try await campaign(app, tenant, ["status": "active"])
            let smallMembers = try await addMembers(app, tenant, small, contacts: Array(contacts.prefix(3)))
            _ = try await touch(app, tenant, small, smallMembers[0], ["status": "responded"])
            #expect(try await app.request(.get, "/api/v1/campaigns/\(small)/report", token: tenant.apiKey).json()["response_rate_bp"] as? Int == 3_333)
            _ = try await touch(app, tenant, small, smallMembers[1], ["status": "responded"])
            #expect(try await app.request(.get, "/api/v1/campaigns/\(small)/report", token: tenant.apiKey).json()["response_rate_bp"] as? Int == 6_667)
            let empty = try await campaign(app, tenant)
            #expect(try await app.request(.get, "/api/v1/campaigns/\(empty)/report", token: tenant.apiKey).json()["response_rate_bp"] is NSNull)

            // A deal leaves its campaign by PATCH, and every deal when the campaign is deleted.
            #expect(try await patch(app, tenant, "/api/v1/deals/\(later)", ["campaign_id": NSNull()]).json()["campaign_id"] is NSNull)
            #expect(try await app.request(.delete, "/api/v1/campaigns/\(id)", token: tenant.apiKey).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/deals/\(bigOrder)", token: tenant.apiKey).json()["campaign_id"] is NSNull)
            #expect(try await app.request(.get, "/api/v1/deals/\(bigOrder)", token: tenant.apiKey).json()["amount_minor"] as? Int == 300_000)
        }
    }

    @Test("a contact's and an account's timelines show their campaign touches, and those of the leads converted into them")
    func timeline() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let me = try await app.userID(tenant)
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "Golden Lotus Trading"])
            let ada = try await app.createID("/api/v1/contacts", tenant, ["name": "Ada", "account_id": account])
            let stranger = try await app.createID("/api/v1/contacts", tenant, ["name": "Someone else"])
            let lead = try await app.createID("/api/v1/leads", tenant, ["name": "Chen", "status": "qualified"])
            let id = try await campaign(app, tenant, ["name": "Spring Festival greetings 春节问候", "status": "active"])
            let members = try await addMembers(app, tenant, id, contacts: [ada, stranger], leads: [lead])
            _ = try await touch(app, tenant, id, members[0], ["status": "sent"])
            _ = try await touch(app, tenant, id, members[2], ["status": "responded", "note": "Asked for a catalogue"])
            _ = try await touch(app, tenant, id, members[0], ["status": "clicked"])
            _ = try await touch(app, tenant, id, members[1], ["status": "sent"])
            let conversion = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey, json: ["account_id": account]).json()
            let chen = try #require((conversion["contact"] as? [String: Any])?["id"] as? String)

            func touches(_ path: String) async throws -> [[String: Any]] {
                let response = try await app.request(.get, path, token: tenant.apiKey)
                #expect(response.status == .ok, "\(response.body.string)")
                return response.items.filter { $0["kind"] as? String == "campaign_touch" }
            }
            let adaTouches = try await touches("/api/v1/contacts/\(ada)/timeline")
            #expect(adaTouches.compactMap { $0["to"] as? String } == ["clicked", "sent"])
            #expect(adaTouches.compactMap { $0["from"] as? String } == ["sent", "targeted"])
            let latest = try #require(adaTouches.first)
            #expect(latest["title"] as? String == "Spring Festival greetings 春节问候")
            #expect(latest["campaign_id"] as? String == id)
            #expect(latest["contact_id"] as? String == ada)
            #expect(latest["lead_id"] is NSNull)
            #expect(latest["user_id"] as? String == me)
            let chenTouches = try await touches("/api/v1/contacts/\(chen)/timeline")
            #expect(chenTouches.count == 1)
            #expect(chenTouches.first?["lead_id"] as? String == lead)
            #expect(chenTouches.first?["body"] as? String == "Asked for a catalogue")
            let accountTouches = try await touches("/api/v1/accounts/\(account)/timeline")
            #expect(accountTouches.compactMap { $0["to"] as? String } == ["clicked", "responded", "sent"])
            #expect(try await touches("/api/v1/contacts/\(stranger)/timeline").count == 1)
            // Other items say they are of no campaign.
            let conversionItem = try await app.request(.get, "/api/v1/contacts/\(chen)/timeline", token: tenant.apiKey).items
                .first { $0["kind"] as? String == "lead_converted" }
            #expect(conversionItem?["campaign_id"] is NSNull)
        }
    }

    @Test("campaigns and their members are audited; campaigns emit campaign.created, .updated and .deleted")
    func auditAndWebhooks() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let webhook = try await app.createID("/api/v1/webhooks", tenant, ["url": "http://127.0.0.1:9/hooks", "event_types": ["campaign.*"]])
            let id = try await campaign(app, tenant, ["status": "active"])
            let contact = try await app.createID("/api/v1/contacts", tenant, ["name": "Ada"])
            let member = try await addMembers(app, tenant, id, contacts: [contact])[0]
            _ = try await touch(app, tenant, id, member, ["status": "sent"])
            _ = try await patch(app, tenant, "/api/v1/campaigns/\(id)", ["actual_cost_minor": 100])
            #expect(try await app.request(.delete, "/api/v1/campaigns/\(id)", token: tenant.apiKey).status == .noContent)

            let deliveries = try await app.request(.get, "/api/v1/webhooks/\(webhook)/deliveries", token: tenant.apiKey).items
            #expect(deliveries.compactMap { $0["event_type"] as? String }.sorted() == ["campaign.created", "campaign.deleted", "campaign.updated"])
            let campaignEntries = try await app.request(.get, "/api/v1/audit?entity_type=campaigns&entity_id=\(id)", token: tenant.apiKey).items
            #expect(Set(campaignEntries.compactMap { $0["action"] as? String }) == ["insert", "update", "delete"])
            let memberEntries = try await app.request(.get, "/api/v1/audit?entity_type=campaign_members&entity_id=\(member)", token: tenant.apiKey).items
            #expect(Set(memberEntries.compactMap { $0["action"] as? String }) == ["insert", "update", "delete"])
            let statusChange = memberEntries.first { $0["action"] as? String == "update" }
            #expect((statusChange?["after"] as? [String: Any])?["status"] as? String == "sent")
        }
    }

    @Test("every campaign endpoint answers another workspace's ids with the 404 of a missing one and changes nothing")
    func crossTenantIDs() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let id = try await campaign(app, owner, ["status": "active"])
            let contact = try await app.createID("/api/v1/contacts", owner, ["name": "李娜"])
            let lead = try await app.createID("/api/v1/leads", owner, ["name": "王芳"])
            let member = try await addMembers(app, owner, id, contacts: [contact])[0]
            let ownCampaign = try await campaign(app, intruder, ["name": "Mine", "status": "active"])
            let ownContact = try await app.createID("/api/v1/contacts", intruder, ["name": "Mine"])
            let ownMember = try await addMembers(app, intruder, ownCampaign, contacts: [ownContact])[0]

            let calls: [(HTTPRequest.Method, String, [String: Any]?, String)] = [
                (.get, "/api/v1/campaigns/\(id)", nil, "campaign"),
                (.patch, "/api/v1/campaigns/\(id)", ["name": "hijacked", "status": "cancelled"], "campaign"),
                (.delete, "/api/v1/campaigns/\(id)", nil, "campaign"),
                (.get, "/api/v1/campaigns/\(id)/report", nil, "campaign"),
                (.post, "/api/v1/campaigns/\(id)/members", ["contact_ids": [ownContact]], "campaign"),
                (.post, "/api/v1/campaigns/\(id)/members/segment", nil, "campaign"),
                (.get, "/api/v1/campaigns/\(id)/members", nil, "campaign"),
                (.get, "/api/v1/campaigns/\(id)/members/\(member)", nil, "campaign"),
                (.delete, "/api/v1/campaigns/\(id)/members/\(member)", nil, "campaign"),
                (.post, "/api/v1/campaigns/\(id)/members/\(member)/touches", ["status": "sent"], "campaign"),
                (.get, "/api/v1/campaigns/\(id)/members/\(member)/touches", nil, "campaign"),
                (.post, "/api/v1/campaigns/\(id)/touches", ["status": "sent", "from_status": "targeted"], "campaign"),
                (.get, "/api/v1/campaigns/\(ownCampaign)/members/\(member)", nil, "campaign_member"),
                (.delete, "/api/v1/campaigns/\(ownCampaign)/members/\(member)", nil, "campaign_member"),
                (.post, "/api/v1/campaigns/\(ownCampaign)/members/\(member)/touches", ["status": "sent"], "campaign_member"),
                (.get, "/api/v1/campaigns/\(ownCampaign)/members/\(member)/touches", nil, "campaign_member"),
            ]
            for (method, path, body, entity) in calls {
                let foreign = try await app.request(method, path, token: intruder.apiKey, json: body)
                #expect(foreign.status == .notFound, "\(method) \(path) \(foreign.body.string)")
                #expect(foreign.errorCode == "\(entity)_not_found", "\(method) \(path)")
                // The same answer as for an id that never existed.
                let foreignID = entity == "campaign" ? id : member
                let missing = try await app.request(method, path.replacingOccurrences(of: foreignID, with: UUID().uuidString.lowercased()),
                                                    token: intruder.apiKey, json: body)
                #expect(missing.body.string == foreign.body.string, "\(method) \(path)")
            }

            // Another workspace's ids in bodies are unknown here and write nothing.
            let ownerUser = try await app.userID(owner)
            let refusals: [(HTTPRequest.Method, String, [String: Any], String)] = [
                (.post, "/api/v1/campaigns/\(ownCampaign)/members", ["contact_ids": [contact]], "unknown_contact"),
                (.post, "/api/v1/campaigns/\(ownCampaign)/members", ["lead_ids": [lead]], "unknown_lead"),
                (.post, "/api/v1/campaigns/\(ownCampaign)/touches", ["status": "sent", "member_ids": [member]], "unknown_campaign_member"),
                (.post, "/api/v1/campaigns", ["name": "x", "channel": "sms", "currency": "CNY", "owner_id": ownerUser], "unknown_user"),
                (.patch, "/api/v1/campaigns/\(ownCampaign)", ["owner_id": ownerUser], "unknown_user"),
                (.post, "/api/v1/deals", ["name": "x", "campaign_id": id], "unknown_campaign"),
            ]
            for (method, path, body, code) in refusals {
                let refused = try await app.request(method, path, token: intruder.apiKey, json: body)
                #expect(refused.status == .unprocessableContent, "\(path) \(body): \(refused.body.string)")
                #expect(refused.errorCode == code, "\(path) \(body)")
            }
            let myDeal = try await app.createID("/api/v1/deals", intruder, ["name": "Mine"])
            #expect(try await app.request(.patch, "/api/v1/deals/\(myDeal)", token: intruder.apiKey, json: ["campaign_id": id]).errorCode
                == "unknown_campaign")
            #expect(try await app.request(.get, "/api/v1/deals?campaign_id=\(id)", token: intruder.apiKey).items.isEmpty)
            #expect(try await app.request(.get, "/api/v1/campaigns", token: intruder.apiKey).items.compactMap { $0["id"] as? String } == [ownCampaign])
            #expect(try await app.request(.get, "/api/v1/campaigns/\(ownCampaign)/members", token: intruder.apiKey).items
                .compactMap { $0["id"] as? String } == [ownMember])
            #expect(try await app.request(.get, "/api/v1/deals/\(myDeal)", token: intruder.apiKey).json()["campaign_id"] is NSNull)

            // The owner's campaign and member are as they were.
            let campaign = try await app.request(.get, "/api/v1/campaigns/\(id)", token: owner.apiKey).json()
            #expect(campaign["name"] as? String == "Canton Fair invitation 广交会邀请")
            #expect(campaign["status"] as? String == "active")
            let members = try await app.request(.get, "/api/v1/campaigns/\(id)/members", token: owner.apiKey).items
            #expect(members.compactMap { $0["id"] as? String } == [member])
            #expect(members.first?["status"] as? String == "targeted")
            #expect(try await app.request(.get, "/api/v1/campaigns/\(id)/members/\(member)/touches", token: owner.apiKey).items.isEmpty)
        }
    }
}

private extension Sequence {
    /// `map` with an asynchronous transform, one element after another.
    func asyncMap<Result>(_ transform: (Element) async throws -> Result) async rethrows -> [Result] {
        var results: [Result] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
