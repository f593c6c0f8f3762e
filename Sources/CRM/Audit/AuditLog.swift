import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// Reads a workspace's audit log. There is nothing to write here: the database's triggers record
/// every write to audited tables in the writing transaction, and the serving role may only read.
public struct AuditLog: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    typealias Row = (UUID, Date, UUID?, String, String, String, UUID, String?, String?)

    /// A page of entries, newest first. Ids are time-ordered to the microsecond, so the cursor (the
    /// last id of a page) continues exactly where the page ended.
    public func list(_ tenant: TenantID, _ filter: AuditFilter, _ page: PageRequest) async throws -> Page<AuditEntry> {
        let actorUser: UUID? = if case .user(let user) = filter.actor { user.uuid } else { nil }
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("""
                SELECT id, occurred_at, actor_user_id, actor_credential, action, entity_type, entity_id, before::text, after::text
                  FROM audit_log
                 WHERE (\(page.after?.after)::uuid IS NULL OR id < \(page.after?.after))
                   AND (\(filter.entityType)::text IS NULL OR entity_type = \(filter.entityType))
                   AND (\(filter.entityID)::uuid IS NULL OR entity_id = \(filter.entityID))
                   AND (\(actorUser)::uuid IS NULL OR actor_user_id = \(actorUser))
                   AND (NOT \(filter.actor == .system) OR actor_user_id IS NULL)
                   AND (\(filter.from)::timestamptz IS NULL OR occurred_at >= \(filter.from))
                   AND (\(filter.to)::timestamptz IS NULL OR occurred_at < \(filter.to))
                 ORDER BY id DESC LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: try rows.map(Self.entry), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    static func entry(_ row: Row) throws -> AuditEntry {
        guard let action = AuditEntry.Action(rawValue: row.4) else {
            throw GuanxiError(.internalFailure, code: "internal_error", message: "An audit entry has an unknown action.")
        }
        return AuditEntry(id: AuditEntryID(row.0), occurredAt: row.1, actorUserID: row.2.map(UserID.init), actorCredential: row.3,
                          action: action, entityType: row.5, entityID: row.6, before: try row.7.map(JSONValue.init(jsonText:)),
                          after: try row.8.map(JSONValue.init(jsonText:)))
    }
}
