import Foundation
import HummingbirdTesting
import Testing

@Suite("Search")
struct SearchTests {
    /// One result as the tests compare it.
    struct Hit: Equatable, CustomStringConvertible {
        var type: String
        var title: String
        var field: String
        var description: String { "\(type):\(title)(\(field))" }
    }

    /// `GET /api/v1/search` that must answer 200; the page's results and its cursor.
    static func search(_ app: TestApp, _ tenant: TestTenant, _ q: String, _ extra: String = "") async throws
        -> (hits: [Hit], raw: [[String: Any]], next: String?) {
        let response = try await app.request(.get, "/api/v1/search?q=\(encoded(q))\(extra)", token: tenant.apiKey)
        #expect(response.status == .ok, "\(q): \(response.body.string)")
        let page = try response.json()
        let raw = page["data"] as? [[String: Any]] ?? []
        let hits = raw.map { Hit(type: $0["type"] as? String ?? "", title: $0["title"] as? String ?? "",
                                 field: $0["matched_field"] as? String ?? "") }
        return (hits, raw, page["next_cursor"] as? String)
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    static func titles(_ app: TestApp, _ tenant: TestTenant, _ q: String, _ extra: String = "") async throws -> [String] {
        try await search(app, tenant, q, extra).hits.map(\.title)
    }

    @Test("a Chinese name is found by any two-character part, and not by characters out of order")
    func chineseParts() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for name in ["王小明", "欧阳娜娜", "李明"] { _ = try await app.create("/api/v1/contacts", tenant, ["name": name]) }
            for part in ["王小", "小明"] { #expect(try await Self.titles(app, tenant, part) == ["王小明"], "\(part)") }
            #expect(try await Self.titles(app, tenant, "王小明") == ["王小明"])
            for part in ["欧阳", "阳娜", "娜娜", "阳娜娜"] { #expect(try await Self.titles(app, tenant, part) == ["欧阳娜娜"], "\(part)") }
            #expect(try await Self.titles(app, tenant, "明王").isEmpty)
            #expect(try await Self.titles(app, tenant, "王明").isEmpty)
            let hit = try await Self.search(app, tenant, "小明").raw[0]
            #expect(hit["type"] as? String == "contact")
            #expect(hit["matched_field"] as? String == "name")
            #expect(hit["subtitle"] is NSNull)
            #expect((hit["score"] as? Double).map { $0 > 0.6 && $0 < 0.7 } == true, "\(hit)")
        }
    }

    @Test("Latin names by the start of any word, emails and websites by their start")
    func latinPrefixes() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            _ = try await app.create("/api/v1/contacts", tenant, ["name": "John Smith", "email": "j.smith@northwind.example"])
            _ = try await app.create("/api/v1/contacts", tenant, ["name": "Anna Müller", "email": "zhang.weiming@minghua.example"])
            _ = try await app.create("/api/v1/accounts", tenant, ["name": "Lotus Tea House", "website": "https://www.lotustea.example"])
            #expect(try await Self.titles(app, tenant, "Joh") == ["John Smith"])
            #expect(try await Self.titles(app, tenant, "smi") == ["John Smith"])
            #expect(try await Self.titles(app, tenant, "jo sm") == ["John Smith"])
            #expect(try await Self.titles(app, tenant, "MÜLL") == ["Anna Müller"])
            #expect(try await Self.search(app, tenant, "zhang.wei").hits == [Hit(type: "contact", title: "Anna Müller", field: "email")])
            #expect(try await Self.search(app, tenant, "j.smith@north").hits == [Hit(type: "contact", title: "John Smith", field: "email")])
            #expect(try await Self.search(app, tenant, "lotustea").hits == [Hit(type: "account", title: "Lotus Tea House", field: "website")])
            #expect(try await Self.titles(app, tenant, "tea house") == ["Lotus Tea House"])
            #expect(try await Self.titles(app, tenant, "mith").isEmpty)  // words match from their start
        }
    }

    @Test("typos: a swapped pair, a missing or an extra letter, after the first letter")
    func typos() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            _ = try await app.create("/api/v1/contacts", tenant, ["name": "John Smith"])
            _ = try await app.create("/api/v1/accounts", tenant, ["name": "Alibabba Trading"])
            _ = try await app.create("/api/v1/leads", tenant, ["name": "Chen Jing", "company": "Alibaba Cloud"])
            #expect(try await Self.titles(app, tenant, "Jonh") == ["John Smith"])
            #expect(try await Self.titles(app, tenant, "jonh smiht") == ["John Smith"])
            #expect(try await Self.titles(app, tenant, "Smtih") == ["John Smith"])
            // each is found by the other, the exact spelling first
            let alibaba = try await Self.search(app, tenant, "alibaba").hits
            #expect(alibaba == [Hit(type: "lead", title: "Chen Jing", field: "company"), Hit(type: "account", title: "Alibabba Trading", field: "name")])
            let alibabba = try await Self.search(app, tenant, "alibabba").hits
            #expect(alibabba == [Hit(type: "account", title: "Alibabba Trading", field: "name"), Hit(type: "lead", title: "Chen Jing", field: "company")])
            #expect(try await Self.titles(app, tenant, "Hohn").isEmpty)  // the first letter is kept
            #expect(try await Self.titles(app, tenant, "Jxyz").isEmpty)
            #expect(try await Self.titles(app, tenant, "Jon").isEmpty)  // three letters hold no typo, and "jon" starts no word
        }
    }

    @Test("phone numbers in any formatting, with or without the country code, and by their last digits")
    func phones() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            _ = try await app.create("/api/v1/contacts", tenant, ["name": "张伟", "phone": "+86 138-0013-8000"])
            _ = try await app.create("/api/v1/contacts", tenant, ["name": "李娜", "phone": "13912345678"])
            _ = try await app.create("/api/v1/accounts", tenant, ["name": "明华贸易", "phone": "(010) 8888-6666"])
            _ = try await app.create("/api/v1/leads", tenant, ["name": "陈静", "phone": "021 5555 1234"])
            for q in ["13800138000", "138 0013 8000", "+86 138 0013 8000", "8613800138000", "138-0013"] {
                #expect(try await Self.search(app, tenant, q).hits == [Hit(type: "contact", title: "张伟", field: "phone")], "\(q)")
            }
            for q in ["+86 139-1234-5678", "0086 13912345678", "139 1234 5678", "5678"] {
                #expect(try await Self.titles(app, tenant, q) == ["李娜"], "\(q)")
            }
            #expect(try await Self.titles(app, tenant, "010-88886666") == ["明华贸易"])
            #expect(try await Self.titles(app, tenant, "8888 6666") == ["明华贸易"])
            #expect(try await Self.titles(app, tenant, "(021) 5555-1234") == ["陈静"])
            let exact = try await Self.search(app, tenant, "+86 138 0013 8000").raw[0]
            #expect(exact["score"] as? Double == 1)
            #expect(exact["subtitle"] as? String == "+86 138-0013-8000")
            #expect(try await Self.titles(app, tenant, "0013 8001").isEmpty)
        }
    }

    @Test("deals by name, leads by name or company, cases by subject or number, with their second line")
    func otherTypes() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let account = try await app.createID("/api/v1/accounts", tenant, ["name": "杭州青山茶业"])
            _ = try await app.create("/api/v1/deals", tenant, ["name": "青山茶业年度采购", "account_id": account])
            _ = try await app.create("/api/v1/leads", tenant, ["name": "陈静", "company": "青山茶业分公司", "email": "chen@qingshan.example"])
            let serviceCase = try await ServiceDesk.create(app, tenant, ["subject": "青山茶业订单延误"])
            let number = try #require(serviceCase["number"] as? Int)
            let found = try await Self.search(app, tenant, "青山茶业").raw
            let byType = Dictionary(found.map { ($0["type"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            #expect(Set(byType.keys) == ["account", "deal", "lead", "case"])
            #expect(byType["deal"]?["subtitle"] as? String == "杭州青山茶业")
            #expect(byType["lead"]?["subtitle"] as? String == "青山茶业分公司")
            #expect(byType["lead"]?["matched_field"] as? String == "company")
            #expect(byType["case"]?["subtitle"] as? String == "#\(number)")
            #expect(byType["case"]?["matched_field"] as? String == "subject")
            for q in ["\(number)", "#\(number)"] {
                #expect(try await Self.search(app, tenant, q).hits == [Hit(type: "case", title: "青山茶业订单延误", field: "number")], "\(q)")
            }
        }
    }

    @Test("ranking: equal, then starting with, then holding, then every word, then typos; ties by type")
    func ranking() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            _ = try await app.create("/api/v1/contacts", tenant, ["name": "Wang Lotus"])           // every word, other order
            _ = try await app.create("/api/v1/accounts", tenant, ["name": "Lotsu Wang Trading"])   // a typo
            _ = try await app.create("/api/v1/accounts", tenant, ["name": "Lotus Wang"])           // equal
            _ = try await app.create("/api/v1/deals", tenant, ["name": "Lotus Wang Tea House"])    // starts with, longer
            _ = try await app.create("/api/v1/contacts", tenant, ["name": "Lotus Wangs"])          // starts with, shorter
            _ = try await app.create("/api/v1/leads", tenant, ["name": "Old Lotus Wang"])          // holds
            _ = try await app.create("/api/v1/contacts", tenant, ["name": "Lotus Wang"])           // equal, after the account
            let found = try await Self.search(app, tenant, "lotus  wang")
            #expect(found.hits.map(\.title) == ["Lotus Wang", "Lotus Wang", "Lotus Wangs", "Lotus Wang Tea House",
                                                 "Old Lotus Wang", "Wang Lotus", "Lotsu Wang Trading"])
            #expect(found.hits.map(\.type) == ["account", "contact", "contact", "deal", "lead", "contact", "account"])
            let scores = found.raw.compactMap { $0["score"] as? Double }
            #expect(scores.count == 7)
            #expect(scores[0] == 1 && scores[1] == 1)
            #expect(scores[2] > 0.8 && scores[2] < 0.9 && scores[3] > 0.8 && scores[3] < scores[2])
            #expect(scores[4] > 0.6 && scores[4] < 0.7)
            #expect(scores[5] == 0.5)
            #expect(scores[6] == 0.4)
        }
    }

    @Test("types= narrows the kinds of record; an unknown type is refused")
    func typesFilter() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            _ = try await app.create("/api/v1/accounts", tenant, ["name": "Harbour Supplies"])
            _ = try await app.create("/api/v1/contacts", tenant, ["name": "Harbour Master"])
            _ = try await app.create("/api/v1/deals", tenant, ["name": "Harbour Refit"])
            _ = try await app.create("/api/v1/leads", tenant, ["name": "Harbour Lead"])
            _ = try await ServiceDesk.create(app, tenant, ["subject": "Harbour gate broken"])
            #expect(Set(try await Self.search(app, tenant, "harbour").hits.map(\.type)) == ["account", "contact", "deal", "lead", "case"])
            #expect(Set(try await Self.search(app, tenant, "harbour", "&types=contact,deal").hits.map(\.type)) == ["contact", "deal"])
            #expect(try await Self.search(app, tenant, "harbour", "&types=case").hits.map(\.type) == ["case"])
            let refused = try await app.request(.get, "/api/v1/search?q=harbour&types=contact,person", token: tenant.apiKey)
            #expect(refused.status == .badRequest)
            #expect(refused.errorCode == "invalid_filter")
        }
    }

    @Test("pages walk every result once, in the order of one long page")
    func pagination() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for name in ["明华", "明华贸易", "上海明华", "明华贸易有限公司"] { _ = try await app.create("/api/v1/accounts", tenant, ["name": name]) }
            for name in ["明华", "王明华", "明华", "李明华"] { _ = try await app.create("/api/v1/contacts", tenant, ["name": name]) }
            _ = try await app.create("/api/v1/deals", tenant, ["name": "明华续约"])
            let whole = try await Self.search(app, tenant, "明华", "&limit=200")
            #expect(whole.raw.count == 9)
            #expect(whole.next == nil)
            var walked: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await Self.search(app, tenant, "明华", "&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                walked += page.raw.compactMap { $0["id"] as? String }
                cursor = page.next
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 5)
            #expect(walked == whole.raw.compactMap { $0["id"] as? String })
            let invalid = try await app.request(.get, "/api/v1/search?q=x1&cursor=bm90LWEtY3Vyc29y", token: tenant.apiKey)
            #expect(invalid.status == .badRequest)
            #expect(invalid.errorCode == "invalid_cursor")
        }
    }

    @Test("records with typos follow the exact ones on later pages, also when the first page is full without them")
    func typosAfterAFullPage() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for name in ["John Adams", "John Baker", "John Carter", "Jhon Doe", "Joan Evans"] {
                _ = try await app.create("/api/v1/contacts", tenant, ["name": name])
            }
            let whole = try await Self.search(app, tenant, "john", "&limit=200")
            #expect(whole.hits.map(\.title) == ["John Adams", "John Baker", "John Carter", "Jhon Doe", "Joan Evans"])
            var walked: [String] = []
            var cursor: String?
            repeat {
                let page = try await Self.search(app, tenant, "john", "&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                walked += page.hits.map(\.title)
                cursor = page.next
            } while cursor != nil && walked.count < 10
            #expect(walked == whole.hits.map(\.title))
        }
    }

    @Test("another workspace's records never appear")
    func tenantScoping() async throws {
        try await TestApp.run { app in
            let mine = try await app.makeTenant()
            let theirs = try await app.makeTenant()
            _ = try await app.create("/api/v1/contacts", mine, ["name": "王小明", "phone": "13800138000"])
            for (path, body) in [("/api/v1/contacts", ["name": "王小明", "email": "wang@theirs.example", "phone": "13800138000"]),
                                 ("/api/v1/accounts", ["name": "小明商行"]), ("/api/v1/deals", ["name": "小明的订单"]),
                                 ("/api/v1/leads", ["name": "小明", "company": "Theirs"])] {
                _ = try await app.create(path, theirs, body)
            }
            _ = try await ServiceDesk.create(app, theirs, ["subject": "小明的投诉"])
            let mineFound = try await Self.search(app, mine, "小明").raw
            #expect(mineFound.count == 1)
            #expect(mineFound.first?["subtitle"] as? String == "13800138000")
            #expect(try await Self.titles(app, mine, "13800138000") == ["王小明"])
            #expect(try await Self.titles(app, mine, "wang@theirs").isEmpty)
            #expect(try await Self.titles(app, mine, "1001").isEmpty)  // their case number
            #expect(try await Self.search(app, theirs, "小明").raw.count == 5)
        }
    }

    @Test("terms follow the records: renamed, re-numbered and deleted records are found by what they now hold")
    func followsChanges() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let id = try await app.createID("/api/v1/contacts", tenant, ["name": "王小明", "phone": "13800138000"])
            let patched = try await app.request(.patch, "/api/v1/contacts/\(id)", token: tenant.apiKey,
                                                json: ["name": "李大伟", "phone": "13912345678", "title": "经理"])
            #expect(patched.status == .ok)
            #expect(try await Self.titles(app, tenant, "小明").isEmpty)
            #expect(try await Self.titles(app, tenant, "13800138000").isEmpty)
            #expect(try await Self.titles(app, tenant, "大伟") == ["李大伟"])
            #expect(try await Self.titles(app, tenant, "13912345678") == ["李大伟"])
            #expect(try await app.request(.delete, "/api/v1/contacts/\(id)", token: tenant.apiKey).status == .noContent)
            #expect(try await Self.titles(app, tenant, "大伟").isEmpty)
        }
    }

    @Test("q must have 2 to 200 characters once trimmed: 400 invalid_query otherwise")
    func badInput() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for path in ["/api/v1/search", "/api/v1/search?q=", "/api/v1/search?q=a", "/api/v1/search?q=%20%20b%20%20",
                         "/api/v1/search?q=\(String(repeating: "x", count: 201))",
                         "/api/v1/search?q=\(Self.encoded(String(repeating: "长", count: 201)))"] {
                let response = try await app.request(.get, path, token: tenant.apiKey)
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.errorCode == "invalid_query", "\(path)")
                let error = try #require(try response.json()["error"] as? [String: Any])
                #expect((error["message"] as? String)?.contains("2 to 200 characters") == true)
                #expect((error["details"] as? [String: Any])?["field"] as? String == "q")
            }
            for q in ["ab", String(repeating: "长", count: 200), "%_", "++", "((", "'; --"] {
                #expect(try await app.request(.get, "/api/v1/search?q=\(Self.encoded(q))", token: tenant.apiKey).status == .ok, "\(q)")
            }
            #expect(try await app.request(.get, "/api/v1/search?q=ab&limit=0", token: tenant.apiKey).errorCode == "invalid_limit")
            #expect(try await app.request(.get, "/api/v1/search?q=ab").status == .unauthorized)
        }
    }
}
