import Database
import Foundation
import GuanxiCore
import Logging
import PostgresNIO

/// Turns presented credentials into principals: API keys and login sessions into a
/// `TenantPrincipal`, operator tokens into an `OperatorPrincipal`. The two never overlap.
public struct Authenticator: Sendable {
    let database: Database
    let passwords: PasswordHasher
    let tenantCredentials: ExpiringCache<TenantPrincipal>
    let operatorCredentials: ExpiringCache<OperatorPrincipal>
    public let sessionLifetime: Duration
    /// A bcrypt hash of a random password, checked when an email is unknown, so that a failed
    /// login takes as long for unknown members as for known ones.
    let decoyHash: String

    public init(database: Database, passwords: PasswordHasher, tenantCredentials: ExpiringCache<TenantPrincipal>,
                operatorCredentials: ExpiringCache<OperatorPrincipal>, sessionLifetime: Duration = .seconds(12 * 3600)) {
        self.database = database
        self.passwords = passwords
        self.tenantCredentials = tenantCredentials
        self.operatorCredentials = operatorCredentials
        self.sessionLifetime = sessionLifetime
        self.decoyHash = passwords.hashNow(Secret.random())
    }

    static let invalidAPIKey = GuanxiError(.unauthenticated, code: "invalid_api_key",
                                           message: "The API key is unknown or revoked. Send Authorization: Bearer <api key>.")
    static let invalidSession = GuanxiError(.unauthenticated, code: "invalid_session",
                                            message: "Your session has ended; sign in again.")
    static let invalidOperatorToken = GuanxiError(.unauthenticated, code: "invalid_operator_token",
                                                  message: "The operator token is unknown or revoked.")

    // MARK: API keys

    struct AuthenticateAPIKey: PostgresPreparedStatement {
        static let name = "authenticate_api_key"
        static let sql = """
            SELECT key_id, user_id, role, tenant_status, tenant_slug, tenant_locale, tenant_time_zone,
                   subscription_status, api_per_minute, api_per_minute_per_key, api_per_day, max_concurrent_requests
              FROM authenticate_api_key($1, $2)
            """
        typealias Row = (UUID, UUID, String, String, String, String, String, String, Int32, Int32, Int32, Int32)
        var tenant: UUID
        var digest: Data

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(tenant)
            try bindings.append(digest)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    public func authenticate(apiKey text: String) async throws -> TenantPrincipal {
        guard let key = APIKeyText(parsing: text) else { throw Self.invalidAPIKey }
        let digest = key.digest
        if let cached = tenantCredentials.value(for: digest) { return cached }
        let rows = try await database.scopedRead(AuthenticateAPIKey(tenant: key.tenant.uuid, digest: digest))
        guard let row = rows.first, let principal = Self.principal(key.tenant, row) else { throw Self.invalidAPIKey }
        tenantCredentials.store(principal, tenant: key.tenant, for: digest)
        return principal
    }

    static func principal(_ tenant: TenantID, _ row: AuthenticateAPIKey.Row) -> TenantPrincipal? {
        guard let role = MembershipRole(rawValue: row.2), let status = Tenant.Status(rawValue: row.3) else { return nil }
        return TenantPrincipal(tenant: tenant, credential: row.0, user: UserID(row.1), role: role, tenantStatus: status,
                               tenantSlug: row.4, locale: row.5, timeZone: row.6, subscriptionStatus: row.7,
                               limits: RequestLimits(perMinute: Int(row.8), perKeyMinute: Int(row.9), perDay: Int(row.10),
                                                     concurrent: Int(row.11)))
    }

    // MARK: Sessions

    /// Checks an email and password in one workspace and opens a session. The same error answers
    /// an unknown email and a wrong password, so the response does not reveal which members exist.
    public func login(tenant: TenantID, email: String, password: String) async throws -> (token: String, expires: Date) {
        let failure = GuanxiError(.unauthenticated, code: "invalid_login", message: "The email or password is not right.")
        let users = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("SELECT id, password_hash FROM users WHERE lower(email) = lower(\(email))", as: (UUID, String).self)
        }
        guard let user = users.first else {
            _ = try await passwords.verify(password, against: decoyHash)
            throw failure
        }
        guard try await passwords.verify(password, against: user.1) else { throw failure }
        let token = Secret.random()
        let expires = Date().addingTimeInterval(Double(sessionLifetime.components.seconds))
        try await database.withTenant(tenant) { transaction in
            try await transaction.query("""
                INSERT INTO sessions (tenant_id, id, user_id, token_hash, expires_at)
                VALUES (\(tenant.uuid), \(SessionID().uuid), \(user.0), \(Secret.digest(token)), \(expires))
                """)
        }
        return (token, expires)
    }

    public func authenticate(session token: String, tenant: TenantID) async throws -> TenantPrincipal {
        let digest = Secret.digest(token)
        if let cached = tenantCredentials.value(for: digest), cached.tenant == tenant { return cached }
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("""
                SELECT session_id, user_id, role, tenant_status, tenant_slug, tenant_locale, tenant_time_zone,
                       subscription_status, api_per_minute, api_per_minute_per_key, api_per_day, max_concurrent_requests
                  FROM authenticate_session(\(tenant.uuid), \(digest))
                """, as: AuthenticateAPIKey.Row.self)
        }
        guard let row = rows.first, let principal = Self.principal(tenant, row) else { throw Self.invalidSession }
        tenantCredentials.store(principal, tenant: tenant, for: digest)
        return principal
    }

    public func logout(session token: String, tenant: TenantID) async throws {
        let digest = Secret.digest(token)
        try await database.withTenant(tenant) { transaction in
            try await transaction.query("UPDATE sessions SET revoked_at = now() WHERE token_hash = \(digest) AND revoked_at IS NULL")
        }
        tenantCredentials.remove(digest)
    }

    // MARK: Operators

    public func authenticate(operatorToken text: String) async throws -> OperatorPrincipal {
        let digest = Secret.digest(text)
        if let cached = operatorCredentials.value(for: digest) { return cached }
        let rows = try await database.withHost { host in
            try await host.rows("SELECT id, name FROM operator_tokens WHERE token_hash = \(digest) AND revoked_at IS NULL",
                                as: (UUID, String).self)
        }
        guard let row = rows.first else { throw Self.invalidOperatorToken }
        let principal = OperatorPrincipal(token: OperatorTokenID(row.0), name: row.1)
        operatorCredentials.store(principal, tenant: nil, for: digest)
        return principal
    }

    /// Records `text` as a valid operator token (idempotent): how `GUANXI_OPERATOR_TOKEN` becomes
    /// the first token of a fresh server.
    public func registerOperatorToken(_ text: String, name: String) async throws {
        guard text.count >= 16 else {
            throw GuanxiError.invalidField("operator_token", "An operator token must have at least 16 characters.")
        }
        try await database.withHost { host in
            try await host.query("""
                INSERT INTO operator_tokens (id, name, token_hash) VALUES (\(OperatorTokenID().uuid), \(name), \(Secret.digest(text)))
                ON CONFLICT (token_hash) DO NOTHING
                """)
        }
    }
}
