import Database
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

extension Request {
    /// The credential of `Authorization: Bearer <credential>`, if sent: the scheme in any case, a
    /// space, then the credential without the spaces and tabs around it.
    var bearerCredential: String? {
        guard let value = headers[.authorization] else { return nil }
        // Byte by byte, because it runs on every API request: splitting, lowercasing and
        // Foundation's trimmingCharacters(in:) took 3 % of the server's time (Docs/Performance.md).
        let bytes = Array(value.utf8)
        let scheme = Array("bearer ".utf8)
        func lowercased(_ byte: UInt8) -> UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte }
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard bytes.count > scheme.count, zip(bytes, scheme).allSatisfy({ lowercased($0) == $1 }),
              let first = bytes[scheme.count...].firstIndex(where: { !isBlank($0) }),
              let last = bytes.lastIndex(where: { !isBlank($0) })
        else { return nil }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// The value of one cookie.
    func cookie(_ name: String) -> String? {
        for field in headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name { return String(parts[1]) }
            }
        }
        return nil
    }
}

/// Establishes a workspace identity from an API key, or from a session cookie on the workspace's
/// own host. A suspended workspace is refused here, before any route runs.
struct TenantAuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let authenticator: Authenticator
    let hosts: TenantHosts

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let principal: TenantPrincipal
        let credential: ActingUser.Credential
        if let key = request.bearerCredential {
            principal = try await authenticator.authenticate(apiKey: key)
            credential = .apiKey
        } else if let token = request.cookie(SessionController.cookieName), let tenant = try await hosts.tenantID(for: request) {
            principal = try await authenticator.authenticate(session: token, tenant: tenant)
            credential = .session
        } else {
            throw GuanxiError(.unauthenticated, code: "authentication_required",
                              message: "Send Authorization: Bearer <api key>, or sign in on your workspace's address.")
        }
        guard principal.tenantStatus == .active else { throw GuanxiError.tenantSuspended }
        context.tenantPrincipal = principal
        context.logger[metadataKey: "tenant_id"] = .stringConvertible(principal.tenant)  // formatted only if logged
        // Every write of the rest of the request is recorded in the audit log as this member's, and
        // every read shows only the records their role lets them see.
        let actor = ActingUser(user: principal.user, credential: credential, role: principal.role.rawValue)
        return try await ActingUser.$current.withValue(actor) {
            try await next(request, context)
        }
    }
}

/// Establishes the operator identity from an operator token. Tenant keys are not operator
/// tokens and fail here like any unknown token.
struct OperatorAuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.bearerCredential else {
            throw GuanxiError(.unauthenticated, code: "operator_authentication_required", message: "Send Authorization: Bearer <operator token>.")
        }
        var context = context
        context.operatorPrincipal = try await authenticator.authenticate(operatorToken: token)
        context.logger[metadataKey: "operator"] = .string(context.operatorPrincipal!.name)
        return try await next(request, context)
    }
}
