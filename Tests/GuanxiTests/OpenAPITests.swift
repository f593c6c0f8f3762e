import Billing
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("The OpenAPI document describes exactly the tenant routes")
struct OpenAPITests {
    /// The operator API and the health checks are not the tenant API, so the document leaves them out.
    static func isTenantFacing(_ path: String) -> Bool {
        !(path.hasPrefix("/ops/") || path == "/healthz" || path == "/readyz")
    }

    /// A path with every capture written `{name}`, however the router prints it.
    static func normalised(_ path: String) -> String {
        "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// The document as the server serves it.
    static func document(_ app: TestApp) async throws -> [String: Any] {
        let response = try await app.request(.get, "/api/openapi.json")
        #expect(response.status == .ok)
        return try response.json()
    }

    /// Every operation of the document: `METHOD /path` and the operation object.
    static func operations(_ document: [String: Any]) throws -> [(route: String, operation: [String: Any])] {
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return paths.flatMap { path, item in
            item.compactMap { method, operation in
                guard methods.contains(method), let operation = operation as? [String: Any] else { return nil }
                return ("\(method.uppercased()) \(path)", operation)
            }
        }
    }

    @Test("served at /api/openapi.json without a credential, as OpenAPI 3.1.0 JSON that caches")
    func served() async throws {
        try await TestApp.run { app in
            let response = try await app.request(.get, "/api/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.cacheControl]?.hasPrefix("public") == true)
            let document = try response.json()
            #expect(document["openapi"] as? String == "3.1.0")
            #expect((document["info"] as? [String: Any])?["title"] as? String == "Guanxi tenant API")
            let again = try await app.request(.get, "/api/openapi.json")
            #expect(again.body == response.body)
        }
    }

    @Test("every tenant route is documented with its method, and every documented operation is a route")
    func matchesRouter() async throws {
        try await TestApp.run { app in
            let router = buildRouter(services: app.services, configuration: GatewayConfiguration(certificatePath: "", privateKeyPath: ""))
            let routed = Set(router.routes.map { "\($0.method.rawValue) \(Self.normalised($0.path.description))" }
                .filter { Self.isTenantFacing(String($0.split(separator: " ")[1])) })
            let documented = Set(try Self.operations(try await Self.document(app)).map(\.route))
            #expect(routed.count > 30)
            #expect(routed.subtracting(documented).isEmpty, "routes the document lacks: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented operations no route serves: \(documented.subtracting(routed).sorted())")
            #expect(documented.allSatisfy { Self.isTenantFacing(String($0.split(separator: " ")[1])) })
        }
    }

    @Test("every $ref resolves, operation ids are unique, path parameters match the path")
    func wellFormed() async throws {
        try await TestApp.run { app in
            let document = try await Self.document(app)
            var references: [String] = []
            Self.collectReferences(in: document, into: &references)
            #expect(!references.isEmpty)
            for reference in Set(references) {
                #expect(Self.resolve(reference, in: document) != nil, "\(reference) does not resolve")
            }

            let operations = try Self.operations(document)
            let ids = operations.compactMap { $0.operation["operationId"] as? String }
            #expect(ids.count == operations.count, "an operation has no operationId")
            #expect(Set(ids).count == ids.count, "repeated operationIds: \(Dictionary(grouping: ids) { $0 }.filter { $1.count > 1 }.keys.sorted())")

            for (route, operation) in operations {
                let path = String(route.split(separator: " ")[1])
                let templated = Set(path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
                let parameters = (operation["parameters"] as? [[String: Any]] ?? []).compactMap { parameter in
                    (parameter["$ref"] as? String).flatMap { Self.resolve($0, in: document) as? [String: Any] } ?? parameter
                }
                let declared = Set(parameters.filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String })
                #expect(declared == templated, "\(route) declares path parameters \(declared.sorted())")
                #expect(operation["summary"] is String, "\(route) has no summary")
                #expect((operation["tags"] as? [String])?.count == 1, "\(route) has no tag")
                let responses = try #require(operation["responses"] as? [String: Any], "\(route)")
                #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(route) has no success response")
                if let body = ((operation["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any] {
                    let schema = try #require(body["schema"] as? [String: Any])
                    #expect(schema["additionalProperties"] as? Bool == false, "\(route) accepts unknown fields")
                    #expect(responses["422"] != nil && responses["400"] != nil && responses["413"] != nil, "\(route) misses body errors")
                }
            }
        }
    }

    @Test("every error code the document names is listed in the docs")
    func errorCodesDocumented() async throws {
        try await TestApp.run { app in
            let document = try await Self.document(app)
            let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Docs")
            let text = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }
                .map { try String(contentsOf: docs.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
            var codes: Set<String> = []
            for (_, operation) in try Self.operations(document) {
                for (status, answer) in operation["responses"] as? [String: [String: Any]] ?? [:] where !status.hasPrefix("2") {
                    let response = (answer["$ref"] as? String).flatMap { Self.resolve($0, in: document) as? [String: Any] } ?? answer
                    let content = response["content"] as? [String: Any]
                    guard let json = content?["application/json"] as? [String: Any] else {
                        // A page for people only, such as the lead form's 404: its codes are in its description.
                        #expect(content?["text/html"] != nil, "\(status) is neither JSON nor a page")
                        continue
                    }
                    let schema = json["schema"] as? [String: Any]
                    let narrowed = (schema?["allOf"] as? [[String: Any]])?.last
                    let code = ((narrowed?["properties"] as? [String: Any])?["error"] as? [String: Any])?["properties"] as? [String: Any]
                    let values = try #require((code?["code"] as? [String: Any])?["enum"] as? [String], "\(status) lists no codes")
                    codes.formUnion(values)
                }
            }
            #expect(codes.count > 30)
            for code in codes.sorted() {
                #expect(text.contains("`\(code)`"), "\(code) is in no file of Docs/")
            }
        }
    }

    @Test("real answers, successes and errors, have the shapes the document gives them")
    func answersMatchSchemas() async throws {
        try await TestApp.run { app in
            let document = try await Self.document(app)
            let tenant = try await app.makeTenant(name: "莲花茶馆")
            let key = tenant.apiKey
            /// Calls the server and checks the answer against the document's schema for its path and status.
            /// A `form` is sent as a browser's form post, without a credential; an `upload` is sent as it is, with its
            /// content type. `token` is another API key than the workspace owner's.
            func check(_ method: HTTPRequest.Method, _ path: String, _ template: String, json: [String: Any]? = nil, form: String? = nil,
                       upload: (contentType: String, body: String)? = nil, headers: HTTPFields = [:], token: String? = nil,
                       authenticated: Bool = true) async throws -> [String: Any] {
                let response = if let form {
                    try await app.postForm(path, form)
                } else if let upload {
                    try await app.client.execute(uri: path, method: method, headers: [.authorization: "Bearer \(token ?? key)",
                                                                                      .contentType: upload.contentType],
                                                 body: ByteBuffer(string: upload.body))
                } else {
                    try await app.request(method, path, token: authenticated ? token ?? key : nil, json: json, headers: headers)
                }
                let operation = try #require(((document["paths"] as? [String: Any])?[template] as? [String: Any])?[method.rawValue.lowercased()]
                    as? [String: Any], "\(method) \(template) is not documented")
                let answer = try #require((operation["responses"] as? [String: Any])?[String(response.status.code)] as? [String: Any],
                                          "\(method) \(path) answered \(response.status.code), which the document does not list: \(response.body.string)")
                let documented = (answer["$ref"] as? String).flatMap { Self.resolve($0, in: document) as? [String: Any] } ?? answer
                let content = documented["content"] as? [String: Any] ?? [:]
                guard response.body.readableBytes > 0 else {
                    #expect(content.isEmpty, "\(method) \(path) answered no body where the document describes one")
                    return [:]
                }
                let mediaType = response.headers[.contentType].map { String($0.prefix { $0 != ";" }) } ?? "no Content-Type"
                guard let described = content[mediaType] as? [String: Any] else {
                    Issue.record("\(method) \(path) answered \(mediaType), which the document does not describe")
                    return [:]
                }
                guard mediaType == "application/json", let schema = described["schema"] else { return [:] }  // a page for people
                let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: .fragmentsAllowed)
                for problem in Self.problems(body, schema, in: document, at: "\(method) \(path) \(response.status.code)") {
                    Issue.record(Comment(rawValue: problem))
                }
                return body as? [String: Any] ?? [:]
            }

            _ = try await check(.get, "/api/v1/me", "/api/v1/me")
            _ = try await check(.get, "/api/v1/subscription", "/api/v1/subscription")
            _ = try await check(.get, "/api/v1/limits", "/api/v1/limits")
            let account = try await check(.post, "/api/v1/accounts", "/api/v1/accounts", json: ["name": "上海明远贸易", "website": "mingyuan.example.cn"])
            let accountID = try #require(account["id"] as? String)
            let contact = try await check(.post, "/api/v1/contacts", "/api/v1/contacts", json: ["name": "张伟明", "account_id": accountID])
            let contactID = try #require(contact["id"] as? String)
            _ = try await check(.patch, "/api/v1/contacts/\(contactID)", "/api/v1/contacts/{id}", json: ["title": "采购经理"])
            _ = try await check(.get, "/api/v1/contacts?limit=1", "/api/v1/contacts")
            _ = try await check(.get, "/api/v1/accounts/\(accountID)", "/api/v1/accounts/{id}")
            _ = try await check(.get, "/api/v1/contacts/\(UUID())", "/api/v1/contacts/{id}")
            _ = try await check(.post, "/api/v1/contacts", "/api/v1/contacts", json: ["name": "王", "nickname": "小王"])
            _ = try await check(.get, "/api/v1/contacts?account_id=nope", "/api/v1/contacts")
            _ = try await check(.get, "/api/v1/contacts?q=伟明", "/api/v1/contacts")
            _ = try await check(.get, "/api/v1/accounts?q=明", "/api/v1/accounts")
            _ = try await check(.get, "/api/v1/contacts", "/api/v1/contacts", authenticated: false)
            let team = try await check(.post, "/api/v1/teams", "/api/v1/teams", json: ["name": "华东销售"])
            let member = try await check(.post, "/api/v1/members", "/api/v1/members",
                                         json: ["email": "li.na@example.cn", "password": "long enough password", "role": "sales_rep",
                                                "team_id": try #require(team["id"] as? String)])
            _ = try await check(.get, "/api/v1/members", "/api/v1/members")
            let memberID = try #require(member["user_id"] as? String)
            let memberKey = try #require(try await check(.post, "/api/v1/api-keys", "/api/v1/api-keys",
                                                         json: ["name": "import script", "user_id": memberID])["api_key"] as? String)
            _ = try await check(.get, "/api/v1/api-keys", "/api/v1/api-keys")
            _ = try await check(.get, "/api/v1/webhook-event-types", "/api/v1/webhook-event-types")
            let webhook = try await check(.post, "/api/v1/webhooks", "/api/v1/webhooks",
                                          json: ["url": "http://127.0.0.1:9/hooks", "event_types": ["contact.*"]])
            let webhookID = try #require(webhook["id"] as? String)
            _ = try await check(.get, "/api/v1/webhooks/\(webhookID)/deliveries", "/api/v1/webhooks/{id}/deliveries")
            _ = try await check(.post, "/api/v1/webhooks/\(webhookID)/rotate-secret", "/api/v1/webhooks/{id}/rotate-secret")
            _ = try await check(.get, "/api/v1/audit?entity_type=contacts", "/api/v1/audit")
            let host: HTTPFields = [.init("Host")!: "\(tenant.slug).localhost"]
            _ = try await check(.post, "/auth/login", "/auth/login", json: ["email": tenant.adminEmail, "password": tenant.adminPassword],
                                headers: host, authenticated: false)
            _ = try await check(.post, "/auth/login", "/auth/login", json: ["email": tenant.adminEmail, "password": "not the password"],
                                headers: host, authenticated: false)

            // Sales: a lead and its conversion, pipelines, a deal's moves and the forecast, activities, timelines.
            let lead = try await check(.post, "/api/v1/leads", "/api/v1/leads",
                                       json: ["name": "陈静", "company": "杭州云栖科技", "email": "Chen.Jing@example.cn", "source": "referral",
                                              "status": "qualified"])
            let leadID = try #require(lead["id"] as? String)
            _ = try await check(.get, "/api/v1/leads?status=qualified&q=云栖", "/api/v1/leads")
            _ = try await check(.get, "/api/v1/leads?status=won", "/api/v1/leads")
            _ = try await check(.post, "/api/v1/leads/\(leadID)/convert", "/api/v1/leads/{id}/convert",
                                json: ["deal": ["amount_minor": 1_250_000, "currency": "cny", "expected_close_date": "2026-03-31"]])
            _ = try await check(.patch, "/api/v1/leads/\(leadID)", "/api/v1/leads/{id}", json: ["status": "new"])
            let pipelines = try await check(.get, "/api/v1/pipelines", "/api/v1/pipelines")
            let stages = try #require((pipelines["data"] as? [[String: Any]])?.first?["stages"] as? [[String: Any]])
            let lostStageID = try #require(stages.first { $0["kind"] as? String == "lost" }?["id"] as? String)
            let deal = try await check(.post, "/api/v1/deals", "/api/v1/deals",
                                       json: ["name": "明远年度采购", "amount_minor": 860_000, "currency": "CNY", "account_id": accountID,
                                              "contact_ids": [contactID], "expected_close_date": "2026-06-30"])
            let dealID = try #require(deal["id"] as? String)
            _ = try await check(.post, "/api/v1/deals/\(dealID)/move", "/api/v1/deals/{id}/move", json: ["stage_id": lostStageID])
            _ = try await check(.post, "/api/v1/deals/\(dealID)/move", "/api/v1/deals/{id}/move", json: ["stage_id": lostStageID, "reason": "预算取消"])
            _ = try await check(.get, "/api/v1/deals/\(dealID)/history", "/api/v1/deals/{id}/history")
            _ = try await check(.get, "/api/v1/deals/forecast?from=2026-01&to=2026-12", "/api/v1/deals/forecast")
            _ = try await check(.get, "/api/v1/deals/forecast?from=2026-07&to=2026-01", "/api/v1/deals/forecast")
            let task = try await check(.post, "/api/v1/activities", "/api/v1/activities",
                                       json: ["kind": "task", "title": "回访张伟明", "due_date": "2026-12-01", "contact_id": contactID])
            _ = try await check(.get, "/api/v1/tasks/mine?due=upcoming", "/api/v1/tasks/mine")
            _ = try await check(.patch, "/api/v1/activities/\(try #require(task["id"] as? String))", "/api/v1/activities/{id}", json: ["done": true])
            _ = try await check(.post, "/api/v1/activities", "/api/v1/activities", json: ["kind": "call", "title": "电话沟通报价"])

            // Service: a case through its response, a refused rating and a refused move, its history; the settings.
            let serviceCase = try await check(.post, "/api/v1/cases", "/api/v1/cases",
                                              json: ["subject": "打印机无法连接", "channel": "phone", "priority": "high", "contact_id": contactID])
            let caseID = try #require(serviceCase["id"] as? String)
            _ = try await check(.post, "/api/v1/cases/\(caseID)/responses", "/api/v1/cases/{id}/responses", json: ["note": "已远程重启路由器"])
            _ = try await check(.post, "/api/v1/cases/\(caseID)/satisfaction", "/api/v1/cases/{id}/satisfaction", json: ["rating": 5])
            _ = try await check(.patch, "/api/v1/cases/\(caseID)", "/api/v1/cases/{id}", json: ["status": "new"])
            _ = try await check(.get, "/api/v1/cases?status=new,open&assignee=none&open=true", "/api/v1/cases")
            _ = try await check(.get, "/api/v1/cases/\(caseID)/history", "/api/v1/cases/{id}/history")
            _ = try await check(.get, "/api/v1/service/sla", "/api/v1/service/sla")
            _ = try await check(.patch, "/api/v1/service/business-hours", "/api/v1/service/business-hours",
                                json: ["holidays": [["date": "2026-10-01", "name": "国庆节"]]])

            // Everything above, newest first, one page at a time.
            let timeline = try await check(.get, "/api/v1/accounts/\(accountID)/timeline?limit=4", "/api/v1/accounts/{id}/timeline")
            let cursor = try #require(timeline["next_cursor"] as? String)
            _ = try await check(.get, "/api/v1/accounts/\(accountID)/timeline?cursor=\(cursor)", "/api/v1/accounts/{id}/timeline")
            _ = try await check(.get, "/api/v1/contacts/\(contactID)/timeline", "/api/v1/contacts/{id}/timeline")

            // The public lead form: its page, a token, a submission by JSON and by a browser, refusals.
            _ = try await check(.get, "/forms/\(tenant.slug)", "/forms/{slug}", authenticated: false)
            _ = try await check(.get, "/forms/\(tenant.slug)/token", "/forms/{slug}/token", authenticated: false)
            let formToken = try await app.services.leadForm.token(for: tenant.id, issuedAt: Date().addingTimeInterval(-10))
            _ = try await check(.post, "/forms/\(tenant.slug)/leads", "/forms/{slug}/leads",
                                json: ["name": "赵敏", "phone": "+86 139 0000 0000", "form_token": formToken], authenticated: false)
            _ = try await check(.post, "/forms/\(tenant.slug)/leads", "/forms/{slug}/leads",
                                form: "name=Ada&email=ada%40example.com&website=&form_token=\(formToken)")
            _ = try await check(.post, "/forms/\(tenant.slug)/leads", "/forms/{slug}/leads",
                                json: ["name": "Bot", "email": "bot@example.com", "website": "x", "form_token": formToken], authenticated: false)
            _ = try await check(.post, "/forms/\(tenant.slug)/leads", "/forms/{slug}/leads", form: "name=%zz&form_token=\(formToken)")
            _ = try await check(.get, "/forms/no-such-workspace", "/forms/{slug}", authenticated: false)

            // Custom fields: definitions, values on records, `cf.` filters, refusals.
            let tier = try await check(.post, "/api/v1/custom-fields", "/api/v1/custom-fields", json: [
                "object": "account", "key": "customer_tier", "label": "Customer tier", "label_zh": "客户等级", "type": "single_choice",
                "options": [["value": "gold", "label": "Gold", "label_zh": "金牌"], ["value": "silver", "label": "Silver"]],
            ])
            _ = try await check(.post, "/api/v1/custom-fields", "/api/v1/custom-fields", json: [
                "object": "deal", "key": "budget", "label": "Budget", "type": "money", "rules": ["currency": "CNY", "min": 0],
            ])
            _ = try await check(.post, "/api/v1/custom-fields", "/api/v1/custom-fields",
                                json: ["object": "account", "key": "customer_tier", "label": "Tier", "type": "text"])
            _ = try await check(.patch, "/api/v1/custom-fields/\(try #require(tier["id"] as? String))", "/api/v1/custom-fields/{id}",
                                json: ["label_zh": "客户级别", "type": "text"])
            _ = try await check(.get, "/api/v1/custom-fields?object=account", "/api/v1/custom-fields")
            _ = try await check(.patch, "/api/v1/accounts/\(accountID)", "/api/v1/accounts/{id}", json: ["custom_fields": ["customer_tier": "gold"]])
            _ = try await check(.get, "/api/v1/accounts?cf.customer_tier=gold", "/api/v1/accounts")
            _ = try await check(.get, "/api/v1/accounts?cf.customer_tier.gte=gold", "/api/v1/accounts")
            _ = try await check(.patch, "/api/v1/deals/\(dealID)", "/api/v1/deals/{id}",
                                json: ["custom_fields": ["budget": ["amount_minor": 500_000, "currency": "cny"]]])
            _ = try await check(.get, "/api/v1/deals?cf.budget.gte=100000&cf.budget.currency=CNY", "/api/v1/deals")
            _ = try await check(.post, "/api/v1/deals", "/api/v1/deals",
                                json: ["name": "美元订单", "custom_fields": ["budget": ["amount_minor": 100, "currency": "USD"]]])

            // Marketing: a campaign, its members by id and by segment, touches, a sourced deal, the report.
            let campaign = try await check(.post, "/api/v1/campaigns", "/api/v1/campaigns",
                                           json: ["name": "广交会邀请", "channel": "event", "currency": "cny", "budget_minor": 5_000_000])
            let campaignID = try #require(campaign["id"] as? String)
            let added = try await check(.post, "/api/v1/campaigns/\(campaignID)/members", "/api/v1/campaigns/{id}/members",
                                        json: ["contact_ids": [contactID], "lead_ids": [leadID]])
            let campaignMemberID = try #require((added["added"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await check(.post, "/api/v1/campaigns/\(campaignID)/members/segment?account_id=\(accountID)",
                                "/api/v1/campaigns/{id}/members/segment")
            let campaignMember = "/api/v1/campaigns/{id}/members/{member_id}"
            _ = try await check(.post, "/api/v1/campaigns/\(campaignID)/members/\(campaignMemberID)/touches", campaignMember + "/touches",
                                json: ["status": "sent"])
            _ = try await check(.patch, "/api/v1/campaigns/\(campaignID)", "/api/v1/campaigns/{id}", json: ["status": "active"])
            _ = try await check(.post, "/api/v1/campaigns/\(campaignID)/touches", "/api/v1/campaigns/{id}/touches",
                                json: ["status": "sent", "from_status": "targeted", "note": "邀请函已寄出"])
            _ = try await check(.post, "/api/v1/campaigns/\(campaignID)/members/\(campaignMemberID)/touches", campaignMember + "/touches",
                                json: ["status": "responded", "note": "16日到展位"])
            _ = try await check(.post, "/api/v1/campaigns/\(campaignID)/members/\(campaignMemberID)/touches", campaignMember + "/touches",
                                json: ["status": "sent"])
            _ = try await check(.get, "/api/v1/campaigns/\(campaignID)/members?status=responded", "/api/v1/campaigns/{id}/members")
            _ = try await check(.get, "/api/v1/campaigns/\(campaignID)/members/\(campaignMemberID)/touches", campaignMember + "/touches")
            _ = try await check(.post, "/api/v1/deals", "/api/v1/deals",
                                json: ["name": "秋茶订单", "amount_minor": 1_250_000, "currency": "CNY", "campaign_id": campaignID])
            _ = try await check(.patch, "/api/v1/campaigns/\(campaignID)", "/api/v1/campaigns/{id}",
                                json: ["status": "completed", "actual_cost_minor": 4_200_000])
            _ = try await check(.get, "/api/v1/campaigns/\(campaignID)/report", "/api/v1/campaigns/{id}/report")
            _ = try await check(.get, "/api/v1/campaigns?q=广交会", "/api/v1/campaigns")
            _ = try await check(.get, "/api/v1/contacts/\(contactID)/timeline", "/api/v1/contacts/{id}/timeline")

            // Record access: a share, changed, read, used and taken away; a reassignment; search sees what the member sees.
            let shares = "/api/v1/contacts/{id}/shares"
            _ = try await check(.post, "/api/v1/contacts/\(contactID)/shares", shares, json: ["user_id": memberID, "access": "read"])
            _ = try await check(.patch, "/api/v1/contacts/\(contactID)", "/api/v1/contacts/{id}", json: ["title": "经理"], token: memberKey)
            _ = try await check(.post, "/api/v1/contacts/\(contactID)/shares", shares, json: ["user_id": memberID, "access": "edit"])
            _ = try await check(.get, "/api/v1/contacts/\(contactID)/shares", shares)
            _ = try await check(.delete, "/api/v1/contacts/\(contactID)/shares/\(memberID)", shares + "/{user_id}")
            _ = try await check(.delete, "/api/v1/contacts/\(contactID)/shares/\(memberID)", shares + "/{user_id}")
            let ownerID = try #require(try await check(.get, "/api/v1/me", "/api/v1/me")["user_id"] as? String)
            _ = try await check(.post, "/api/v1/members/\(memberID)/reassign", "/api/v1/members/{id}/reassign", json: ["to_user_id": ownerID])
            _ = try await check(.get, "/api/v1/search?q=张伟&types=contact,account", "/api/v1/search")
            _ = try await check(.get, "/api/v1/search?q=张", "/api/v1/search")

            // Import and export: a CSV upload with a row error, its errors, a new mapping, the commit; a form upload; the files.
            let upload = try await check(.post, "/api/v1/imports?object=contacts&file_name=customers.csv", "/api/v1/imports",
                                         upload: ("text/csv", "姓名,手机,公司\r\n李雷,+86 138-0013-8001,上海明远贸易\r\n韩梅梅,not a phone,\r\n"))
            let importID = try #require(upload["id"] as? String)
            _ = try await check(.get, "/api/v1/imports/\(importID)/errors", "/api/v1/imports/{id}/errors")
            _ = try await check(.post, "/api/v1/imports/\(importID)/commit", "/api/v1/imports/{id}/commit")
            _ = try await check(.patch, "/api/v1/imports/\(importID)", "/api/v1/imports/{id}", json: ["mapping": ["name", NSNull(), "account_name"]])
            _ = try await check(.post, "/api/v1/imports/\(importID)/commit", "/api/v1/imports/{id}/commit")
            _ = try await check(.get, "/api/v1/imports/\(importID)", "/api/v1/imports/{id}")
            let boundary = "guanxi-openapi-boundary"
            _ = try await check(.post, "/api/v1/imports", "/api/v1/imports", upload: (
                "multipart/form-data; boundary=\(boundary)",
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"object\"\r\n\r\naccounts\r\n"
                    + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"accounts.csv\"\r\n\r\n"
                    + "名称,行业\r\n远方科技,软件\r\n--\(boundary)--\r\n"))
            _ = try await check(.post, "/api/v1/imports?object=leads_and_more", "/api/v1/imports", upload: ("text/csv", "name\r\nx\r\n"))
            _ = try await check(.get, "/api/v1/contacts/export.csv?account_id=\(accountID)", "/api/v1/contacts/export.csv")
            _ = try await check(.get, "/api/v1/accounts/export.csv?encoding=latin-1", "/api/v1/accounts/export.csv")
            _ = try await check(.post, "/api/v1/imports?object=leads", "/api/v1/imports",
                                upload: ("text/csv", "姓名,公司,来源\r\n周杰,深圳华强电子,trade_show\r\n"))
            _ = try await check(.get, "/api/v1/leads/export.csv?status=new", "/api/v1/leads/export.csv")
            _ = try await check(.get, "/api/v1/deals/export.csv?cf.budget.gte=100000&encoding=gb18030", "/api/v1/deals/export.csv")
            _ = try await check(.get, "/api/v1/cases/export.csv?status=pending", "/api/v1/cases/export.csv")
            _ = try await check(.get, "/api/v1/activities/export.csv?kind=task", "/api/v1/activities/export.csv")

            // Invoices: a billed workspace's January 2035 (a year no other suite bills), as JSON and as its page.
            let billed = try await app.billedTenant(name: "莲花茶馆")
            try await app.writeHistory(billed.id, start: BillingHistory.date("2035-01-01T00:00:00Z"), plan: BillingHistory.starter, seats: 3)
            try await app.services.billingRun.run(period: BillingMonth("2035-01")!, issue: true, now: BillingHistory.date("2035-02-01T00:00:00Z"),
                                                  tenants: [billed.id])
            let invoices = try await check(.get, "/api/v1/invoices", "/api/v1/invoices", token: billed.apiKey)
            let invoiceID = try #require((invoices["data"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await check(.get, "/api/v1/invoices/\(invoiceID)", "/api/v1/invoices/{id}", token: billed.apiKey)
            _ = try await check(.get, "/api/v1/invoices/\(invoiceID)/html", "/api/v1/invoices/{id}/html", token: billed.apiKey)
            _ = try await check(.get, "/api/v1/invoices/\(invoiceID)", "/api/v1/invoices/{id}")

            _ = try await check(.delete, "/api/v1/contacts/\(contactID)", "/api/v1/contacts/{id}")
        }
    }

    /// Where `value` breaks `schema`: the subset of JSON Schema the document uses (`$ref`, `allOf`,
    /// `anyOf`, `type`, `enum`, `properties`, `required`, `items`, `additionalProperties`).
    static func problems(_ value: Any, _ schema: Any, in document: [String: Any], at place: String) -> [String] {
        guard var schema = schema as? [String: Any] else { return ["\(place): the schema is not an object"] }
        if let reference = schema["$ref"] as? String {
            guard let target = resolve(reference, in: document) as? [String: Any] else { return ["\(place): \(reference) does not resolve"] }
            schema = target.merging(schema.filter { $0.key != "$ref" }) { $1 }
        }
        var found: [String] = []
        for part in schema["allOf"] as? [Any] ?? [] { found += problems(value, part, in: document, at: place) }
        if let choices = schema["anyOf"] as? [Any], !choices.contains(where: { problems(value, $0, in: document, at: place).isEmpty }) {
            found.append("\(place): \(value) matches none of anyOf")
        }
        let type: String = switch value {
        case is NSNull: "null"
        case let number as NSNumber:  // JSONSerialization's NSNumber tells its kind by its Objective-C type code
            switch String(cString: number.objCType) {
            case "c": "boolean"
            case "d", "f": "number"
            default: "integer"
            }
        case is String: "string"
        case is [Any]: "array"
        default: "object"
        }
        if let allowed = schema["type"].map({ $0 as? [String] ?? [$0 as? String ?? ""] }), !allowed.contains(type),
           !(type == "integer" && allowed.contains("number")) {
            found.append("\(place): a \(type) where the document says \(allowed)")
        }
        if let values = schema["enum"] as? [Any], !values.contains(where: { "\($0)" == "\(value)" }) {
            found.append("\(place): \(value) is not one of \(values)")
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                found.append("\(place): \(name) is missing")
            }
            if schema["additionalProperties"] as? Bool == false || schema["required"] != nil {
                for name in object.keys where properties[name] == nil { found.append("\(place): \(name) is not documented") }
            }
            for (name, property) in properties {
                if let field = object[name] { found += problems(field, property, in: document, at: "\(place).\(name)") }
            }
            if let other = schema["additionalProperties"] as? [String: Any] {
                for (name, field) in object where properties[name] == nil {
                    found += problems(field, other, in: document, at: "\(place).\(name)")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] {
            for (index, item) in array.enumerated() { found += problems(item, items, in: document, at: "\(place)[\(index)]") }
        }
        return found
    }

    /// The OpenAPI validator of PyPI's `openapi-spec-validator`, where this machine has it.
    static let validatorInstalled: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import openapi_spec_validator"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    @Test("openapi-spec-validator accepts the document", .enabled(if: OpenAPITests.validatorInstalled))
    func validates() async throws {
        try await TestApp.run { app in
            let response = try await app.request(.get, "/api/openapi.json")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("guanxi-openapi-\(UUID().uuidString).json")
            try Data(response.body.readableBytesView).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let validator = Process()
            validator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            validator.arguments = ["python3", "-m", "openapi_spec_validator", "--schema", "3.1", file.path]
            let output = Pipe()
            validator.standardOutput = output
            validator.standardError = output
            try validator.run()
            let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            validator.waitUntilExit()
            #expect(validator.terminationStatus == 0, "\(report)")
        }
    }

    static func collectReferences(in value: Any, into references: inout [String]) {
        if let object = value as? [String: Any] {
            if let reference = object["$ref"] as? String { references.append(reference) }
            for child in object.values { collectReferences(in: child, into: &references) }
        } else if let array = value as? [Any] {
            for child in array { collectReferences(in: child, into: &references) }
        }
    }

    /// The value a local JSON pointer (`#/components/schemas/Contact`) names, if any.
    static func resolve(_ reference: String, in document: [String: Any]) -> Any? {
        guard reference.hasPrefix("#/") else { return nil }
        var value: Any? = document
        for token in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            value = (value as? [String: Any])?[key]
        }
        return value
    }
}
