import Database
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Tenancy
import Testing

/// Custom fields: definitions (CRUD, roles, the plan's limit, changes while records hold values) and
/// values on every kind of record (validation by type, required fields, PATCH merging, filters),
/// each workspace with only its own.
@Suite("Custom fields")
struct CustomFieldsTests {
    // MARK: Definitions

    @Test("definitions: created with defaults, listed by object and position, changed, deleted; only owners and admins change them")
    func definitionLifecycle() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let tier = try await app.define(tenant, "contact", "customer_tier", "single_choice", [
                "label": "Customer tier", "label_zh": "客户等级",
                "options": [["value": "gold", "label": "Gold", "label_zh": "金牌"], ["value": "silver", "label": "Silver"]],
            ])
            #expect(tier["object"] as? String == "contact")
            #expect(tier["key"] as? String == "customer_tier")
            #expect(tier["label_zh"] as? String == "客户等级")
            #expect(tier["required"] as? Bool == false)
            #expect(tier["position"] as? Int == 0)
            #expect((tier["rules"] as? [String: Any])?.isEmpty == true)
            let options = try #require(tier["options"] as? [[String: Any]])
            #expect(options.map { $0["value"] as? String } == ["gold", "silver"])
            #expect(options[1]["label_zh"] is NSNull)
            let note = try await app.define(tenant, "contact", "note", "text")
            #expect(note["position"] as? Int == 1)
            #expect(note["label_zh"] is NSNull)
            #expect((note["rules"] as? [String: Any])?["max_length"] as? Int == 1000)
            #expect((note["options"] as? [Any])?.isEmpty == true)
            let first = try await app.define(tenant, "contact", "first", "boolean", ["position": 0])
            let budget = try await app.define(tenant, "deal", "budget", "money", ["rules": ["currency": "cny", "min": 0]])
            #expect((budget["rules"] as? NSDictionary) == ["currency": "CNY", "min": 0, "max": NSNull()])
            // The same key on another object is another field.
            _ = try await app.define(tenant, "account", "note", "text")

