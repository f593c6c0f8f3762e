import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("The public lead form's input")
struct LeadFormInputTests {
    /// Posts each body to a fresh workspace's form (its allowance is 10 submissions), `TOKEN` in it
    /// replaced by a token shown ten seconds ago (percent-encoded in an urlencoded form), and returns the
    /// answers with their workspaces.
    func post(_ app: TestApp, _ bodies: [[UInt8]], contentType: String) async throws -> [(TestResponse, TestTenant)] {
        var answers: [(TestResponse, TestTenant)] = []
        for body in bodies {
            let tenant = try await app.makeTenant(name: "青山茶业", locale: "zh-CN")
            let token = try await app.services.leadForm.token(for: tenant.id, issuedAt: Date().addingTimeInterval(-10))
            let value = contentType.hasPrefix("application/x-www-form-urlencoded")
                ? token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! : token
            let placeholder = Array("TOKEN".utf8)
            var filled = body
            if let start = body.indices.first(where: { body[$0...].starts(with: placeholder) }) {
                filled.replaceSubrange(start..<(start + placeholder.count), with: Array(value.utf8))
            }
            let response = try await app.client.execute(uri: "/forms/\(tenant.slug)/leads", method: .post,
                                                        headers: [.contentType: contentType], body: ByteBuffer(bytes: filled))
            answers.append((response, tenant))
        }
        return answers
    }

    @Test("a browser's post that is not a well-formed form is 400 invalid_form, on a page in the workspace's language, and writes nothing")
    func malformedForms() async throws {
        try await TestApp.run { app in
            let good = "&email=a%40example.cn&form_token=TOKEN"
            let texts: [String] = [
                "name=%ZZ\(good)",                            // not a percent escape
                "name=100%\(good)",                           // a percent sign at the end of a value
                "name=%E6%9D\(good)",                         // half a UTF-8 character
                "name=%FF%FE\(good)",                         // not UTF-8 at all
                #"{"name": "Ada", "email": "a@example.cn"}"#,  // JSON sent as a form
                "name=Ada&name=Eve\(good)",                    // a field twice
                "=Ada\(good)",                                 // a value without a name
                "name=Ada&" + String(repeating: "k", count: 50_000) + "=1" + good,   // a name no form has
                "name=Ada&" + String(repeating: "a[", count: 1_000) + "=1" + good,   // brackets Hummingbird's decoder nests
            ]
            let notText: [UInt8] = [0xFF, 0xFE, 0x00, 0x41] + Array(good.utf8)
            let bodies = texts.map { Array($0.utf8) } + [notText]
            for (response, tenant) in try await post(app, bodies, contentType: "application/x-www-form-urlencoded") {
                #expect(response.status == .badRequest, "\(response.body.string.prefix(300))")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.body.string.contains("invalid_form"))
                #expect(response.body.string.contains("表单内容已损坏"), "the refusal in the workspace's language")
                #expect(try await app.request(.get, "/api/v1/leads", token: tenant.apiKey).items.isEmpty)
            }
        }
    }

    @Test("a well-formed form may carry fields of its own, which are ignored; + is a space and escapes are UTF-8")
    func wellFormedForms() async throws {
        try await TestApp.run { app in
            let body = "name=%E6%9D%8E%E5%9B%9B+Li&email=li%40example.cn&&subscribe=on&submit=&form_token=TOKEN&website="
            let answers = try await post(app, [Array(body.utf8)], contentType: "application/x-www-form-urlencoded; charset=UTF-8")
            let (response, tenant) = try #require(answers.first)
            #expect(response.status == .created, "\(response.body.string)")
            let leads = try await app.request(.get, "/api/v1/leads", token: tenant.apiKey).items
            #expect(leads.map { $0["name"] as? String } == ["李四 Li"])
            #expect(leads.first?["email"] as? String == "li@example.cn")
        }
    }

    static let boundary = "----FormBoundary7MA4YWxkTrZu0gW"

    /// A `multipart/form-data` body as a browser frames it: one part per field, CRLF line ends.
    func multipart(_ parts: [(headers: String, value: [UInt8])]) -> [UInt8] {
        var body: [UInt8] = []
        for part in parts {
            body += Array("--\(Self.boundary)\r\n\(part.headers)\r\n\r\n".utf8) + part.value + Array("\r\n".utf8)
        }
        return body + Array("--\(Self.boundary)--\r\n".utf8)
    }

