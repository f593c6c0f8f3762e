import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/leads`: LeadsController.

extension OpenAPI.ErrorCode {
    static let unknownUser = Self(422, "unknown_user",
                                  "An `owner_id` or `assignee_id` names no member of this workspace; `details.field` names it.")
    static let leadConverted = Self(409, "lead_converted", "The lead was converted; it is kept as it was and changes no more.")
    static let leadNotQualified = Self(409, "lead_not_qualified", "Only a `qualified` lead converts; `details.status` is this lead's status.")
    static let leadCompanyMissing = Self(422, "lead_company_missing",
                                         "The lead has no `company` to make an account from: send `account_id`, or set the company "
                                             + "first; `details.field` is `account_id`.")
}

extension OpenAPI.Schema {
    /// A lead's status as a member may set it; `converted` is reached only by converting.
    static let writableLeadStatus = oneOf(Lead.Status.allCases.filter { $0 != .converted }.map(\.rawValue))
}

extension OpenAPI.Area {
    /// The writable fields of a lead that a create and a change treat alike.
    private static let leadFields: [String: OpenAPI.Schema] = [
        "name": OpenAPI.Schema.string(length: 1...300).described("The person. Cannot be cleared."),
        "company": OpenAPI.Schema.string(length: 1...300).orNull.described("Becomes the account's name on conversion."),
        "email": OpenAPI.Schema.string(length: 3...254, format: "email").orNull.described("Stored in lower case."),
        "phone": OpenAPI.Schema.string(length: 3...40).orNull.described("Digits, spaces, `+ - ( ) .` and the letters of `ext`."),
        "title": OpenAPI.Schema.string(length: 1...200).orNull,
        "source": OpenAPI.Schema.string(length: 1...40, pattern: "^[A-Za-z0-9][A-Za-z0-9_-]*$").orNull
            .described("A short code such as `referral` or `trade_show`, stored in lower case. Leads from the public form have `web_form`."),
        "disqualified_reason": OpenAPI.Schema.string(length: 1...1000).orNull
            .described("Required with status `disqualified`, and refused with any other; a change away from `disqualified` clears it."),
        "message": OpenAPI.Schema.string(length: 1...5000).orNull.described("What the lead wrote, or notes."),
    ]

    private static let leadID = OpenAPI.Parameter.id("id", "The lead's id.")

    /// The filters of the list, which its export takes too.
    private static let leadFilters: [OpenAPI.Parameter] = [
        .query("status", .oneOf(Lead.Status.allCases.map(\.rawValue)), "Only the leads in this status."),
        .query("source", .string(), "Only the leads of this source, without regard to case."),
        .query("owner_id", .id, "Only the leads this member owns."),
        .textFilter("every word of `q` starts a word of the name or the company, the email starts with `q`, or the phone number "
            + "matches in any formatting"),
    ]
    private static let invalidLeadFilter = OpenAPI.ErrorCode.invalidFilter(
        "`status` is not a lead status, `owner_id` is not a UUID, or `q` is shorter than 2 or longer than 200 characters once "
            + "trimmed; `details.field` names it.")

    static let leads = OpenAPI.Area(
        tag: "Leads",
        description: "People who may become customers, until a qualified one is converted into an account, a contact and "
            + "optionally a deal. Text is trimmed; empty optional text is stored as `null`.",
        access: .workspace,
        schemas: [
            "Lead": .record([
                "id": .id,
                "name": .string(),
                "company": OpenAPI.Schema.string().orNull,
                "email": OpenAPI.Schema.string().orNull,
                "phone": OpenAPI.Schema.string().orNull,
                "title": OpenAPI.Schema.string().orNull,
                "source": OpenAPI.Schema.string().orNull,
                "status": .oneOf(Lead.Status.allCases.map(\.rawValue)),
                "disqualified_reason": OpenAPI.Schema.string().orNull.described("Set exactly while the status is `disqualified`."),
                "message": OpenAPI.Schema.string().orNull,
                "owner_id": .id,
                "converted_at": OpenAPI.Schema.time.orNull,
                "converted_by": OpenAPI.Schema.id.orNull.described("The member who converted it."),
                "converted_account_id": OpenAPI.Schema.id.orNull.described("`null` also once that account is deleted."),
                "converted_contact_id": OpenAPI.Schema.id.orNull.described("`null` also once that contact is deleted."),
                "converted_deal_id": OpenAPI.Schema.id.orNull.described("`null` when no deal was opened, or once it is deleted."),
                "custom_fields": .customFieldValues,
                "created_at": .time,
                "updated_at": .time,
            ]),
            "LeadConversion": .record([
                "lead": OpenAPI.Schema.ref("Lead").described("The lead, now `converted`, with links to what it became."),
                "account": OpenAPI.Schema.ref("Account").described("The account named by `account_id`, or the new one."),
                "contact": OpenAPI.Schema.ref("Contact").described("The new contact, at that account."),
                "deal": OpenAPI.Schema.ref("Deal").orNull.described("The new deal; `null` when the body had no `deal`."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .post, path: "/api/v1/leads", id: "createLead", summary: "Make a lead",
                body: .body(leadFields.merging([
                    "status": OpenAPI.Schema.writableLeadStatus.orNull.described("`new` when left out."),
                    "owner_id": OpenAPI.Schema.id.orNull.described("A member of this workspace; the caller when left out."),
                    "custom_fields": .newCustomFieldValues,
                ]) { $1 }, required: ["name"]),
                success: .created(.ref("Lead"), "The lead."),
                errors: [.unknownUser, .unknownCustomField, .invalidCustomField,
                         OpenAPI.ErrorCode(403, "forbidden_role", "The caller is a support agent, who does not capture leads; or "
                             + OpenAPI.ErrorCode.forbiddenOwner.meaning)]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/leads", id: "listLeads", summary: "List or search leads",
                description: "Filters combine.",
                parameters: leadFilters,
                success: .page(of: "Lead", "A page of leads, in creation order."),
                errors: [invalidLeadFilter]).filteredByCustomFields(),
            .csvExport("leads", id: "exportLeads", filters: leadFilters,
                       columns: "`id, name, company, email, phone, title, source, status, disqualified_reason, message, owner_id, "
                           + "converted_at, converted_account_id, converted_contact_id, converted_deal_id, created_at, updated_at`; the "
                           + "person's columns map themselves in a leads import",
                       errors: [invalidLeadFilter]).filteredByCustomFields(),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/leads/{id}", id: "getLead", summary: "Read a lead",
                parameters: [leadID],
                success: .ok(.ref("Lead"), "The lead."),
                errors: [.notFound("lead")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/leads/{id}", id: "updateLead", summary: "Change a lead",
                description: "Any status but `converted` may be set. A converted lead no longer changes.",
                parameters: [leadID],
                body: .body(leadFields.merging([
                    "status": OpenAPI.Schema.writableLeadStatus.described("Cannot be cleared."),
                    "owner_id": OpenAPI.Schema.id.described("A member of this workspace. Cannot be cleared."),
                    "custom_fields": .customFieldChanges,
                ]) { $1 }),
                success: .ok(.ref("Lead"), "The lead."),
                errors: [.notFound("lead"), .recordReadOnly, .forbiddenReassignment, .leadConverted, .unknownUser, .unknownCustomField,
                         .invalidCustomField]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/leads/{id}", id: "deleteLead", summary: "Delete a lead",
                description: "What it was converted into stays. Activities attached only to the lead go with it.",
                parameters: [leadID],
                success: .noContent("Deleted."),
                errors: [.notFound("lead"), .recordReadOnly]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/leads/{id}/convert", id: "convertLead",
                summary: "Convert a qualified lead into an account, a contact and optionally a deal",
                description: "In one transaction: the account (the one named by `account_id`, or a new one named after the lead's "
                    + "`company`), a new contact from the lead's name, email, phone and title at that account, the deal when `deal` is "
                    + "sent (at the account, with the new contact), and the lead marked `converted` with links to them. Any refusal "
                    + "writes nothing.",
                parameters: [leadID],
                body: .body([
                    "account_id": OpenAPI.Schema.id.orNull.described("An account of this workspace, instead of a new one."),
                    "deal": OpenAPI.Schema.body([
                        "name": OpenAPI.Schema.string(length: 1...300).orNull.described("The account's name when left out."),
                        "amount_minor": OpenAPI.Schema.amountMinor.orNull.described("With `currency`, or both left out."),
                        "currency": OpenAPI.Schema.currencyInput.orNull,
                        "expected_close_date": OpenAPI.Schema.date.orNull,
                        "stage_id": OpenAPI.Schema.id.orNull
                            .described("An open stage of any pipeline; the default pipeline's first stage when left out."),
                        "owner_id": OpenAPI.Schema.id.orNull.described("A member of this workspace; the caller when left out."),
                    ]).orNull.described("Opens a deal too; `{}` takes every default."),
                ]),
                success: .ok(.ref("LeadConversion"), "The converted lead and what it became."),
                errors: [.notFound("lead"), .recordReadOnly, .leadConverted, .leadNotQualified, .leadCompanyMissing, .unknownAccount,
                         OpenAPI.ErrorCode(403, "forbidden_role", "The caller is a support agent, who does not convert leads; or "
                             + "`deal.owner_id` names another member, which only owners and admins (anyone) and managers (their teams' "
                             + "members) may; `details.field` is `owner_id` then."),
                         OpenAPI.ErrorCode(402, "quota_exceeded", "The plan's `accounts` or `contacts` limit is reached (the new account "
                             + "and contact count like any other); `details`: `quota`, `limit`, `used`. Nothing is written."),
                         OpenAPI.ErrorCode(422, "unknown_stage", "`deal.stage_id` names no stage of this workspace; `details.field` is "
                             + "`deal.stage_id`."),
                         OpenAPI.ErrorCode(422, "unknown_user", "`deal.owner_id` names no member of this workspace; `details.field` is "
                             + "`deal.owner_id`."),
                         OpenAPI.ErrorCode(422, "unknown_field", "The body, or `deal`, has a key it does not take; `details.field` names "
                             + "it, such as `deal.amout`."),
                         OpenAPI.ErrorCode(422, "invalid_field", "A field is of the wrong type or breaks a rule, such as a won or lost "
                             + "`deal.stage_id`; `details.field` names it, inside `deal` as `deal.currency`.")]),
        ])
}
