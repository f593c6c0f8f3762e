import GuanxiCore
import HTTPTypes

// `/api/v1/audit`: AuditController.

extension OpenAPI.Area {
    static let audit = OpenAPI.Area(
        tag: "Audit log",
        description: "Who changed which record, when, and from what to what; written by the database in the transaction of the "
            + "change, and never editable. Owners and admins only.",
        access: .workspace,
        schemas: [
            "AuditEntry": .record([
                "id": .id,
                "occurred_at": .time,
                "actor_user_id": OpenAPI.Schema.id.orNull.described("The member who made the change; `null` for the system."),
                "actor_credential": OpenAPI.Schema.oneOf(["api_key", "session", "system"])
                    .described("How the member was signed in; `system` when no member acted (a background job, the command line)."),
                "action": .oneOf(["insert", "update", "delete"]),
                "entity_type": OpenAPI.Schema.string().described("The table written, such as `contacts`, `sla_targets` or `memberships`."),
                "entity_id": OpenAPI.Schema.id.described("The row's id; for a row without one, the record it belongs to: the workspace for "
                    + "the service desk's settings, the deal for its contacts, the member for a membership. An update of such a row also "
                    + "records the rest of its key."),
                "before": OpenAPI.Schema.anyObject.orNull
                    .described("`null` for an insert; the whole row for a delete; for an update, only the changed columns' old values."),
                "after": OpenAPI.Schema.anyObject.orNull
                    .described("The whole row for an insert; `null` for a delete; for an update, only the changed columns' new values."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/api/v1/audit", id: "listAuditEntries", summary: "Read the audit log",
                description: "Filters combine. Owners and admins only.",
                parameters: [
                    .query("entity_type", .string(pattern: "^[a-z][a-z0-9_]{0,62}$"), "One table, such as `contacts`."),
                    .query("entity_id", .id, "One record's history."),
                    .query("actor", OpenAPI.Schema(["anyOf": .array([OpenAPI.Schema.id.json, OpenAPI.Schema.oneOf(["system"]).json])]),
                           "A member's user id, or `system`."),
                    .query("from", .time, "Entries at or after this time: ISO 8601 with a zone, fractions of a second allowed."),
                    .query("to", .time, "Entries before this time."),
                ],
                success: .page(of: "AuditEntry", "A page of entries, newest first."),
                errors: [.forbiddenRole,
                         .invalidFilter("A malformed `entity_type`, `entity_id`, `actor`, `from` or `to`.")]),
        ])
}
