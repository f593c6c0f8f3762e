import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/campaigns` (CampaignsController) and their members and touches (CampaignMembersController).

extension OpenAPI.ErrorCode {
    static let campaignReadOnly = Self(403, "record_read_only",
                                       "The caller reads the campaign but may not change it or its members: only its owner, and owners, "
                                           + "admins and managers, do. `details.entity` is `campaign`.")
    static let campaignClosed = Self(409, "campaign_closed",
                                     "The campaign is completed or cancelled: its members are no longer added or removed, and once it is "
                                         + "cancelled their statuses no longer change; `details.status` is its status.")
    static let campaignNotStarted = Self(409, "campaign_not_started",
                                         "The campaign is `planned`: members' statuses change once it is `active`; `details.status`.")
    static let memberTransition = Self(409, "invalid_status_transition",
                                       "The member may not move from its status to this one; `details`: `from`, `to`, `allowed`, and "
                                           + "`member_id` for one member of many.")
}

extension OpenAPI.Area {
    private static let campaignID = OpenAPI.Parameter.id("id", "The campaign's id.")
    private static let memberID = OpenAPI.Parameter.id("member_id", "The member's id; a member of another campaign answers "
        + "`campaign_member_not_found`.")
    private static let channel = OpenAPI.Schema.oneOf(Campaign.Channel.allCases.map(\.rawValue))
    private static let memberStatus = OpenAPI.Schema.oneOf(CampaignMember.Status.allCases.map(\.rawValue))
    /// A member's status as a touch sets it: every member starts `targeted` and never goes back.
    private static let touchStatus = OpenAPI.Schema.oneOf(CampaignMember.Status.allCases.filter { $0 != .targeted }.map(\.rawValue))
    private static let touchFields: [String: OpenAPI.Schema] = [
        "status": touchStatus.described("Forward along `sent`, `opened`, `clicked`, `responded`, skipping steps; `bounced` from "
            + "`targeted` or `sent`, and back to `sent`; `unsubscribed` from any status, for good."),
        "note": OpenAPI.Schema.string(length: 1...1000).orNull,
        "occurred_at": OpenAPI.Schema.time.orNull
            .described("When it happened; now when left out. It may be earlier, not more than 5 minutes later than the server's clock."),
    ]
    private static let invalidTouchField = OpenAPI.ErrorCode(
        422, "invalid_field", "`status` is `targeted` or no member status, `occurred_at` is in the future, or a field is missing, of the "
            + "wrong type or too long; `details.field` names it.")
    private static let invalidCampaignField = OpenAPI.ErrorCode(
        422, "invalid_field", "A field breaks its rule: a channel or status that does not exist, `ends_on` before `starts_on`, a bad "
            + "currency or amount, a field that cannot be cleared set to `null`; `details.field` names it.")

    static let campaigns = OpenAPI.Area(
        tag: "Campaigns",
        description: "Marketing campaigns: a channel, dates, a budget and the actual cost; their members (contacts and leads), each "
            + "member's steps (touches), which also show in the customers' timelines; the deals they sourced (`campaign_id` on deals); "
            + "and a report of what they reached and brought. Every member reads every campaign; its owner, and owners, admins and "
            + "managers change it; support agents do not create them. Statuses: `planned` → `active` or `cancelled`; `active` → "
            + "`completed` or `cancelled`. See Docs/Marketing.md.",
        access: .workspace,
        schemas: [
            "Campaign": .record([
                "id": .id,
                "name": .string(),
                "description": OpenAPI.Schema.string().orNull,
                "channel": channel,
                "status": .oneOf(Campaign.Status.allCases.map(\.rawValue)),
                "starts_on": OpenAPI.Schema.date.orNull,
                "ends_on": OpenAPI.Schema.date.orNull,
                "currency": OpenAPI.Schema.currency.described("Of the budget, the actual cost and the report."),
                "budget_minor": OpenAPI.Schema.amountMinor.orNull,
                "actual_cost_minor": OpenAPI.Schema.amountMinor.orNull,
                "owner_id": .id,
                "created_at": .time,
                "updated_at": .time,
            ]),
            "CampaignMember": .record([
                "id": .id,
                "campaign_id": .id,
                "contact_id": OpenAPI.Schema.id.orNull.described("Exactly one of `contact_id` and `lead_id` is set."),
                "lead_id": OpenAPI.Schema.id.orNull,
                "name": OpenAPI.Schema.string().orNull.described("The contact's or lead's; `null`, like `email` and `phone`, for a person "
                    + "out of the caller's sight."),
                "email": OpenAPI.Schema.string().orNull,
                "phone": OpenAPI.Schema.string().orNull,
                "status": memberStatus,
                "status_changed_at": OpenAPI.Schema.time.described("The last touch's `occurred_at`, or when the member was added."),
                "added_by": OpenAPI.Schema.id.orNull,
                "created_at": .time,
                "updated_at": .time,
            ]),
            "CampaignTouch": .record([
                "id": .id,
                "campaign_id": .id,
                "member_id": .id,
                "from_status": memberStatus,
                "to_status": memberStatus,
                "note": OpenAPI.Schema.string().orNull,
                "occurred_at": .time,
                "recorded_by": OpenAPI.Schema.id.orNull,
                "created_at": .time,
            ]),
            "AddedCampaignMembers": .record([
                "added": OpenAPI.Schema.array(of: .ref("CampaignMember")),
                "skipped_contact_ids": OpenAPI.Schema.array(of: .id).described("Already members."),
                "skipped_lead_ids": OpenAPI.Schema.array(of: .id).described("Already members."),
            ]),
            "AddedCampaignSegment": .record([
                "added": .integer(minimum: 0),
                "skipped": OpenAPI.Schema.integer(minimum: 0).described("Matching contacts that were members already."),
                "more": OpenAPI.Schema.boolean.described("Other matching contacts remain: send the same request again."),
            ]),
            "RecordedCampaignTouches": .record([
                "touched": .integer(minimum: 0),
                "skipped_member_ids": OpenAPI.Schema.array(of: .id).described("Named members already in `status`."),
                "more": OpenAPI.Schema.boolean.described("With `from_status`: other members remain in it; send the same request again."),
            ]),
            "CampaignReport": .record([
                "campaign_id": .id,
                "currency": .currency,
                "members": .integer(minimum: 0),
                "members_by_status": OpenAPI.Schema.record(Dictionary(uniqueKeysWithValues: CampaignMember.Status.allCases.map {
                    ($0.rawValue, OpenAPI.Schema.integer(minimum: 0))
                })).described("The members in each status now."),
                "responses": OpenAPI.Schema.integer(minimum: 0).described("Members who reached `responded` at some point."),
                "response_rate_bp": OpenAPI.Schema.integer(minimum: 0, maximum: 10_000).orNull
                    .described("`responses` of `members` in basis points, halves rounded up; `null` without members."),
                "deals": OpenAPI.Schema.record([
                    "count": .integer(minimum: 0),
                    "open": .integer(minimum: 0),
                    "won": .integer(minimum: 0),
                    "lost": .integer(minimum: 0),
                    "won_amount_minor": OpenAPI.Schema.integer(minimum: 0).described("The won deals' amounts in the campaign's currency."),
                    "won_without_amount": .integer(minimum: 0),
                    "won_in_other_currencies": OpenAPI.Schema.array(of: .record([
                        "currency": .currency, "won": .integer(minimum: 1), "won_amount_minor": .integer(minimum: 0),
                    ])).described("Never converted, never added to the campaign's currency."),
                ]).described("The deals with this `campaign_id` that the caller sees."),
                "budget_minor": OpenAPI.Schema.amountMinor.orNull,
                "actual_cost_minor": OpenAPI.Schema.amountMinor.orNull,
                "cost_per_response_minor": OpenAPI.Schema.integer(minimum: 0).orNull
                    .described("`actual_cost_minor` / `responses`, halves rounded up; `null` without a cost or responses."),
                "roi_bp": OpenAPI.Schema.integer().orNull.described("(`won_amount_minor` − `actual_cost_minor`) / `actual_cost_minor` in "
                    + "basis points, halves rounded away from zero; `null` without an actual cost above 0."),
            ]).described("Whole numbers throughout; no figure passes through floating point."),
        ],
        operations: [
            OpenAPI.Operation(
                method: .post, path: "/api/v1/campaigns", id: "createCampaign", summary: "Make a campaign",
                body: .body([
                    "name": OpenAPI.Schema.string(length: 1...300),
                    "description": OpenAPI.Schema.string(length: 1...5000).orNull,
                    "channel": channel,
                    "status": OpenAPI.Schema.oneOf([Campaign.Status.planned, .active].map(\.rawValue)).orNull
                        .described("`planned` when left out."),
                    "starts_on": OpenAPI.Schema.date.orNull,
                    "ends_on": OpenAPI.Schema.date.orNull.described("Not before `starts_on`."),
                    "currency": .currencyInput,
                    "budget_minor": OpenAPI.Schema.amountMinor.orNull,
                    "actual_cost_minor": OpenAPI.Schema.amountMinor.orNull,
                    "owner_id": OpenAPI.Schema.id.orNull.described("A member of this workspace; the caller when left out."),
                ], required: ["name", "channel", "currency"]),
                success: .created(.ref("Campaign"), "The campaign."),
                errors: [.unknownUser, invalidCampaignField,
                         OpenAPI.ErrorCode(403, "forbidden_role", "The caller is a support agent, who does not run campaigns; or "
                             + "`owner_id` names another member, which only owners, admins and managers may; `details.field` is "
                             + "`owner_id` then.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/campaigns", id: "listCampaigns", summary: "List campaigns",
                description: "Filters combine.",
                parameters: [
                    .query("status", .oneOf(Campaign.Status.allCases.map(\.rawValue)), "Only the campaigns in this status."),
                    .query("channel", channel, "Only the campaigns of this channel."),
                    .query("owner_id", .id, "Only the campaigns this member owns."),
                    .query("q", .string(), "Any part of the name, without regard to case; `%` and `_` are taken literally."),
                ],
                success: .page(of: "Campaign", "A page of campaigns, in creation order."),
                errors: [.invalidFilter("`status` or `channel` is not one of its values, or `owner_id` is not a UUID; `details.field` "
                    + "names it.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/campaigns/{id}", id: "getCampaign", summary: "Read a campaign",
                parameters: [campaignID],
                success: .ok(.ref("Campaign"), "The campaign."),
                errors: [.notFound("campaign")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/campaigns/{id}", id: "updateCampaign", summary: "Change a campaign or move its status",
                description: "Every field may change in every status, so the actual cost can be entered after the campaign completes.",
                parameters: [campaignID],
                body: .body([
                    "name": OpenAPI.Schema.string(length: 1...300).described("Cannot be cleared."),
                    "description": OpenAPI.Schema.string(length: 1...5000).orNull,
                    "channel": channel.described("Cannot be cleared."),
                    "status": OpenAPI.Schema.oneOf(Campaign.Status.allCases.map(\.rawValue))
                        .described("Only to a status the current one allows; the same status changes nothing. Cannot be cleared."),
                    "starts_on": OpenAPI.Schema.date.orNull,
                    "ends_on": OpenAPI.Schema.date.orNull.described("Not before `starts_on`."),
                    "currency": OpenAPI.Schema.currencyInput.described("Cannot be cleared."),
                    "budget_minor": OpenAPI.Schema.amountMinor.orNull,
                    "actual_cost_minor": OpenAPI.Schema.amountMinor.orNull,
                    "owner_id": OpenAPI.Schema.id.described("A member of this workspace; only owners, admins and managers change it. "
                        + "Cannot be cleared."),
                ]),
                success: .ok(.ref("Campaign"), "The campaign."),
                errors: [.notFound("campaign"), .campaignReadOnly, .unknownUser, invalidCampaignField,
                         OpenAPI.ErrorCode(403, "forbidden_role", "Only owners, admins and managers give a campaign to another member; "
                             + "`details.field` is `owner_id`."),
                         OpenAPI.ErrorCode(409, "invalid_status_transition", "The campaign may not move from its status to this one; "
                             + "`details`: `from`, `to`, `allowed`.")]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/campaigns/{id}", id: "deleteCampaign", summary: "Delete a campaign",
                description: "Its members and their touches go with it; the deals it sourced stay, with `campaign_id` `null` (cancel a "
                    + "campaign instead to keep its attribution).",
                parameters: [campaignID],
                success: .noContent("Deleted."),
                errors: [.notFound("campaign"), .campaignReadOnly]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/campaigns/{id}/report", id: "getCampaignReport", summary: "What a campaign reached and brought",
                description: "Read in one transaction. Members and responses are counted in full; deals are those the caller sees.",
                parameters: [campaignID],
                success: .ok(.ref("CampaignReport"), "The report."),
                errors: [.notFound("campaign")]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/campaigns/{id}/members", id: "addCampaignMembers", summary: "Add contacts and leads by id",
                description: "All or none: every id must name a contact or lead of this workspace that the caller sees. An id repeated "
                    + "counts once; ids already members are skipped and listed. Not once the campaign is completed or cancelled.",
                parameters: [campaignID],
                body: .body([
                    "contact_ids": OpenAPI.Schema.array(of: .id).orNull,
                    "lead_ids": OpenAPI.Schema.array(of: .id).orNull,
                ]),
                success: .ok(.ref("AddedCampaignMembers"), "The members added, and the ids skipped."),
                errors: [.notFound("campaign"), .campaignReadOnly, .campaignClosed,
                         OpenAPI.ErrorCode(422, "unknown_contact", "An entry of `contact_ids` names no contact the caller sees in this "
                             + "workspace; `details.field` is `contact_ids`. Nothing is added."),
                         OpenAPI.ErrorCode(422, "unknown_lead", "An entry of `lead_ids` names no lead the caller sees in this workspace; "
                             + "`details.field` is `lead_ids`. Nothing is added."),
                         OpenAPI.ErrorCode(422, "invalid_field", "No ids at all, more than 1,000 in all, or a field of the wrong type; "
                             + "`details.field` names it.")]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/campaigns/{id}/members/segment", id: "addCampaignSegment",
                summary: "Add every contact the contacts list shows with these filters",
                description: "The query string of `GET /api/v1/contacts`: preview the segment there, add it here. Contacts the caller "
                    + "does not see are not in it. At most 10,000 contacts a request, in id order; while `more` is `true`, send the same "
                    + "request again (those already added are skipped, so repeating is safe). Not once the campaign is completed or "
                    + "cancelled. No body.",
                parameters: [campaignID] + contactFilters,
                success: .ok(.ref("AddedCampaignSegment"), "How many were added and skipped, and whether more remain."),
                errors: [.notFound("campaign"), .campaignReadOnly, .campaignClosed,
                         .invalidFilter("`q` is shorter than 2 or longer than 200 characters once trimmed, or `account_id` is not a "
                             + "UUID; `details.field` names it.")]).filteredByCustomFields(),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/campaigns/{id}/members", id: "listCampaignMembers", summary: "List a campaign's members",
                parameters: [campaignID, .query("status", memberStatus, "Only the members in this status.")],
                success: .page(of: "CampaignMember", "A page of members, in the order they were added."),
                errors: [.notFound("campaign"), .invalidFilter("`status` is not a member status; `details.field` is `status`.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/campaigns/{id}/members/{member_id}", id: "getCampaignMember", summary: "Read a member",
                parameters: [campaignID, memberID],
                success: .ok(.ref("CampaignMember"), "The member."),
                errors: [.notFound("campaign"), .notFound("campaign_member")]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/campaigns/{id}/members/{member_id}", id: "removeCampaignMember",
                summary: "Remove a member with its touches",
                description: "Not once the campaign is completed or cancelled.",
                parameters: [campaignID, memberID],
                success: .noContent("Removed."),
                errors: [.notFound("campaign"), .notFound("campaign_member"), .campaignReadOnly, .campaignClosed]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/campaigns/{id}/members/{member_id}/touches", id: "touchCampaignMember",
                summary: "Record a member's new status",
                description: "While the campaign is `active` or `completed` (a late reply still counts). The touch shows in the "
                    + "member's contact's or lead's timelines.",
                parameters: [campaignID, memberID],
                body: .body(touchFields, required: ["status"]),
                success: .created(.ref("CampaignTouch"), "The touch."),
                errors: [.notFound("campaign"), .notFound("campaign_member"), .campaignReadOnly, .campaignNotStarted, .campaignClosed,
                         .memberTransition, invalidTouchField]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/campaigns/{id}/members/{member_id}/touches", id: "listCampaignMemberTouches",
                summary: "A member's touches",
                parameters: [campaignID, memberID],
                success: .page(of: "CampaignTouch", "A page of touches, in the order they were recorded."),
                errors: [.notFound("campaign"), .notFound("campaign_member")]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/campaigns/{id}/touches", id: "touchCampaignMembers",
                summary: "Record one new status for many members",
                description: "Either the members named in `member_ids` (all or none; those already in `status` are skipped and listed), "
                    + "or every member in `from_status`, at most 10,000 a request: while `more` is `true`, send it again. While the "
                    + "campaign is `active` or `completed`.",
                parameters: [campaignID],
                body: .body(touchFields.merging([
                    "member_ids": OpenAPI.Schema.array(of: .id, count: 1...1000).orNull.described("Members of this campaign."),
                    "from_status": memberStatus.orNull.described("Every member in this status moves."),
                ]) { $1 }, required: ["status"]),
                success: .ok(.ref("RecordedCampaignTouches"), "How many moved, and the named members skipped."),
                errors: [.notFound("campaign"), .campaignReadOnly, .campaignNotStarted, .campaignClosed, .memberTransition,
                         OpenAPI.ErrorCode(422, "unknown_campaign_member", "`member_ids` names a member that is not in this campaign; "
                             + "`details.field` is `member_ids`. Nothing changes."),
                         OpenAPI.ErrorCode(422, "invalid_field", "Neither or both of `member_ids` and `from_status`, no ids or more than "
                             + "1,000, `status` `targeted`, `occurred_at` in the future, or a field of the wrong type; `details.field` "
                             + "names it.")]),
        ])
}
