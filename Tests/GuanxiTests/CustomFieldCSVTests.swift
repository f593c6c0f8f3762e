import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Custom fields through CSV files: every export's custom field columns, and imports that map,
/// check, merge and write them as the API would, with the filters' index kept right.
@Suite("Custom fields in CSV files")
struct CustomFieldCSVTests {
    @Test("contacts exported with their custom fields import into another workspace with the same definitions as the same values")
    func roundTrip() async throws {
        try await TestApp.run { app in
            let source = try await app.makeTenant(locale: "zh-CN")
            try await app.changePlan(source, to: "growth")
            let target = try await app.makeTenant()
            try await app.changePlan(target, to: "growth")
            for tenant in [source, target] { try await app.defineContactFields(tenant) }

            let values: [[String: Any]] = [
                ["tier": "gold", "regions": ["华北", "华东"], "score": 12.5, "budget": ["amount_minor": 123_456, "currency": "cny"],
                 "renewal": "2026-03-31", "vip": true, "remark": "=HYPERLINK(\"http://evil.example\")\r\n第二行, 带逗号",
                 "region_note": "只在周一", "nickname": "老王", "alt_phone": "+86 10 8888 6666"],
                ["tier": "silver", "score": -0.75, "budget": ["amount_minor": -5_000, "currency": "JPY"], "vip": false,
                 "regions": ["华南"]],
                ["budget": ["amount_minor": 1, "currency": "KWD"], "remark": "\"引号\" and ; semicolons"],
                [:],
            ]
            for (index, custom) in values.enumerated() {
                _ = try await app.create("/api/v1/contacts", source, ["name": "联系人\(index)", "custom_fields": custom])
            }

            let export = try await app.request(.get, "/api/v1/contacts/export.csv", token: source.apiKey)
            #expect(export.status == .ok)
            let text = String(decoding: Array(export.body.readableBytesView).dropFirst(3), as: UTF8.self)
            let lines = text.components(separatedBy: "\r\n")
            #expect(lines[0] == "id,name,email,phone,title,account_name,account_id,created_at,updated_at,"
                    + "客户等级,区域,评分,预算,续约日期,VIP,备注,区域 (region_note),Name (nickname),电话",
                    "labels in the workspace's language, in the fields' order; a repeated header gets its key")
            #expect(text.contains(",gold,华东; 华北,12.5,1234.56 CNY,2026-03-31,true,\"'=HYPERLINK(\"\"http://evil.example\"\")\r\n第二行, 带逗号\",只在周一,老王,'+86 10 8888 6666\r\n"),
                    "choices in the options' order; money with its currency; the formula guard on custom cells too")
            #expect(text.contains(",silver,华南,'-0.75,'-5000 JPY,,false,,,,\r\n"))
            #expect(text.contains(",,,,0.001 KWD,,,\"\"\"引号\"\" and ; semicolons\",,,\r\n"))

