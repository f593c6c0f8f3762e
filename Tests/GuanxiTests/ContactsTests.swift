import Hummingbird
import Foundation
import GuanxiCore
import HummingbirdTesting
import Testing

@Suite("Accounts and contacts")
struct ContactsTests {
    @Test("create, read, update, delete a contact linked to an account")
    func contactLifecycle() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let account = try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey,
                                                json: ["name": "上海明远贸易有限公司", "website": "https://mingyuan.example.cn"])
            #expect(account.status == .created)
            let accountID = try #require(try account.json()["id"] as? String)

            let created = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: [
                "name": "  王小明 ", "email": "Wang.XM@Example.CN", "phone": "+86 138-0013-8000", "account_id": accountID,
            ])
            #expect(created.status == .created)
            let contact = try created.json()
            #expect(contact["name"] as? String == "王小明")
            #expect(contact["email"] as? String == "wang.xm@example.cn")
            #expect(contact["account_id"] as? String == accountID)
            #expect(contact["title"] is NSNull)
            let id = try #require(contact["id"] as? String)

            let read = try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey)
            #expect(read.status == .ok)
            #expect(try read.json()["phone"] as? String == "+86 138-0013-8000")

            let patched = try await app.request(.patch, "/api/v1/contacts/\(id)", token: tenant.apiKey,
                                                json: ["title": "采购经理", "phone": NSNull()])
            #expect(patched.status == .ok)
            let after = try patched.json()
            #expect(after["title"] as? String == "采购经理")
            #expect(after["phone"] is NSNull)
            #expect(after["email"] as? String == "wang.xm@example.cn")

            let cannotClearName = try await app.request(.patch, "/api/v1/contacts/\(id)", token: tenant.apiKey, json: ["name": NSNull()])
            #expect(cannotClearName.status == .unprocessableContent)

            // Deleting the account keeps the contact and drops the link.
            #expect(try await app.request(.delete, "/api/v1/accounts/\(accountID)", token: tenant.apiKey).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey).json()["account_id"] is NSNull)

            #expect(try await app.request(.delete, "/api/v1/contacts/\(id)", token: tenant.apiKey).status == .noContent)
            let gone = try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey)
            #expect(gone.status == .notFound)
            #expect(gone.errorCode == "contact_not_found")
            #expect(try await app.request(.delete, "/api/v1/contacts/\(id)", token: tenant.apiKey).status == .notFound)
        }
    }

    @Test("q finds Chinese names by any two-character part, words and emails by their start, phones in any formatting")
    func search() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for (name, email, phone) in [("欧阳娜娜", "nana@example.cn", "13912345678"), ("张伟", "zhang.wei@corp.example", "+86 (10) 8888-6666"),
                                         ("Anna Müller", "anna@beispiel.de", "030 1234567"), ("100%_Real", "pct@example.com", "")] {
                var body: [String: Any] = ["name": name, "email": email]
                if !phone.isEmpty { body["phone"] = phone }
                #expect(try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: body).status == .created)
            }
            func names(_ q: String) async throws -> [String] {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
                let page = try await app.request(.get, "/api/v1/contacts?q=\(encoded)", token: tenant.apiKey).json()
                return (page["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            for part in ["欧阳", "阳娜", "娜娜"] { #expect(try await names(part) == ["欧阳娜娜"], "\(part)") }
            #expect(try await names("张伟") == ["张伟"])
            #expect(try await names("ANNA") == ["Anna Müller"])
            #expect(try await names("zhang.wei@corp") == ["张伟"])
            #expect(try await names("mül") == ["Anna Müller"])
            #expect(try await names("corp.exa").isEmpty)  // an address matches from its start, as in the search
            #expect(try await names("88886666") == ["张伟"])
            #expect(try await names("1088886666") == ["张伟"])
            #expect(try await names("139-1234") == ["欧阳娜娜"])
            #expect(try await names("100 real") == ["100%_Real"])
            #expect(try await names("nobody").isEmpty)
            #expect(try await names("Anan").isEmpty)  // a filter takes no typos, unlike the search
            for tooShort in ["a", "%20张%20"] {
                let refused = try await app.request(.get, "/api/v1/contacts?q=\(tooShort)", token: tenant.apiKey)
                #expect(refused.status == .badRequest, "\(tooShort)")
                #expect(refused.errorCode == "invalid_filter", "\(tooShort)")
            }
        }
    }

    @Test("keyset pagination walks every record once, in creation order")
    func pagination() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            var created: [String] = []
            for index in 0..<7 {
                let response = try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey, json: ["name": "Account \(index)"])
                created.append(try #require(try response.json()["id"] as? String))
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/api/v1/accounts?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await app.request(.get, path, token: tenant.apiKey).json()
                seen += (page["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen == created)
            #expect(pages == 3)

            let filtered = try await app.request(.get, "/api/v1/contacts?account_id=\(created[0])", token: tenant.apiKey)
            #expect(filtered.status == .ok)
        }
    }

    @Test("validation errors name the field and write nothing")
    func validation() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let cases: [([String: Any], String)] = [
                ([:], "name"),
                (["name": ""], "name"),
                (["name": String(repeating: "长", count: 301)], "name"),
                (["name": "A", "email": "not-an-email"], "email"),
                (["name": "A", "phone": "call me"], "phone"),
                (["name": "A", "account_id": "not-a-uuid"], "account_id"),
            ]
            for (body, field) in cases {
                let response = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect((try response.json()["error"] as? [String: Any])?["details"] as? [String: String] == ["field": field], "\(body)")
            }
            let list = try await app.request(.get, "/api/v1/contacts", token: tenant.apiKey).json()
            #expect((list["data"] as? [Any])?.isEmpty == true)
        }
    }
}
