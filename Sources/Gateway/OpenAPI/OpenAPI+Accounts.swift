import GuanxiCore
import HTTPTypes

// `/api/v1/accounts`: AccountsController.

extension OpenAPI.Schema {
    /// `owner_id` of an account or contact, as answered.
    static let recordOwner = id.orNull.described("The member it belongs to: whoever made it, unless reassigned; `null` for one no "
        + "member made (the command line, the lead form), which everyone who sees its kind sees.")
    /// `owner_id` of an account or contact, in a change.
    static let newRecordOwner = id.orNull.described("A member of this workspace, or `null` for nobody: a reassignment, which owners "
        + "and admins make to anyone and managers within their teams.")
}

extension OpenAPI.Area {
    /// The writable fields of an account, alike in a create and a change.
    private static let accountFields: [String: OpenAPI.Schema] = [
        "name": OpenAPI.Schema.string(length: 1...300).described("Cannot be cleared."),
        "website": OpenAPI.Schema.string(length: 3...300).orNull,
        "phone": OpenAPI.Schema.string(length: 3...40).orNull,
        "industry": OpenAPI.Schema.string(length: 1...100).orNull,
    ]

    private static let accountID = OpenAPI.Parameter.id("id", "The account's id.")

    /// The filter of the list, which its export takes too.
    private static let accountFilters: [OpenAPI.Parameter] = [
        .textFilter("every word of `q` starts a word of `name` (Chinese by any two-character part), `website` starts with `q`, or the "
            + "phone number matches in any formatting"),
    ]
    private static let invalidAccountFilter = OpenAPI.ErrorCode.invalidFilter(
        "`q` is shorter than 2 or longer than 200 characters once trimmed; `details.field` is `q`.")

    static let accounts = OpenAPI.Area(
        tag: "Accounts",
        description: "Companies the firm sells to or serves. Text is trimmed; empty optional text is stored as `null`.",
        access: .workspace,
        schemas: [
            "Account": .record([
                "id": .id,
                "name": .string(),
                "website": OpenAPI.Schema.string().orNull,
                "phone": OpenAPI.Schema.string().orNull,
                "industry": OpenAPI.Schema.string().orNull,
                "owner_id": .recordOwner,
                "custom_fields": .customFieldValues,
                "created_at": .time,
                "updated_at": .time,
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .post, path: "/api/v1/accounts", id: "createAccount", summary: "Make an account",
                body: .body(accountFields.merging(["custom_fields": .newCustomFieldValues]) { $1 }, required: ["name"]),
                success: .created(.ref("Account"), "The account."),
                errors: [.quotaExceeded("accounts"), .unknownCustomField, .invalidCustomField]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/accounts", id: "listAccounts", summary: "List or search accounts",
                parameters: accountFilters,
                success: .page(of: "Account", "A page of accounts, in creation order."),
                errors: [invalidAccountFilter]).filteredByCustomFields(),
            .csvExport("accounts", id: "exportAccounts", filters: accountFilters,
                       columns: "`id, name, website, phone, industry, created_at, updated_at`", errors: [invalidAccountFilter])
                .filteredByCustomFields(),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/accounts/{id}", id: "getAccount", summary: "Read an account",
                parameters: [accountID],
                success: .ok(.ref("Account"), "The account."),
                errors: [.notFound("account")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/accounts/{id}", id: "updateAccount", summary: "Change an account",
                parameters: [accountID],
                body: .body(accountFields.merging(["owner_id": .newRecordOwner, "custom_fields": .customFieldChanges]) { $1 }),
                success: .ok(.ref("Account"), "The account."),
                errors: [.notFound("account"), .recordReadOnly, .forbiddenReassignment, .unknownUser, .unknownCustomField, .invalidCustomField]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/accounts/{id}", id: "deleteAccount", summary: "Delete an account",
                description: "Its contacts stay, with `account_id` set to `null`. The account no longer counts against the quota.",
                parameters: [accountID],
                success: .noContent("Deleted."),
                errors: [.notFound("account"), .recordReadOnly]),
        ])
}
