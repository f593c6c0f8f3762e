import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Deals, pipelines and the forecast")
struct DealsTests {
    /// The default pipeline's stages by name: id, kind, probability.
    func stagesByName(_ app: TestApp, _ tenant: TestTenant, pipeline: String? = nil) async throws -> [String: [String: Any]] {
        let pipelines = try await app.request(.get, "/api/v1/pipelines", token: tenant.apiKey).items
        let chosen = try #require(pipelines.first { pipeline == nil ? $0["is_default"] as? Bool == true : $0["id"] as? String == pipeline })
        let list = try #require(chosen["stages"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) })
    }

    @Test("a workspace gets one default pipeline in its language, even when two requests make it at once")
    func defaultPipeline() async throws {
        try await TestApp.run { app in
            let chinese = try await app.makeTenant(locale: "zh-CN")
            async let first = app.request(.post, "/api/v1/deals", token: chinese.apiKey, json: ["name": "甲"])
            async let second = app.request(.post, "/api/v1/deals", token: chinese.apiKey, json: ["name": "乙"])
            #expect(try await [first.status, second.status] == [.created, .created])
            let pipelines = try await app.request(.get, "/api/v1/pipelines", token: chinese.apiKey).items
            #expect(pipelines.count == 1)
            let pipeline = try #require(pipelines.first)
            #expect(pipeline["name"] as? String == "销售")
            #expect(pipeline["is_default"] as? Bool == true)
            let stages = try #require(pipeline["stages"] as? [[String: Any]])
            #expect(stages.compactMap { $0["name"] as? String } == ["资格确认", "需求分析", "方案报价", "商务谈判", "赢单", "输单"])
            #expect(stages.compactMap { $0["kind"] as? String } == ["open", "open", "open", "open", "won", "lost"])
            #expect(stages.compactMap { $0["win_probability_bp"] as? Int } == [1000, 2500, 5000, 7500, 10000, 0])
            #expect(stages.compactMap { $0["position"] as? Int } == [1, 2, 3, 4, 5, 6])
            let deals = try await app.request(.get, "/api/v1/deals", token: chinese.apiKey).items
            #expect(deals.allSatisfy { $0["stage_name"] as? String == "资格确认" })

            let english = try await app.makeTenant()
            #expect(try await stagesByName(app, english).keys.sorted() == ["Lost", "Needs analysis", "Negotiation", "Proposal", "Qualification", "Won"])
        }
    }

