import Foundation
import GuanxiCore

/// The kinds of record a workspace can add fields to.
public enum CustomFieldObject: String, Sendable, Codable, CaseIterable {
    case account, contact, lead, deal
    case `case`

    /// The records' name in messages: "contacts".
    var plural: String { rawValue + "s" }
}

/// What a custom field holds, and so how its values are written and checked.
public enum CustomFieldType: String, Sendable, Codable, CaseIterable {
    /// Text, trimmed, up to `max_length` characters.
    case text
    /// A JSON number, exact, with up to `scale` decimal places.
    case number
    /// `{"amount_minor": 1250000, "currency": "CNY"}`: whole minor units and an ISO 4217 code.
    case money
    /// `"YYYY-MM-DD"`.
    case date
    case boolean
    /// One of the field's choices, by value.
    case singleChoice = "single_choice"
    /// A list of the field's choices, by value, each at most once.
    case multiChoice = "multi_choice"

    /// Whether the field has choices (`options`).
    var hasChoices: Bool { self == .singleChoice || self == .multiChoice }
}

/// One choice of a `single_choice` or `multi_choice` field: the stored `value`, and what people see.
public struct CustomFieldOption: Sendable, Hashable, Codable {
    public static let fields: Set<String> = ["value", "label", "label_zh"]
    /// What records store and filters name; it never changes once records hold it.
    public var value: String
    public var label: String
    /// The label for workspaces in Simplified Chinese; `label` when `nil`.
    public var labelZh: String?

    public init(value: String, label: String, labelZh: String? = nil) {
        self.value = value
        self.label = label
        self.labelZh = labelZh
    }

    enum CodingKeys: String, CodingKey {
        case value, label
        case labelZh = "label_zh"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(Self.fields)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        value = try container.decode(String.self, forKey: .value)
        label = try container.decode(String.self, forKey: .label)
        labelZh = try container.decodeIfPresent(String.self, forKey: .labelZh)
    }

    /// `label_zh` is always present, `null` when not set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try container.encode(label, forKey: .label)
        try container.encode(labelZh, forKey: .labelZh)
    }
}

/// A field a workspace added to one kind of record: its key in the records' `custom_fields`, how
/// people see it, its type and the checks every value written must pass.
public struct CustomFieldDefinition: Sendable, Equatable, Encodable {
    public var id: CustomFieldID
    public var object: CustomFieldObject
    /// Lowercase snake_case, 1–40 characters, unique among the object's fields; never changes.
    public var key: String
    public var label: String
    public var labelZh: String?
    /// A record cannot be created without a value, nor have its value removed.
    public var required: Bool
    /// The choices of a choice field, in the order people see them; empty for other types.
    public var options: [CustomFieldOption]
    /// The field's type with the checks its values must pass.
    public var rules: CustomFieldRules
    /// Where the field comes among the object's fields, smallest first.
    public var position: Int
    public var createdAt: Date
    public var updatedAt: Date

    public var type: CustomFieldType { rules.type }

    enum CodingKeys: String, CodingKey {
        case id, object, key, label, type, required, options, rules, position
        case labelZh = "label_zh"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Every field is present, `label_zh` `null` when not set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(key, forKey: .key)
        try container.encode(label, forKey: .label)
        try container.encode(labelZh, forKey: .labelZh)
        try container.encode(type, forKey: .type)
        try container.encode(required, forKey: .required)
        try container.encode(options, forKey: .options)
        try container.encode(rules.json, forKey: .rules)
        try container.encode(position, forKey: .position)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// `POST /api/v1/custom-fields`.
public struct NewCustomFieldDefinition: RequestPayload {
    public static let fields: Set<String> = ["object", "key", "label", "label_zh", "type", "required", "options", "rules", "position"]
    public var object: String
    public var key: String
    public var label: String
    public var labelZh: String?
    public var type: String
    /// `false` when left out.
    public var required: Bool?
    /// Required for the choice types, refused for the others.
    public var options: [CustomFieldOption]?
    /// The type's rules; each one left out takes its default.
    public var rules: [String: CustomFieldValue]?
    /// After the object's last field when left out.
    public var position: Int?

    public init(object: CustomFieldObject, key: String, label: String, labelZh: String? = nil, type: CustomFieldType,
                required: Bool? = nil, options: [CustomFieldOption]? = nil, rules: [String: CustomFieldValue]? = nil,
                position: Int? = nil) {
        self.object = object.rawValue
        self.key = key
        self.label = label
        self.labelZh = labelZh
        self.type = type.rawValue
        self.required = required
        self.options = options
        self.rules = rules
        self.position = position
    }

    enum CodingKeys: String, CodingKey {
        case object, key, label, type, required, options, rules, position
        case labelZh = "label_zh"
    }
}

/// `PATCH /api/v1/custom-fields/{id}`: the fields present change. `key` and `object` are accepted
/// only to be refused with the reason (a new field is the way to another key or object).
public struct CustomFieldDefinitionPatch: RequestPayload {
    public static let fields = NewCustomFieldDefinition.fields
    public var object: FieldPatch<String> = .keep
    public var key: FieldPatch<String> = .keep
    public var label: FieldPatch<String> = .keep
    public var labelZh: FieldPatch<String> = .keep
    /// Refused with 409 `custom_field_in_use` while records hold values of the field.
    public var type: FieldPatch<String> = .keep
    public var required: FieldPatch<Bool> = .keep
    /// Replaces the choices; a choice records still hold cannot be dropped.
    public var options: FieldPatch<[CustomFieldOption]> = .keep
    /// Replaces the rules (`null`: the type's defaults). They apply to values written from now on.
    public var rules: FieldPatch<[String: CustomFieldValue]> = .keep
    public var position: FieldPatch<Int> = .keep

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NewCustomFieldDefinition.CodingKeys.self)
        object = try container.decodePatch(String.self, forKey: .object)
        key = try container.decodePatch(String.self, forKey: .key)
        label = try container.decodePatch(String.self, forKey: .label)
        labelZh = try container.decodePatch(String.self, forKey: .labelZh)
        type = try container.decodePatch(String.self, forKey: .type)
        required = try container.decodePatch(Bool.self, forKey: .required)
        options = try container.decodePatch([CustomFieldOption].self, forKey: .options)
        rules = try container.decodePatch([String: CustomFieldValue].self, forKey: .rules)
        position = try container.decodePatch(Int.self, forKey: .position)
    }
}