            let uploaded = try await app.upload(Array(export.body.readableBytesView), object: "contacts", tenant: target)
            #expect(uploaded.status == .created, "\(uploaded.body.string)")
            let job = try uploaded.json()
            #expect((job["columns"] as? [[String: Any]])?.map { $0["field"] as? String }
                    == [nil, "name", "email", "phone", "title", "account_name", nil, nil, nil, "cf.tier", "cf.regions", "cf.score",
                        "cf.budget", "cf.renewal", "cf.vip", "cf.remark", "cf.region_note", "cf.nickname", "cf.alt_phone"],
                    "the Chinese labels of an English workspace's fields, and the headers with keys, map themselves")
            #expect((job["fields"] as? [[String: Any]])?.map { $0["name"] as? String }.suffix(2) == ["cf.nickname", "cf.alt_phone"])
            let preview = try #require((job["preview"] as? [[String: Any]])?.first?["values"] as? [String: Any])
            #expect(preview["cf.budget"] as? String == "1234.56 CNY")
            #expect(preview["cf.regions"] as? String == "华东; 华北")
            #expect(job["error_count"] as? Int == 0, "\(job.errorList)")
            let committed = try await app.request(.post, "/api/v1/imports/\(try #require(job["id"] as? String))/commit", token: target.apiKey)
            #expect(committed.status == .ok, "\(committed.body.string)")

            func customFields(_ tenant: TestTenant) async throws -> [String] {
                try await app.all("/api/v1/contacts", tenant: tenant).map { contact in
                    "\(contact["name"] as? String ?? "") " + String(decoding: try JSONSerialization.data(
                        withJSONObject: contact["custom_fields"] ?? [:], options: .sortedKeys), as: UTF8.self)
                }
            }
            let original = try await customFields(source)
            #expect(try await customFields(target) == original)
            #expect(original[0].contains("\"budget\":{\"amount_minor\":123456,\"currency\":\"CNY\"}"))
            #expect(original[3] == "联系人3 {}")

            // The filters' index holds the imported values.
            for (query, count) in [("cf.tier=gold", 1), ("cf.regions=华东", 1), ("cf.score.lte=0", 1), ("cf.budget.currency=KWD", 1),
                                   ("cf.vip=false", 1), ("cf.renewal.gte=2026-01-01", 1)] {
                let path = "/api/v1/contacts?" + query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
                #expect(try await app.request(.get, path, token: target.apiKey).items.count == count, "\(query)")
            }
        }
    }

    @Test("accounts, leads, deals and cases export their custom fields; activities have none")
    func everyExport() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            try await app.define(tenant, "account", "tier", "single_choice", ["label": "Tier", "options": [["value": "gold", "label": "Gold"]]])
            try await app.define(tenant, "lead", "expo", "text", ["label": "Trade fair"])
            try await app.define(tenant, "deal", "contract_amount", "money", ["label": "Contract amount", "label_zh": "合同金额",
                                                                              "rules": ["currency": "CNY"]])
            try await app.define(tenant, "case", "status", "text", ["label": "Status"])
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "青山茶业", "custom_fields": ["tier": "gold"]])
            _ = try await app.create("/api/v1/leads", tenant, ["name": "李娜", "custom_fields": ["expo": "广交会"]])
            _ = try await app.create("/api/v1/deals", tenant, ["name": "春茶", "account_id": account,
                                                                "custom_fields": ["contract_amount": ["amount_minor": 1_250_000, "currency": "CNY"]]])
            _ = try await app.create("/api/v1/cases", tenant, ["subject": "破损", "channel": "phone", "custom_fields": ["status": "waiting"]])

            func export(_ list: String) async throws -> [String] {
                let response = try await app.request(.get, "/api/v1/\(list)/export.csv", token: tenant.apiKey)
                #expect(response.status == .ok, "\(response.body.string)")
                return String(decoding: Array(response.body.readableBytesView).dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
            }
            let accounts = try await export("accounts")
            #expect(accounts[0].hasSuffix(",updated_at,Tier") && accounts[1].hasSuffix(",gold"))
            let leads = try await export("leads")
            #expect(leads[0].hasSuffix(",updated_at,Trade fair") && leads[1].hasSuffix(",广交会"))
            let deals = try await export("deals")
            #expect(deals[0].hasSuffix(",updated_at,Contract amount") && deals[1].hasSuffix(",12500.00 CNY"))
            let cases = try await export("cases")
            #expect(cases[0].hasSuffix(",updated_at,Status (status)"), "a label that repeats a list column gets its key")
            #expect(cases[1].hasSuffix(",waiting"))
            #expect(try await export("activities")[0].hasSuffix(",created_at,updated_at"))
        }
    }

    @Test("a spreadsheet's own columns: labels in any case, the forms spreadsheets write, and every bad cell an error naming its column")
    func checksCells() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            try await app.changePlan(tenant, to: "growth")
            try await app.defineContactFields(tenant)
            try await app.define(tenant, "contact", "deposit", "money", ["label": "Deposit", "rules": ["currency": "CNY", "min": 0]])
            try await app.define(tenant, "contact", "since", "date", ["label": "Since", "rules": ["min": "2000-01-01"]])
            let csv = "姓名, 客户等级 ,REGIONS,score,预算,Renewal,vip,deposit,since,评分 (score)\n"
                + "王一,金牌,华东；华南,1234.5,99.5 usd,2026/3/9,是,88,2001.1.2,\n"
                + "王二,Silver, east china ; 华北 ,7,100 CNY,2026-03-31,FALSE,88.123 CNY,2000-01-01,\n"
                + "王三,platinum,华东; 西北,\"1,234\",100,2026-02-30,maybe,-1,1999-12-31,\n"
                + "王四,,,12.345,1.234 CNY,31/03/2026,,1 USD,,\n"
            let uploaded = try await app.upload(csv, object: "contacts", tenant: tenant)
            #expect(uploaded.status == .created, "\(uploaded.body.string)")
            let job = try uploaded.json()
            #expect((job["columns"] as? [[String: Any]])?.map { $0["field"] as? String }
                    == ["name", "cf.tier", "cf.regions", "cf.score", "cf.budget", "cf.renewal", "cf.vip", "cf.deposit", "cf.since", nil],
                    "a second column for one field is left for the person to map")
            let rows = (job["preview"] as? [[String: Any]] ?? []).map { $0["values"] as? [String: Any] ?? [:] }
            #expect(rows[0]["cf.tier"] as? String == "gold", "a choice by its Chinese label")
            #expect(rows[0]["cf.regions"] as? String == "华东; 华南", "the full-width separator")
            #expect(rows[0]["cf.budget"] as? String == "99.50 USD")
            #expect(rows[0]["cf.renewal"] as? String == "2026-03-09")
            #expect(rows[0]["cf.vip"] as? String == "true")
            #expect(rows[0]["cf.deposit"] as? String == "88.00 CNY", "the field's currency when the cell has none")
            #expect(rows[0]["cf.since"] as? String == "2001-01-02")
            #expect(rows[1]["cf.tier"] as? String == "silver")
            #expect(rows[1]["cf.regions"] as? String == "华东; 华北", "a label in any case, pieces trimmed")
            #expect(rows[2]["cf.tier"] is NSNull, "a cell with an error shows null")

            let errors = job.errorList.map { "\($0["row"] as? Int ?? 0) \($0["field"] as? String ?? "-") \($0["column"] as? String ?? "-") \($0["code"] as? String ?? "")" }
            #expect(errors == [
                "3 cf.deposit deposit invalid_value",
                "4 cf.tier 客户等级 invalid_value", "4 cf.regions REGIONS invalid_value", "4 cf.score score invalid_value",
                "4 cf.budget 预算 invalid_value", "4 cf.renewal Renewal invalid_value", "4 cf.vip vip invalid_value",
                "4 cf.deposit deposit invalid_value", "4 cf.since since invalid_value",
                "5 cf.score score invalid_value", "5 cf.budget 预算 invalid_value", "5 cf.renewal Renewal invalid_value",
                "5 cf.deposit deposit invalid_value",
            ], "\(errors)")
            let messages = job.errorList.map { $0["message"] as? String ?? "" }
            #expect(messages[0] == "custom_fields.deposit (Deposit) may have at most 2 decimal places in CNY.")
            #expect(messages[1] == "custom_fields.tier (Customer tier) must be one of gold, silver, bronze.", "the API's message")
            #expect(messages[2] == "custom_fields.regions (Regions) may hold only 华东, 华南, 华北.")
            #expect(messages[4].contains("such as 1234.56 CNY"), "\(messages[4])")
            #expect(messages[10].contains("at most 2 decimal places in CNY"), "\(messages[10])")
            #expect(messages[12] == "custom_fields.deposit (Deposit) must be in CNY: the field holds amounts in that currency only.")

            let id = try #require(job["id"] as? String)
            #expect(try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey).errorCode == "import_has_errors")
            #expect(try await app.all("/api/v1/contacts", tenant: tenant).isEmpty)

            // Mappings name custom fields as cf.<key>, each at most once, and only the workspace's own.
            func remap(_ mapping: [Any]) async throws -> TestResponse {
                try await app.request(.patch, "/api/v1/imports/\(id)", token: tenant.apiKey, json: ["mapping": mapping])
            }
            let twice = try await remap(["name", "cf.score", NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), "cf.score"])
            #expect(twice.errorCode == "invalid_mapping")
            let unknown = try await remap(["name", "cf.nope", NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), NSNull()])
            #expect(unknown.errorCode == "invalid_mapping")
            #expect((try unknown.json()["error"] as? [String: Any])?["message"] as? String
                    == "cf.nope is not a field of contacts; use one of name, email, phone, title, account_name, account_id, cf.tier, cf.regions, cf.score, cf.budget, cf.renewal, cf.vip, cf.remark, cf.region_note, cf.nickname, cf.alt_phone, cf.deposit, cf.since, or null.")
            let clean = try await remap(["name", "cf.tier", NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), "cf.score"])
            #expect(clean.status == .ok)
            let remaining = try clean.json()
            #expect(remaining["error_count"] as? Int == 1, "only 王三's tier is left: \(remaining.errorList)")

            // Another workspace knows none of these fields.
            let other = try await app.makeTenant()
            let elsewhere = try await app.upload(csv, object: "contacts", tenant: other).json()
            #expect((elsewhere["columns"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["name"])
            let otherID = try #require(elsewhere["id"] as? String)
            let foreign = try await app.request(.patch, "/api/v1/imports/\(otherID)", token: other.apiKey,
                                                json: ["mapping": ["name", "cf.tier", NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), NSNull(), NSNull()]])
            #expect(foreign.errorCode == "invalid_mapping")
        }
    }

    @Test("required custom fields: a column must be mapped and each cell filled, as a create through the API needs")
    func requiredFields() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            try await app.define(tenant, "lead", "expo", "single_choice", ["label": "Trade fair", "label_zh": "展会", "required": true,
                                                                           "options": [["value": "canton", "label": "Canton Fair", "label_zh": "广交会"],
                                                                                       ["value": "cibf", "label": "CIBF"]]])
            try await app.define(tenant, "lead", "tags", "multi_choice", ["required": true, "options": [["value": "a", "label": "A"]]])
            let unmapped = try await app.upload("姓名,手机\n李娜,13800138000\n", object: "leads", tenant: tenant).json()
            #expect(unmapped.errorList.map { "\($0["row"] as? Int ?? 0) \($0["field"] as? String ?? "-") \($0["code"] as? String ?? "")" }
                    == ["1 cf.expo required_field_unmapped", "1 cf.tags required_field_unmapped"])
            #expect((unmapped["fields"] as? [[String: Any]])?.last?["required"] as? Bool == true)

            let job = try await app.upload("姓名,展会,tags\n李娜,广交会,a\n王五,,a\n赵六,cibf,;\n", object: "leads", tenant: tenant).json()
            #expect(job.errorList.map { "\($0["row"] as? Int ?? 0) \($0["field"] as? String ?? "-") \($0["code"] as? String ?? "")" }
                    == ["3 cf.expo required", "4 cf.tags required"])
            let fixed = try await app.importCSV("姓名,展会,tags\n李娜,广交会,a\n", object: "leads", tenant: tenant)
            #expect(fixed.result["created"] == 1)
            let lead = try #require(try await app.all("/api/v1/leads", tenant: tenant).first)
            #expect(lead["custom_fields"] as? NSDictionary == ["expo": "canton", "tags": ["a"]] as NSDictionary)
        }
    }

    @Test("dedupe update merges custom fields like PATCH: filled cells replace, blank cells keep, later rows win; the filters follow")
    func updateMerges() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            try await app.changePlan(tenant, to: "growth")
            try await app.defineContactFields(tenant)
            let existing = try await app.createID("/api/v1/contacts", tenant, ["name": "王先生", "email": "wang@example.cn", "custom_fields": [
                "tier": "gold", "score": 5, "regions": ["华东"], "vip": true, "remark": "老客户",
            ]])
            let csv = "name,email,Customer tier,Regions,Score,Remark,VIP\n"
                + "王先生,WANG@example.cn,,华南,7,,\n"                  // blank cells keep tier, remark and vip
                + "王先生,wang@example.cn,silver,,,,\n"                  // a later row wins for tier only
                + "李女士,li@example.cn,bronze,华北,1,新客户,false\n"   // new
                + "李女士,li@example.cn,,,2,,\n"                         // folds into the new record
            let job = try await app.importCSV(csv, object: "contacts", tenant: tenant, dedupe: "update")
            #expect(job.result == ["created": 1, "updated": 1, "skipped": 0])

            let wang = try await app.request(.get, "/api/v1/contacts/\(existing)", token: tenant.apiKey).json()
            #expect(wang["custom_fields"] as? NSDictionary
                    == ["tier": "silver", "score": 7, "regions": ["华南"], "vip": true, "remark": "老客户"] as NSDictionary)
            let li = try #require(try await app.all("/api/v1/contacts", tenant: tenant).first { $0["name"] as? String == "李女士" })
            #expect(li["custom_fields"] as? NSDictionary
                    == ["tier": "bronze", "score": 2, "regions": ["华北"], "vip": false, "remark": "新客户"] as NSDictionary)

            for (query, names) in [("cf.tier=silver", ["王先生"]), ("cf.tier=gold", []), ("cf.regions=华东", []), ("cf.regions=华南", ["王先生"]),
                                   ("cf.score.gte=2", ["王先生", "李女士"]), ("cf.score=5", []), ("cf.vip=true", ["王先生"])] {
                let path = "/api/v1/contacts?" + query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
                #expect(try await app.request(.get, path, token: tenant.apiKey).items.map { $0["name"] as? String } == names, "\(query)")
            }
        }
    }

    @Test("a commit checks the rows against the definitions as they are then: a mapped field deleted since the preview fails it whole")
    func definitionsChangedBeforeCommit() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let score = try await app.define(tenant, "account", "score", "number")
            try await app.define(tenant, "account", "tier", "text")
            let job = try await app.upload("name,score,tier\n青山茶业,12,A\n", object: "accounts", tenant: tenant).json()
            #expect(job["error_count"] as? Int == 0)
            let id = try #require(job["id"] as? String)
            #expect(try await app.request(.delete, "/api/v1/custom-fields/\(try #require(score["id"] as? String))", token: tenant.apiKey).status == .noContent)

            let failed = try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey)
            #expect(failed.status == .unprocessableContent)
            #expect(failed.errorCode == "invalid_mapping")
            let stored = try await app.request(.get, "/api/v1/imports/\(id)", token: tenant.apiKey).json()
            #expect(stored["status"] as? String == "failed")
            #expect((stored["failure"] as? [String: Any])?["code"] as? String == "invalid_mapping")
            #expect(try await app.all("/api/v1/accounts", tenant: tenant).isEmpty)

            let remapped = try await app.request(.patch, "/api/v1/imports/\(id)", token: tenant.apiKey, json: ["mapping": ["name", NSNull(), "cf.tier"]])
            #expect(remapped.status == .ok, "\(remapped.body.string)")
            #expect(try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey).status == .ok)
            #expect(try await app.all("/api/v1/accounts", tenant: tenant).first?["custom_fields"] as? NSDictionary == ["tier": "A"] as NSDictionary)
        }
    }

    @Test("a choice's value cannot hold the separator of multi_choice cells")
    func choiceValuesWithoutSeparator() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for value in ["a;b", "甲；乙"] {
                let response = try await app.request(.post, "/api/v1/custom-fields", token: tenant.apiKey, json: [
                    "object": "contact", "key": "tags", "label": "Tags", "type": "multi_choice",
                    "options": [["value": "ok", "label": "OK"], ["value": value, "label": "A; B"]],
                ])
                #expect(response.status == .unprocessableContent)
                #expect(response.errorField == "options.1.value")
            }
            let labelled = try await app.define(tenant, "contact", "tags", "multi_choice", ["options": [["value": "ab", "label": "A; B"]]])
            #expect((labelled["options"] as? [[String: Any]])?.first?["label"] as? String == "A; B", "labels may hold it")
        }
    }
}

