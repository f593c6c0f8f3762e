import GuanxiCore
import HTTPTypes

// `/api/v1/contacts`: ContactsController.

extension OpenAPI.ErrorCode {
    static let unknownAccount = Self(422, "unknown_account",
                                     "`account_id` names no account of this workspace (missing, or another workspace's); `details.field` is `account_id`.")
}

extension OpenAPI.Area {
    /// The writable fields of a contact, alike in a create and a change.
    private static let contactFields: [String: OpenAPI.Schema] = [
        "name": OpenAPI.Schema.string(length: 1...300).described("Cannot be cleared."),
        "email": OpenAPI.Schema.string(length: 3...254, format: "email").orNull.described("Stored in lower case."),
        "phone": OpenAPI.Schema.string(length: 3...40).orNull.described("Digits, spaces, `+ - ( ) .` and the letters of `ext`."),
        "title": OpenAPI.Schema.string(length: 1...200).orNull,
        "account_id": OpenAPI.Schema.id.orNull.described("An account of this workspace."),
    ]

    private static let contactID = OpenAPI.Parameter.id("id", "The contact's id.")

    /// The filters of the list, which its export and a campaign's segment take too.
    static let contactFilters: [OpenAPI.Parameter] = [
        .textFilter("every word of `q` starts a word of `name`, so any two characters of a Chinese name find it and `an mü` finds "
            + "Anna Müller; `email` starts with `q` (`zhang.wei@`); or the phone number matches whatever its formatting (`13800138000` "
            + "and `8000` find `+86 138-0013-8000`)"),
        .query("account_id", .id, "Only the contacts of this account."),
    ]
    private static let invalidContactFilter = OpenAPI.ErrorCode.invalidFilter(
        "`q` is shorter than 2 or longer than 200 characters once trimmed, or `account_id` is not a UUID; `details.field` names the parameter.")

    static let contacts = OpenAPI.Area(
        tag: "Contacts",
        description: "People the firm deals with, optionally at an account. Text is trimmed; empty optional text is stored as `null`.",
        access: .workspace,
        schemas: [
            "Contact": .record([
                "id": .id,
                "account_id": OpenAPI.Schema.id.orNull,
                "name": .string(),
                "email": OpenAPI.Schema.string().orNull,
                "phone": OpenAPI.Schema.string().orNull,
                "title": OpenAPI.Schema.string().orNull,
                "owner_id": .recordOwner,
                "custom_fields": .customFieldValues,
                "created_at": .time,
                "updated_at": .time,
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .post, path: "/api/v1/contacts", id: "createContact", summary: "Make a contact",
                body: .body(contactFields.merging(["custom_fields": .newCustomFieldValues]) { $1 }, required: ["name"]),
                success: .created(.ref("Contact"), "The contact."),
                errors: [.quotaExceeded("contacts"), .unknownAccount, .unknownCustomField, .invalidCustomField]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/contacts", id: "listContacts", summary: "List or search contacts",
                parameters: contactFilters,
                success: .page(of: "Contact", "A page of contacts, in creation order."),
                errors: [invalidContactFilter]).filteredByCustomFields(),
            .csvExport("contacts", id: "exportContacts", filters: contactFilters,
                       columns: "`id, name, email, phone, title, account_name, account_id, created_at, updated_at`; `account_name` is the "
                           + "account's name, so the file imports into another workspace",
                       errors: [invalidContactFilter]).filteredByCustomFields(),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/contacts/{id}", id: "getContact", summary: "Read a contact",
                parameters: [contactID],
                success: .ok(.ref("Contact"), "The contact."),
                errors: [.notFound("contact")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/contacts/{id}", id: "updateContact", summary: "Change a contact",
                parameters: [contactID],
                body: .body(contactFields.merging(["owner_id": .newRecordOwner, "custom_fields": .customFieldChanges]) { $1 }),
                success: .ok(.ref("Contact"), "The contact."),
                errors: [.notFound("contact"), .recordReadOnly, .forbiddenReassignment, .unknownAccount, .unknownUser, .unknownCustomField,
                         .invalidCustomField]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/contacts/{id}", id: "deleteContact", summary: "Delete a contact",
                description: "The contact no longer counts against the quota.",
                parameters: [contactID],
                success: .noContent("Deleted."),
                errors: [.notFound("contact"), .recordReadOnly]),
        ])
}
