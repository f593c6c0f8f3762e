import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

/// `/auth/login` and `/auth/logout` on a workspace's own host: a member signs in with email and
/// password and receives a Secure, HttpOnly, SameSite session cookie bound to that host.
struct SessionController {
    static let cookieName = "gx_session"
    let authenticator: Authenticator
    let hosts: TenantHosts
    let throttle: AttemptThrottle
    let maxBodyBytes: Int

    func addRoutes(to router: Router<GatewayRequestContext>) {
        router.post("auth/login", use: login)
        router.post("auth/logout", use: logout)
    }

    struct Credentials: RequestPayload {
        static let fields: Set<String> = ["email", "password"]
        var email: String
        var password: String
    }

    struct SignedIn: ResponseEncodable {
        var tenant_id: TenantID
        var expires_at: Date
    }

    static func workspaceNotFound(_ hosts: TenantHosts) -> GuanxiError {
        GuanxiError(.notFound, code: "workspace_not_found", message: "Sign in at your workspace's address, <slug>.\(hosts.baseDomain).")
    }

    func workspace(of request: Request) async throws -> Tenant {
        guard let tenant = try await hosts.tenant(for: request) else { throw Self.workspaceNotFound(hosts) }
        return tenant
    }

    @Sendable func login(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let tenant = try await workspace(of: request)
        let credentials = try await request.decodeBody(Credentials.self, maxBytes: maxBodyBytes)
        try throttle.attempt("\(tenant.id)|\(credentials.email.lowercased())")
        guard tenant.status == .active else { throw GuanxiError.tenantSuspended }
        let session = try await authenticator.login(tenant: tenant.id, email: credentials.email, password: credentials.password)
        var response = try SignedIn(tenant_id: tenant.id, expires_at: session.expires).response(from: request, context: context)
        let maxAge = Int(session.expires.timeIntervalSinceNow)
        response.headers[.setCookie] = "\(Self.cookieName)=\(session.token); Max-Age=\(maxAge); Path=/; Secure; HttpOnly; SameSite=Lax"
        return response
    }

    @Sendable func logout(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        guard let tenant = try await hosts.tenantID(for: request) else { throw Self.workspaceNotFound(hosts) }
        if let token = request.cookie(Self.cookieName) {
            try await authenticator.logout(session: token, tenant: tenant)
        }
        var response = Response(status: .noContent)
        response.headers[.setCookie] = "\(Self.cookieName)=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax"
        return response
    }
}