extension TestApp {
    /// Contact fields of every type, the same in any workspace: labels in both languages, one
    /// label_zh repeated and one label that is a column of the contacts' export.
    func defineContactFields(_ tenant: TestTenant) async throws {
        try await define(tenant, "contact", "tier", "single_choice", ["label": "Customer tier", "label_zh": "客户等级", "options": [
            ["value": "gold", "label": "Gold", "label_zh": "金牌"], ["value": "silver", "label": "Silver", "label_zh": "银牌"],
            ["value": "bronze", "label": "Bronze", "label_zh": "铜牌"],
        ]])
        try await define(tenant, "contact", "regions", "multi_choice", ["label": "Regions", "label_zh": "区域", "options": [
            ["value": "华东", "label": "East China"], ["value": "华南", "label": "South China"], ["value": "华北", "label": "North China"],
        ]])
        try await define(tenant, "contact", "score", "number", ["label": "Score", "label_zh": "评分", "rules": ["scale": 2]])
        try await define(tenant, "contact", "budget", "money", ["label": "Budget", "label_zh": "预算"])
        try await define(tenant, "contact", "renewal", "date", ["label": "Renewal", "label_zh": "续约日期"])
        try await define(tenant, "contact", "vip", "boolean", ["label": "VIP"])
        try await define(tenant, "contact", "remark", "text", ["label": "Remark", "label_zh": "备注"])
        try await define(tenant, "contact", "region_note", "text", ["label": "Region note", "label_zh": "区域"])
        try await define(tenant, "contact", "nickname", "text", ["label": "Name"])
        try await define(tenant, "contact", "alt_phone", "text", ["label": "Other phone", "label_zh": "电话"])
    }
}
