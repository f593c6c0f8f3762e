import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

extension TestApp {
    /// Uploads `file` as the body of `POST /api/v1/imports?object=…`.
    func upload(_ file: [UInt8], object: String, tenant: TestTenant, query: String = "",
                contentType: String = "text/csv") async throws -> TestResponse {
        let headers: HTTPFields = [.authorization: "Bearer \(tenant.apiKey)", .contentType: contentType]
        return try await client.execute(uri: "/api/v1/imports?object=\(object)\(query)", method: .post, headers: headers,
                                        body: ByteBuffer(bytes: file))
    }

    func upload(_ csv: String, object: String, tenant: TestTenant, query: String = "") async throws -> TestResponse {
        try await upload(Array(csv.utf8), object: object, tenant: tenant, query: query)
    }

    /// Uploads and commits; returns the committed job.
    @discardableResult
    func importCSV(_ csv: String, object: String, tenant: TestTenant, dedupe: String = "skip") async throws -> [String: Any] {
        let uploaded = try await upload(csv, object: object, tenant: tenant, query: "&dedupe=\(dedupe)")
        #expect(uploaded.status == .created, "\(uploaded.body.string)")
        let id = try #require(try uploaded.json()["id"] as? String)
        let committed = try await request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey)
        #expect(committed.status == .ok, "\(committed.body.string)")
        return try committed.json()
    }

    /// Every record of a list endpoint, following the cursor.
    func all(_ path: String, tenant: TestTenant) async throws -> [[String: Any]] {
        var records: [[String: Any]] = []
        var cursor: String?
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let page = try await request(.get, path + separator + "limit=200" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                         token: tenant.apiKey).json()
            records += page["data"] as? [[String: Any]] ?? []
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        return records
    }
}

extension [String: Any] {
    var errorList: [[String: Any]] { self["errors"] as? [[String: Any]] ?? [] }
    var result: [String: Int] { self["result"] as? [String: Int] ?? [:] }
}

@Suite("Imports")
struct ImportTests {
    @Test("preview: Chinese headers map themselves, RFC 4180 quoting is read, every row's errors are listed; commit refuses until they are fixed")
    func previewMappingAndErrors() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let csv = "姓名,邮箱,手机,职位,备注\r\n"
                + "王小明,Wang.XM@Example.CN,+86 138-0013-8000,\"采购经理, 华东区\",\"第一行\r\n第二行\"\r\n"
                + "\"李 \"\"小龙\"\"\",not-an-email,call me,,\r\n"
                + ",,,,\r\n"
                + ",nobody@example.cn,,,\r\n"
                + "赵六,,,,,extra\r\n"
                + "'=SUM(A1),,,,\r\n"
            let uploaded = try await app.upload(csv, object: "contacts", tenant: tenant)
            #expect(uploaded.status == .created, "\(uploaded.body.string)")
            let job = try uploaded.json()
            #expect(job["status"] as? String == "ready")
            #expect(job["encoding"] as? String == "utf-8")
            #expect(job["dedupe"] as? String == "skip")
            #expect(job["row_count"] as? Int == 5, "the blank row is left out")
            let columns = try #require(job["columns"] as? [[String: Any]])
            #expect(columns.map { $0["field"] as? String } == ["name", "email", "phone", "title", nil])
            #expect(columns.map { $0["header"] as? String } == ["姓名", "邮箱", "手机", "职位", "备注"])

            let preview = try #require(job["preview"] as? [[String: Any]])
            let first = try #require(preview.first?["values"] as? [String: Any])
            #expect(preview.first?["row"] as? Int == 2)
            #expect(first["email"] as? String == "wang.xm@example.cn")
            #expect(first["title"] as? String == "采购经理, 华东区")
            #expect((preview[1]["values"] as? [String: Any])?["name"] as? String == "李 \"小龙\"")
            #expect((preview.last?["values"] as? [String: Any])?["name"] as? String == "=SUM(A1)", "the export's formula guard comes off")