    @Test("a deal's life: created in the first stage, moved with its history, lost with a reason, reopened, won")
    func dealLifecycle() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let me = try await app.userID(tenant)
            let rep = try await app.makeMember(of: tenant)
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "Golden Lotus Trading"])
            let buyer = try await app.createID("/api/v1/contacts", tenant, ["name": "Li Wei", "account_id": account])
            let boss = try await app.createID("/api/v1/contacts", tenant, ["name": "Wang Fang", "account_id": account])

            let deal = try await app.create("/api/v1/deals", tenant, [
                "name": "Spring tea order", "amount_minor": 2_500_000, "currency": "CNY", "expected_close_date": "2026-04-30",
                "account_id": account, "contact_ids": [buyer, boss, buyer],
            ])
            let id = try #require(deal["id"] as? String)
            #expect(deal["stage_name"] as? String == "Qualification")
            #expect(deal["status"] as? String == "open")
            #expect(deal["win_probability_bp"] as? Int == 1000)
            #expect(deal["owner_id"] as? String == me)
            #expect(deal["contact_ids"] as? [String] == [buyer, boss])
            #expect(deal["closed_at"] is NSNull)
            let stages = try await stagesByName(app, tenant)
            let proposal = try #require(stages["Proposal"]?["id"] as? String)
            let won = try #require(stages["Won"]?["id"] as? String)
            let lost = try #require(stages["Lost"]?["id"] as? String)

            let moved = try await app.request(.post, "/api/v1/deals/\(id)/move", token: tenant.apiKey, json: ["stage_id": proposal])
            #expect(try moved.json()["stage_name"] as? String == "Proposal")
            let again = try await app.request(.post, "/api/v1/deals/\(id)/move", token: tenant.apiKey, json: ["stage_id": proposal])
            #expect(again.status == .conflict)
            #expect(again.errorCode == "stage_unchanged")
            let noReason = try await app.request(.post, "/api/v1/deals/\(id)/move", token: tenant.apiKey, json: ["stage_id": lost])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.errorField == "reason")
            let lostDeal = try await app.request(.post, "/api/v1/deals/\(id)/move", token: tenant.apiKey,
                                                 json: ["stage_id": lost, "reason": "Chose a cheaper supplier"]).json()
            #expect(lostDeal["status"] as? String == "lost")
            #expect(lostDeal["close_reason"] as? String == "Chose a cheaper supplier")
            #expect(lostDeal["closed_at"] is String)
            let reopened = try await app.request(.post, "/api/v1/deals/\(id)/move", token: tenant.apiKey, json: ["stage_id": proposal]).json()
            #expect(reopened["status"] as? String == "open")
            #expect(reopened["closed_at"] is NSNull)
            #expect(reopened["close_reason"] is NSNull)
            let wonDeal = try await app.request(.post, "/api/v1/deals/\(id)/move", token: tenant.apiKey, json: ["stage_id": won]).json()
            #expect(wonDeal["status"] as? String == "won")
            #expect(wonDeal["win_probability_bp"] as? Int == 10000)

            let history = try await app.request(.get, "/api/v1/deals/\(id)/history", token: tenant.apiKey).items
            #expect(history.map { $0["from_stage_name"] as? String } == [nil, "Qualification", "Proposal", "Lost", "Proposal"])
            #expect(history.compactMap { $0["to_stage_name"] as? String } == ["Qualification", "Proposal", "Lost", "Proposal", "Won"])
            #expect(history.compactMap { $0["to_kind"] as? String } == ["open", "open", "lost", "open", "won"])
            #expect(history[2]["reason"] as? String == "Chose a cheaper supplier")
            #expect(history.allSatisfy { $0["changed_by"] as? String == me && $0["changed_at"] is String })
            let firstPage = try await app.request(.get, "/api/v1/deals/\(id)/history?limit=2", token: tenant.apiKey).json()
            #expect((firstPage["data"] as? [Any])?.count == 2)
            #expect(firstPage["next_cursor"] is String)

            // Change fields; the stage changes only by a move.
            let patched = try await app.request(.patch, "/api/v1/deals/\(id)", token: tenant.apiKey, json: [
                "contact_ids": [boss], "owner_id": rep.id, "expected_close_date": NSNull(), "amount_minor": 2_600_000,
            ]).json()
            #expect(patched["contact_ids"] as? [String] == [boss])
            #expect(patched["owner_id"] as? String == rep.id)
            #expect(patched["expected_close_date"] is NSNull)
            #expect(patched["amount_minor"] as? Int == 2_600_000)
            #expect(patched["currency"] as? String == "CNY")
            let stageByPatch = try await app.request(.patch, "/api/v1/deals/\(id)", token: tenant.apiKey, json: ["stage_id": proposal])
            #expect(stageByPatch.errorCode == "unknown_field")
            let cleared = try await app.request(.patch, "/api/v1/deals/\(id)", token: tenant.apiKey,
                                                json: ["amount_minor": NSNull(), "currency": NSNull()]).json()
            #expect(cleared["amount_minor"] is NSNull)
            #expect(cleared["currency"] is NSNull)

            for (body, field) in [(["amount_minor": 100], "currency"), (["amount_minor": 12.5, "currency": "CNY"], ""),
                                  (["amount_minor": -1, "currency": "CNY"], "amount_minor"), (["currency": "CN", "amount_minor": 1], "currency"),
                                  (["expected_close_date": "2026-02-30"], "expected_close_date"), (["name": ""], "name"),
                                  (["contact_ids": [UUID().uuidString]], "contact_ids"), (["owner_id": NSNull()], "owner_id")]
                    as [([String: Any], String)] {
                let refused = try await app.request(.patch, "/api/v1/deals/\(id)", token: tenant.apiKey, json: body)
                // (Foundation's decoder names no field for a fraction where a whole number belongs.)
                #expect(refused.status == .unprocessableContent, "\(body) \(refused.body.string)")
                #expect(refused.errorField == field, "\(body) \(refused.body.string)")
            }
            let startsWon = try await app.request(.post, "/api/v1/deals", token: tenant.apiKey, json: ["name": "x", "stage_id": won])
            #expect(startsWon.errorField == "stage_id")

            #expect(try await app.request(.delete, "/api/v1/deals/\(id)", token: tenant.apiKey).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/deals/\(id)", token: tenant.apiKey).errorCode == "deal_not_found")
            #expect(try await app.request(.get, "/api/v1/deals/\(id)/history", token: tenant.apiKey).errorCode == "deal_not_found")
        }
    }

    @Test("deals are listed by status, stage, pipeline, owner, account, contact and name")
    func filters() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let rep = try await app.makeMember(of: tenant)
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "Acme"])
            let contact = try await app.createID("/api/v1/contacts", tenant, ["name": "Ada"])
            _ = try await app.createID("/api/v1/deals", tenant, ["name": "Alpha order", "account_id": account])
            let beta = try await app.createID("/api/v1/deals", tenant, ["name": "Beta order", "owner_id": rep.id, "contact_ids": [contact]])
            _ = try await app.createID("/api/v1/deals", tenant, ["name": "Gamma renewal"])
            let stages = try await stagesByName(app, tenant)
            let won = try #require(stages["Won"]?["id"] as? String)
            let qualification = try #require(stages["Qualification"]?["id"] as? String)
            _ = try await app.request(.post, "/api/v1/deals/\(beta)/move", token: tenant.apiKey, json: ["stage_id": won])

            func names(_ query: String) async throws -> [String] {
                let response = try await app.request(.get, "/api/v1/deals?\(query)", token: tenant.apiKey)
                #expect(response.status == .ok, "\(query) \(response.body.string)")
                return response.items.compactMap { $0["name"] as? String }
            }
            #expect(try await names("status=won") == ["Beta order"])
            #expect(try await names("status=open") == ["Alpha order", "Gamma renewal"])
            #expect(try await names("stage_id=\(qualification)") == ["Alpha order", "Gamma renewal"])
            #expect(try await names("owner_id=\(rep.id)") == ["Beta order"])
            #expect(try await names("account_id=\(account)") == ["Alpha order"])
            #expect(try await names("contact_id=\(contact)") == ["Beta order"])
            #expect(try await names("q=ORDER") == ["Alpha order", "Beta order"])
            #expect(try await names("pipeline_id=\(UUID().uuidString)").isEmpty)
            #expect(try await names("limit=2").count == 2)
            for query in ["status=pending", "stage_id=first", "owner_id=me"] {
                let refused = try await app.request(.get, "/api/v1/deals?\(query)", token: tenant.apiKey)
                #expect(refused.status == .badRequest, "\(query)")
                #expect(refused.errorCode == "invalid_filter", "\(query)")
            }
        }
    }

    @Test("pipelines: own stages, inserted and reordered; a stage with deals, the won stage, the default pipeline stay")
    func pipelinesAndStages() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let created = try await app.create("/api/v1/pipelines", tenant, [
                "name": "Wholesale", "stages": [["name": "Enquiry", "win_probability_bp": 500], ["name": "Sample sent", "win_probability_bp": 3000]],
            ])
            let pipeline = try #require(created["id"] as? String)
            #expect(created["is_default"] as? Bool == false)
            let stageNames = (created["stages"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(stageNames == ["Enquiry", "Sample sent", "Won", "Lost"])
            #expect(try await app.request(.get, "/api/v1/pipelines", token: tenant.apiKey).items.count == 2)

            let inserted = try await app.request(.post, "/api/v1/pipelines/\(pipeline)/stages", token: tenant.apiKey,
                                                 json: ["name": "Tasting", "win_probability_bp": 2000, "position": 2])
            #expect(inserted.status == .created)
            var stages = try await stagesByName(app, tenant, pipeline: pipeline)
            #expect(stages.mapValues { $0["position"] as? Int } == ["Enquiry": 1, "Tasting": 2, "Sample sent": 3, "Won": 4, "Lost": 5])
            let enquiry = try #require(stages["Enquiry"]?["id"] as? String)
            let tasting = try #require(stages["Tasting"]?["id"] as? String)
            let sample = try #require(stages["Sample sent"]?["id"] as? String)
            let won = try #require(stages["Won"]?["id"] as? String)

            let reordered = try await app.request(.put, "/api/v1/pipelines/\(pipeline)/stage-order", token: tenant.apiKey,
                                                  json: ["stage_ids": [sample, enquiry, tasting]])
            #expect(reordered.status == .ok, "\(reordered.body.string)")
            let order = (try reordered.json()["stages"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(order == ["Sample sent", "Enquiry", "Tasting", "Won", "Lost"])
            for ids in [[sample, enquiry], [sample, enquiry, tasting, won], [sample, enquiry, enquiry]] {
                let refused = try await app.request(.put, "/api/v1/pipelines/\(pipeline)/stage-order", token: tenant.apiKey, json: ["stage_ids": ids])
                #expect(refused.errorField == "stage_ids", "\(ids)")
            }

            // A deal in Tasting keeps that stage from being deleted, and the pipeline too.
            let deal = try await app.createID("/api/v1/deals", tenant, ["name": "Hotel chain", "stage_id": tasting])
            #expect(try await app.request(.get, "/api/v1/deals/\(deal)", token: tenant.apiKey).json()["pipeline_id"] as? String == pipeline)
            let busy = try await app.request(.delete, "/api/v1/pipelines/\(pipeline)/stages/\(tasting)", token: tenant.apiKey)
            #expect(busy.status == .conflict)
            #expect(busy.errorCode == "stage_has_deals")
            #expect((try busy.json()["error"] as? [String: Any])?["details"] as? [String: String] == ["deals": "1"])
            let wonStage = try await app.request(.delete, "/api/v1/pipelines/\(pipeline)/stages/\(won)", token: tenant.apiKey)
            #expect(wonStage.errorCode == "stage_required")
            let pipelineWithDeals = try await app.request(.delete, "/api/v1/pipelines/\(pipeline)", token: tenant.apiKey)
            #expect(pipelineWithDeals.errorCode == "pipeline_has_deals")

            #expect(try await app.request(.delete, "/api/v1/pipelines/\(pipeline)/stages/\(sample)", token: tenant.apiKey).status == .noContent)
            stages = try await stagesByName(app, tenant, pipeline: pipeline)
            #expect(stages.mapValues { $0["position"] as? Int } == ["Enquiry": 1, "Tasting": 2, "Won": 3, "Lost": 4])

            let renamed = try await app.request(.patch, "/api/v1/pipelines/\(pipeline)/stages/\(won)", token: tenant.apiKey,
                                                json: ["name": "Signed"])
            #expect(renamed.status == .ok)
            let wonOdds = try await app.request(.patch, "/api/v1/pipelines/\(pipeline)/stages/\(won)", token: tenant.apiKey,
                                                json: ["win_probability_bp": 9000])
            #expect(wonOdds.errorField == "win_probability_bp")
            let tooLikely = try await app.request(.patch, "/api/v1/pipelines/\(pipeline)/stages/\(tasting)", token: tenant.apiKey,
                                                  json: ["win_probability_bp": 10001])
            #expect(tooLikely.errorField == "win_probability_bp")
            let odds = try await app.request(.patch, "/api/v1/pipelines/\(pipeline)/stages/\(tasting)", token: tenant.apiKey,
                                             json: ["win_probability_bp": 4000])
            #expect(odds.status == .ok)
            #expect(try await app.request(.get, "/api/v1/deals/\(deal)", token: tenant.apiKey).json()["win_probability_bp"] as? Int == 4000)

            // The default pipeline cannot go; make this one the default and the old one can.
            let defaultID = try #require(try await app.request(.get, "/api/v1/pipelines", token: tenant.apiKey).items
                .first { $0["is_default"] as? Bool == true }?["id"] as? String)
            #expect(try await app.request(.delete, "/api/v1/pipelines/\(defaultID)", token: tenant.apiKey).errorCode == "pipeline_is_default")
            let undefault = try await app.request(.patch, "/api/v1/pipelines/\(defaultID)", token: tenant.apiKey, json: ["is_default": false])
            #expect(undefault.errorField == "is_default")
            let promoted = try await app.request(.patch, "/api/v1/pipelines/\(pipeline)", token: tenant.apiKey, json: ["is_default": true])
            #expect(try promoted.json()["is_default"] as? Bool == true)
            #expect(try await app.request(.delete, "/api/v1/pipelines/\(defaultID)", token: tenant.apiKey).status == .noContent)
            let pipelines = try await app.request(.get, "/api/v1/pipelines", token: tenant.apiKey).items
            #expect(pipelines.compactMap { $0["id"] as? String } == [pipeline])
            // New deals now start in the new default pipeline's first stage.
            let next = try await app.create("/api/v1/deals", tenant, ["name": "Café"])
            #expect(next["stage_name"] as? String == "Enquiry")

            let single = try await app.create("/api/v1/pipelines", tenant, ["name": "Single", "stages": [["name": "Only", "win_probability_bp": 100]]])
            let only = try #require((single["stages"] as? [[String: Any]])?.first?["id"] as? String)
            let lastOpen = try await app.request(.delete, "/api/v1/pipelines/\(single["id"] as? String ?? "")/stages/\(only)", token: tenant.apiKey)
            #expect(lastOpen.errorCode == "stage_required")
            let empty = try await app.request(.post, "/api/v1/pipelines", token: tenant.apiKey, json: ["name": "Empty", "stages": []])
            #expect(empty.errorField == "stages")
            let misspelt = try await app.request(.post, "/api/v1/pipelines", token: tenant.apiKey,
                                                 json: ["name": "Typo", "stages": [["name": "A", "win_probablity_bp": 10]]])
            #expect(misspelt.errorCode == "unknown_field")
            #expect(misspelt.errorField == "stages.0.win_probablity_bp")
        }
    }

    @Test("the forecast weights amounts by stage probability, by month in the workspace's zone and by owner, rounding once per line")
    func forecast() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant(zone: "Asia/Shanghai")
            let me = try await app.userID(tenant)
            let rep = try await app.makeMember(of: tenant)
            let stages = try await stagesByName(app, tenant)
            func stage(_ name: String) throws -> String { try #require(stages[name]?["id"] as? String) }
            func deal(_ body: [String: Any], moveTo: String? = nil, reason: String? = nil) async throws -> String {
                let id = try await app.createID("/api/v1/deals", tenant, body)
                if let moveTo {
                    var move: [String: Any] = ["stage_id": try stage(moveTo)]
                    if let reason { move["reason"] = reason }
                    #expect(try await app.request(.post, "/api/v1/deals/\(id)/move", token: tenant.apiKey, json: move).status == .ok)
                }
                return id
            }
            // January: 100000 at 25 %, 1 at 50 % (mine), 333 at 50 % (the rep's).
            _ = try await deal(["name": "A", "amount_minor": 100_000, "currency": "CNY", "expected_close_date": "2026-01-15"], moveTo: "Needs analysis")
            _ = try await deal(["name": "C", "amount_minor": 1, "currency": "CNY", "expected_close_date": "2026-01-31"], moveTo: "Proposal")
            _ = try await deal(["name": "B", "amount_minor": 333, "currency": "CNY", "expected_close_date": "2026-01-01", "owner_id": rep.id],
                               moveTo: "Proposal")
            // February, in dollars, at 10 %.
            _ = try await deal(["name": "D", "amount_minor": 5000, "currency": "USD", "expected_close_date": "2026-02-10"])
            // Won at 01:30 on 1 March in Shanghai, which is still February in UTC: it counts in March, at 100 %.
            let won = try await deal(["name": "G", "amount_minor": 7000, "currency": "CNY", "expected_close_date": "2026-01-20"], moveTo: "Won")
            try await app.services.database.withTenant(tenant.id) { transaction in
                try await transaction.query("UPDATE deals SET closed_at = '2026-02-28T17:30:00Z' WHERE id = \(UUID(uuidString: won)!)")
            }
            // Left out: lost, outside the range, no amount, no expected close date.
            _ = try await deal(["name": "E", "amount_minor": 9999, "currency": "CNY", "expected_close_date": "2026-01-10"], moveTo: "Lost",
                               reason: "No budget")
            _ = try await deal(["name": "F", "amount_minor": 9999, "currency": "CNY", "expected_close_date": "2026-07-01"])
            _ = try await deal(["name": "H", "expected_close_date": "2026-01-10"])
            _ = try await deal(["name": "I", "amount_minor": 9999, "currency": "CNY"])

            let response = try await app.request(.get, "/api/v1/deals/forecast?from=2026-01&to=2026-06", token: tenant.apiKey)
            #expect(response.status == .ok, "\(response.body.string)")
            let forecast = try response.json()
            #expect(forecast["time_zone"] as? String == "Asia/Shanghai")
            func lines(_ key: String) -> [String] {
                (forecast[key] as? [[String: Any]] ?? []).map { line in
                    let owner = (line["owner_id"] as? String).map { $0 == me ? "me" : $0 == rep.id ? "rep" : "?" }
                    return [line["month"] as? String, owner, line["currency"] as? String, "\(line["deal_count"] ?? "")",
                            "\(line["amount_minor"] ?? "")", "\(line["weighted_minor"] ?? "")"].compactMap { $0 }.joined(separator: " ")
                }
            }
            // 100000 × 2500 + 1 × 5000 = 250005000 → 25000.5 → 25001 (halves up); 333 × 5000 → 166.5 → 167.
            #expect(Set(lines("by_month_and_owner")) == ["2026-01 me CNY 2 100001 25001", "2026-01 rep CNY 1 333 167",
                                                         "2026-02 me USD 1 5000 500", "2026-03 me CNY 1 7000 7000"])
            #expect(lines("by_month") == ["2026-01 CNY 3 100334 25167", "2026-02 USD 1 5000 500", "2026-03 CNY 1 7000 7000"])
            #expect(Set(lines("by_owner")) == ["me CNY 3 107001 32001", "me USD 1 5000 500", "rep CNY 1 333 167"])
            #expect(lines("totals") == ["CNY 4 107334 32167", "USD 1 5000 500"])

            let mine = try await app.request(.get, "/api/v1/deals/forecast?from=2026-01&to=2026-01&owner_id=\(rep.id)", token: tenant.apiKey).json()
            #expect((mine["totals"] as? [[String: Any]])?.first?["weighted_minor"] as? Int == 167)
            for query in ["from=2026-01", "from=2026-13&to=2026-14", "from=2026-06&to=2026-01", "from=2026-01&to=2029-01", "from=26-01&to=26-02"] {
                let refused = try await app.request(.get, "/api/v1/deals/forecast?\(query)", token: tenant.apiKey)
                #expect(refused.status == .badRequest, "\(query)")
                #expect(refused.errorCode == "invalid_filter", "\(query)")
            }
        }
    }
}