    func field(_ name: String, _ value: String) -> (headers: String, value: [UInt8]) {
        ("Content-Disposition: form-data; name=\"\(name)\"", Array(value.utf8))
    }

    @Test("a form posted as multipart/form-data is read as an urlencoded one: its text fields taken, files and other fields ignored")
    func multipartForms() async throws {
        try await TestApp.run { app in
            let body = multipart([
                field("name", "王五 Wang"), field("email", "wang5@example.cn"), field("form_token", "TOKEN"), field("website", ""),
                field("subscribe", "on"),
                ("Content-Disposition: form-data; name=\"attachment\"; filename=\"名片.png\"\r\nContent-Type: image/png", [0x89, 0x50, 0xFF, 0x00]),
            ])
            let answers = try await post(app, [body], contentType: "multipart/form-data; boundary=\(Self.boundary)")
            let (response, tenant) = try #require(answers.first)
            #expect(response.status == .created, "\(response.body.string)")
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let leads = try await app.request(.get, "/api/v1/leads", token: tenant.apiKey).items
            #expect(leads.map { $0["name"] as? String } == ["王五 Wang"])
            #expect(leads.first?["email"] as? String == "wang5@example.cn")
        }
    }

    @Test("a multipart post that is not a well-formed form is 400 invalid_form, on a page, and writes nothing")
    func malformedMultipartForms() async throws {
        try await TestApp.run { app in
            let good = [field("email", "a@example.cn"), field("form_token", "TOKEN")]
            let withBoundary = "multipart/form-data; boundary=\(Self.boundary)"
            let cases: [(contentType: String, body: [UInt8])] = [
                ("multipart/form-data", multipart([field("name", "Ada")] + good)),                 // no boundary named
                (withBoundary, Array("name=Ada&email=a%40example.cn&form_token=TOKEN".utf8)),      // not framed by it
                (withBoundary, multipart([field("name", "Ada"), field("name", "Eve")] + good)),    // a field twice
                (withBoundary, multipart([("Content-Disposition: form-data; name=\"name\"", [0xFF, 0xFE])] + good)),  // not UTF-8
                (withBoundary, multipart([("Content-Type: text/plain", Array("Ada".utf8))] + good)),  // a part without a name
            ]
            for (contentType, body) in cases {
                for (response, tenant) in try await post(app, [body], contentType: contentType) {
                    #expect(response.status == .badRequest, "\(contentType): \(response.body.string.prefix(300))")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(response.body.string.contains("invalid_form"))
                    #expect(try await app.request(.get, "/api/v1/leads", token: tenant.apiKey).items.isEmpty)
                }
            }
        }
    }

    @Test("a NUL character in a field, as a form or as JSON, is 422 invalid_field naming it, never a server error")
    func nulCharacters() async throws {
        try await TestApp.run { app in
            let form = try await post(app, [Array("name=Ada%00Lovelace&email=a%40example.cn&form_token=TOKEN".utf8)],
                                      contentType: "application/x-www-form-urlencoded")
            #expect(form.first?.0.status == .unprocessableContent)
            #expect(form.first?.0.body.string.contains("invalid_field") == true)
            let json = try await post(app, [Array(#"{"name": "Ada", "email": "a@example.cn", "message": "a\u0000b", "form_token": "TOKEN"}"#.utf8)],
                                      contentType: "application/json")
            #expect(json.first?.0.status == .unprocessableContent, "\(json.first?.0.body.string ?? "")")
            #expect(json.first?.0.errorCode == "invalid_field")
            #expect(json.first?.0.errorField == "message")
            for (_, tenant) in form + json {
                #expect(try await app.request(.get, "/api/v1/leads", token: tenant.apiKey).items.isEmpty)
            }
            // The same rule holds for every text field of the API.
            let tenant = try await app.makeTenant()
            let contact = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "Ada\u{0}"])
            #expect(contact.status == .unprocessableContent)
            #expect(contact.errorField == "name")
        }
    }

    @Test("a JSON client's malformed body is 400 malformed_json, as everywhere in the API")
    func malformedJSON() async throws {
        try await TestApp.run { app in
            let answers = try await post(app, [Array("name=Ada&form_token=TOKEN".utf8), [0xFF, 0x00]], contentType: "application/json")
            for (response, tenant) in answers {
                #expect(response.status == .badRequest)
                #expect(response.errorCode == "malformed_json")
                #expect(try await app.request(.get, "/api/v1/leads", token: tenant.apiKey).items.isEmpty)
            }
        }
    }
}
