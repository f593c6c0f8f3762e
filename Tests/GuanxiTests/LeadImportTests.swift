import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

extension TestTenant {
    /// The same workspace, called with another member's API key.
    func acting(as apiKey: String) -> TestTenant {
        TestTenant(id: id, slug: slug, apiKey: apiKey, adminEmail: adminEmail, adminPassword: adminPassword)
    }
}

@Suite("Imports of leads")
struct LeadImportTests {
    /// `parts` in GB18030: the Chinese words of these tests as `iconv -t GB18030` writes them, the rest ASCII.
    static func gb18030(_ parts: String...) -> [UInt8] {
        let words: [String: [UInt8]] = [
            "姓名": [0xD0, 0xD5, 0xC3, 0xFB], "公司": [0xB9, 0xAB, 0xCB, 0xBE], "手机": [0xCA, 0xD6, 0xBB, 0xFA],
            "邮箱": [0xD3, 0xCA, 0xCF, 0xE4], "来源": [0xC0, 0xB4, 0xD4, 0xB4], "备注": [0xB1, 0xB8, 0xD7, 0xA2],
            "职位": [0xD6, 0xB0, 0xCE, 0xBB], "陈静": [0xB3, 0xC2, 0xBE, 0xB2],
            "杭州青山茶业": [0xBA, 0xBC, 0xD6, 0xDD, 0xC7, 0xE0, 0xC9, 0xBD, 0xB2, 0xE8, 0xD2, 0xB5],
            "要春茶样品": [0xD2, 0xAA, 0xB4, 0xBA, 0xB2, 0xE8, 0xD1, 0xF9, 0xC6, 0xB7], "采购经理": [0xB2, 0xC9, 0xB9, 0xBA, 0xBE, 0xAD, 0xC0, 0xED],
            "𠀀王": [0x95, 0x32, 0x82, 0x36, 0xCD, 0xF5], "深圳": [0xC9, 0xEE, 0xDB, 0xDA], "前海": [0xC7, 0xB0, 0xBA, 0xA3],
            "科技": [0xBF, 0xC6, 0xBC, 0xBC],
        ]
        return parts.flatMap { words[$0] ?? Array($0.utf8) }
    }

