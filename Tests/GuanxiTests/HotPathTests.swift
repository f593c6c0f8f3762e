import CRM
import Foundation
@testable import Gateway
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// What `GET /api/v1/contacts/{id}` does by hand for speed (Docs/Performance.md) answers exactly
/// what the general way would.
@Suite("The hot read: hand-written JSON, bearer parsing, id text")
struct HotPathTests {
    /// JSONCoding.encoder's bytes for `value`, as text.
    func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
    }

    func written(_ write: (inout JSONObjectWriter) throws -> Void) rethrows -> String {
        var json = JSONObjectWriter()
        try write(&json)
        return String(buffer: json.bytes())
    }

    @Test("a contact read by id is JSONCoding.encoder's JSON of it, byte for byte")
    func contactAnswerMatchesEncoder() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let account = try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey, json: ["name": "明远贸易"])
            let accountID = try #require(try account.json()["id"] as? String)
            for (key, type) in [("tier", "text"), ("budget", "money"), ("employees", "number")] {
                let field = try await app.request(.post, "/api/v1/custom-fields", token: tenant.apiKey,
                                                  json: ["object": "contact", "key": key, "label": key, "type": type])
                #expect(field.status == .created)
            }
            let bodies: [[String: Any]] = [
                ["name": "Only A Name"],
                ["name": "王小明 😀 \"Quoted\" back\\slash / slash\ttab", "email": "wang.xm@example.cn",
                 "phone": "+86 138-0013-8000", "title": "采购经理\nline two", "account_id": accountID],
                ["name": "With Custom Fields", "custom_fields": ["tier": "金牌 \"gold\"", "employees": 250,
                                                                 "budget": ["amount_minor": 500_000, "currency": "CNY"]]],
            ]
            for body in bodies {
                let created = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: body)
                #expect(created.status == .created, "\(created.body.string)")
                let id = try #require(ContactID(try created.json()["id"] as? String ?? ""))
                let read = try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey)
                #expect(read.status == .ok)
                #expect(read.headers[.contentType] == "application/json; charset=utf-8")
                let contact = try await app.services.contacts.get(tenant.id, id)
                #expect(contact.customFields.values.count == (body["custom_fields"] as? [String: Any])?.count ?? 0)
                #expect(read.body.string == (try encoded(contact)))
                #expect(String(buffer: try contact.json.bytes()) == (try encoded(contact)))
            }
        }
    }

    @Test("strings: quotes, backslashes and control characters escaped as JSONEncoder does, the rest as it is")
    func stringsMatchEncoder() throws {
        var every = ""
        for byte in 0..<0x80 { every.unicodeScalars.append(Unicode.Scalar(UInt8(byte))) }
        for text in [every, "", "王小明", "😀\u{2028}\u{2029}\u{FEFF}\u{85}", "a\"b\\c/d", "\u{7F}"] {
            #expect(written { $0.field("text", text) } == (try encoded(["text": text])))
        }
        #expect(written { $0.field("text", nil as String?) } == #"{"text":null}"#)
        let id = ContactID()
        #expect(written { $0.field("id", id) } == (try encoded(["id": id])))
    }

    @Test("ids: the lower-case canonical text, as uuidString.lowercased() gives it")
    func idText() {
        for uuid in [UUID.minimum, UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
            + (0..<100).map({ _ in UUID() }) {
            #expect(uuid.lowercasedText == uuid.uuidString.lowercased())
        }
    }

    @Test("times: to the second, in UTC, like JSONEncoder's iso8601, also outside the years the formula covers")
    func timesMatchEncoder() throws {
        for seconds in [0, 0.999, 951_782_400.5, 1_764_417_600.123456, 4_107_542_399.999_999, 253_402_300_799.9,
                        -0.5, -86_400 * 365.25 * 100, 253_402_300_800, 1e12, 1e20] {
            let time = Date(timeIntervalSince1970: seconds)
            #expect(try written { try $0.field("at", time) } == (try encoded(["at": time])), "\(seconds)")
        }
    }

    @Test("several fields, and any Encodable value through JSONCoding.encoder")
    func fieldsInOrder() throws {
        struct Nested: Encodable { var b = 2, a = [1, 3] }
        let text = try written { json in
            json.field("a", "x")
            try json.field("b", encoding: Nested())
            json.field("c", nil as String?)
        }
        #expect(text == #"{"a":"x","b":{"a":[1,3],"b":2},"c":null}"#)
    }

    @Test("Authorization: the Bearer scheme in any case, spaces and tabs around the key ignored, anything else refused")
    func bearerCredential() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for value in ["Bearer \(tenant.apiKey)", "bearer \(tenant.apiKey)", "BEARER  \t\(tenant.apiKey) \t"] {
                let response = try await app.request(.get, "/api/v1/contacts", headers: [.authorization: value])
                #expect(response.status == .ok, "\(value)")
            }
            for value in ["Bearer", "Bearer ", "Bearer   ", "Basic \(tenant.apiKey)", "Bearer\t\(tenant.apiKey)", "Bearerx \(tenant.apiKey)"] {
                let response = try await app.request(.get, "/api/v1/contacts", headers: [.authorization: value])
                #expect(response.errorCode == "authentication_required", "\(value)")
            }
            let wrong = try await app.request(.get, "/api/v1/contacts", headers: [.authorization: "Bearer \(tenant.apiKey)x"])
            #expect(wrong.errorCode == "invalid_api_key")
        }
    }
}
