import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// The kinds of record whose access follows the acting member's role, ownership, team and shares.
/// The raw value is the entity's name in errors (`contact_not_found`), in `record_shares.entity` and
/// in the SQL functions of `Migrations/0012_restrict_record_access.sql`.
public enum RecordKind: String, Sendable, Codable, CaseIterable {
    case account, contact, lead, deal, activity
    case serviceCase = "case"
}

/// What the services check before a change (Docs/Access.md). Reading needs no check: row-level
/// security shows each member only the records they may see, in every query, so a record out of
/// sight answers 404 exactly like a missing one.
enum RecordAccess {
    /// Locks the record for the rest of `transaction` and goes on only if the acting member may
    /// change it: 404 `<kind>_not_found` when they cannot see it, 403 `record_read_only` when they
    /// may only read it. The first statement of every update and delete.
    static func requireEditable(_ kind: RecordKind, _ id: UUID, in transaction: Transaction) async throws {
        let editable = try await transaction.rows("SELECT record_editable(\(kind.rawValue), \(id))", as: Bool?.self)
        switch editable.first ?? nil {
        case true?:
            return
        case false?:
            throw GuanxiError(.forbidden, code: "record_read_only",
                              message: "You may read this \(kind.rawValue) but not change it; ask its owner, their manager or an admin.",
                              details: ["entity": kind.rawValue])
        case nil:
            throw GuanxiError.notFound(kind.rawValue)
        }
    }

    /// Refuses (403 `forbidden_role`) making `owner` the owner, or a case's assignee, unless the acting
    /// member may: owners and admins anyone, managers themselves, their teams' members or nobody,
    /// others only themselves on a record they create. `reassigning` is a change of an existing record's.
    static func requireMayAssign(_ kind: RecordKind, to owner: UserID?, reassigning: Bool, in transaction: Transaction) async throws {
        if !reassigning, let owner, owner == ActingUser.current?.user { return }
        let allowed = try await transaction.rows("SELECT record_assignable(\(kind.rawValue), \(owner?.uuid), \(reassigning))", as: Bool?.self)
        guard (allowed.first ?? nil) == true else {
            throw GuanxiError(.forbidden, code: "forbidden_role",
                              message: reassigning
                                ? "Your role may not give this \(kind.rawValue) to that member; owners and admins reassign any record, managers within their teams."
                                : "You may create a \(kind.rawValue) only for yourself; a manager may for their team, an owner or admin for anyone.",
                              details: ["field": kind == .serviceCase ? "assignee_id" : "owner_id"])
        }
    }

    /// A change of an existing record's owner from `current` to `owner`: nothing when they are the
    /// same; otherwise `owner` must be a user of the workspace (422 `unknown_user`) whom the acting
    /// member may give records to (`requireMayAssign`).
    static func requireMayReassign(_ kind: RecordKind, from current: UserID?, to owner: UserID?, in transaction: Transaction) async throws {
        guard owner != current else { return }
        try await References.requireUser(owner, field: "owner_id", in: transaction)
        try await requireMayAssign(kind, to: owner, reassigning: true, in: transaction)
    }
}
