import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// A workspace's API keys: shown once at creation, stored as digests, revocable.
public struct APIKeys: Sendable {
    let database: Database
    let tenantCredentials: ExpiringCache<TenantPrincipal>

    public init(database: Database, tenantCredentials: ExpiringCache<TenantPrincipal>) {
        self.database = database
        self.tenantCredentials = tenantCredentials
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var id: APIKeyID
        public var name: String
        public var displayPrefix: String
        public var createdAt: Date
        public var revokedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, name
            case displayPrefix = "display_prefix"
            case createdAt = "created_at"
            case revokedAt = "revoked_at"
        }

        /// `revoked_at` is `null` while the key works, never missing.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(displayPrefix, forKey: .displayPrefix)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(revokedAt, forKey: .revokedAt)
        }
    }

    static func insert(_ key: APIKeyText, name: String, user: UserID, in transaction: Transaction) async throws {
        try await transaction.query("""
            INSERT INTO api_keys (tenant_id, id, user_id, name, display_prefix, secret_hash)
            VALUES (\(key.tenant.uuid), \(APIKeyID().uuid), \(user.uuid), \(name), \(key.displayPrefix), \(key.digest))
            """)
    }

    /// A new key acting as `user` (the caller when `nil`), with that member's role and record access;
    /// the returned text is the only time the secret is shown.
    public func create(_ principal: TenantPrincipal, name: String, for user: UserID? = nil) async throws -> APIKeyText {
        let name = try Validate.text(name, field: "name", length: 1...100, required: true)!
        let key = APIKeyText.generate(for: principal.tenant)
        try await database.withTenant(principal.tenant) { transaction in
            let user = user ?? principal.user
            try await Members.requireMember(user, field: "user_id", in: transaction)
            try await Self.insert(key, name: name, user: user, in: transaction)
        }
        return key
    }

    public func list(_ principal: TenantPrincipal, _ page: PageRequest) async throws -> Page<Summary> {
        let rows = try await database.withTenant(principal.tenant) { transaction in
            try await transaction.rows("""
                SELECT id, name, display_prefix, created_at, revoked_at FROM api_keys
                 WHERE id > \(page.after?.after ?? UUID.minimum) ORDER BY id LIMIT \(page.limit + 1)
                """, as: (UUID, String, String, Date, Date?).self)
        }
        return Page(rows: rows.map { Summary(id: APIKeyID($0.0), name: $0.1, displayPrefix: $0.2, createdAt: $0.3, revokedAt: $0.4) },
                    limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    /// Revokes a key of this workspace; the key stops working at once on this server.
    public func revoke(_ principal: TenantPrincipal, _ id: APIKeyID) async throws {
        let revoked = try await database.withTenant(principal.tenant) { transaction in
            try await transaction.rows("""
                UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = \(id.uuid) RETURNING id
                """, as: UUID.self)
        }
        guard !revoked.isEmpty else { throw GuanxiError.notFound("api_key") }
        tenantCredentials.removeAll(of: principal.tenant)
    }
}
