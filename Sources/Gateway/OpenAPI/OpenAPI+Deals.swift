import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/deals`: DealsController.

extension OpenAPI.ErrorCode {
    static let unknownStage = Self(422, "unknown_stage", "`stage_id` names no stage of this workspace; `details.field` is `stage_id`.")
    static let unknownContact = Self(422, "unknown_contact",
                                     "`contact_id`, or an entry of `contact_ids`, names no contact of this workspace; `details.field` "
                                         + "names the field.")
    static let unknownCampaign = Self(422, "unknown_campaign", "`campaign_id` names no campaign of this workspace; `details.field` is "
        + "`campaign_id`.")
    static let stageUnchanged = Self(409, "stage_unchanged", "The deal is already in that stage.")
}

extension OpenAPI.Schema {
    /// An amount of money in minor units (fen, cents) of its `currency`: whole, never a fraction.
    static let amountMinor = integer(minimum: 0, maximum: 999_999_999_999_999).described("In minor units of `currency` (fen, cents).")
    /// A currency as a body may write it; the server upper-cases it.
    static let currencyInput = string(pattern: "^[A-Za-z]{3}$").described("ISO 4217, such as `CNY`; stored in upper case.")
    static let currency = string(pattern: "^[A-Z]{3}$").described("ISO 4217, such as `CNY`.")
    static let winProbabilityBP = integer(minimum: 0, maximum: 10_000).described("In basis points: 10000 is 100 %, 2500 is 25 %.")
    /// A stage's kind, which is also the status of the deals in it.
    static let stageKind = oneOf(Stage.Kind.allCases.map(\.rawValue))
    static let month = string(pattern: "^[0-9]{4}-[0-9]{2}$").described("`YYYY-MM`.")
}

extension OpenAPI.Area {
    /// The writable fields of a deal that a create and a change treat alike.
    private static let dealFields: [String: OpenAPI.Schema] = [
        "name": OpenAPI.Schema.string(length: 1...300).described("Cannot be cleared."),
        "amount_minor": OpenAPI.Schema.amountMinor.orNull.described("Set together with `currency`, or both `null`."),
        "currency": OpenAPI.Schema.currencyInput.orNull,
        "expected_close_date": OpenAPI.Schema.date.orNull,
        "account_id": OpenAPI.Schema.id.orNull.described("An account of this workspace."),
        "contact_ids": OpenAPI.Schema.array(of: .id).orNull
            .described("Contacts of this workspace, in order; repeats are dropped. In a change it replaces the list, and `null` or `[]` "
                + "empties it."),
        "campaign_id": OpenAPI.Schema.id.orNull.described("The campaign of this workspace that sourced the deal."),
    ]

    /// The 422 `invalid_field` of a create or a change.
    private static let invalidDealField = OpenAPI.ErrorCode(
        422, "invalid_field", "A field is missing, of the wrong type, `null` where not allowed, or breaks a rule, such as `amount_minor` "
            + "without `currency`, a date that does not exist or a won or lost `stage_id`; `details.field` names it.")

    /// One sum of a forecast, for one currency: amounts in different currencies are never added.
    private static func forecastLine(_ extra: [String: OpenAPI.Schema]) -> OpenAPI.Schema {
        .record(extra.merging([
            "currency": .currency,
            "deal_count": .integer(minimum: 1),
            "amount_minor": OpenAPI.Schema.integer(minimum: 0).described("The deals' amounts added up."),
            "weighted_minor": OpenAPI.Schema.integer(minimum: 0)
                .described("Σ(`amount_minor` × `win_probability_bp`) / 10000 over the line's deals, computed exactly and rounded "
                    + "once, to the nearest minor unit, halves up."),
        ]) { $1 })
    }

    private static let dealID = OpenAPI.Parameter.id("id", "The deal's id.")

    /// The filters of the list, which its export takes too.
    private static let dealFilters: [OpenAPI.Parameter] = [
        .query("status", .stageKind, "Only open, won or lost deals."),
        .query("stage_id", .id, "Only the deals in this stage."),
        .query("pipeline_id", .id, "Only the deals in this pipeline."),
        .query("owner_id", .id, "Only the deals this member owns."),
        .query("account_id", .id, "Only the deals of this account."),
        .query("contact_id", .id, "Only the deals with this contact."),
        .query("campaign_id", .id, "Only the deals this campaign sourced."),
        .textFilter("every word of `q` starts a word of the name"),
    ]
    private static let invalidDealFilter = OpenAPI.ErrorCode.invalidFilter(
        "`status` is not `open`, `won` or `lost`, an id is not a UUID, or `q` is shorter than 2 or longer than 200 characters once "
            + "trimmed; `details.field` names it.")

    static let deals = OpenAPI.Area(
        tag: "Deals",
        description: "Opportunities: an amount expected from a customer by a date, moving through a pipeline's stages until won or "
            + "lost, with every move in their history, and the forecast of what the open and won deals are worth.",
        access: .workspace,
        schemas: [
            "Deal": .record([
                "id": .id,
                "name": .string(),
                "pipeline_id": .id,
                "stage_id": .id,
                "stage_name": .string(),
                "status": OpenAPI.Schema.stageKind.described("The kind of the deal's stage."),
                "win_probability_bp": OpenAPI.Schema.winProbabilityBP.described("The stage's, now: 10000 is 100 %."),
                "amount_minor": OpenAPI.Schema.amountMinor.orNull.described("`null`, with `currency`, while the amount is not known."),
                "currency": OpenAPI.Schema.currency.orNull,
                "expected_close_date": OpenAPI.Schema.date.orNull,
                "account_id": OpenAPI.Schema.id.orNull,
                "contact_ids": OpenAPI.Schema.array(of: .id).described("In the order they were added; a deleted contact leaves the list."),
                "owner_id": .id,
                "campaign_id": OpenAPI.Schema.id.orNull.described("The campaign that sourced the deal; `null` when none did, or once it "
                    + "is deleted."),
                "closed_at": OpenAPI.Schema.time.orNull.described("When the deal was won or lost; `null` while it is open."),
                "close_reason": OpenAPI.Schema.string().orNull.described("Why it was won or lost; `null` while it is open."),
                "custom_fields": .customFieldValues,
                "created_at": .time,
                "updated_at": .time,
            ]),
            "DealStageChange": .record([
                "id": .id,
                "deal_id": .id,
                "from_stage_id": OpenAPI.Schema.id.orNull.described("`null` for the creation, or once that stage was deleted."),
                "from_stage_name": OpenAPI.Schema.string().orNull.described("`null` for the creation."),
                "to_stage_id": OpenAPI.Schema.id.orNull.described("`null` once that stage was deleted; its name stays."),
                "to_stage_name": .string(),
                "to_kind": .stageKind,
                "win_probability_bp": OpenAPI.Schema.winProbabilityBP.described("The target stage's at the time."),
                "reason": OpenAPI.Schema.string().orNull,
                "changed_by": OpenAPI.Schema.id.described("The member who made or moved the deal."),
                "changed_at": .time,
            ]),
            "Forecast": .record([
                "from": .month,
                "to": .month,
                "time_zone": OpenAPI.Schema.string().described("The workspace's, in which won deals are placed in the month they were won."),
                "by_month_and_owner": .array(of: forecastLine(["month": .month, "owner_id": .id])),
                "by_month": .array(of: forecastLine(["month": .month])),
                "by_owner": .array(of: forecastLine(["owner_id": .id])),
                "totals": .array(of: forecastLine([:])),
            ]).described("Lines are sorted by month, then owner, then currency; months, owners and currencies without deals have none."),
        ],
        operations: [
            OpenAPI.Operation(
                method: .post, path: "/api/v1/deals", id: "createDeal", summary: "Make a deal",
                description: "Its creation is the first entry of its history.",
                body: .body(dealFields.merging([
                    "stage_id": OpenAPI.Schema.id.orNull
                        .described("An open stage of any pipeline; the default pipeline's first stage when left out. Deals start open."),
                    "owner_id": OpenAPI.Schema.id.orNull.described("A member of this workspace; the caller when left out."),
                    "custom_fields": .newCustomFieldValues,
                ]) { $1 }, required: ["name"]),
                success: .created(.ref("Deal"), "The deal."),
                errors: [.unknownStage, .unknownAccount, .unknownContact, .unknownCampaign, .unknownUser, invalidDealField, .unknownCustomField,
                         .invalidCustomField,
                         OpenAPI.ErrorCode(403, "forbidden_role", "The caller is a support agent, who does not make deals; or "
                             + OpenAPI.ErrorCode.forbiddenOwner.meaning)]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/deals", id: "listDeals", summary: "List or search deals",
                description: "Filters combine.",
                parameters: dealFilters,
                success: .page(of: "Deal", "A page of deals, in creation order."),
                errors: [invalidDealFilter]).filteredByCustomFields(),
            .csvExport("deals", id: "exportDeals", filters: dealFilters,
                       columns: "`id, name, pipeline_id, stage_id, stage_name, status, win_probability_bp, amount, currency, "
                           + "expected_close_date, account_name, account_id, contact_ids, owner_id, campaign_id, closed_at, close_reason, "
                           + "created_at, updated_at`; `amount` is a decimal in the currency's major unit (`1234.56`), `contact_ids` are separated "
                           + "by spaces",
                       errors: [invalidDealFilter]).filteredByCustomFields(),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/deals/forecast", id: "getDealForecast", summary: "What the open and won deals are worth, by month and owner",
                description: "Open deals whose `expected_close_date` falls in the months from `from` to `to` (both included), and won deals "
                    + "whose `closed_at`, in the workspace's time zone, falls in them. Each counts `amount_minor` × the `win_probability_bp` "
                    + "of its stage now (won: 100 %). Lost deals, deals without an amount and open deals without an expected close date "
                    + "are left out. Every line is for one currency.",
                parameters: [
                    .requiredQuery("from", .month, "The first month, `YYYY-MM`."),
                    .requiredQuery("to", .month, "The last month, `YYYY-MM`: not before `from`, and at most 36 months in all."),
                    .query("owner_id", .id, "Only the deals this member owns."),
                    .query("pipeline_id", .id, "Only the deals in this pipeline."),
                ],
                success: .ok(.ref("Forecast"), "The forecast: lines by month and owner, by month, by owner, and the totals."),
                errors: [.invalidFilter("`from` or `to` is missing or not a month `YYYY-MM`, `from` is after `to`, the range is longer than "
                    + "36 months, or `owner_id` or `pipeline_id` is not a UUID; `details.field` names it.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/deals/{id}", id: "getDeal", summary: "Read a deal",
                parameters: [dealID],
                success: .ok(.ref("Deal"), "The deal."),
                errors: [.notFound("deal")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/deals/{id}", id: "updateDeal", summary: "Change a deal",
                description: "Any field but the stage, which changes only by `POST /api/v1/deals/{id}/move`.",
                parameters: [dealID],
                body: .body(dealFields.merging([
                    "owner_id": OpenAPI.Schema.id.described("A member of this workspace. Cannot be cleared."),
                    "custom_fields": .customFieldChanges,
                ]) { $1 }),
                success: .ok(.ref("Deal"), "The deal."),
                errors: [.notFound("deal"), .recordReadOnly, .forbiddenReassignment, .unknownAccount, .unknownContact, .unknownCampaign,
                         .unknownUser, invalidDealField, .unknownCustomField, .invalidCustomField]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/deals/{id}", id: "deleteDeal", summary: "Delete a deal",
                description: "Its history and contact links go with it; its activities stay on the other records they are attached to.",
                parameters: [dealID],
                success: .noContent("Deleted."),
                errors: [.notFound("deal"), .recordReadOnly]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/deals/{id}/move", id: "moveDeal", summary: "Move a deal to another stage, win or lose it",
                description: "The stage may be of any pipeline; the deal's `pipeline_id` follows. A won or lost stage closes the deal "
                    + "(`closed_at` now, `close_reason` the reason); a move back to an open stage reopens it and clears both. Every move "
                    + "is recorded in the deal's history.",
                parameters: [dealID],
                body: .body([
                    "stage_id": OpenAPI.Schema.id.described("A stage of this workspace, other than the deal's own."),
                    "reason": OpenAPI.Schema.string(length: 1...1000).orNull.described("Why; required to move to a lost stage."),
                ], required: ["stage_id"]),
                success: .ok(.ref("Deal"), "The deal in its new stage."),
                errors: [.notFound("deal"), .recordReadOnly, .unknownStage, .stageUnchanged,
                         OpenAPI.ErrorCode(422, "invalid_field", "`reason` is missing for a lost stage or longer than 1000 characters, or a "
                             + "field is missing or of the wrong type; `details.field` names it.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/deals/{id}/history", id: "listDealHistory", summary: "A deal's creation and every move",
                parameters: [dealID],
                success: .page(of: "DealStageChange", "A page of entries, oldest first: the creation (`from_…` `null`), then every move."),
                errors: [.notFound("deal")]),
        ])
}
