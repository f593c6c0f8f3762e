import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Exports")
struct ExportTests {
    @Test("contacts and accounts exported from one workspace import into another as the same records")
    func roundTrip() async throws {
        try await TestApp.run { app in
            let source = try await app.makeTenant()
            var accountIDs: [String] = []
            for account in [
                ["name": "上海明华贸易有限公司", "website": "https://minghua.example", "phone": "+86 21 6666 8888", "industry": "贸易"],
                ["name": "Smith, Jones & \"Partners\"", "industry": "Law"],
                ["name": "=HYPERLINK(\"http://evil.example\")"],
            ] {
                let created = try await app.request(.post, "/api/v1/accounts", token: source.apiKey, json: account)
                accountIDs.append(try #require(try created.json()["id"] as? String))
            }
            for contact: [String: Any] in [
                ["name": "张伟", "email": "zhang.wei@minghua.example", "phone": "+86 138-0013-8000", "title": "采购经理\r\n华东区",
                 "account_id": accountIDs[0]],
                ["name": "@李娜", "phone": "-10 8888", "account_id": accountIDs[1]],
                ["name": "O'Brien, Pat", "email": "pat@example.ie", "title": "\"Chief\" buyer"],
                ["name": "+王芳", "account_id": accountIDs[2]],
            ] {
                #expect(try await app.request(.post, "/api/v1/contacts", token: source.apiKey, json: contact).status == .created)
            }

            let accounts = try await app.request(.get, "/api/v1/accounts/export.csv", token: source.apiKey)
            #expect(accounts.status == .ok)
            #expect(accounts.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(accounts.headers[.contentDisposition] == "attachment; filename=\"accounts.csv\"")
            let accountBytes = Array(accounts.body.readableBytesView)
            #expect(accountBytes.starts(with: [0xEF, 0xBB, 0xBF]), "a byte order mark, for Excel")
            let accountText = String(decoding: accountBytes.dropFirst(3), as: UTF8.self)
            #expect(accountText.hasPrefix("id,name,website,phone,industry,created_at,updated_at\r\n"))
            #expect(accountText.contains(",\"Smith, Jones & \"\"Partners\"\"\",,,Law,"), "RFC 4180 quoting")
            #expect(accountText.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\")\","), "formulas are written as text")
            #expect(accountText.contains(",'+86 21 6666 8888,"))

            let contacts = try await app.request(.get, "/api/v1/contacts/export.csv", token: source.apiKey)
            #expect(contacts.status == .ok)
            let contactText = String(decoding: Array(contacts.body.readableBytesView).dropFirst(3), as: UTF8.self)
            #expect(contactText.hasPrefix("id,name,email,phone,title,account_name,account_id,created_at,updated_at\r\n"))
            #expect(contactText.contains(",'@李娜,,'-10 8888,,\"Smith, Jones & \"\"Partners\"\"\","))
            #expect(contactText.contains("\"采购经理\r\n华东区\""))

            let target = try await app.makeTenant()
            let importedAccounts = try await app.importCSV(accountText, object: "accounts", tenant: target)
            #expect(importedAccounts.result["created"] == 3)
            let upload = try await app.upload(Array(contacts.body.readableBytesView), object: "contacts", tenant: target)
            let job = try upload.json()
            #expect(job["encoding"] as? String == "utf-8-bom")
            #expect((job["columns"] as? [[String: Any]])?.map { $0["field"] as? String }
                    == [nil, "name", "email", "phone", "title", "account_name", nil, nil, nil], "ids do not travel; names do")
            let committed = try await app.request(.post, "/api/v1/imports/\(try #require(job["id"] as? String))/commit", token: target.apiKey)
            #expect(committed.status == .ok, "\(committed.body.string)")

            func records(_ tenant: TestTenant) async throws -> (accounts: [String], contacts: [String]) {
                let accounts = try await app.all("/api/v1/accounts", tenant: tenant)
                let names = Dictionary(uniqueKeysWithValues: accounts.map { ($0["id"] as? String ?? "", $0["name"] as? String ?? "") })
                func text(_ value: Any?) -> String { value as? String ?? "∅" }
                return (accounts.map { [$0["name"], $0["website"], $0["phone"], $0["industry"]].map(text).joined(separator: "|") },
                        try await app.all("/api/v1/contacts", tenant: tenant).map { contact in
                            ([contact["name"], contact["email"], contact["phone"], contact["title"]].map(text)
                             + [names[contact["account_id"] as? String ?? ""] ?? "∅"]).joined(separator: "|")
                        })
            }
            let original = try await records(source)
            let copy = try await records(target)
            #expect(copy.accounts == original.accounts)
            #expect(copy.contacts == original.contacts)
            #expect(copy.contacts.first == "张伟|zhang.wei@minghua.example|+86 138-0013-8000|采购经理\r\n华东区|上海明华贸易有限公司")
        }
    }

