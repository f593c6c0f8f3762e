import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// The isolation promise for every sales endpoint that takes an id: another workspace's id answers
/// 404 exactly like a missing one and changes nothing; another workspace's ids in a body are
/// unknown there.
@Suite("Isolation: sales endpoints")
struct SalesIsolationTests {
    /// The owner's records, made through the API.
    struct Records {
        var account, contact, lead, pipeline, stage, wonStage, deal, activity: String
    }

    func makeRecords(_ app: TestApp, _ owner: TestTenant) async throws -> Records {
        let account = try await app.createID("/api/v1/accounts", owner, ["name": "华为供应商"])
        let contact = try await app.createID("/api/v1/contacts", owner, ["name": "李娜", "account_id": account])
        let lead = try await app.createID("/api/v1/leads", owner, ["name": "王芳", "company": "远航科技", "status": "qualified"])
        let pipeline = try await app.create("/api/v1/pipelines", owner, ["name": "Export", "stages": [["name": "Enquiry", "win_probability_bp": 1000]]])
        let stages = try #require(pipeline["stages"] as? [[String: Any]])
        let stage = try #require(stages.first?["id"] as? String)
        let wonStage = try #require(stages.first { $0["kind"] as? String == "won" }?["id"] as? String)
        let deal = try await app.createID("/api/v1/deals", owner, ["name": "Export order", "stage_id": stage, "account_id": account,
                                                                   "contact_ids": [contact], "amount_minor": 100, "currency": "CNY",
                                                                   "expected_close_date": "2026-01-15"])
        let activity = try await app.createID("/api/v1/activities", owner, ["kind": "task", "title": "Follow up", "deal_id": deal,
                                                                            "due_date": "2026-01-10"])
        return Records(account: account, contact: contact, lead: lead, pipeline: try #require(pipeline["id"] as? String), stage: stage,
                       wonStage: wonStage, deal: deal, activity: activity)
    }

    @Test("every sales id of another workspace answers 404 like a missing one, and the record stays as it was")
    func crossTenantIDs() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let records = try await makeRecords(app, owner)
            let ownPipeline = try await app.create("/api/v1/pipelines", intruder, ["name": "Mine", "stages": [["name": "A", "win_probability_bp": 1]]])
            let ownPipelineID = try #require(ownPipeline["id"] as? String)

            let r = records
            let calls: [(HTTPRequest.Method, String, [String: Any]?, String)] = [
                (.get, "/api/v1/leads/\(r.lead)", nil, "lead"),
                (.patch, "/api/v1/leads/\(r.lead)", ["name": "hijacked"], "lead"),
                (.post, "/api/v1/leads/\(r.lead)/convert", [:], "lead"),
                (.delete, "/api/v1/leads/\(r.lead)", nil, "lead"),
                (.get, "/api/v1/pipelines/\(r.pipeline)", nil, "pipeline"),
                (.patch, "/api/v1/pipelines/\(r.pipeline)", ["name": "hijacked", "is_default": true], "pipeline"),
                (.post, "/api/v1/pipelines/\(r.pipeline)/stages", ["name": "X", "win_probability_bp": 1], "pipeline"),
                (.put, "/api/v1/pipelines/\(r.pipeline)/stage-order", ["stage_ids": [r.stage]], "pipeline"),
                (.patch, "/api/v1/pipelines/\(r.pipeline)/stages/\(r.stage)", ["name": "hijacked"], "pipeline"),
                (.delete, "/api/v1/pipelines/\(r.pipeline)/stages/\(r.stage)", nil, "pipeline"),
                (.patch, "/api/v1/pipelines/\(ownPipelineID)/stages/\(r.stage)", ["name": "hijacked"], "stage"),
                (.delete, "/api/v1/pipelines/\(ownPipelineID)/stages/\(r.stage)", nil, "stage"),
                (.delete, "/api/v1/pipelines/\(r.pipeline)", nil, "pipeline"),
                (.get, "/api/v1/deals/\(r.deal)", nil, "deal"),
                (.patch, "/api/v1/deals/\(r.deal)", ["name": "hijacked"], "deal"),
                (.post, "/api/v1/deals/\(r.deal)/move", ["stage_id": r.wonStage], "deal"),
                (.get, "/api/v1/deals/\(r.deal)/history", nil, "deal"),
                (.delete, "/api/v1/deals/\(r.deal)", nil, "deal"),
                (.get, "/api/v1/activities/\(r.activity)", nil, "activity"),
                (.patch, "/api/v1/activities/\(r.activity)", ["done": true], "activity"),
                (.delete, "/api/v1/activities/\(r.activity)", nil, "activity"),
                (.get, "/api/v1/accounts/\(r.account)/timeline", nil, "account"),
                (.get, "/api/v1/contacts/\(r.contact)/timeline", nil, "contact"),
            ]
            for (method, path, body, entity) in calls {
                let foreign = try await app.request(method, path, token: intruder.apiKey, json: body)
                #expect(foreign.status == .notFound, "\(method) \(path) \(foreign.body.string)")
                #expect(foreign.errorCode == "\(entity)_not_found", "\(method) \(path)")
                // The same answer as for an id that never existed.
                let missingPath = path.replacingOccurrences(of: path.contains("/stages/") && entity == "stage" ? r.stage : Self.firstID(in: path),
                                                            with: UUID().uuidString.lowercased())
                let missing = try await app.request(method, missingPath, token: intruder.apiKey, json: body)
                #expect(missing.body.string == foreign.body.string, "\(method) \(path)")
            }

