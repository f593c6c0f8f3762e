import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/custom-fields` (CustomFieldsController), and what custom fields add to the records that
// carry them: `custom_fields` in their bodies and answers, `cf.` filters on their lists.

extension OpenAPI.ErrorCode {
    static let unknownCustomField = Self(422, "unknown_custom_field",
                                         "`custom_fields` names a key that is not a custom field of this kind of record; `details.field` is "
                                             + "`custom_fields.<key>`.")
    static let invalidCustomField = Self(422, "invalid_custom_field",
                                         "A value its field refuses (of the wrong type, out of range, too long, with too many decimal places, "
                                             + "in another currency than the field's, not a choice), or a required field missing on a create or "
                                             + "removed; `details.field` is `custom_fields.<key>`.")
}

extension OpenAPI.Schema {
    /// One custom field's value, in the form of its field's type.
    static let customFieldValue = Self(["anyOf": .array([
        string().described("`text`; `date` as `YYYY-MM-DD`; `single_choice` as the choice's value.").json,
        Self(["type": .string("number")]).described("`number`, exact.").json,
        boolean.described("`boolean`.").json,
        array(of: .string()).described("`multi_choice`: choice values, each once.").json,
        record(["amount_minor": .integer(), "currency": .currencyInput]).described("`money`, in minor units; the currency is stored in "
            + "upper case.").json,
    ])])

    /// `custom_fields` of a record, as answered.
    static let customFieldValues = map(of: customFieldValue)
        .described("The values of the workspace's custom fields for this kind of record, by key; `{}` when it has none.")
    /// `custom_fields` in a create.
    static let newCustomFieldValues = map(of: customFieldValue.orNull)
        .described("Values of the workspace's custom fields for this kind of record, by key; every required field needs one.")
    /// `custom_fields` in a change.
    static let customFieldChanges = map(of: customFieldValue.orNull)
        .described("Merged into the record's values: a key with a value replaces that value, one with `null` (or blank text, or `[]`) "
            + "removes it, and keys left out keep theirs.")
}

extension OpenAPI.Operation {
    /// A list of accounts, contacts, leads, deals or cases, which also takes the `cf.` filters of
    /// its object's custom fields: they are described, and their refusals joined to its 400
    /// `invalid_filter`.
    func filteredByCustomFields() -> Self {
        var operation = self
        let filters = "Custom fields filter too, combined with the rest: `cf.<key>=<value>` (equal; a `multi_choice` holds the choice, "
            + "repeat the parameter to require several; `money` by its amount in minor units), `cf.<key>.gte=` and `cf.<key>.lte=` "
            + "(numbers, amounts, dates), `cf.<key>.currency=` (money). A record without a value for the key matches no filter on it."
        operation.description = [description, filters].compactMap { $0 }.joined(separator: " ")
        let refusal = "A `cf.` parameter names no custom field of these records, has another suffix than `.gte`, `.lte` or `.currency`, a "
            + "comparison its field's type does not have, or a value the field could not hold; `details.field` names it."
        if let index = errors.firstIndex(where: { $0.code == "invalid_filter" }) {
            operation.errors[index].meaning += " " + refusal
        } else {
            operation.errors.append(.invalidFilter(refusal))
        }
        return operation
    }
}

extension OpenAPI.Area {
    private static let customFieldObject = OpenAPI.Schema.oneOf(CustomFieldObject.allCases.map(\.rawValue))
    private static let customFieldType = OpenAPI.Schema.oneOf(CustomFieldType.allCases.map(\.rawValue))
    private static let label = OpenAPI.Schema.string(length: 1...100)
    private static let position = OpenAPI.Schema.integer(minimum: 0, maximum: 10_000)
    private static let customFieldID = OpenAPI.Parameter.id("id", "The custom field's id.")

    /// `options` in a body: the choices of a choice field.
    private static let options = OpenAPI.Schema.array(of: .body([
        "value": OpenAPI.Schema.string(length: 1...100).described("What records store and filters name; unique among the choices."),
        "label": label,
        "label_zh": label.orNull.described("The label for workspaces in Simplified Chinese; `label` when `null`."),
    ], required: ["value", "label"]), count: 1...200)

    /// `rules` in a body: each rule left out or `null` takes its default.
    private static let rules: OpenAPI.Schema = {
        let bound = OpenAPI.Schema(["type": .array([.string("number"), .string("string"), .string("null")])])
        return OpenAPI.Schema.body([
            "max_length": OpenAPI.Schema.integer(minimum: 1, maximum: 10_000).orNull.described("`text`: 1000 unless set."),
            "scale": OpenAPI.Schema.integer(minimum: 0, maximum: 6).orNull.described("`number`: decimal places allowed, 0 unless set."),
            "currency": OpenAPI.Schema.currencyInput.orNull.described("`money`: every value in it; any currency when not set."),
            "min": bound.described("`number`: a number; `money`: minor units; `date`: `YYYY-MM-DD`."),
            "max": bound.described("As `min`, and not below it."),
        ]).orNull.described("The type's rules, replacing the current ones in a change; a rule left out or `null` takes its default, "
            + "and one of another type is refused. `boolean` and the choice types have none.")
    }()

    /// The 422 `unknown_field` of a definition's body.
    private static let unknownDefinitionField = OpenAPI.ErrorCode(
        422, "unknown_field", "The body, an option or `rules` has a key it does not take, such as `rules.pattern`; `details.field` names it.")

    static let customFields = OpenAPI.Area(
        tag: "Custom fields",
        description: "Fields a workspace adds to its accounts, contacts, leads, deals and cases, with a type and rules. Records carry "
            + "their values in `custom_fields`, checked when written, and their lists filter by them with `cf.` parameters. Every "
            + "member reads the definitions; only owners and admins change them. See Docs/Custom-Fields.md.",
        access: .workspace,
        schemas: [
            "CustomField": .record([
                "id": .id,
                "object": customFieldObject.described("The kind of record the field belongs to; never changes."),
                "key": OpenAPI.Schema.string().described("The field's name in `custom_fields` and in `cf.` filters; never changes."),
                "label": .string(),
                "label_zh": OpenAPI.Schema.string().orNull.described("The label for workspaces in Simplified Chinese; `label` when `null`."),
                "type": customFieldType,
                "required": OpenAPI.Schema.boolean.described("A record cannot be created without a value, nor have it removed."),
                "options": OpenAPI.Schema.array(of: .record(["value": .string(), "label": .string(), "label_zh": OpenAPI.Schema.string().orNull]))
                    .described("The choices of a choice field, in the order people see them; `[]` for the other types."),
                "rules": OpenAPI.Schema.anyObject.described("Every rule of the type, `null` when not set: `text` `max_length`; `number` "
                    + "`min`, `max`, `scale`; `money` `currency`, `min`, `max`; `date` `min`, `max`; none for the others."),
                "position": position.described("Where the field comes among its object's fields, smallest first."),
                "created_at": .time,
                "updated_at": .time,
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/api/v1/custom-fields", id: "listCustomFields", summary: "List the custom fields",
                parameters: [.query("object", customFieldObject, "Only the fields of this kind of record.")],
                success: .page(of: "CustomField", "A page of definitions, by object, then position, then creation."),
                errors: [.invalidFilter("`object` is not one of its values; `details.field` is `object`.")]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/custom-fields", id: "createCustomField", summary: "Add a custom field",
                description: "Owners and admins only.",
                body: .body([
                    "object": customFieldObject,
                    "key": OpenAPI.Schema.string(pattern: "^[a-z][a-z0-9_]{0,39}$")
                        .described("1–40 lowercase letters, digits and `_`, starting with a letter; unique among the object's fields."),
                    "label": label,
                    "label_zh": label.orNull,
                    "type": customFieldType,
                    "required": OpenAPI.Schema.boolean.orNull.described("`false` when left out."),
                    "options": options.orNull.described("Required for `single_choice` and `multi_choice`, refused for the other types."),
                    "rules": rules,
                    "position": position.orNull.described("After the object's last field when left out."),
                ], required: ["object", "key", "label", "type"]),
                success: .created(.ref("CustomField"), "The definition."),
                errors: [.forbiddenRole, .quotaExceeded("custom_fields"), unknownDefinitionField,
                         OpenAPI.ErrorCode(409, "custom_field_exists", "The object already has a field with that key; `details.field` is `key`."),
                         OpenAPI.ErrorCode(422, "invalid_field", "A field breaks a rule, such as a bad `key`, choices for a type without "
                             + "them, two choices with one value, or a rule of another type; `details.field` names it, such as "
                             + "`options.1.value` or `rules.min`.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/custom-fields/{id}", id: "getCustomField", summary: "Read a custom field",
                parameters: [customFieldID],
                success: .ok(.ref("CustomField"), "The definition."),
                errors: [.notFound("custom_field")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/custom-fields/{id}", id: "updateCustomField", summary: "Change a custom field",
                description: "Labels, `required` and `position` change at any time. `type` changes only while no record holds a value of "
                    + "the field, and takes the new type's `rules` and `options`; `options` replaces the choices; `rules` replaces the "
                    + "rules, for values written from then on. `key` and `object` never change. Owners and admins only.",
                parameters: [customFieldID],
                body: .body([
                    "label": label.described("Cannot be cleared."),
                    "label_zh": label.orNull,
                    "type": customFieldType.described("Cannot be cleared."),
                    "required": OpenAPI.Schema.boolean.described("Cannot be cleared."),
                    "options": options.orNull,
                    "rules": rules,
                    "position": position.described("Cannot be cleared."),
                ]),
                success: .ok(.ref("CustomField"), "The definition."),
                errors: [.forbiddenRole, .notFound("custom_field"), unknownDefinitionField,
                         OpenAPI.ErrorCode(409, "custom_field_in_use", "Records hold values of the field (a change of `type`, "
                             + "`details.field` is `type`) or a choice the new `options` drop (`details.option` names it)."),
                         OpenAPI.ErrorCode(422, "invalid_field", "A field breaks a rule, is `null` where it cannot be cleared, or is "
                             + "`key` or `object`, which never change; `details.field` names it, such as `options.0.label`.")]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/custom-fields/{id}", id: "deleteCustomField", summary: "Delete a custom field",
                description: "Its values are removed from every record of its object in the same transaction; each such record counts "
                    + "as updated. Owners and admins only.",
                parameters: [customFieldID],
                success: .noContent("Deleted."),
                errors: [.forbiddenRole, .notFound("custom_field")]),
        ])
}
