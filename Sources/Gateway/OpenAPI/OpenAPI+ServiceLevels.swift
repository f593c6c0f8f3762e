import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/service/sla` and `/api/v1/service/business-hours`: ServiceLevelsController.

extension OpenAPI.Area {
    /// Business minutes a target may be: at most a year.
    private static let targetMinutes = OpenAPI.Schema.integer(minimum: 1, maximum: 525_600)
    private static let clockTime = OpenAPI.Schema.string(pattern: "^[0-9]{2}:[0-9]{2}$")
    private static let weekdays = Weekday.allCases.map(\.name)

    static let serviceLevels = OpenAPI.Area(
        tag: "Service levels",
        description: "The workspace's SLA targets per case priority, what happens to a case that breaches one, and the business hours "
            + "in which the SLA clocks run. Owners and admins only.",
        access: .workspace,
        schemas: [
            "SLATarget": .record([
                "first_response_minutes": targetMinutes.described("Business minutes until the first response."),
                "resolution_minutes": targetMinutes.described("Business minutes until resolution; never fewer than `first_response_minutes`."),
            ]),
            "ServiceLevelPolicy": .record([
                "targets": .record(Dictionary(uniqueKeysWithValues: CasePriority.allCases.map { ($0.rawValue, OpenAPI.Schema.ref("SLATarget")) })),
                "escalation_assignee_id": OpenAPI.Schema.id.orNull
                    .described("The owner, admin or manager a breached case is assigned to; `null` keeps its assignee."),
                "escalate_priority": OpenAPI.Schema.boolean.described("Whether a breach raises the case's priority one step."),
            ]),
            "BusinessHours": .record([
                "time_zone": OpenAPI.Schema.string().described("The IANA zone the hours are read in, such as `Asia/Shanghai`."),
                "uses_workspace_time_zone": OpenAPI.Schema.boolean
                    .described("Whether `time_zone` is the workspace's own, the business hours having none of their own."),
                "weekly": OpenAPI.Schema.record(Dictionary(uniqueKeysWithValues: weekdays.map { day in
                    (day, OpenAPI.Schema.array(of: .record(["opens": clockTime, "closes": clockTime])))
                })).described("Every weekday, with its opening periods in order, `HH:MM` in 24 hours (`24:00` is the end of the day); "
                    + "a closed day has none."),
                "holidays": OpenAPI.Schema.array(of: .record(["date": .date, "name": .string()])).described("Whole days, in date order."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/api/v1/service/sla", id: "getServiceLevelPolicy", summary: "The SLA targets and escalation",
                success: .ok(.ref("ServiceLevelPolicy"), "The policy."),
                errors: [.forbiddenRole]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/service/sla", id: "updateServiceLevelPolicy", summary: "Change the SLA targets or escalation",
                description: "All or nothing. Cases already opened keep the targets they were opened with.",
                body: .body([
                    "targets": OpenAPI.Schema.body(Dictionary(uniqueKeysWithValues: CasePriority.allCases.map { priority in
                        (priority.rawValue, OpenAPI.Schema.body(["first_response_minutes": targetMinutes, "resolution_minutes": targetMinutes],
                                                                required: ["first_response_minutes", "resolution_minutes"]))
                    })).described("New targets for the priorities named, both numbers each; the others keep theirs."),
                    "escalation_assignee_id": OpenAPI.Schema.id.orNull
                        .described("An owner, admin or manager of this workspace; `null` clears it."),
                    "escalate_priority": .boolean,
                ]),
                success: .ok(.ref("ServiceLevelPolicy"), "The policy."),
                errors: [.forbiddenRole,
                         OpenAPI.ErrorCode(422, "unknown_assignee", "`escalation_assignee_id` names no member of this workspace; "
                             + "`details.field` is `escalation_assignee_id`."),
                         OpenAPI.ErrorCode(422, "unknown_field", "The body, or a nested object, has a key it does not take, such as a "
                             + "priority that does not exist; `details.field` is its path, such as `targets.critical`."),
                         OpenAPI.ErrorCode(422, "invalid_field", "A target out of range, a resolution target smaller than the first "
                             + "response's, an `escalation_assignee_id` who is not an owner, admin or manager, or a field of the wrong "
                             + "type; `details.field` is its path, such as `targets.high.resolution_minutes`.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/service/business-hours", id: "getBusinessHours", summary: "When the service desk is open",
                success: .ok(.ref("BusinessHours"), "The business hours."),
                errors: [.forbiddenRole]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/service/business-hours", id: "updateBusinessHours",
                summary: "Change the business hours, holidays or time zone",
                description: "All or nothing. Due times already set stay; clocks that start, resume or are re-targeted from now on use "
                    + "the new hours.",
                body: .body([
                    "time_zone": OpenAPI.Schema.string().orNull
                        .described("An IANA zone such as `America/New_York`; `null` goes back to the workspace's own."),
                    "weekly": OpenAPI.Schema.body(Dictionary(uniqueKeysWithValues: weekdays.map { day in
                        (day, OpenAPI.Schema.array(of: .body(["opens": clockTime, "closes": clockTime], required: ["opens", "closes"]),
                                                   count: 0...6))
                    })).described("Replaces the whole week: a weekday left out is closed. Up to 6 periods a day that do not "
                        + "overlap, `opens` from `00:00` to `23:59` and earlier than `closes`, up to `24:00`; open at least once a week."),
                    "holidays": OpenAPI.Schema.array(of: .body(["date": .date, "name": OpenAPI.Schema.string(length: 1...100).orNull],
                                                               required: ["date"]), count: 0...1000)
                        .described("Replaces every holiday: whole local days, each once."),
                ]),
                success: .ok(.ref("BusinessHours"), "The business hours."),
                errors: [.forbiddenRole,
                         OpenAPI.ErrorCode(422, "unknown_field", "The body, or a nested object, has a key it does not take, such as a "
                             + "day that is not a weekday; `details.field` is its path, such as `weekly.monday.0.open`."),
                         OpenAPI.ErrorCode(422, "invalid_field", "An unknown time zone, a time that is not `HH:MM` in range, periods that "
                             + "overlap, a week that never opens, a date that does not exist or is listed twice, or a field of the wrong "
                             + "type; `details.field` is its path, such as `holidays.1.date`.")]),
        ])
}
