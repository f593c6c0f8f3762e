import Hummingbird
import Foundation
import GuanxiCore
import HummingbirdTesting
import Testing

@Suite("Login sessions on the workspace's host")
struct SessionTests {
    @Test("sign in sets a secure cookie that works on its own host only; sign out ends it")
    func signInAndOut() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let other = try await app.makeTenant()
            let host: HTTPFields = [.init("Host")!: "\(tenant.slug).localhost:8443"]
            let login = try await app.request(.post, "/auth/login", json: ["email": tenant.adminEmail, "password": tenant.adminPassword],
                                              headers: host)
            #expect(login.status == .ok, "\(login.body.string)")
            let cookie = try #require(login.headers[.setCookie])
            for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] { #expect(cookie.contains(attribute)) }
            let session = String(cookie.split(separator: ";")[0])

            var withCookie = host
            withCookie[.cookie] = session
            let me = try await app.request(.get, "/api/v1/me", headers: withCookie)
            #expect(me.status == .ok)
            #expect(try me.json()["tenant_id"] as? String == tenant.id.description)

            // The same cookie on another workspace's host is not a session there.
            var elsewhere: HTTPFields = [.init("Host")!: "\(other.slug).localhost"]
            elsewhere[.cookie] = session
            #expect(try await app.request(.get, "/api/v1/me", headers: elsewhere).errorCode == "invalid_session")

            #expect(try await app.request(.post, "/auth/logout", headers: withCookie).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/me", headers: withCookie).errorCode == "invalid_session")
        }
    }

    @Test("wrong passwords and unknown emails fail alike, and repeated attempts are throttled")
    func failedSignIn() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let host: HTTPFields = [.init("Host")!: "\(tenant.slug).localhost"]
            let wrong = try await app.request(.post, "/auth/login", json: ["email": tenant.adminEmail, "password": "wrong password"], headers: host)
            let unknown = try await app.request(.post, "/auth/login", json: ["email": "nobody@example.com", "password": "wrong password"], headers: host)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_login")
            #expect(unknown.errorCode == "invalid_login")
            #expect(try await app.request(.post, "/auth/login", json: ["email": "a@b.c", "password": "x"]).errorCode == "workspace_not_found")

            var last: TestResponse?
            for _ in 0..<10 {
                last = try await app.request(.post, "/auth/login", json: ["email": tenant.adminEmail, "password": "guess"], headers: host)
            }
            #expect(last?.status == .tooManyRequests)
            #expect(last?.errorCode == "too_many_login_attempts")
            #expect(last?.headers[.retryAfter] != nil)
        }
    }
}
