import Hummingbird
import Foundation
import GuanxiCore
import HummingbirdTesting
import Testing

@Suite("Bad input gets a clear 4xx and loses nothing")
struct InputTests {
    @Test("malformed JSON, wrong types, unknown fields, oversized bodies, bad paging")
    func badInput() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"{"name": "#, .badRequest, "malformed_json"),
                (#"["name"]"#, .badRequest, "malformed_json"),
                ("", .badRequest, "malformed_json"),
                (#"{"name": 42}"#, .unprocessableContent, "invalid_field"),
                (#"{"name": "A", "email": ["a@b.c"]}"#, .unprocessableContent, "invalid_field"),
                (#"{"name": null}"#, .unprocessableContent, "invalid_field"),
                (#"{"name": "A", "nickname": "B"}"#, .unprocessableContent, "unknown_field"),
            ]
            for (body, status, code) in cases {
                let response = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, body: body)
                #expect(response.status == status, "\(body)")
                #expect(response.errorCode == code, "\(body): \(response.body.string)")
                let message = (try response.json()["error"] as? [String: Any])?["message"] as? String
                #expect(message?.isEmpty == false)
            }
            let huge = #"{"name": ""# + String(repeating: "x", count: 2 << 20) + #""}"#
            let tooLarge = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, body: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.errorCode == "payload_too_large")

            for query in ["limit=0", "limit=100000", "limit=abc", "cursor=%%%", "cursor=bm90LWEtdXVpZA"] {
                let response = try await app.request(.get, "/api/v1/contacts?\(query)", token: tenant.apiKey)
                #expect(response.status == .badRequest, "\(query)")
            }
            let unknownRoute = try await app.request(.get, "/api/v1/nothing-here", token: tenant.apiKey)
            #expect(unknownRoute.status == .notFound)

            let list = try await app.request(.get, "/api/v1/contacts", token: tenant.apiKey).json()
            #expect((list["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("every response carries a request id, and a sane client id is echoed")
    func requestIDs() async throws {
        try await TestApp.run { app in
            let plain = try await app.request(.get, "/healthz")
            #expect(plain.headers[.init("X-Request-ID")!]?.isEmpty == false)
            let echoed = try await app.request(.get, "/api/v1/contacts", headers: [.init("X-Request-ID")!: "trace-123"])
            #expect(echoed.status == .unauthorized)
            #expect(echoed.headers[.init("X-Request-ID")!] == "trace-123")
            let ready = try await app.request(.get, "/readyz")
            #expect(ready.status == .ok)
        }
    }
}
