import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/accounts/{id}/timeline` and `/api/v1/contacts/{id}/timeline`: TimelineController.

extension OpenAPI.Area {
    static let timeline = OpenAPI.Area(
        tag: "Timeline",
        description: "Everything that happened with a customer, newest first: activities, deal creations and moves, lead conversions, "
            + "case events and campaign touches. A contact's timeline holds what is attached to the contact, to its deals, its cases and "
            + "the leads converted into it; an account's holds the same for the account itself and for every contact at it.",
        access: .workspace,
        schemas: [
            "TimelineItem": .record([
                "id": OpenAPI.Schema.id.described("The activity's, the deal or case history entry's, the converted lead's or the campaign "
                    + "touch's id."),
                "kind": OpenAPI.Schema.oneOf(TimelineItem.Kind.allCases.map(\.rawValue))
                    .described("An activity's kind; `deal_…` from a deal's history; `lead_converted`; `case_…` from a case's history; "
                        + "`campaign_touch`."),
                "occurred_at": .time,
                "user_id": OpenAPI.Schema.id.orNull.described("Who did it: the activity's owner, who moved the deal, who converted the "
                    + "lead, who changed the case, who recorded the touch; `null` for what the server did (a breach, an escalation)."),
                "title": OpenAPI.Schema.string().orNull.described("The activity's title, the deal's name, the lead's name, the case's "
                    + "subject, the campaign's name."),
                "body": OpenAPI.Schema.string().orNull.described("The activity's text, why a deal was moved, won or lost, the converted "
                    + "lead's company, the note of a case's history entry or of a campaign touch."),
                "from": OpenAPI.Schema.string().orNull.described("What changed from: a deal's former stage name, a case's former status, "
                    + "priority or assignee, a campaign member's former status."),
                "to": OpenAPI.Schema.string().orNull.described("What it changed to: the deal's new stage name; the case's new status, "
                    + "priority or assignee, its rating, or the clock it breached; the campaign member's new status."),
                "account_id": OpenAPI.Schema.id.orNull,
                "contact_id": OpenAPI.Schema.id.orNull,
                "lead_id": OpenAPI.Schema.id.orNull,
                "deal_id": OpenAPI.Schema.id.orNull,
                "case_id": OpenAPI.Schema.id.orNull,
                "activity_id": OpenAPI.Schema.id.orNull.described("Set for an activity's item."),
                "campaign_id": OpenAPI.Schema.id.orNull.described("Set for a campaign touch's item."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/api/v1/accounts/{id}/timeline", id: "getAccountTimeline", summary: "An account's timeline",
                parameters: [.id("id", "The account's id.")],
                success: .page(of: "TimelineItem", "A page of items, newest first; items of one transaction share its time, the later id first."),
                errors: [.notFound("account")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/contacts/{id}/timeline", id: "getContactTimeline", summary: "A contact's timeline",
                parameters: [.id("id", "The contact's id.")],
                success: .page(of: "TimelineItem", "A page of items, newest first; items of one transaction share its time, the later id first."),
                errors: [.notFound("contact")]),
        ])
}
