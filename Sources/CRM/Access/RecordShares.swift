import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// Shares of one workspace's records: access for one member to one account, contact, lead, deal or
/// case beyond what their role gives. Whoever may change a record manages its shares; a record the
/// caller cannot see answers its `<kind>_not_found`, one they only read 403 `record_read_only`.
public struct RecordShares: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns: ColumnList = "id, entity, entity_id, user_id, access, created_by, created_at"
    typealias Row = (UUID, String, UUID, UUID, String, UUID?, Date)

    static func share(_ row: Row) -> RecordShare {
        RecordShare(id: RecordShareID(row.0), entity: RecordKind(rawValue: row.1) ?? .account, entityID: row.2, userID: UserID(row.3),
                    access: RecordShare.Access(rawValue: row.4) ?? .read, createdBy: row.5.map(UserID.init), createdAt: row.6)
    }

    /// Gives a member access to the record, or changes the access of an existing share. `created` is
    /// false when the member already had a share.
    public func share(_ principal: TenantPrincipal, _ kind: RecordKind, _ id: UUID,
                      _ input: NewRecordShare) async throws -> (share: RecordShare, created: Bool) {
        let access = try Validate.choice(input.access, field: "access", as: RecordShare.Access.self)
        let newID = RecordShareID()
        let row = try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(kind, id, in: transaction)
            let members = try await transaction.rows("SELECT user_id FROM memberships WHERE user_id = \(input.userID.uuid)", as: UUID.self)
            guard !members.isEmpty else { throw GuanxiError.invalidField("user_id", "user_id must be a member of this workspace.") }
            return try await transaction.rows("""
                INSERT INTO record_shares (tenant_id, id, entity, entity_id, user_id, access, created_by)
                VALUES (\(principal.tenant.uuid), \(newID.uuid), \(kind.rawValue), \(id), \(input.userID.uuid), \(access.rawValue),
                        \(principal.user.uuid))
                ON CONFLICT (tenant_id, entity, entity_id, user_id) DO UPDATE SET access = EXCLUDED.access
                RETURNING \(columns: Self.columns)
                """, as: Row.self)[0]
        }
        let share = Self.share(row)
        return (share, share.id == newID)
    }

    /// The record's shares, oldest first. Seeing them takes the right to change the record, like
    /// making them: a reader is not told who else reads.
    public func list(_ principal: TenantPrincipal, _ kind: RecordKind, _ id: UUID, _ page: PageRequest) async throws -> Page<RecordShare> {
        let rows = try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(kind, id, in: transaction)
            return try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM record_shares
                 WHERE entity = \(kind.rawValue) AND entity_id = \(id) AND id > \(page.after?.after ?? UUID.minimum)
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.share), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    /// Takes the member's share of the record away; 404 `share_not_found` when they have none.
    public func revoke(_ principal: TenantPrincipal, _ kind: RecordKind, _ id: UUID, from user: UserID) async throws {
        try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(kind, id, in: transaction)
            let deleted = try await transaction.rows("""
                DELETE FROM record_shares WHERE entity = \(kind.rawValue) AND entity_id = \(id) AND user_id = \(user.uuid) RETURNING id
                """, as: UUID.self)
            guard !deleted.isEmpty else { throw GuanxiError.notFound("share") }
        }
    }

    /// Moves every record a member owns (accounts, contacts, leads, deals, activities), their open
    /// tasks and their open cases to another member, in one transaction: what an owner or admin does
    /// when someone leaves. `from` may be a member who already left. Case moves enter the cases' history.
    public func reassign(_ principal: TenantPrincipal, from: UserID, _ input: RecordReassignment,
                         now: Date = Date()) async throws -> ReassignedRecords {
        let to = input.toUserID
        guard to != from else {
            throw GuanxiError.invalidField("to_user_id", "to_user_id must be another member than the one whose records move.")
        }
        return try await database.withTenant(principal.tenant) { transaction in
            if try await transaction.rows("SELECT id FROM users WHERE id = \(from.uuid)", as: UUID.self).isEmpty {
                throw GuanxiError.notFound("member")
            }
            if try await transaction.rows("SELECT user_id FROM memberships WHERE user_id = \(to.uuid)", as: UUID.self).isEmpty {
                throw GuanxiError.invalidField("to_user_id", "to_user_id must be a member of this workspace.")
            }
            let moved = try await transaction.rows("""
                WITH accounts_moved AS (
                    UPDATE accounts SET owner_id = \(to.uuid), updated_at = now() WHERE owner_id = \(from.uuid) RETURNING id
                ), contacts_moved AS (
                    UPDATE contacts SET owner_id = \(to.uuid), updated_at = now() WHERE owner_id = \(from.uuid) RETURNING id
                ), leads_moved AS (
                    UPDATE leads SET owner_id = \(to.uuid), updated_at = now() WHERE owner_id = \(from.uuid) RETURNING id
                ), deals_moved AS (
                    UPDATE deals SET owner_id = \(to.uuid), updated_at = now() WHERE owner_id = \(from.uuid) RETURNING id
                ), activities_moved AS (
                    UPDATE activities
                       SET owner_id = CASE WHEN owner_id = \(from.uuid) THEN \(to.uuid) ELSE owner_id END,
                           assignee_id = CASE WHEN assignee_id = \(from.uuid) AND kind = 'task' AND done_at IS NULL
                                              THEN \(to.uuid) ELSE assignee_id END,
                           updated_at = now()
                     WHERE owner_id = \(from.uuid) OR (assignee_id = \(from.uuid) AND kind = 'task' AND done_at IS NULL)
                    RETURNING id
                )
                SELECT (SELECT count(*) FROM accounts_moved)::int, (SELECT count(*) FROM contacts_moved)::int,
                       (SELECT count(*) FROM leads_moved)::int, (SELECT count(*) FROM deals_moved)::int,
                       (SELECT count(*) FROM activities_moved)::int
                """, as: (Int, Int, Int, Int, Int).self)[0]
            let cases = try await transaction.rows("""
                UPDATE cases SET assignee_id = \(to.uuid), updated_at = \(now)
                 WHERE assignee_id = \(from.uuid) AND status IN ('new', 'open', 'waiting_on_customer')
                RETURNING id
                """, as: UUID.self)
            for id in cases {
                try await Cases.record([Cases.HistoryEntry(.assigneeChanged, from: from.description, to: to.description, actor: principal.user)],
                                       of: CaseID(id), tenant: principal.tenant, at: now, in: transaction)
            }
            return ReassignedRecords(accounts: moved.0, contacts: moved.1, leads: moved.2, deals: moved.3, activities: moved.4,
                                     cases: cases.count)
        }
    }
}