            let errors = job.errorList.map { "\($0["row"] as? Int ?? 0) \($0["field"] as? String ?? "-") \($0["code"] as? String ?? "")" }
            #expect(errors == ["3 email invalid_value", "3 phone invalid_value", "5 name required", "6 - extra_cells"], "\(errors)")
            #expect(job["error_count"] as? Int == 4)
            #expect(job.errorList.first?["column"] as? String == "邮箱")

            let id = try #require(job["id"] as? String)
            let refused = try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey)
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "import_has_errors")
            #expect(try await app.all("/api/v1/contacts", tenant: tenant).isEmpty)

            // Not importing email and phone leaves the two other rows' errors.
            let remapped = try await app.request(.patch, "/api/v1/imports/\(id)", token: tenant.apiKey,
                                                 json: ["mapping": ["name", NSNull(), NSNull(), "title", NSNull()], "dedupe": "create"])
            #expect(remapped.status == .ok, "\(remapped.body.string)")
            #expect(try remapped.json()["error_count"] as? Int == 2)
            #expect(try remapped.json()["dedupe"] as? String == "create")
            #expect(try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey).errorCode == "import_has_errors")
        }
    }

    @Test("emails: text, one @, and a dot with text on both sides after it; no white space inside")
    func emailRule() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let emails = ["li.wei@example.com", "a@b.c", " Trim@Example.CN ", "x@y.z.w", "a@b", "a@.cn", "a@cn.", "@b.cn",
                          "a b@c.cn", "a@b@c.cn", "a@b .cn", "李@例子.中国"]
            let csv = "name,email\n" + emails.enumerated().map { "n\($0.offset),\"\($0.element)\"" }.joined(separator: "\n")
            let job = try await app.upload(csv, object: "contacts", tenant: tenant).json()
            let refused = job.errorList.map { emails[($0["row"] as? Int ?? 0) - 2] }
            #expect(refused == ["a@b", "a@.cn", "a@cn.", "@b.cn", "a b@c.cn", "a@b@c.cn", "a@b .cn"])
            let accepted = (job["preview"] as? [[String: Any]])?.compactMap { ($0["values"] as? [String: Any])?["email"] as? String }
            #expect(accepted == ["li.wei@example.com", "a@b.c", "trim@example.cn", "x@y.z.w", "李@例子.中国"])
        }
    }

    @Test("a clean file commits all its rows, and the job reports the outcome")
    func commitCleanFile() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let csv = "Name,E-mail,Phone,Title\n"
                + "王小明,wang@example.cn,+86 138-0013-8000,\"Buyer\nEast\"\n"
                + "Anna Müller,anna@beispiel.de,030 1234567,\n"
                + "欧阳娜娜,,,\n"
            let job = try await app.importCSV(csv, object: "contacts", tenant: tenant)
            #expect(job["status"] as? String == "committed")
            #expect(job.result == ["created": 3, "updated": 0, "skipped": 0])
            #expect((job["progress"] as? [String: Int]) == ["processed": 3, "total": 3])
            #expect(job["committed_at"] is String)
            let contacts = try await app.all("/api/v1/contacts", tenant: tenant)
            #expect(contacts.map { $0["name"] as? String } == ["王小明", "Anna Müller", "欧阳娜娜"], "file order is creation order")
            #expect(contacts[0]["title"] as? String == "Buyer\nEast")
            #expect(contacts[1]["phone"] as? String == "030 1234567")
            #expect(contacts[2]["email"] is NSNull)

            let id = try #require(job["id"] as? String)
            let again = try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "import_committed")
            let patch = try await app.request(.patch, "/api/v1/imports/\(id)", token: tenant.apiKey, json: ["dedupe": "update"])
            #expect(patch.errorCode == "import_committed")
            #expect(try await app.all("/api/v1/contacts", tenant: tenant).count == 3)
        }
    }

    @Test("GB18030 and UTF-8 with a byte order mark are read; UTF-16 and broken files are refused with a reason")
    func encodings() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            // "姓名,邮箱\n张伟,zhang@example.cn\n𠀀王,x@y.cn\n" in GB18030, as `iconv -t GB18030` writes it
            // (𠀀, outside the basic plane, takes four bytes).
            let gb18030: [UInt8] = [0xD0, 0xD5, 0xC3, 0xFB, 0x2C, 0xD3, 0xCA, 0xCF, 0xE4, 0x0A]
                + [0xD5, 0xC5, 0xCE, 0xB0] + Array(",zhang@example.cn\n".utf8)
                + [0x95, 0x32, 0x82, 0x36, 0xCD, 0xF5] + Array(",x@y.cn\n".utf8)
            let gbJob = try await app.upload(gb18030, object: "contacts", tenant: tenant).json()
            #expect(gbJob["encoding"] as? String == "gb18030")
            #expect((gbJob["columns"] as? [[String: Any]])?.map { $0["header"] as? String } == ["姓名", "邮箱"])
            let gbNames = (gbJob["preview"] as? [[String: Any]])?.compactMap { ($0["values"] as? [String: Any])?["name"] as? String }
            #expect(gbNames == ["张伟", "𠀀王"])

            let bom = try await app.upload([0xEF, 0xBB, 0xBF] + Array("名称,电话\n李娜,+86 10 8888 6666\n".utf8),
                                           object: "contacts", tenant: tenant).json()
            #expect(bom["encoding"] as? String == "utf-8-bom")
            #expect((bom["columns"] as? [[String: Any]])?.first?["header"] as? String == "名称", "the mark is not part of the first header")
            #expect((bom["columns"] as? [[String: Any]])?.map { $0["field"] as? String } == ["name", "phone"])

            let refusals: [([UInt8], HTTPResponse.Status, String)] = [
                ([0xFF, 0xFE] + Array("n\0a\0".utf8), .unprocessableContent, "unreadable_encoding"),
                ([0x80, 0xFF, 0x41], .unprocessableContent, "unreadable_encoding"),
                (Array("name,email\n\"never closed,x@y.cn\n".utf8), .unprocessableContent, "invalid_csv"),
                (Array("name\nA\0B\n".utf8), .unprocessableContent, "invalid_csv"),
                (Array("".utf8), .unprocessableContent, "empty_file"),
                (Array(" , \n".utf8), .unprocessableContent, "empty_file"),
            ]
            for (file, status, code) in refusals {
                let response = try await app.upload(file, object: "contacts", tenant: tenant)
                #expect(response.status == status, "\(file.prefix(8))")
                #expect(response.errorCode == code, "\(response.body.string)")
            }
        }
    }

    @Test("dedupe on email (any case) and phone digits (any formatting), against the workspace and within the file")
    func dedupe() async throws {
        try await TestApp.run { app in
            let csv = "name,email,phone,title\n"
                + "Wang Again,WANG@example.cn,,Director\n"           // the existing contact, by email
                + "Wang Phone,,+86 (138) 0013 8000,\n"               // the existing contact, by phone digits
                + "Li New,li@example.cn,139 0000 0000,Buyer\n"       // new
                + "Li Twice,li@example.cn,,Manager\n"                // the row above, by email
                + "No Keys,,,\n"                                      // new: nothing to compare
            var outcomes: [String: ([String: Int], [String])] = [:]
            for mode in ["skip", "update", "create"] {
                let tenant = try await app.makeTenant()
                let existing = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: [
                    "name": "王先生", "email": "wang@example.cn", "phone": "+86 138-0013-8000", "title": "Buyer",
                ])
                #expect(existing.status == .created)
                let job = try await app.importCSV(csv, object: "contacts", tenant: tenant, dedupe: mode)
                let contacts = try await app.all("/api/v1/contacts", tenant: tenant)
                outcomes[mode] = (job.result, contacts.map { "\($0["name"] as? String ?? "")/\($0["title"] as? String ?? "-")" })
            }
            #expect(outcomes["skip"]?.0 == ["created": 2, "updated": 0, "skipped": 3])
            #expect(outcomes["skip"]?.1 == ["王先生/Buyer", "Li New/Buyer", "No Keys/-"])
            // update: later rows win, blank cells keep what is there
            #expect(outcomes["update"]?.0 == ["created": 2, "updated": 1, "skipped": 0])
            #expect(outcomes["update"]?.1 == ["Wang Phone/Director", "Li Twice/Manager", "No Keys/-"])
            #expect(outcomes["create"]?.0 == ["created": 5, "updated": 0, "skipped": 0])
            #expect(outcomes["create"]?.1.count == 6)
        }
    }

    @Test("accounts import and dedupe by name; contacts name their account, unknown and ambiguous names are row errors")
    func accountsAndReferences() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let accounts = "公司名称,网站,电话,行业\n上海明华贸易有限公司,https://minghua.example,021-6666-8888,贸易\n"
                + "北京远方科技,,,软件\n上海明华贸易有限公司,,,\n同名公司,,,\n"
            let accountJob = try await app.importCSV(accounts, object: "accounts", tenant: tenant)
            #expect(accountJob.result == ["created": 3, "updated": 0, "skipped": 1])
            // A second account with the same name, made by hand, makes that name ambiguous.
            #expect(try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey, json: ["name": "同名公司"]).status == .created)
            let stored = try await app.all("/api/v1/accounts", tenant: tenant)
            #expect(stored.first?["industry"] as? String == "贸易")
            let minghua = try #require(stored.first?["id"] as? String)

            let contacts = "姓名,公司\n张伟,上海明华贸易有限公司\n李娜, 上海明华贸易有限公司 \n王芳,不存在的公司\n赵强,同名公司\n"
            let job = try await app.upload(contacts, object: "contacts", tenant: tenant).json()
            #expect((job["columns"] as? [[String: Any]])?.map { $0["field"] as? String } == ["name", "account_name"])
            let codes = job.errorList.map { "\($0["row"] as? Int ?? 0) \($0["code"] as? String ?? "")" }
            #expect(codes == ["4 unknown_account", "5 ambiguous_account"])
            #expect(((job["preview"] as? [[String: Any]])?.first?["values"] as? [String: Any])?["account_name"] as? String == minghua)

            let id = try #require(job["id"] as? String)
            // Both account fields set account_id: mapping both is refused, and changes nothing.
            let both = try await app.request(.patch, "/api/v1/imports/\(id)", token: tenant.apiKey, json: ["mapping": ["account_id", "account_name"]])
            #expect(both.errorCode == "invalid_mapping")
            let nameless = try await app.request(.patch, "/api/v1/imports/\(id)", token: tenant.apiKey, json: ["mapping": [NSNull(), "account_name"]])
            #expect(nameless.status == .ok)
            #expect(try nameless.json().errorList.first?["code"] as? String == "required_field_unmapped")
            #expect(try nameless.json().errorList.first?["row"] as? Int == 1)
        }
    }

    @Test("a commit checks the rows again: an account deleted since the preview stops it, and nothing is written")
    func recheckAtCommit() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let account = try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey, json: ["name": "远方科技"]).json()
            let job = try await app.upload("姓名,公司\n张伟,远方科技\n", object: "contacts", tenant: tenant).json()
            #expect(job["error_count"] as? Int == 0)
            let id = try #require(job["id"] as? String)
            #expect(try await app.request(.delete, "/api/v1/accounts/\(try #require(account["id"] as? String))", token: tenant.apiKey)
                .status == .noContent)
            let commit = try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey)
            #expect(commit.status == .conflict)
            #expect(commit.errorCode == "import_has_errors")
            let after = try await app.request(.get, "/api/v1/imports/\(id)", token: tenant.apiKey).json()
            #expect(after["status"] as? String == "failed")
            #expect((after["failure"] as? [String: Any])?["code"] as? String == "import_has_errors")
            #expect(after["error_count"] as? Int == 1)
            #expect(after.errorList.first?["code"] as? String == "unknown_account")
            #expect(try await app.all("/api/v1/contacts", tenant: tenant).isEmpty)
        }
    }

    @Test("bad requests: unknown object, mappings and dedupe choices, uploads in the wrong form; multipart uploads work")
    func badRequests() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let csv = "name,email\nA,a@example.cn\n"
            #expect(try await app.upload(csv, object: "leads_or_whatever", tenant: tenant).errorCode == "invalid_parameter")
            #expect(try await app.upload(csv, object: "contacts", tenant: tenant, query: "&dedupe=merge").errorCode == "invalid_field")
            let json = try await app.upload(Array(#"{"name":"A"}"#.utf8), object: "contacts", tenant: tenant, contentType: "application/json")
            #expect(json.status == .badRequest)
            #expect(json.errorCode == "invalid_upload")
            let huge = try await app.upload([UInt8](repeating: 0x41, count: (64 << 20) + 1), object: "contacts", tenant: tenant)
            #expect(huge.status == .contentTooLarge)

            let id = try #require(try await app.upload(csv, object: "contacts", tenant: tenant).json()["id"] as? String)
            let cases: [([String: Any], String)] = [
                (["mapping": ["name"]], "invalid_mapping"),
                (["mapping": ["name", "nickname"]], "invalid_mapping"),
                (["mapping": ["name", "name"]], "invalid_mapping"),
                (["dedupe": "merge"], "invalid_field"),
                (["mapping": "name,email"], "invalid_field"),
                (["columns": []], "unknown_field"),
            ]
            for (body, code) in cases {
                let response = try await app.request(.patch, "/api/v1/imports/\(id)", token: tenant.apiKey, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.errorCode == code, "\(body): \(response.body.string)")
            }

            let boundary = "----guanxi-test-boundary"
            let form = "--\(boundary)\r\nContent-Disposition: form-data; name=\"object\"\r\n\r\naccounts\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"客户.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                + "名称,行业\r\n远方科技,软件\r\n"
                + "--\(boundary)--\r\n"
            let multipart = try await app.upload(Array(form.utf8), object: "contacts", tenant: tenant,
                                                 contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(multipart.status == .created, "\(multipart.body.string)")
            #expect(try multipart.json()["object"] as? String == "accounts", "form fields win over the query")
            #expect(try multipart.json()["file_name"] as? String == "客户.csv")
            #expect(try multipart.json()["row_count"] as? Int == 1)
            let noFile = try await app.upload(Array("--\(boundary)--\r\n".utf8), object: "contacts", tenant: tenant,
                                              contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(noFile.errorCode == "invalid_upload")
        }
    }

    @Test("an import past the plan's contact limit fails whole with quota_exceeded, and one that fits goes through")
    func quota() async throws {
        try await TestApp.run { app in
            let plan = try await app.publishPlan(contacts: 5)
            let tenant = try await app.makeTenant(plan: plan)
            #expect(try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "已有"]).status == .created)
            let rows = (1...5).map { "客户\($0),c\($0)@example.cn" }.joined(separator: "\n")
            let uploaded = try await app.upload("name,email\n" + rows, object: "contacts", tenant: tenant).json()
            let id = try #require(uploaded["id"] as? String)
            let over = try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey)
            #expect(over.status.code == 402)
            #expect(over.errorCode == "quota_exceeded")
            let details = (try over.json()["error"] as? [String: Any])?["details"] as? [String: String]
            #expect(details == ["quota": "contacts", "limit": "5", "used": "1"], "\(over.body.string)")
            let failed = try await app.request(.get, "/api/v1/imports/\(id)", token: tenant.apiKey).json()
            #expect(failed["status"] as? String == "failed")
            #expect((failed["failure"] as? [String: Any])?["code"] as? String == "quota_exceeded")
            #expect(try await app.all("/api/v1/contacts", tenant: tenant).count == 1, "nothing of the import was written")
            let limits = try await app.request(.get, "/api/v1/limits", token: tenant.apiKey).json()
            #expect((limits["data"] as? [[String: Any]])?.first { $0["name"] as? String == "contacts" }?["used"] as? Int == 1)

            // With room made, the failed import can be checked and committed again.
            #expect(try await app.request(.patch, "/api/v1/imports/\(id)", token: tenant.apiKey, json: ["dedupe": "skip"]).status == .ok)
            let earlier = try #require(try await app.all("/api/v1/contacts", tenant: tenant).first?["id"] as? String)
            #expect(try await app.request(.delete, "/api/v1/contacts/\(earlier)", token: tenant.apiKey).status == .noContent)
            let retried = try await app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey)
            #expect(retried.status == .ok, "\(retried.body.string)")
            #expect(try await app.all("/api/v1/contacts", tenant: tenant).count == 5)
        }
    }

    @Test("100,000 contacts import in one commit, with progress visible while it runs")
    func hundredThousandRows() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant(plan: "business")   // 500,000 contacts
            let surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"]
            let given = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳"]
            var csv = "姓名,邮箱,手机,职位\r\n"
            csv.reserveCapacity(7_000_000)
            for n in 0..<100_000 {
                let name = surnames[n % surnames.count] + given[(n / surnames.count) % given.count] + (n % 3 == 0 ? "" : " \(n)")
                csv += "\(name),user\(n)@example.cn,+86 139-\(String(format: "%08d", n)),\(n % 2 == 0 ? "采购" : "\"Sales, North\"")\r\n"
            }
            let uploaded = try await app.upload(csv, object: "contacts", tenant: tenant)
            #expect(uploaded.status == .created)
            let job = try uploaded.json()
            #expect(job["row_count"] as? Int == 100_000)
            #expect(job["error_count"] as? Int == 0)
            let id = try #require(job["id"] as? String)

            async let commit = app.request(.post, "/api/v1/imports/\(id)/commit", token: tenant.apiKey)
            var seen: [Int] = []
            var status = "ready"
            while status != "committed" && status != "failed" && seen.count < 10_000 {
                let progress = try await app.request(.get, "/api/v1/imports/\(id)", token: tenant.apiKey).json()
                status = progress["status"] as? String ?? ""
                seen.append((progress["progress"] as? [String: Int])?["processed"] ?? -1)
                try await Task.sleep(for: .milliseconds(50))
            }
            let committed = try await commit
            #expect(committed.status == .ok, "\(committed.body.string)")
            #expect(try committed.json().result == ["created": 100_000, "updated": 0, "skipped": 0])
            #expect(seen == seen.sorted(), "progress only grows: \(seen)")
            #expect(seen.last == 100_000)

            let limits = try await app.request(.get, "/api/v1/limits", token: tenant.apiKey).json()
            #expect((limits["data"] as? [[String: Any]])?.first { $0["name"] as? String == "contacts" }?["used"] as? Int == 100_000)
            let found = try await app.request(.get, "/api/v1/contacts?q=user99999%40", token: tenant.apiKey).json()
            let contact = try #require((found["data"] as? [[String: Any]])?.first)
            #expect(contact["phone"] as? String == "+86 139-00099999")
            #expect(contact["title"] as? String == "Sales, North")
        }
    }

    @Test("another tenant's import answers 404 on every endpoint, exactly like a missing one, and stays unchanged")
    func crossTenant() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let id = try #require(try await app.upload("name,email\n张伟,bad\n", object: "contacts", tenant: owner).json()["id"] as? String)
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
            #expect(try await app.request(.get, "/api/v1/imports/not-a-uuid", token: intruder.apiKey).errorCode == "import_not_found")
            let after = try await app.request(.get, "/api/v1/imports/\(id)", token: owner.apiKey).json()
            #expect(after["dedupe"] as? String == "skip")
            #expect(after["status"] as? String == "ready")
            #expect(after["error_count"] as? Int == 1)
        }
    }

    @Test("every error is reachable a page at a time, in row order")
    func errorPages() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let csv = "name,email\n" + (0..<250).map { "客户\($0),broken\($0)" }.joined(separator: "\n")
            let job = try await app.upload(csv, object: "contacts", tenant: tenant).json()
            #expect(job["error_count"] as? Int == 250)
            #expect(job.errorList.count == 100, "the job shows the first hundred")
            let id = try #require(job["id"] as? String)
            let errors = try await app.all("/api/v1/imports/\(id)/errors", tenant: tenant)
            #expect(errors.map { $0["row"] as? Int ?? 0 } == Array(2...251))
            #expect(Set(errors.map { $0["code"] as? String ?? "" }) == ["invalid_value"])
        }
    }
}