            // The owner sees every record unchanged.
            let lead = try await app.request(.get, "/api/v1/leads/\(r.lead)", token: owner.apiKey).json()
            #expect(lead["name"] as? String == "王芳")
            #expect(lead["status"] as? String == "qualified")
            let deal = try await app.request(.get, "/api/v1/deals/\(r.deal)", token: owner.apiKey).json()
            #expect(deal["name"] as? String == "Export order")
            #expect(deal["stage_id"] as? String == r.stage)
            let history = try await app.request(.get, "/api/v1/deals/\(r.deal)/history", token: owner.apiKey).items
            #expect(history.count == 1)
            let pipeline = try await app.request(.get, "/api/v1/pipelines/\(r.pipeline)", token: owner.apiKey).json()
            #expect(pipeline["name"] as? String == "Export")
            #expect(pipeline["is_default"] as? Bool == false)
            #expect((pipeline["stages"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Enquiry", "Won", "Lost"])
            let activity = try await app.request(.get, "/api/v1/activities/\(r.activity)", token: owner.apiKey).json()
            #expect(activity["done"] as? Bool == false)
            #expect(try await app.request(.get, "/api/v1/accounts/\(r.account)/timeline", token: owner.apiKey).items.count == 2)
        }
    }

    @Test("another workspace's ids in a body are unknown here, its records are in no list, and its form tokens are worthless")
    func crossTenantReferences() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let r = try await makeRecords(app, owner)
            let ownerUser = try await app.userID(owner)
            let myDeal = try await app.createID("/api/v1/deals", intruder, ["name": "Mine"])
            let myLead = try await app.createID("/api/v1/leads", intruder, ["name": "Mine", "company": "Mine Ltd", "status": "qualified"])

            let refusals: [(HTTPRequest.Method, String, [String: Any], String)] = [
                (.post, "/api/v1/deals", ["name": "x", "account_id": r.account], "unknown_account"),
                (.post, "/api/v1/deals", ["name": "x", "contact_ids": [r.contact]], "unknown_contact"),
                (.post, "/api/v1/deals", ["name": "x", "stage_id": r.stage], "unknown_stage"),
                (.post, "/api/v1/deals", ["name": "x", "owner_id": ownerUser], "unknown_user"),
                (.patch, "/api/v1/deals/\(myDeal)", ["account_id": r.account], "unknown_account"),
                (.post, "/api/v1/deals/\(myDeal)/move", ["stage_id": r.wonStage], "unknown_stage"),
                (.post, "/api/v1/leads", ["name": "x", "owner_id": ownerUser], "unknown_user"),
                (.post, "/api/v1/leads/\(myLead)/convert", ["account_id": r.account], "unknown_account"),
                (.post, "/api/v1/activities", ["kind": "call", "title": "x", "deal_id": r.deal], "unknown_deal"),
                (.post, "/api/v1/activities", ["kind": "call", "title": "x", "lead_id": r.lead], "unknown_lead"),
                (.post, "/api/v1/activities", ["kind": "call", "title": "x", "contact_id": r.contact], "unknown_contact"),
                (.post, "/api/v1/activities", ["kind": "call", "title": "x", "account_id": r.account], "unknown_account"),
            ]
            for (method, path, body, code) in refusals {
                let refused = try await app.request(method, path, token: intruder.apiKey, json: body)
                #expect(refused.status == .unprocessableContent, "\(path) \(body)")
                #expect(refused.errorCode == code, "\(path) \(body) \(refused.body.string)")
            }
            // Nothing was written: the intruder's lead is still qualified and its lists hold only its own.
            #expect(try await app.request(.get, "/api/v1/leads/\(myLead)", token: intruder.apiKey).json()["status"] as? String == "qualified")
            #expect(try await app.request(.get, "/api/v1/deals", token: intruder.apiKey).items.compactMap { $0["name"] as? String } == ["Mine"])
            #expect(try await app.request(.get, "/api/v1/activities", token: intruder.apiKey).items.isEmpty)
            #expect(try await app.request(.get, "/api/v1/leads?q=%E7%8E%8B%E8%8A%B3", token: intruder.apiKey).items.isEmpty)
            let pipelines = try await app.request(.get, "/api/v1/pipelines", token: intruder.apiKey).items
            #expect(!pipelines.contains { $0["id"] as? String == r.pipeline })
            #expect(try await app.request(.get, "/api/v1/deals?stage_id=\(r.stage)", token: intruder.apiKey).items.isEmpty)
            let forecast = try await app.request(.get, "/api/v1/deals/forecast?from=2026-01&to=2026-12", token: intruder.apiKey).json()
            #expect((forecast["totals"] as? [Any])?.isEmpty == true)
            #expect(try await app.request(.get, "/api/v1/tasks/mine", token: intruder.apiKey).items.isEmpty)

            // A form token of one workspace is refused by another's form.
            let token = try await app.services.leadForm.token(for: owner.id, issuedAt: Date().addingTimeInterval(-10))
            let smuggled = try await app.request(.post, "/forms/\(intruder.slug)/leads",
                                                 json: ["name": "Eve", "email": "eve@example.com", "form_token": token])
            #expect(smuggled.errorCode == "form_token_invalid")
        }
    }

    /// The first UUID in a path.
    static func firstID(in path: String) -> String {
        String(path.split(separator: "/").first { UUID(uuidString: String($0)) != nil } ?? "")
    }
}