    @Test("a trade fair's GB18030 file: Chinese headers map themselves, the leads start new, owned by the importing member")
    func gb18030File() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let me = try await app.userID(tenant)
            let file = Self.gb18030("姓名", ",", "公司", ",", "手机", ",", "邮箱", ",", "来源", ",", "备注", ",", "职位", "\r\n",
                                    "陈静", ",", "杭州青山茶业", ",+86 138-0013-8000,Chen.Jing@QingShan.example,Trade_Show,", "要春茶样品",
                                    ",", "采购经理", "\r\n",
                                    "𠀀王", ",\"", "深圳", "\"\"", "前海", "\"\"", "科技", "\",,wang@qianhai.example,,,\r\n")
            let uploaded = try await app.upload(file, object: "leads", tenant: tenant)
            #expect(uploaded.status == .created, "\(uploaded.body.string)")
            let job = try uploaded.json()
            #expect(job["object"] as? String == "leads")
            #expect(job["encoding"] as? String == "gb18030")
            #expect((job["columns"] as? [[String: Any]])?.map { $0["field"] as? String }
                    == ["name", "company", "phone", "email", "source", "message", "title"])
            #expect((job["fields"] as? [[String: Any]])?.map { $0["name"] as? String }
                    == ["name", "company", "email", "phone", "title", "source", "message"])
            #expect(job["error_count"] as? Int == 0, "\(job.errorList)")

            let committed = try await app.request(.post, "/api/v1/imports/\(try #require(job["id"] as? String))/commit", token: tenant.apiKey)
            #expect(committed.status == .ok, "\(committed.body.string)")
            #expect(try committed.json().result == ["created": 2, "updated": 0, "skipped": 0])
            let leads = try await app.all("/api/v1/leads", tenant: tenant)
            #expect(leads.map { $0["name"] as? String } == ["陈静", "𠀀王"])
            #expect(leads[0]["company"] as? String == "杭州青山茶业")
            #expect(leads[0]["email"] as? String == "chen.jing@qingshan.example")
            #expect(leads[0]["source"] as? String == "trade_show")
            #expect(leads[0]["message"] as? String == "要春茶样品")
            #expect(leads[0]["title"] as? String == "采购经理")
            #expect(leads[1]["company"] as? String == "深圳\"前海\"科技")
            #expect(leads.allSatisfy { $0["status"] as? String == "new" && $0["owner_id"] as? String == me })
        }
    }

    @Test("every row is checked with the leads API's rules and every problem is listed; one bad row keeps the whole file out")
    func rowErrors() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let csv = "Name,Company,Email,Mobile,Lead Source,Notes\n"
                + "Li Wei,Golden Lotus,li.wei@lotus.example,+86 139 0000 0000,referral,Met at the Canton Fair\n"
                + ",Nameless Ltd,nobody@example.cn,,,\n"
                + "Bad Email,,not-an-email,,,\n"
                + "Bad Phone,,,call me maybe,,\n"
                + "Bad Source,,,,展会,\n"
                + "Long Company,\(String(repeating: "公", count: 301)),,,,\n"
                + "Long Note,,,,,\(String(repeating: "x", count: 5001))\n"
            let job = try await app.upload(csv, object: "leads", tenant: tenant).json()
            let errors = job.errorList.map { "\($0["row"] as? Int ?? 0) \($0["field"] as? String ?? "-") \($0["code"] as? String ?? "")" }
            #expect(errors == ["3 name required", "4 email invalid_value", "5 phone invalid_value", "6 source invalid_value",
                               "7 company invalid_value", "8 message invalid_value"], "\(errors)")
            // The messages are the API's own.
            let api = try await app.request(.post, "/api/v1/leads", token: tenant.apiKey, json: ["name": "X", "source": "展会"])
            let apiMessage = (try api.json()["error"] as? [String: Any])?["message"] as? String
            #expect(job.errorList.first { $0["field"] as? String == "source" }?["message"] as? String == apiMessage)
            #expect(job.errorList.first { $0["field"] as? String == "source" }?["column"] as? String == "Lead Source")

            let id = try #require(job["id"] as? String)
            let refused = try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey)
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "import_has_errors")
            #expect(try await app.all("/api/v1/leads", tenant: tenant).isEmpty, "not even the good row")

            // Importing only the name and company leaves the rows without a name, or with a long company.
            let remapped = try await app.request(.patch, "/api/v1/imports/\(id)", token: tenant.apiKey,
                                                 json: ["mapping": ["name", "company", NSNull(), NSNull(), NSNull(), NSNull()]])
            #expect(try remapped.json().errorList.map { $0["row"] as? Int } == [3, 7])
        }
    }

    @Test("a commit that the database refuses half-way through writes nothing, not even the batches before")
    func allOrNothing() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            // A refusal the checks cannot foresee, in the second batch of 5,000: a trigger that only
            // this test's workspace meets, dropped again whatever happens.
            let database = try await TestDatabase.shared.value
            let trigger = "refuse_lead_" + UUID().uuidString.prefix(8).lowercased()
            try await withClient(database.owner) { client in
                try await client.query(PostgresQuery(unsafeSQL: """
                    CREATE FUNCTION \(trigger)() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'check_violation'; END $$
                    """), logger: TestDatabase.logger)
                try await client.query(PostgresQuery(unsafeSQL: """
                    CREATE TRIGGER \(trigger) BEFORE INSERT ON leads FOR EACH ROW
                    WHEN (NEW.tenant_id = '\(tenant.id)' AND NEW.name = 'Refused') EXECUTE FUNCTION \(trigger)()
                    """), logger: TestDatabase.logger)
            }
            func dropTrigger() async throws {
                try await withClient(database.owner) { client in
                    try await client.query(PostgresQuery(unsafeSQL: "DROP TRIGGER \(trigger) ON leads"), logger: TestDatabase.logger)
                    try await client.query(PostgresQuery(unsafeSQL: "DROP FUNCTION \(trigger)()"), logger: TestDatabase.logger)
                }
            }
            do {
                let csv = "name,email\n" + (0..<6_000).map { $0 == 5_500 ? "Refused,refused@example.cn" : "客户\($0),c\($0)@example.cn" }
                    .joined(separator: "\n")
                let job = try await app.upload(csv, object: "leads", tenant: tenant).json()
                #expect(job["error_count"] as? Int == 0)
                let id = try #require(job["id"] as? String)
                let commit = try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey)
                #expect(commit.status == .unprocessableContent, "\(commit.body.string)")
                #expect(commit.errorCode == "invalid_value")
                let failed = try await app.request(.get, "/api/v1/imports/\(id)", token: tenant.apiKey).json()
                #expect(failed["status"] as? String == "failed")
                #expect((failed["failure"] as? [String: Any])?["code"] as? String == "invalid_value")
                #expect((failed["progress"] as? [String: Int])?["processed"] == 0)
                #expect(try await app.all("/api/v1/leads", tenant: tenant).isEmpty)
                let audit = try await app.request(.get, "/api/v1/audit?entity_type=leads", token: tenant.apiKey)
                #expect(audit.items.isEmpty, "no audit entry of the rolled-back rows")
            } catch {
                try await dropTrigger()
                throw error
            }
            try await dropTrigger()
        }
    }

    @Test("dedupe on email (any case) and phone digits against the workspace's leads and the file; a converted lead is never updated")
    func dedupe() async throws {
        try await TestApp.run { app in
            let csv = "name,email,phone,title,source\n"
                + "Wang Again,WANG@example.cn,,Director,\n"              // the existing lead, by email
                + "Wang Phone,,+86 (138) 0013 8000,,referral\n"          // the existing lead, by phone digits
                + "Li New,li@example.cn,139 0000 0000,Buyer,\n"           // new
                + "Li Twice,li@example.cn,,Manager,\n"                    // the row above, by email
                + "Zhao Converted,zhao@example.cn,,Owner,\n"             // the converted lead
                + "No Keys,,,,\n"                                          // new: nothing to compare
            var outcomes: [String: ([String: Int], [String])] = [:]
            for mode in ["skip", "update", "create"] {
                let tenant = try await app.makeTenant()
                _ = try await app.create("/api/v1/leads", tenant, [
                    "name": "王先生", "email": "wang@example.cn", "phone": "+86 138-0013-8000", "title": "Buyer", "source": "web_form",
                ])
                let converted = try await app.createID("/api/v1/leads", tenant, [
                    "name": "赵总", "company": "赵氏贸易", "email": "zhao@example.cn", "status": "qualified",
                ])
                #expect(try await app.request(.post, "/api/v1/leads/\(converted)/convert", token: tenant.apiKey, json: [:]).status == .ok)
                let job = try await app.importCSV(csv, object: "leads", tenant: tenant, dedupe: mode)
                let leads = try await app.all("/api/v1/leads", tenant: tenant)
                outcomes[mode] = (job.result, leads.map {
                    "\($0["name"] as? String ?? "")/\($0["title"] as? String ?? "-")/\($0["source"] as? String ?? "-")"
                })
            }
            #expect(outcomes["skip"]?.0 == ["created": 2, "updated": 0, "skipped": 4])
            #expect(outcomes["skip"]?.1 == ["王先生/Buyer/web_form", "赵总/-/-", "Li New/Buyer/-", "No Keys/-/-"])
            // update: later rows win, blank cells keep what is there; the converted lead stays as it was
            #expect(outcomes["update"]?.0 == ["created": 2, "updated": 1, "skipped": 1])
            #expect(outcomes["update"]?.1 == ["Wang Phone/Director/referral", "赵总/-/-", "Li Twice/Manager/-", "No Keys/-/-"])
            #expect(outcomes["create"]?.0 == ["created": 6, "updated": 0, "skipped": 0])
            #expect(outcomes["create"]?.1.count == 8)
        }
    }

    @Test("a rep's import: the leads are the rep's, audited and sent as events like any write; dedupe sees only the rep's leads and changes no read-only share")
    func repOwnsImportedLeads() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let rep = try await app.makeMember(of: tenant, role: .salesRep)
            let asRep = tenant.acting(as: rep.apiKey)
            let hook = try await app.request(.post, "/api/v1/webhooks", token: tenant.apiKey,
                                             json: ["url": "https://127.0.0.1:9/leads", "event_types": ["lead.created"]])
            let hookID = try #require(try hook.json()["id"] as? String)

            // The owner's leads: one shared with the rep to read, one unshared.
            let shared = try await app.createID("/api/v1/leads", tenant, ["name": "Shared", "email": "shared@example.cn", "title": "Before"])
            #expect(try await app.request(.post, "/api/v1/leads/\(shared)/shares", token: tenant.apiKey,
                                          json: ["user_id": rep.id, "access": "read"]).status == .created)
            _ = try await app.createID("/api/v1/leads", tenant, ["name": "Hidden", "email": "hidden@example.cn"])

            let csv = "姓名,邮箱,职位\n甲,a@example.cn,\n乙,b@example.cn,\nShared Again,SHARED@example.cn,After\nHidden Again,hidden@example.cn,\n"
            let job = try await app.importCSV(csv, object: "leads", tenant: asRep, dedupe: "update")
            // The read-only share is a duplicate left out; the owner's unshared lead is out of the rep's sight.
            #expect(job.result == ["created": 3, "updated": 0, "skipped": 1])
            let repLeads = try await app.all("/api/v1/leads", tenant: asRep)
            #expect(repLeads.map { $0["name"] as? String } == ["Shared", "甲", "乙", "Hidden Again"])
            #expect(repLeads.dropFirst().allSatisfy { $0["owner_id"] as? String == rep.id })
            let unchanged = try await app.request(.get, "/api/v1/leads/\(shared)", token: tenant.apiKey).json()
            #expect(unchanged["title"] as? String == "Before")
            #expect(unchanged["name"] as? String == "Shared")

            let audit = try await app.request(.get, "/api/v1/audit?entity_type=leads&actor=\(rep.id)", token: tenant.apiKey).items
            #expect(audit.count == 3)
            #expect(audit.allSatisfy { $0["action"] as? String == "insert" && $0["actor_credential"] as? String == "api_key" })
            let deliveries = try await app.request(.get, "/api/v1/webhooks/\(hookID)/deliveries?limit=200", token: tenant.apiKey).items
            #expect(deliveries.count == 5, "two leads made through the API, three imported")
            #expect(deliveries.allSatisfy { $0["event_type"] as? String == "lead.created" })
            #expect(try await app.request(.delete, "/api/v1/webhooks/\(hookID)", token: tenant.apiKey).status == .noContent)
        }
    }

    @Test("only members who may create leads import them: a support agent is refused at upload and at commit, and nothing changes")
    func supportAgentsDoNotImportLeads() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let agent = try await app.makeMember(of: tenant, role: .supportAgent)
            let asAgent = tenant.acting(as: agent.apiKey)
            let upload = try await app.upload("name\nA\n", object: "leads", tenant: asAgent)
            #expect(upload.status == .forbidden)
            #expect(upload.errorCode == "forbidden_role")
            // Contacts stay open to every member.
            #expect(try await app.upload("name\nA\n", object: "contacts", tenant: asAgent).status == .created)

            let id = try #require(try await app.upload("name\nA\n", object: "leads", tenant: tenant).json()["id"] as? String)
            let commit = try await app.request(.post, "/api/v1/imports/\(id)/commit", token: agent.apiKey)
            #expect(commit.status == .forbidden)
            #expect(commit.errorCode == "forbidden_role")
            let job = try await app.request(.get, "/api/v1/imports/\(id)", token: tenant.apiKey).json()
            #expect(job["status"] as? String == "ready")
            #expect(try await app.all("/api/v1/leads", tenant: tenant).isEmpty)
        }
    }

    @Test("another workspace's leads import answers 404 on every endpoint, exactly like a missing one, and stays unchanged")
    func crossTenant() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let id = try #require(try await app.upload("姓名,邮箱\n张伟,zhang@example.cn\n", object: "leads", tenant: owner).json()["id"] as? String)
            let missing = UUID().uuidString.lowercased()
            let calls: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.get, "", nil), (.get, "/errors", nil), (.patch, "", ["dedupe": "update"]), (.post, "/commit", nil),
            ]
            for (method, suffix, json) in calls {
                let foreign = try await app.request(method, "/api/v1/imports/\(id)\(suffix)", token: intruder.apiKey, json: json)
                #expect(foreign.status == .notFound, "\(method) \(suffix)")
                #expect(foreign.errorCode == "import_not_found")
                let absent = try await app.request(method, "/api/v1/imports/\(missing)\(suffix)", token: intruder.apiKey, json: json)
                #expect(absent.body.string == foreign.body.string)
            }
            let after = try await app.request(.get, "/api/v1/imports/\(id)", token: owner.apiKey).json()
            #expect(after["dedupe"] as? String == "skip")
            #expect(after["status"] as? String == "ready")
            #expect(try await app.all("/api/v1/leads", tenant: owner).isEmpty)
            #expect(try await app.all("/api/v1/leads", tenant: intruder).isEmpty)
        }
    }
}