            func keys(_ query: String) async throws -> [String] {
                let response = try await app.request(.get, "/api/v1/custom-fields\(query)", token: tenant.apiKey)
                #expect(response.status == .ok, "\(response.body.string)")
                return response.items.compactMap { $0["key"] as? String }
            }
            #expect(try await keys("?object=contact") == ["customer_tier", "first", "note"])
            #expect(try await keys("") == ["note", "customer_tier", "first", "note", "budget"])
            var paged: [String] = []
            var cursor: String?
            repeat {
                let page = try await app.request(.get, "/api/v1/custom-fields?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                                 token: tenant.apiKey).json()
                paged += (page["data"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(paged == ["note", "customer_tier", "first", "note", "budget"])
            let badObject = try await app.request(.get, "/api/v1/custom-fields?object=widget", token: tenant.apiKey)
            #expect(badObject.status == .badRequest)
            #expect(badObject.errorCode == "invalid_filter")

            let tierID = try #require(tier["id"] as? String)
            #expect(try await app.request(.get, "/api/v1/custom-fields/\(tierID)", token: tenant.apiKey).json()["key"] as? String == "customer_tier")
            let patched = try await app.request(.patch, "/api/v1/custom-fields/\(tierID)", token: tenant.apiKey, json: [
                "label": "Tier", "label_zh": NSNull(), "required": true, "position": 7,
                "options": [["value": "gold", "label": "Gold"], ["value": "silver", "label": "Silver"], ["value": "bronze", "label": "Bronze"]],
            ])
            #expect(patched.status == .ok, "\(patched.body.string)")
            let after = try patched.json()
            #expect(after["label"] as? String == "Tier")
            #expect(after["label_zh"] is NSNull)
            #expect(after["required"] as? Bool == true)
            #expect(after["position"] as? Int == 7)
            #expect((after["options"] as? [[String: Any]])?.count == 3)
            for (body, field) in [(["key": "tier"], "key"), (["object": "account"], "object"), (["label": NSNull()], "label")] as [([String: Any], String)] {
                let refused = try await app.request(.patch, "/api/v1/custom-fields/\(tierID)", token: tenant.apiKey, json: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.errorField == field, "\(body)")
            }

            // Every member reads the definitions; only owners and admins change them.
            let rep = try await app.makeMember(of: tenant, role: .salesRep)
            #expect(try await app.request(.get, "/api/v1/custom-fields", token: rep.apiKey).items.count == 5)
            #expect(try await app.request(.get, "/api/v1/custom-fields/\(tierID)", token: rep.apiKey).status == .ok)
            for (method, path, body) in [(HTTPRequest.Method.post, "/api/v1/custom-fields", ["object": "lead", "key": "x", "label": "X", "type": "text"]),
                                         (.patch, "/api/v1/custom-fields/\(tierID)", ["label": "Mine"]),
                                         (.delete, "/api/v1/custom-fields/\(tierID)", nil)] as [(HTTPRequest.Method, String, [String: Any]?)] {
                let refused = try await app.request(method, path, token: rep.apiKey, json: body)
                #expect(refused.status == .forbidden, "\(method) \(path)")
                #expect(refused.errorCode == "forbidden_role", "\(method) \(path)")
            }
            let admin = try await app.makeMember(of: tenant, role: .admin)
            #expect(try await app.request(.patch, "/api/v1/custom-fields/\(tierID)", token: admin.apiKey, json: ["label": "Level"]).status == .ok)

            #expect(try await app.request(.delete, "/api/v1/custom-fields/\(try #require(first["id"] as? String))", token: tenant.apiKey).status == .noContent)
            let gone = try await app.request(.get, "/api/v1/custom-fields/\(try #require(first["id"] as? String))", token: tenant.apiKey)
            #expect(gone.status == .notFound)
            #expect(gone.errorCode == "custom_field_not_found")
            #expect(try await app.request(.get, "/api/v1/custom-fields/not-a-uuid", token: tenant.apiKey).errorCode == "custom_field_not_found")
            // Positions order the fields: note (1) before the tier, now at 7.
            #expect(try await keys("?object=contact") == ["note", "customer_tier"])
        }
    }

    @Test("a definition that breaks a rule is refused with the field named, and nothing is written")
    func invalidDefinitions() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let base: [String: Any] = ["object": "contact", "key": "tier", "label": "Tier", "type": "text"]
            let cases: [([String: Any], Int, String, String)] = [
                (["key": "Tier"], 422, "invalid_field", "key"),
                (["key": "1st"], 422, "invalid_field", "key"),
                (["key": String(repeating: "a", count: 41)], 422, "invalid_field", "key"),
                (["object": "widget"], 422, "invalid_field", "object"),
                (["type": "color"], 422, "invalid_field", "type"),
                (["label": "  "], 422, "invalid_field", "label"),
                (["type": "single_choice"], 422, "invalid_field", "options"),
                (["type": "multi_choice", "options": []], 422, "invalid_field", "options"),
                (["options": [["value": "a", "label": "A"]]], 422, "invalid_field", "options"),
                (["type": "single_choice", "options": [["value": "a", "label": "A"], ["value": "a", "label": "B"]]], 422, "invalid_field", "options.1.value"),
                (["type": "single_choice", "options": [["value": "a", "label": "A", "colour": "red"]]], 422, "unknown_field", "options.0.colour"),
                (["rules": ["pattern": "^A"]], 422, "unknown_field", "rules.pattern"),
                (["rules": ["scale": 2]], 422, "invalid_field", "rules.scale"),
                (["rules": ["max_length": 0]], 422, "invalid_field", "rules.max_length"),
                (["type": "number", "rules": ["min": 10, "max": 1]], 422, "invalid_field", "rules.min"),
                (["type": "number", "rules": ["scale": 7]], 422, "invalid_field", "rules.scale"),
                (["type": "money", "rules": ["currency": "RMB1"]], 422, "invalid_field", "rules.currency"),
                (["type": "money", "rules": ["min": 1.5]], 422, "invalid_field", "rules.min"),
                (["type": "date", "rules": ["min": "2026-02-30"]], 422, "invalid_field", "rules.min"),
                (["position": -1], 422, "invalid_field", "position"),
                (["colour": "red"], 422, "unknown_field", "colour"),
            ]
            for (change, status, code, field) in cases {
                let response = try await app.request(.post, "/api/v1/custom-fields", token: tenant.apiKey, json: base.merging(change) { $1 })
                #expect(response.status.code == status, "\(change): \(response.body.string)")
                #expect(response.errorCode == code, "\(change): \(response.body.string)")
                #expect(response.errorField == field, "\(change): \(response.body.string)")
            }
            #expect(try await app.request(.get, "/api/v1/custom-fields", token: tenant.apiKey).items.isEmpty)

            _ = try await app.define(tenant, "contact", "tier", "text")
            let taken = try await app.request(.post, "/api/v1/custom-fields", token: tenant.apiKey, json: base)
            #expect(taken.status == .conflict)
            #expect(taken.errorCode == "custom_field_exists")
            #expect(taken.errorField == "key")
        }
    }