    @Test("every page streams; the list's filters apply; GB18030 on request")
    func pagesFiltersAndEncodings() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant(plan: "growth")
            let account = try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey, json: ["name": "远方科技"]).json()
            let accountID = try #require(account["id"] as? String)
            let csv = "name,account_id\n" + (0..<2_500).map { "客户\($0),\($0 % 10 == 0 ? accountID : "")" }
                .joined(separator: "\n")
            #expect(try await app.importCSV(csv, object: "contacts", tenant: tenant).result["created"] == 2_500)

            func lines(_ query: String) async throws -> [String] {
                let response = try await app.request(.get, "/api/v1/contacts/export.csv\(query)", token: tenant.apiKey)
                #expect(response.status == .ok, "\(response.body.string)")
                return String(decoding: Array(response.body.readableBytesView).dropFirst(3), as: UTF8.self)
                    .components(separatedBy: "\r\n").dropLast().dropFirst().map { String($0) }
            }
            let everything = try await lines("")
            #expect(everything.count == 2_500, "more than two pages of 1,000")
            #expect(everything.first?.contains(",客户0,") == true)
            #expect(everything.last?.contains(",客户2499,") == true)
            #expect(try await lines("?account_id=\(accountID)").count == 250)
            let q = "客户249".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(try await lines("?q=\(q)").count == 11)   // 客户249 and 客户2490…2499

            let gb = try await app.request(.get, "/api/v1/contacts/export.csv?encoding=gb18030&q=\(q)", token: tenant.apiKey)
            #expect(gb.headers[.contentType] == "text/csv; charset=gb18030")
            let bytes = Array(gb.body.readableBytesView)
            #expect(bytes.starts(with: Array("id,name,".utf8)), "no byte order mark")
            let customer = [UInt8]([0xBF, 0xCD, 0xBB, 0xA7])   // 客户
            #expect(bytes.indices.contains { bytes[$0...].starts(with: customer) }, "客户 in GB18030")
            // What the export wrote, the import reads back as GB18030.
            let reread = try await app.upload(bytes, object: "contacts", tenant: tenant).json()
            #expect(reread["encoding"] as? String == "gb18030")
            #expect(((reread["preview"] as? [[String: Any]])?.first?["values"] as? [String: Any])?["name"] as? String == "客户249")

            let badEncoding = try await app.request(.get, "/api/v1/contacts/export.csv?encoding=latin1", token: tenant.apiKey)
            #expect(badEncoding.status == .badRequest)
            #expect(badEncoding.errorCode == "invalid_parameter")
            #expect(try await app.request(.get, "/api/v1/contacts/export.csv?account_id=x", token: tenant.apiKey).errorCode == "invalid_filter")
            let accounts = try await app.request(.get, "/api/v1/accounts/export.csv?q=远方", token: tenant.apiKey)
            #expect(String(decoding: Array(accounts.body.readableBytesView).dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").count == 3)

            // Another workspace's export holds none of these.
            let other = try await app.makeTenant()
            let empty = try await app.request(.get, "/api/v1/contacts/export.csv", token: other.apiKey)
            #expect(String(decoding: Array(empty.body.readableBytesView).dropFirst(3), as: UTF8.self)
                    == "id,name,email,phone,title,account_name,account_id,created_at,updated_at\r\n")
        }
    }
}
