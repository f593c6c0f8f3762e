import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/cases`: CasesController.

extension OpenAPI.ErrorCode {
    static let unknownAssignee = Self(422, "unknown_assignee",
                                      "`assignee_id` names no member of this workspace; `details.field` is `assignee_id`.")
    static let caseClosed = Self(409, "case_closed",
                                 "The case is closed: nothing changes but a reopening (status `open`, by a manager, admin or owner).")
    static let invalidStatusTransition = Self(409, "invalid_status_transition",
                                              "The case may not move from its status to the one asked; `details`: `from`, `to`, and "
                                                  + "`allowed`, the statuses allowed from `from`, comma separated.")
    static let caseNotResolved = Self(409, "case_not_resolved",
                                      "The case has not been resolved, so there is no resolution to rate; `details.status` is its status.")
    static let satisfactionAlreadyRecorded = Self(409, "satisfaction_already_recorded",
                                                  "This resolution already has a rating; reopening the case clears it.")
}

extension OpenAPI.Schema {
    static let casePriority = oneOf(CasePriority.allCases.map(\.rawValue))
    static let caseStatus = oneOf(CaseStatus.allCases.map(\.rawValue))
    static let caseChannel = oneOf(CaseChannel.allCases.map(\.rawValue))

    /// One or more of `values`, separated by commas.
    static func commaSeparated(_ values: [String]) -> Self {
        let one = "(" + values.joined(separator: "|") + ")"
        return string(pattern: "^\(one)(,\(one))*$")
    }
}

extension OpenAPI.Area {
    /// The fields of a case that a create and a change treat alike.
    private static let caseFields: [String: OpenAPI.Schema] = [
        "subject": OpenAPI.Schema.string(length: 1...300).described("Cannot be cleared."),
        "description": OpenAPI.Schema.string(length: 1...20_000).orNull,
        "category": OpenAPI.Schema.string(length: 1...100).orNull.described("Free text chosen by the workspace."),
        "channel": OpenAPI.Schema.caseChannel.described("How the customer reached the firm. Cannot be cleared."),
        "assignee_id": OpenAPI.Schema.id.orNull.described("A member of this workspace; `null` is unassigned."),
        "contact_id": OpenAPI.Schema.id.orNull.described("A contact of this workspace."),
        "account_id": OpenAPI.Schema.id.orNull.described("An account of this workspace."),
    ]

    private static let caseID = OpenAPI.Parameter.id("id", "The case's id.")

    /// The filters of the list, which its export takes too.
    private static let caseFilters: [OpenAPI.Parameter] = [
        .query("status", .commaSeparated(CaseStatus.allCases.map(\.rawValue)), "One or more statuses, comma separated."),
        .query("priority", .commaSeparated(CasePriority.allCases.map(\.rawValue)), "One or more priorities, comma separated."),
        .query("assignee", OpenAPI.Schema(["anyOf": .array([OpenAPI.Schema.oneOf(["me", "none"]).json, OpenAPI.Schema.id.json])]),
               "`me` (the caller), `none` (unassigned), or a member's user id."),
        .query("open", .boolean, "`true`: `new`, `open` or `waiting_on_customer`; `false`: `resolved` or `closed`."),
        .query("breached", .boolean, "`true`: a clock was breached; `false`: none was."),
        .query("category", .string(), "The category, without regard to case."),
        .query("contact_id", .id, "Only the cases of this contact."),
        .query("account_id", .id, "Only the cases of this account."),
        .query("number", OpenAPI.Schema.integer(minimum: 1), "The case with this number."),
    ]
    private static let invalidCaseFilter = OpenAPI.ErrorCode.invalidFilter(
        "A value of `status`, `priority`, `assignee`, `open`, `breached`, `contact_id`, `account_id` or `number` cannot be read.")

    static let cases = OpenAPI.Area(
        tag: "Cases",
        description: "Customers' requests for service, numbered 1001, 1002, … per workspace, each held to its priority's SLA targets: "
            + "business time until the first response and until resolution. A missed target is a breach, which escalates the case "
            + "and is recorded in its history. Text is trimmed; empty optional text is stored as `null`.",
        access: .workspace,
        schemas: [
            "Case": .record([
                "id": .id,
                "number": OpenAPI.Schema.integer(minimum: 1001).described("Per workspace, without gaps; never handed out again."),
                "subject": .string(),
                "description": OpenAPI.Schema.string().orNull,
                "status": .caseStatus,
                "priority": .casePriority,
                "category": OpenAPI.Schema.string().orNull,
                "channel": .caseChannel,
                "assignee_id": OpenAPI.Schema.id.orNull,
                "contact_id": OpenAPI.Schema.id.orNull,
                "account_id": OpenAPI.Schema.id.orNull,
                "created_by": OpenAPI.Schema.id.orNull.described("The member who created it; `null` once that member is removed."),
                "first_response_target_minutes": OpenAPI.Schema.integer(minimum: 1)
                    .described("Business minutes, from the SLA policy when the case was opened or given a new priority."),
                "first_response_due_at": .time,
                "first_responded_at": OpenAPI.Schema.time.orNull,
                "first_response_breached_at": OpenAPI.Schema.time.orNull.described("The due time that passed without a first response."),
                "resolution_target_minutes": OpenAPI.Schema.integer(minimum: 1).described("Business minutes."),
                "resolution_due_at": OpenAPI.Schema.time.orNull.described("`null` while the resolution clock stands still."),
                "resolution_seconds_left": OpenAPI.Schema.integer().orNull
                    .described("Business seconds left while the resolution clock stands still; `null` while it runs."),
                "resolution_breached_at": OpenAPI.Schema.time.orNull.described("The due time that passed before the case was resolved."),
                "next_due_at": OpenAPI.Schema.time.orNull
                    .described("The nearest due time among the clocks still running, past or future; `null` when none runs."),
                "resolved_at": OpenAPI.Schema.time.orNull.described("Cleared when the case reopens."),
                "closed_at": OpenAPI.Schema.time.orNull.described("Cleared when the case reopens."),
                "satisfaction": OpenAPI.Schema.integer(minimum: 1, maximum: 5).orNull
                    .described("The customer's rating of the resolution, 1 (poor) to 5 (excellent); cleared when the case reopens."),
                "satisfaction_comment": OpenAPI.Schema.string().orNull,
                "satisfaction_recorded_at": OpenAPI.Schema.time.orNull,
                "custom_fields": .customFieldValues,
                "created_at": .time,
                "updated_at": .time,
            ]),
            "CaseEvent": .record([
                "id": .id,
                "case_id": .id,
                "occurred_at": .time,
                "kind": .oneOf(CaseEvent.Kind.allCases.map(\.rawValue)),
                "from": OpenAPI.Schema.string().orNull.described("The old status, priority or assignee id of a change."),
                "to": OpenAPI.Schema.string().orNull.described("The new status, priority or assignee id; for `breached` and "
                    + "`escalated` the clock, `first_response` or `resolution`; for `satisfaction_recorded` the rating."),
                "note": OpenAPI.Schema.string().orNull.described("A response's note, a rating's comment."),
                "actor_id": OpenAPI.Schema.id.orNull.described("The member who acted; `null` for the SLA monitor."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .post, path: "/api/v1/cases", id: "createCase", summary: "Open a case",
                description: "Every case starts `new`, with the next number and its clocks started with its priority's targets. With a "
                    + "contact and no account, the contact's account is taken.",
                body: .body(caseFields.merging([
                    "priority": OpenAPI.Schema.casePriority.orNull.described("`normal` when left out."),
                    "custom_fields": .newCustomFieldValues,
                ]) { $1 }, required: ["subject", "channel"]),
                success: .created(.ref("Case"), "The case."),
                errors: [.unknownAssignee, .unknownContact, .unknownAccount, .unknownCustomField, .invalidCustomField]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/cases", id: "listCases", summary: "List cases, or an agent's queue",
                description: "Filters combine. In creation order, except with `open=true`: then nearest `next_due_at` first (cases with no "
                    + "running clock last), so `?assignee=me&open=true` is the caller's queue.",
                parameters: caseFilters,
                success: .page(of: "Case", "A page of cases."),
                errors: [invalidCaseFilter]).filteredByCustomFields(),
            .csvExport("cases", id: "exportCases", filters: caseFilters,
                       columns: "`id, number, subject, description, status, priority, category, channel, assignee_id, contact_id, "
                           + "account_name, account_id, created_by, first_response_target_minutes, first_response_due_at, "
                           + "first_responded_at, first_response_breached_at, resolution_target_minutes, resolution_due_at, "
                           + "resolution_seconds_left, resolution_breached_at, next_due_at, resolved_at, closed_at, satisfaction, "
                           + "satisfaction_comment, satisfaction_recorded_at, created_at, updated_at`",
                       errors: [invalidCaseFilter]).filteredByCustomFields(),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/cases/{id}", id: "getCase", summary: "Read a case",
                parameters: [caseID],
                success: .ok(.ref("Case"), "The case."),
                errors: [.notFound("case")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/cases/{id}", id: "updateCase", summary: "Change a case, its status or priority",
                description: "A new status must be one the current one allows; it stops or resumes the resolution clock. A new priority "
                    + "holds the running clocks to its targets, counting the business time used. Status, priority and assignee changes "
                    + "are recorded in the history.",
                parameters: [caseID],
                body: .body(caseFields.merging([
                    "status": OpenAPI.Schema.caseStatus.described("Never back to `new`. Cannot be cleared."),
                    "priority": OpenAPI.Schema.casePriority.described("Cannot be cleared."),
                    "custom_fields": .customFieldChanges,
                ]) { $1 }),
                success: .ok(.ref("Case"), "The case."),
                errors: [.notFound("case"), .recordReadOnly, .caseClosed, .invalidStatusTransition,
                         OpenAPI.ErrorCode(403, "forbidden_role", "Only a manager, admin or owner may reopen a closed case; or the role "
                             + "may not give the case to the new `assignee_id` (owners, admins and support agents give cases to anyone, "
                             + "managers to themselves, their teams' members or nobody, sales reps to no one), and `details.field` is "
                             + "`assignee_id`."),
                         .unknownAssignee, .unknownContact, .unknownAccount, .unknownCustomField, .invalidCustomField]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/cases/{id}", id: "deleteCase", summary: "Delete a case with its history",
                description: "Its number is not handed out again. Owners and admins only.",
                parameters: [caseID],
                success: .noContent("Deleted."),
                errors: [.forbiddenRole, .notFound("case")]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/cases/{id}/responses", id: "recordCaseResponse", summary: "Record that a member answered the customer",
                description: "The first response stops the first-response clock at the server's time; later ones are only recorded in the "
                    + "history. A `new` case becomes `open`.",
                parameters: [caseID],
                body: .body(["note": OpenAPI.Schema.string(length: 1...2000).orNull.described("How the customer was answered; kept in the history.")]),
                success: .ok(.ref("Case"), "The case."),
                errors: [.notFound("case"), .recordReadOnly, .caseClosed]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/cases/{id}/satisfaction", id: "recordCaseSatisfaction",
                summary: "Record the customer's rating of the resolution",
                description: "Once per resolution, after the case was resolved (a resolved case that was then closed counts).",
                parameters: [caseID],
                body: .body([
                    "rating": OpenAPI.Schema.integer(minimum: 1, maximum: 5).described("1 (poor) to 5 (excellent)."),
                    "comment": OpenAPI.Schema.string(length: 1...2000).orNull,
                ], required: ["rating"]),
                success: .ok(.ref("Case"), "The case."),
                errors: [.notFound("case"), .recordReadOnly, .caseNotResolved, .satisfactionAlreadyRecorded]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/cases/{id}/history", id: "listCaseHistory", summary: "A case's history",
                parameters: [caseID],
                success: .page(of: "CaseEvent", "A page of entries, oldest first."),
                errors: [.notFound("case")]),
        ])
}
