import CRM
import Foundation
import GuanxiCore
import HTTPTypes

// `/api/v1/{accounts,contacts,leads,deals,cases}/{id}/shares` and `/api/v1/members/{id}/reassign`:
// RecordSharesController. The codes below are also answered by the changes of those records.

extension OpenAPI.ErrorCode {
    static let recordReadOnly = Self(403, "record_read_only",
                                     "The member sees this record but may not change it: a `read` share, a support agent and an account "
                                         + "or contact not theirs, or a case seen only because it is about their customer. "
                                         + "`details.entity` names the kind.")
    /// A change of `owner_id` that the member's role does not allow.
    static let forbiddenReassignment = Self(403, "forbidden_role",
                                            "The role may not give the record to the new `owner_id`: owners and admins give records to "
                                                + "anyone, managers to themselves or their teams' members (an account or contact also to "
                                                + "nobody), others to no one; `details.field` is `owner_id`.")
    /// A create for another member than the caller that the member's role does not allow.
    static let forbiddenOwner = Self(403, "forbidden_role",
                                     "`owner_id` names another member: only owners and admins (anyone) and managers (their teams' "
                                         + "members) create for others; `details.field` is `owner_id`.")
    static let shareNotFound = Self(404, "share_not_found", "That member has no share of this record (or `user_id` is not a UUID).")
}

extension OpenAPI.Area {
    static let recordAccess = OpenAPI.Area(
        tag: "Record access",
        description: "Inside a workspace, owners and admins see every record; managers see their own and their teams' members'; sales "
            + "reps their own and what is shared with them; support agents every case and, to read, every account and contact. A record "
            + "a member may not see answers 404 like a missing one; a change they may not make, 403. Shares open one account, contact, "
            + "lead, deal or case to one member, to `read` or to `edit`; whoever may change the record manages its shares. "
            + "See Docs/Access.md.",
        access: .workspace,
        schemas: [
            "RecordShare": .record([
                "id": .id,
                "entity": .oneOf(RecordSharesController.shareable.map(\.kind.rawValue)),
                "entity_id": .id,
                "user_id": OpenAPI.Schema.id.described("The member the record is shared with."),
                "access": .shareAccess,
                "created_by": OpenAPI.Schema.id.orNull.described("The member who shared it; `null` when no member did."),
                "created_at": .time,
            ]),
            "ReassignedRecords": .record([
                "accounts": .integer(minimum: 0),
                "contacts": .integer(minimum: 0),
                "leads": .integer(minimum: 0),
                "deals": .integer(minimum: 0),
                "activities": OpenAPI.Schema.integer(minimum: 0).described("Owned by the member, or open tasks assigned to them."),
                "cases": OpenAPI.Schema.integer(minimum: 0).described("Open cases (`new`, `open`, `waiting_on_customer`) assigned to them."),
            ]).described("How many records of each kind moved."),
        ],
        operations: RecordSharesController.shareable.flatMap { shareOperations(kind: $0.kind.rawValue, path: $0.path) } + [
            OpenAPI.Operation(
                method: .post, path: "/api/v1/members/{id}/reassign", id: "reassignMemberRecords",
                summary: "Move everything a member owns to another member",
                description: "In one transaction: the accounts, contacts, leads, deals and activities the member owns, their open tasks "
                    + "and their open cases; each moved case gets an `assignee_changed` entry in its history. The member may be one who "
                    + "already left. Shares given to them stay. Owners and admins only.",
                parameters: [.id("id", "The user id of the member whose records move, who may have left the workspace.")],
                body: .body(["to_user_id": OpenAPI.Schema.id.described("A current member, other than the one whose records move.")],
                            required: ["to_user_id"]),
                success: .ok(.ref("ReassignedRecords"), "The counts of what moved."),
                errors: [.forbiddenRole, OpenAPI.ErrorCode(404, "member_not_found", "The id was never a user of this workspace, or is not a UUID."),
                         OpenAPI.ErrorCode(422, "invalid_field", "`to_user_id` is not a current member, is the member whose records move, "
                             + "or is not a UUID; `details.field` names it.")]),
        ])

    /// The three operations on the shares of one kind of record, at `/api/v1/<path>/{id}/shares`.
    private static func shareOperations(kind: String, path: String) -> [OpenAPI.Operation] {
        let name = kind.capitalized
        let recordID = OpenAPI.Parameter.id("id", "The \(kind)'s id.")
        let shares = "/api/v1/\(path)/{id}/shares"
        return [
            OpenAPI.Operation(
                method: .post, path: shares, id: "share\(name)", summary: "Share the \(kind) with a member, or change a share's access",
                description: "Whoever may change the \(kind) may share it.",
                parameters: [recordID],
                body: .body([
                    "user_id": OpenAPI.Schema.id.described("A member of this workspace."),
                    "access": OpenAPI.Schema.shareAccess,
                ], required: ["user_id", "access"]),
                success: OpenAPI.Success.created(.ref("RecordShare"), "The new share.")
                    .or(200, "The member already had a share, which now has this access."),
                errors: [.notFound(kind), .recordReadOnly,
                         OpenAPI.ErrorCode(422, "invalid_field", "`user_id` is not a member of this workspace, `access` is not `read` or "
                             + "`edit`, or a field is missing or of the wrong type; `details.field` names it.")]),
            OpenAPI.Operation(
                method: .get, path: shares, id: "list\(name)Shares", summary: "List whom the \(kind) is shared with",
                description: "Seeing the shares takes the right to change the \(kind): a member who only reads it is not told who else does.",
                parameters: [recordID],
                success: .page(of: "RecordShare", "A page of shares, oldest first."),
                errors: [.notFound(kind), .recordReadOnly]),
            OpenAPI.Operation(
                method: .delete, path: shares + "/{user_id}", id: "revoke\(name)Share", summary: "Take a member's share of the \(kind) away",
                parameters: [recordID, .id("user_id", "The user id of the member the \(kind) is shared with.")],
                success: .noContent("The share is gone."),
                errors: [.notFound(kind), .recordReadOnly, .shareNotFound]),
        ]
    }
}

extension OpenAPI.Schema {
    /// What a share lets its member do.
    static let shareAccess = oneOf(RecordShare.Access.allCases.map(\.rawValue))
        .described("`read`: see the record; `edit`: also change it and share it further.")
}
