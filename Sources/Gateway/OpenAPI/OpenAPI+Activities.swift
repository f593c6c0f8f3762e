import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/activities` and `/api/v1/tasks/mine`: ActivitiesController.

extension OpenAPI.ErrorCode {
    static let attachmentRequired = Self(422, "attachment_required",
                                         "The activity would be attached to nothing: send at least one of `account_id`, `contact_id`, "
                                             + "`lead_id`, `deal_id` and `case_id`; `details.field` is `account_id`.")
    static let unknownLead = Self(422, "unknown_lead", "`lead_id` names no lead of this workspace; `details.field` is `lead_id`.")
    static let unknownDeal = Self(422, "unknown_deal", "`deal_id` names no deal of this workspace; `details.field` is `deal_id`.")
    static let unknownCase = Self(422, "unknown_case", "`case_id` names no case of this workspace; `details.field` is `case_id`.")
}

extension OpenAPI.Area {
    /// The records an activity is attached to, in a body: at least one.
    private static let attachments: [String: OpenAPI.Schema] = [
        "account_id": OpenAPI.Schema.id.orNull.described("An account of this workspace."),
        "contact_id": OpenAPI.Schema.id.orNull.described("A contact of this workspace."),
        "lead_id": OpenAPI.Schema.id.orNull.described("A lead of this workspace."),
        "deal_id": OpenAPI.Schema.id.orNull.described("A deal of this workspace."),
        "case_id": OpenAPI.Schema.id.orNull.described("A case of this workspace."),
    ]

    /// The fields of an activity that a create and a change treat alike.
    private static let activityFields: [String: OpenAPI.Schema] = attachments.merging([
        "title": OpenAPI.Schema.string(length: 1...300).orNull.described("Required for every kind but `note`; an email's subject."),
        "body": OpenAPI.Schema.string(length: 1...20_000).orNull.described("Required for a `note`."),
        "duration_minutes": OpenAPI.Schema.integer(minimum: 0, maximum: 1440).orNull.described("Calls and meetings only."),
        "due_date": OpenAPI.Schema.date.orNull.described("Tasks only."),
        "assignee_id": OpenAPI.Schema.id.orNull.described("A member of this workspace; the owner when left out of a create."),
    ]) { $1 }

    private static let invalidActivityField = OpenAPI.ErrorCode(
        422, "invalid_field", "A field is missing, of the wrong type, `null` where not allowed, breaks a rule, or does not belong to the "
            + "kind (`due_date` or `done` on anything but a task, `duration_minutes` on anything but a call or meeting); "
            + "`details.field` names it.")

    private static let activityID = OpenAPI.Parameter.id("id", "The activity's id.")
    private static let due = OpenAPI.Schema.oneOf(TaskDue.allCases.map(\.rawValue))

    /// The filters of the list, which its export takes too.
    private static let activityFilters: [OpenAPI.Parameter] = [
        .query("kind", .oneOf(Activity.Kind.allCases.map(\.rawValue)), "Only activities of this kind."),
        .query("account_id", .id, "Only activities attached to this account (not to its contacts)."),
        .query("contact_id", .id, "Only activities attached to this contact."),
        .query("lead_id", .id, "Only activities attached to this lead."),
        .query("deal_id", .id, "Only activities attached to this deal."),
        .query("case_id", .id, "Only activities attached to this case."),
        .query("owner_id", .id, "Only activities this member owns."),
        .query("assignee_id", .id, "Only activities assigned to this member."),
        .query("done", .boolean, "Only tasks: done (`true`) or open (`false`)."),
        .query("due", due, "Only tasks with a due date: due `today`, open and due before today (`overdue`), or due after today "
            + "(`upcoming`)."),
    ]
    private static let invalidActivityFilter = OpenAPI.ErrorCode.invalidFilter(
        "`kind` or `due` is not one of its values, `done` is not `true` or `false`, or an id is not a UUID; `details.field` names it.")

    static let activities = OpenAPI.Area(
        tag: "Activities",
        description: "Tasks to do, and calls, meetings, emails and notes logged by hand, each attached to one or more of an account, a "
            + "contact, a lead, a deal and a case, and shown in those customers' timelines. Deleting a record unlinks its activities; "
            + "one left attached to nothing is deleted with it. \"Today\" is the workspace's, in its time zone.",
        access: .workspace,
        schemas: [
            "Activity": .record([
                "id": .id,
                "kind": .oneOf(Activity.Kind.allCases.map(\.rawValue)),
                "title": OpenAPI.Schema.string().orNull.described("Never `null` but for a note."),
                "body": OpenAPI.Schema.string().orNull.described("Never `null` for a note."),
                "occurred_at": OpenAPI.Schema.time
                    .described("When the call, meeting or email happened or the note was written; when a task was set."),
                "duration_minutes": OpenAPI.Schema.integer(minimum: 0, maximum: 1440).orNull,
                "due_date": OpenAPI.Schema.date.orNull,
                "done": OpenAPI.Schema.boolean.orNull.described("Whether a task is done; `null` for the other kinds."),
                "done_at": OpenAPI.Schema.time.orNull.described("When a task was marked done; `null` while it is open."),
                "owner_id": .id,
                "assignee_id": OpenAPI.Schema.id.orNull,
                "account_id": OpenAPI.Schema.id.orNull,
                "contact_id": OpenAPI.Schema.id.orNull,
                "lead_id": OpenAPI.Schema.id.orNull,
                "deal_id": OpenAPI.Schema.id.orNull,
                "case_id": OpenAPI.Schema.id.orNull,
                "created_at": .time,
                "updated_at": .time,
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .post, path: "/api/v1/activities", id: "createActivity", summary: "Log an activity or set a task",
                body: .body(activityFields.merging([
                    "kind": OpenAPI.Schema.oneOf(Activity.Kind.allCases.map(\.rawValue)).described("Does not change afterwards."),
                    "occurred_at": OpenAPI.Schema.time.orNull.described("Now when left out."),
                    "done": OpenAPI.Schema.boolean.orNull.described("`true` logs a task as already done."),
                    "owner_id": OpenAPI.Schema.id.orNull.described("A member of this workspace; the caller when left out."),
                ]) { $1 }, required: ["kind"]),
                success: .created(.ref("Activity"), "The activity."),
                errors: [.forbiddenOwner, .attachmentRequired, .unknownAccount, .unknownContact, .unknownLead, .unknownDeal, .unknownCase,
                         .unknownUser, invalidActivityField]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/activities", id: "listActivities", summary: "List activities",
                description: "Filters combine.",
                parameters: activityFilters,
                success: .page(of: "Activity", "A page of activities, in creation order."),
                errors: [invalidActivityFilter]),
            .csvExport("activities", id: "exportActivities", filters: activityFilters,
                       columns: "`id, kind, title, body, occurred_at, duration_minutes, due_date, done_at, owner_id, assignee_id, "
                           + "account_id, contact_id, lead_id, deal_id, case_id, created_at, updated_at`",
                       errors: [invalidActivityFilter]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/activities/{id}", id: "getActivity", summary: "Read an activity",
                parameters: [activityID],
                success: .ok(.ref("Activity"), "The activity."),
                errors: [.notFound("activity")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/activities/{id}", id: "updateActivity", summary: "Change an activity, or mark a task done",
                description: "The kind does not change (`kind` is refused as `unknown_field`). An activity stays attached to at least "
                    + "one record.",
                parameters: [activityID],
                body: .body(activityFields.merging([
                    "occurred_at": OpenAPI.Schema.time.described("Cannot be cleared."),
                    "done": OpenAPI.Schema.boolean.described("`true` marks a task done (now), `false` open again. Cannot be cleared."),
                    "owner_id": OpenAPI.Schema.id.described("A member of this workspace. Cannot be cleared."),
                ]) { $1 }),
                success: .ok(.ref("Activity"), "The activity."),
                errors: [.notFound("activity"), .recordReadOnly, .forbiddenReassignment, .attachmentRequired, .unknownAccount,
                         .unknownContact, .unknownLead, .unknownDeal, .unknownCase, .unknownUser, invalidActivityField]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/activities/{id}", id: "deleteActivity", summary: "Delete an activity",
                parameters: [activityID],
                success: .noContent("Deleted."),
                errors: [.notFound("activity"), .recordReadOnly]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/tasks/mine", id: "listMyTasks", summary: "The caller's open tasks, soonest due first",
                description: "Tasks assigned to the calling member and not done; tasks without a due date come last.",
                parameters: [.query("due", due, "Only tasks due `today`, before today (`overdue`) or after today (`upcoming`); all of them "
                    + "when left out.")],
                success: .page(of: "Activity", "A page of tasks, by due date, then in creation order."),
                errors: [.invalidFilter("`due` is not `today`, `overdue` or `upcoming`; `details.field` is `due`.")]),
        ])
}