    @Test("the plan's custom_fields limit counts every object's fields: 402 quota_exceeded past it, and /limits shows the use")
    func planLimit() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()  // free: 5 custom fields
            var ids: [String] = []
            for (index, object) in ["account", "contact", "lead", "deal", "case"].enumerated() {
                ids.append(try #require(try await app.define(tenant, object, "field_\(index)", "text")["id"] as? String))
            }
            let refused = try await app.request(.post, "/api/v1/custom-fields", token: tenant.apiKey,
                                                json: ["object": "contact", "key": "one_more", "label": "One more", "type": "boolean"])
            #expect(refused.status.code == 402)
            #expect(refused.errorCode == "quota_exceeded")
            let details = try #require((try refused.json()["error"] as? [String: Any])?["details"] as? [String: String])
            #expect(details == ["quota": "custom_fields", "limit": "5", "used": "5"])
            let limits = try await app.request(.get, "/api/v1/limits", token: tenant.apiKey).items
            let use = try #require(limits.first { $0["name"] as? String == "custom_fields" })
            #expect(use["used"] as? Int == 5)
            #expect(use["remaining"] as? Int == 0)

            #expect(try await app.request(.delete, "/api/v1/custom-fields/\(ids[0])", token: tenant.apiKey).status == .noContent)
            _ = try await app.define(tenant, "contact", "one_more", "boolean")
            try await app.changePlan(tenant, to: "starter")  // 20
            _ = try await app.define(tenant, "contact", "and_another", "boolean")
        }
    }

    // MARK: Values

    @Test("every type: a valid value is stored in its normal form and returned exactly; an invalid one is refused naming the field")
    func valuesByType() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            try await app.changePlan(tenant, to: "starter")
            try await app.defineEveryType(tenant, on: "contact")
            let created = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, body: """
                {"name": "王小明", "custom_fields": {"nickname": "  小王 ", "employees": 250, "discount": 12.5,
                 "ratio": 987654321012.345678, "budget": {"amount_minor": 1250000, "currency": "cny"},
                 "deposit": {"currency": "USD", "amount_minor": -999}, "renewal": "2026-03-31", "vip": true, "tier": "gold",
                 "tags": ["c", "a"], "memo": "   "}}
                """)
            #expect(created.status == .created, "\(created.body.string)")
            let expected = #"""
                "custom_fields":{"budget":{"amount_minor":1250000,"currency":"CNY"},"deposit":{"amount_minor":-999,"currency":"USD"},\#
                "discount":12.5,"employees":250,"nickname":"小王","ratio":987654321012.345678,"renewal":"2026-03-31",\#
                "tags":["a","c"],"tier":"gold","vip":true}
                """#
            #expect(created.body.string.contains(expected), "\(created.body.string)")
            let id = try #require(try created.json()["id"] as? String)
            // The one-round-trip read and the list return the same values, just as exact.
            #expect(try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey).body.string.contains(expected))
            #expect(try await app.request(.get, "/api/v1/contacts", token: tenant.apiKey).body.string.contains(expected))

            let refusals: [(String, String)] = [
                ("nickname", "123"), ("nickname", #""12345678901""#),
                ("employees", #""250""#), ("employees", "2.5"), ("employees", "-1"), ("employees", "100001"),
                ("discount", "1.234"), ("ratio", "1000000000000"),
                ("budget", "1000"), ("budget", #"{"amount_minor": 100, "currency": "USD"}"#),
                ("budget", #"{"amount_minor": 1.5, "currency": "CNY"}"#), ("budget", #"{"amount_minor": -1, "currency": "CNY"}"#),
                ("budget", #"{"amount_minor": 1, "currency": "CNY", "note": "x"}"#), ("budget", #"{"amount_minor": 1}"#),
                ("deposit", #"{"amount_minor": 1, "currency": "RMB1"}"#),
                ("renewal", #""2026-02-30""#), ("renewal", #""31/03/2026""#), ("renewal", #""2019-12-31""#),
                ("vip", #""yes""#), ("vip", "1"),
                ("tier", #""platinum""#), ("tier", #"["gold"]"#),
                ("tags", #"["a", "a"]"#), ("tags", #"["z"]"#), ("tags", #""a""#),
            ]
            for (key, value) in refusals {
                let response = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey,
                                                     body: #"{"name": "x", "custom_fields": {"\#(key)": \#(value)}}"#)
                #expect(response.status == .unprocessableContent, "\(key) = \(value): \(response.body.string)")
                #expect(response.errorCode == "invalid_custom_field", "\(key) = \(value): \(response.body.string)")
                #expect(response.errorField == "custom_fields.\(key)", "\(key) = \(value)")
                // The same value is refused on a PATCH, and the contact keeps what it had.
                let patched = try await app.request(.patch, "/api/v1/contacts/\(id)", token: tenant.apiKey,
                                                    body: #"{"custom_fields": {"\#(key)": \#(value)}}"#)
                #expect(patched.errorCode == "invalid_custom_field", "\(key) = \(value): \(patched.body.string)")
            }
            let unknown = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "x", "custom_fields": ["nope": 1]])
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.errorCode == "unknown_custom_field")
            #expect(unknown.errorField == "custom_fields.nope")
            let notAnObject = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "x", "custom_fields": "tier"])
            #expect(notAnObject.errorCode == "invalid_field")
            #expect(notAnObject.errorField == "custom_fields")
            // Nothing refused was written.
            #expect(try await app.request(.get, "/api/v1/contacts", token: tenant.apiKey).items.count == 1)
            #expect(try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey).body.string.contains(expected))
            // A record with no values shows an empty object.
            let plain = try await app.create("/api/v1/contacts", tenant, ["name": "李娜"])
            #expect((plain["custom_fields"] as? [String: Any])?.isEmpty == true)
        }
    }

    @Test("a required field is needed to create a record and cannot be removed; records made before it was required may still change")
    func requiredFields() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let older = try await app.createID("/api/v1/accounts", tenant, ["name": "Older Ltd"])
            _ = try await app.define(tenant, "account", "source_system", "text", ["required": true])
            _ = try await app.define(tenant, "account", "region", "text")
            let missing = try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey,
                                                json: ["name": "New Ltd", "custom_fields": ["region": "east"]])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.errorCode == "invalid_custom_field")
            #expect(missing.errorField == "custom_fields.source_system")
            let blank = try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey,
                                              json: ["name": "New Ltd", "custom_fields": ["source_system": " "]])
            #expect(blank.errorField == "custom_fields.source_system")
            let id = try await app.createID("/api/v1/accounts", tenant, ["name": "New Ltd", "custom_fields": ["source_system": "erp"]])
            for removal in [NSNull() as Any, "  "] {
                let removed = try await app.request(.patch, "/api/v1/accounts/\(id)", token: tenant.apiKey,
                                                    json: ["custom_fields": ["source_system": removal]])
                #expect(removed.status == .unprocessableContent)
                #expect(removed.errorCode == "invalid_custom_field")
            }
            let changed = try await app.request(.patch, "/api/v1/accounts/\(id)", token: tenant.apiKey,
                                                json: ["custom_fields": ["source_system": "crm"]])
            #expect((try changed.json()["custom_fields"] as? [String: String]) == ["source_system": "crm"])
            let olderChanged = try await app.request(.patch, "/api/v1/accounts/\(older)", token: tenant.apiKey,
                                                     json: ["name": "Older Co", "custom_fields": ["region": "west"]])
            #expect(olderChanged.status == .ok, "\(olderChanged.body.string)")
        }
    }

    @Test("PATCH merges custom fields: a key sent replaces, null removes, keys left out stay; the audit log records the change")
    func patchMerges() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            _ = try await app.define(tenant, "contact", "tier", "single_choice", ["options": [["value": "gold", "label": "Gold"], ["value": "silver", "label": "Silver"]]])
            _ = try await app.define(tenant, "contact", "note", "text")
            _ = try await app.define(tenant, "contact", "vip", "boolean")
            let id = try await app.createID("/api/v1/contacts", tenant, ["name": "张伟", "custom_fields": ["tier": "gold", "note": "met at fair"]])
            func values(_ body: [String: Any]) async throws -> NSDictionary? {
                let response = try await app.request(.patch, "/api/v1/contacts/\(id)", token: tenant.apiKey, json: body)
                #expect(response.status == .ok, "\(response.body.string)")
                return try response.json()["custom_fields"] as? NSDictionary
            }
            #expect(try await values(["custom_fields": ["vip": true]]) == ["tier": "gold", "note": "met at fair", "vip": true])
            #expect(try await values(["custom_fields": ["note": NSNull(), "tier": "silver"]]) == ["tier": "silver", "vip": true])
            #expect(try await values(["title": "经理"]) == ["tier": "silver", "vip": true])
            #expect(try await values(["custom_fields": [:]]) == ["tier": "silver", "vip": true])
            #expect(try await values(["custom_fields": ["vip": false]]) == ["tier": "silver", "vip": false])

            let updates = try await app.auditEntries(tenant, "entity_type=contacts&entity_id=\(id)").filter { $0["action"] as? String == "update" }
            let last = try #require(updates.first)
            #expect(((last["before"] as? [String: Any])?["custom_fields"] as? NSDictionary) == ["tier": "silver", "vip": true])
            #expect(((last["after"] as? [String: Any])?["custom_fields"] as? NSDictionary) == ["tier": "silver", "vip": false])
        }
    }

    @Test("accounts, leads, deals and cases carry custom fields too: written, validated, returned, listed; conversions start empty")
    func everyObject() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for object in ["account", "contact", "lead", "deal", "case"] {
                _ = try await app.define(tenant, object, "ref", "number", ["required": object == "case"])
            }
            for (path, body) in [("/api/v1/accounts", ["name": "明华贸易"]), ("/api/v1/leads", ["name": "陈静", "company": "青山茶业"]),
                                 ("/api/v1/deals", ["name": "Tea order"]), ("/api/v1/cases", ["subject": "Late delivery", "channel": "phone"])]
                as [(String, [String: Any])] {
                let created = try await app.create(path, tenant, body.merging(["custom_fields": ["ref": 7]]) { $1 })
                #expect((created["custom_fields"] as? NSDictionary) == ["ref": 7], "\(path)")
                let id = try #require(created["id"] as? String)
                let refused = try await app.request(.patch, "\(path)/\(id)", token: tenant.apiKey, json: ["custom_fields": ["ref": "seven"]])
                #expect(refused.errorCode == "invalid_custom_field", "\(path): \(refused.body.string)")
                let patched = try await app.request(.patch, "\(path)/\(id)", token: tenant.apiKey, json: ["custom_fields": ["ref": 8]])
                #expect((try patched.json()["custom_fields"] as? NSDictionary) == ["ref": 8], "\(path): \(patched.body.string)")
                let read = try await app.request(.get, "\(path)/\(id)", token: tenant.apiKey)
                #expect((try read.json()["custom_fields"] as? NSDictionary) == ["ref": 8], "\(path)")
                let listed = try await app.request(.get, "\(path)?cf.ref=8", token: tenant.apiKey)
                #expect(listed.items.compactMap { $0["id"] as? String } == [id], "\(path): \(listed.body.string)")
                let unknown = try await app.request(.post, path, token: tenant.apiKey, json: body.merging(["custom_fields": ["tier": 1]]) { $1 })
                #expect(unknown.errorCode == "unknown_custom_field", "\(path)")
            }
            let caseWithout = try await app.request(.post, "/api/v1/cases", token: tenant.apiKey, json: ["subject": "No ref", "channel": "email"])
            #expect(caseWithout.errorField == "custom_fields.ref")

            // A conversion makes records without values, even where the object has fields.
            let lead = try await app.createID("/api/v1/leads", tenant, ["name": "王芳", "company": "远航科技", "status": "qualified"])
            let conversion = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey, json: ["deal": [:]])
            #expect(conversion.status == .ok, "\(conversion.body.string)")
            let converted = try conversion.json()
            for part in ["account", "contact", "deal"] {
                #expect(((converted[part] as? [String: Any])?["custom_fields"] as? [String: Any])?.isEmpty == true, "\(part)")
            }
        }
    }

    // MARK: Filters

    @Test("cf. filters: equality, ranges, multi choice contains, money amount and currency; with paging; bad filters answer 400")
    func filters() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            try await app.changePlan(tenant, to: "starter")
            _ = try await app.define(tenant, "contact", "tier", "single_choice", ["options": [["value": "gold", "label": "Gold"], ["value": "silver", "label": "Silver"]]])
            _ = try await app.define(tenant, "contact", "tags", "multi_choice", ["options": [["value": "a", "label": "A"], ["value": "b", "label": "B"]]])
            _ = try await app.define(tenant, "contact", "score", "number", ["rules": ["scale": 1]])
            _ = try await app.define(tenant, "contact", "budget", "money")
            _ = try await app.define(tenant, "contact", "renewal", "date")
            _ = try await app.define(tenant, "contact", "vip", "boolean")
            _ = try await app.define(tenant, "contact", "nickname", "text")
            let a = try await app.createID("/api/v1/contacts", tenant, ["name": "Amber", "custom_fields": [
                "tier": "gold", "tags": ["a", "b"], "score": 7.5, "budget": ["amount_minor": 100_000, "currency": "CNY"],
                "renewal": "2026-01-15", "vip": true, "nickname": "Al"]])
            let b = try await app.createID("/api/v1/contacts", tenant, ["name": "Berry", "custom_fields": [
                "tier": "silver", "tags": ["b"], "score": 3, "budget": ["amount_minor": 500_000, "currency": "USD"],
                "renewal": "2026-06-01", "vip": false]])
            _ = try await app.createID("/api/v1/contacts", tenant, ["name": "C"])

            func ids(_ query: String) async throws -> [String] {
                let response = try await app.request(.get, "/api/v1/contacts?\(query)", token: tenant.apiKey)
                #expect(response.status == .ok, "\(query): \(response.body.string)")
                return response.items.compactMap { $0["id"] as? String }
            }
            let expectations: [(String, [String])] = [
                ("cf.tier=gold", [a]), ("cf.tags=b", [a, b]), ("cf.tags=a&cf.tags=b", [a]), ("cf.score.gte=5", [a]),
                ("cf.score.lte=5", [b]), ("cf.score=7.5", [a]), ("cf.score=7.50", [a]), ("cf.score.gte=3&cf.score.lte=7.5", [a, b]),
                ("cf.budget.gte=200000", [b]), ("cf.budget.currency=cny", [a]), ("cf.budget=100000", [a]),
                ("cf.budget=100000&cf.budget.currency=USD", []), ("cf.renewal.gte=2026-02-01&cf.renewal.lte=2026-12-31", [b]),
                ("cf.renewal=2026-01-15", [a]), ("cf.vip=false", [b]), ("cf.nickname=Al", [a]), ("cf.tier=gold&q=Am", [a]),
                ("cf.tier=silver&q=Am", []),
            ]
            for (query, expected) in expectations {
                #expect(try await ids(query) == expected, "\(query)")
            }
            let first = try await app.request(.get, "/api/v1/contacts?cf.tags=b&limit=1", token: tenant.apiKey).json()
            #expect((first["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [a])
            let cursor = try #require(first["next_cursor"] as? String)
            #expect(try await ids("cf.tags=b&limit=1&cursor=\(cursor)") == [b])

            let refused: [(String, String)] = [
                ("cf.nope=1", "cf.nope"), ("cf.tier=platinum", "cf.tier"), ("cf.tier.gte=a", "cf.tier.gte"), ("cf.score=abc", "cf.score"),
                ("cf.renewal.gte=2026-13-01", "cf.renewal.gte"), ("cf.vip=yes", "cf.vip"), ("cf.tier.foo=x", "cf.tier.foo"),
                ("cf.Tier=gold", "cf.Tier"), ("cf.tier=gold&cf.tier=silver", "cf.tier"), ("cf.score.currency=CNY", "cf.score.currency"),
                ("cf.budget=1.5", "cf.budget"), ("cf.tags=z", "cf.tags"),
            ]
            for (query, field) in refused {
                let response = try await app.request(.get, "/api/v1/contacts?\(query)", token: tenant.apiKey)
                #expect(response.status == .badRequest, "\(query): \(response.body.string)")
                #expect(response.errorCode == "invalid_filter", "\(query)")
                #expect(response.errorField == field, "\(query)")
            }
            // A contact's field is not an account's.
            #expect(try await app.request(.get, "/api/v1/accounts?cf.tier=gold", token: tenant.apiKey).errorCode == "invalid_filter")
        }
    }

    @Test("the filters' lookups are index scans for the serving role, under row-level security, and the index follows every write")
    func filtersUseTheIndex() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            _ = try await app.define(tenant, "contact", "tier", "single_choice", ["options": [["value": "gold", "label": "Gold"]]])
            _ = try await app.define(tenant, "contact", "budget", "money")
            let id = try await app.createID("/api/v1/contacts", tenant, ["name": "A", "custom_fields": [
                "tier": "gold", "budget": ["amount_minor": 500, "currency": "CNY"]]])
            let plans = try await app.services.database.withTenant(tenant.id) { transaction in
                // A workspace this small is cheaper to read whole; forbid that to see what the index can do.
                try await transaction.query("SET LOCAL enable_seqscan = off")
                var plans: [String] = []
                for lookup in ["key = 'tier' AND value = 'gold'", "key = 'budget' AND number >= 100"] {
                    plans.append(try await transaction.rows(PostgresQuery(unsafeSQL: """
                        EXPLAIN SELECT id FROM contacts
                         WHERE id IN (SELECT record_id FROM custom_field_index WHERE object = 'contact' AND \(lookup))
                         ORDER BY id LIMIT 51
                        """), as: String.self).joined(separator: "\n"))
                }
                return plans
            }
            #expect(plans[0].contains("custom_field_index_pkey"), "\(plans[0])")
            #expect(plans[0].contains("(value = 'gold'::text)"), "\(plans[0])")
            #expect(plans[1].contains("custom_field_index_number_idx"), "\(plans[1])")
            #expect(plans[1].contains("(number >= 100)"), "\(plans[1])")

            func indexed() async throws -> [String] {
                try await app.services.database.withTenant(tenant.id) { transaction in
                    try await transaction.rows("""
                        SELECT key || '=' || value || coalesce(':' || number, '') FROM custom_field_index WHERE record_id = \(try #require(UUID(uuidString: id)))
                         ORDER BY key
                        """, as: String.self)
                }
            }
            #expect(try await indexed() == ["budget=CNY:500", "tier=gold"])
            #expect(try await app.request(.patch, "/api/v1/contacts/\(id)", token: tenant.apiKey,
                                          json: ["custom_fields": ["tier": NSNull()]]).status == .ok)
            #expect(try await indexed() == ["budget=CNY:500"])
            #expect(try await app.request(.delete, "/api/v1/contacts/\(id)", token: tenant.apiKey).status == .noContent)
            #expect(try await indexed().isEmpty)
        }
    }

    // MARK: Changing a field that records use

    @Test("a type changes only while no record holds a value, a choice in use cannot be dropped, and new rules apply to new values")
    func changesWhileInUse() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let score = try #require(try await app.define(tenant, "lead", "score", "number")["id"] as? String)
            let retyped = try await app.request(.patch, "/api/v1/custom-fields/\(score)", token: tenant.apiKey, json: ["type": "text"])
            #expect(retyped.status == .ok, "\(retyped.body.string)")
            #expect((try retyped.json()["rules"] as? [String: Any])?["max_length"] as? Int == 1000)
            let lead = try await app.createID("/api/v1/leads", tenant, ["name": "陈静", "custom_fields": ["score": "high"]])
            let inUse = try await app.request(.patch, "/api/v1/custom-fields/\(score)", token: tenant.apiKey, json: ["type": "number"])
            #expect(inUse.status == .conflict)
            #expect(inUse.errorCode == "custom_field_in_use")
            // Tighter rules leave stored values as they are.
            #expect(try await app.request(.patch, "/api/v1/custom-fields/\(score)", token: tenant.apiKey,
                                          json: ["rules": ["max_length": 3]]).status == .ok)
            #expect((try await app.request(.get, "/api/v1/leads/\(lead)", token: tenant.apiKey).json()["custom_fields"] as? NSDictionary) == ["score": "high"])
            let tooLong = try await app.request(.patch, "/api/v1/leads/\(lead)", token: tenant.apiKey, json: ["custom_fields": ["score": "higher"]])
            #expect(tooLong.errorCode == "invalid_custom_field")

            let stage = try #require(try await app.define(tenant, "lead", "temperature", "single_choice", ["options": [
                ["value": "hot", "label": "Hot"], ["value": "warm", "label": "Warm"], ["value": "cold", "label": "Cold"]]])["id"] as? String)
            let channels = try #require(try await app.define(tenant, "lead", "channels", "multi_choice", ["options": [
                ["value": "email", "label": "Email"], ["value": "phone", "label": "Phone"]]])["id"] as? String)
            #expect(try await app.request(.patch, "/api/v1/leads/\(lead)", token: tenant.apiKey,
                                          json: ["custom_fields": ["temperature": "hot", "channels": ["phone"]]]).status == .ok)
            let dropHot = try await app.request(.patch, "/api/v1/custom-fields/\(stage)", token: tenant.apiKey,
                                                json: ["options": [["value": "warm", "label": "Warm"], ["value": "frozen", "label": "Frozen"]]])
            #expect(dropHot.status == .conflict)
            #expect(dropHot.errorCode == "custom_field_in_use")
            #expect(((try dropHot.json()["error"] as? [String: Any])?["details"] as? [String: String])?["option"] == "hot")
            let dropCold = try await app.request(.patch, "/api/v1/custom-fields/\(stage)", token: tenant.apiKey,
                                                 json: ["options": [["value": "hot", "label": "Hot!"], ["value": "frozen", "label": "Frozen"]]])
            #expect(dropCold.status == .ok, "\(dropCold.body.string)")
            let dropPhone = try await app.request(.patch, "/api/v1/custom-fields/\(channels)", token: tenant.apiKey,
                                                  json: ["options": [["value": "email", "label": "Email"]]])
            #expect(dropPhone.errorCode == "custom_field_in_use")
            let toText = try await app.request(.patch, "/api/v1/custom-fields/\(stage)", token: tenant.apiKey, json: ["type": "text"])
            #expect(toText.errorCode == "custom_field_in_use")
        }
    }

    @Test("deleting a definition removes its values from every record of its object, and only those")
    func deletionRemovesValues() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let tier = try #require(try await app.define(tenant, "contact", "tier", "text")["id"] as? String)
            _ = try await app.define(tenant, "contact", "note", "text")
            _ = try await app.define(tenant, "account", "tier", "text")
            let holders = [try await app.createID("/api/v1/contacts", tenant, ["name": "A", "custom_fields": ["tier": "gold", "note": "n"]]),
                           try await app.createID("/api/v1/contacts", tenant, ["name": "B", "custom_fields": ["tier": "silver"]])]
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "Acme", "custom_fields": ["tier": "gold"]])

            #expect(try await app.request(.delete, "/api/v1/custom-fields/\(tier)", token: tenant.apiKey).status == .noContent)
            let first = try await app.request(.get, "/api/v1/contacts/\(holders[0])", token: tenant.apiKey).json()
            #expect((first["custom_fields"] as? NSDictionary) == ["note": "n"])
            #expect(((try await app.request(.get, "/api/v1/contacts/\(holders[1])", token: tenant.apiKey).json())["custom_fields"] as? [String: Any])?.isEmpty == true)
            #expect((try await app.request(.get, "/api/v1/accounts/\(account)", token: tenant.apiKey).json()["custom_fields"] as? NSDictionary) == ["tier": "gold"])
            let removals = try await app.auditEntries(tenant, "entity_type=contacts&entity_id=\(holders[1])").filter { $0["action"] as? String == "update" }
            #expect(removals.count == 1)

            let stale = try await app.request(.patch, "/api/v1/contacts/\(holders[0])", token: tenant.apiKey, json: ["custom_fields": ["tier": "gold"]])
            #expect(stale.errorCode == "unknown_custom_field")
            // The key is free again, for a field of another type.
            _ = try await app.define(tenant, "contact", "tier", "number")
            #expect(try await app.request(.patch, "/api/v1/contacts/\(holders[0])", token: tenant.apiKey,
                                          json: ["custom_fields": ["tier": 3]]).status == .ok)
        }
    }

    // MARK: Isolation

    @Test("another workspace's definition ids answer 404 like missing ones and change nothing; its definitions never show or validate")
    func otherWorkspaces() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let field = try await app.define(owner, "contact", "tier", "single_choice", ["options": [["value": "gold", "label": "Gold"]]])
            let id = try #require(field["id"] as? String)
            let calls: [(HTTPRequest.Method, [String: Any]?)] = [(.get, nil), (.patch, ["label": "Hijacked"]), (.patch, ["type": "text"]), (.delete, nil)]
            for (method, body) in calls {
                let foreign = try await app.request(method, "/api/v1/custom-fields/\(id)", token: intruder.apiKey, json: body)
                #expect(foreign.status == .notFound, "\(method)")
                #expect(foreign.errorCode == "custom_field_not_found", "\(method)")
                let missing = try await app.request(method, "/api/v1/custom-fields/\(UUID().uuidString.lowercased())", token: intruder.apiKey, json: body)
                #expect(missing.body.string == foreign.body.string, "\(method)")
            }
            let kept = try await app.request(.get, "/api/v1/custom-fields/\(id)", token: owner.apiKey).json()
            #expect(kept["label"] as? String == field["label"] as? String)
            #expect(kept["type"] as? String == "single_choice")
            #expect(kept["updated_at"] as? String == field["updated_at"] as? String)

            #expect(try await app.request(.get, "/api/v1/custom-fields", token: intruder.apiKey).items.isEmpty)
            let unknown = try await app.request(.post, "/api/v1/contacts", token: intruder.apiKey, json: ["name": "x", "custom_fields": ["tier": "gold"]])
            #expect(unknown.errorCode == "unknown_custom_field")
            #expect(try await app.request(.get, "/api/v1/contacts?cf.tier=gold", token: intruder.apiKey).errorCode == "invalid_filter")

            // Each workspace's field of the same key follows its own definition.
            _ = try await app.define(intruder, "contact", "tier", "number")
            #expect(try await app.request(.post, "/api/v1/contacts", token: intruder.apiKey,
                                          json: ["name": "x", "custom_fields": ["tier": "gold"]]).errorCode == "invalid_custom_field")
            _ = try await app.createID("/api/v1/contacts", intruder, ["name": "x", "custom_fields": ["tier": 1]])
            _ = try await app.createID("/api/v1/contacts", owner, ["name": "y", "custom_fields": ["tier": "gold"]])
            #expect(try await app.request(.get, "/api/v1/contacts?cf.tier=gold", token: owner.apiKey).items.count == 1)
            #expect(try await app.request(.get, "/api/v1/contacts?cf.tier.gte=1", token: intruder.apiKey).items.count == 1)
        }
    }
}

extension TestApp {
    /// Defines a custom field through the API (label and the rest from `extra`); the definition.
    @discardableResult
    func define(_ tenant: TestTenant, _ object: String, _ key: String, _ type: String, _ extra: [String: Any] = [:]) async throws -> [String: Any] {
        try await create("/api/v1/custom-fields", tenant, ["object": object, "key": key, "label": key.capitalized, "type": type]
            .merging(extra) { $1 })
    }

    /// One field of every type on `object`, with rules, as `valuesByType` writes them.
    func defineEveryType(_ tenant: TestTenant, on object: String) async throws {
        try await define(tenant, object, "nickname", "text", ["rules": ["max_length": 10]])
        try await define(tenant, object, "memo", "text")
        try await define(tenant, object, "employees", "number", ["rules": ["min": 0, "max": 100_000]])
        try await define(tenant, object, "discount", "number", ["rules": ["scale": 2, "min": 0, "max": 100]])
        try await define(tenant, object, "ratio", "number", ["rules": ["scale": 6]])
        try await define(tenant, object, "budget", "money", ["rules": ["currency": "CNY", "min": 0]])
        try await define(tenant, object, "deposit", "money")
        try await define(tenant, object, "renewal", "date", ["rules": ["min": "2020-01-01", "max": "2030-12-31"]])
        try await define(tenant, object, "vip", "boolean")
        try await define(tenant, object, "tier", "single_choice", ["options": [["value": "gold", "label": "Gold", "label_zh": "金牌"],
                                                                              ["value": "silver", "label": "Silver"]]])
        try await define(tenant, object, "tags", "multi_choice", ["options": [["value": "a", "label": "A"], ["value": "b", "label": "B"],
                                                                             ["value": "c", "label": "C"]]])
    }

    /// Moves `tenant` to a larger plan at once, through the operator API.
    func changePlan(_ tenant: TestTenant, to plan: String) async throws {
        let response = try await request(.post, "/ops/v1/tenants/\(tenant.id)/subscription/plan", token: operatorToken, json: ["plan": plan])
        #expect(response.status == .ok, "\(response.body.string)")
    }
}
