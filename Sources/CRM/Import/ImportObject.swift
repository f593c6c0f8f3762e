import Database
import Foundation
import GuanxiCore

/// One kind of record a CSV file can be imported into: its table, the fields a column can map to,
/// and the keys that find a row's duplicate. Adding a kind of record is adding one of these (see
/// `ImportObject+Contacts.swift`) and listing it in `all`; parsing, mapping, checking, dedupe,
/// bulk writing and progress are the same for every kind.
struct ImportObject: Sendable {
    /// The name clients use (`?object=contacts`), also the job's `object`.
    let name: String
    /// The table written; it has `tenant_id`, `id` and `updated_at` besides the fields' columns.
    let table: SQLIdentifier
    let fields: [ImportField]
    /// Checked in order: a row is the duplicate of the record its first key finds.
    let dedupeKeys: [DedupeKey]
    /// Whose access rules apply (Docs/Access.md): a duplicate is updated only when the member may
    /// change it. The table has `owner_id`.
    let kind: RecordKind
    /// The workspace's custom fields of this kind of record are fields of the import too.
    let customFieldObject: CustomFieldObject
    /// A column that, once set, means the record no longer changes (a converted lead's
    /// `converted_at`): a duplicate of such a record is left out even under `update`.
    var settledColumn: SQLIdentifier? = nil

    /// Every kind of record that can be imported.
    static let all: [ImportObject] = [.contacts, .accounts, .leads]

    static func named(_ name: String) -> ImportObject? {
        all.first { $0.name == name }
    }

    /// The fields a column can map to: the kind's own, then the workspace's custom fields of it
    /// (`definitions`, in their order).
    func fields(with definitions: [CustomFieldDefinition]) -> [ImportField] {
        fields + definitions.map(ImportField.init(customField:))
    }
}

/// A field a CSV column can map to: the column of the table it writes, the headers that propose it,
/// and how a cell becomes the stored value.
struct ImportField: Sendable {
    enum Value: Sendable {
        /// Checks and normalises a non-blank cell with the record's own rule; throws
        /// `GuanxiError` with the rule's message, returns `nil` to store NULL.
        case text(@Sendable (String) throws -> String?)
        /// A cell naming another record of the workspace, stored as that record's id.
        case reference(ImportReference)
        /// A value of a custom field, checked as the API checks it and kept as JSON; the record's
        /// `custom_fields` object gathers the values of every custom field column.
        case customField(CustomFieldCellReader)
    }

    let name: String
    let column: SQLIdentifier
    /// Header texts that map to this field, in any case and with or without spaces, `_`, `-`.
    let headers: [String]
    let required: Bool
    let value: Value

    init(_ name: String, column: SQLIdentifier? = nil, headers: [String], required: Bool = false,
         check: @escaping @Sendable (String) throws -> String?) {
        self.name = name
        self.column = column ?? SQLIdentifier(name)
        self.headers = headers
        self.required = required
        self.value = .text(check)
    }

    init(_ name: String, column: SQLIdentifier, headers: [String], required: Bool = false, reference: ImportReference) {
        self.name = name
        self.column = column
        self.headers = headers
        self.required = required
        self.value = .reference(reference)
    }

    /// A custom field, mapped as `cf.<key>` and proposed by the headers an export writes for it,
    /// its key and either label; required when the API requires it on a create.
    init(customField definition: CustomFieldDefinition) {
        self.name = CustomFieldCellReader.mappingPrefix + definition.key
        self.column = "custom_fields"
        self.headers = definition.csvHeaders
        self.required = definition.required
        self.value = .customField(CustomFieldCellReader(definition))
    }

    /// What the field sets, since two columns of a file may not set one thing: its column, or a
    /// custom field's key within `custom_fields`.
    var target: String {
        if case .customField(let reader) = value { return "custom_fields.\(reader.definition.key)" }
        return column.name
    }

    /// The custom fields' keys that a mapping (a field name or `nil` per column) names.
    static func customFieldKeys(in mapping: [String?]) -> [String] {
        let prefix = CustomFieldCellReader.mappingPrefix
        return mapping.compactMap { $0 }.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }
}

/// How a cell finds the record it names: the table, the column compared, and how both sides are
/// normalised before they are compared.
struct ImportReference: Sendable {
    /// Names the row errors `unknown_<entity>` and `ambiguous_<entity>`.
    let entity: String
    let table: SQLIdentifier
    let matchColumn: SQLIdentifier
    let key: @Sendable (String) -> String

    /// By id: the cell holds the record's UUID.
    static func byID(_ entity: String, in table: SQLIdentifier) -> ImportReference {
        ImportReference(entity: entity, table: table, matchColumn: "id") { $0.lowercased() }
    }

    /// By a name column, compared without regard to case or surrounding spaces.
    static func byName(_ entity: String, in table: SQLIdentifier, column: SQLIdentifier = "name") -> ImportReference {
        ImportReference(entity: entity, table: table, matchColumn: column) { Validate.trimmed($0).lowercased() }
    }
}

/// A value that makes two records the same for dedupe: taken from `field` of a row, and from
/// `storedColumn` of the records already there, both through `key`.
struct DedupeKey: Sendable {
    let field: String
    let storedColumn: SQLIdentifier
    /// The comparable form, or `nil` when the value gives no key (a phone without digits).
    let key: @Sendable (String) -> String?

    static func lowercased(_ field: String, stored column: SQLIdentifier) -> DedupeKey {
        DedupeKey(field: field, storedColumn: column) { value in
            let key = Validate.trimmed(value).lowercased()
            return key.isEmpty ? nil : key
        }
    }

    /// Phone numbers compare by their digits, so `+86 138-0013-8000` is `8613800138000`.
    static func digits(_ field: String, stored column: SQLIdentifier) -> DedupeKey {
        DedupeKey(field: field, storedColumn: column) { value in
            let digits = value.filter { $0.isASCII && $0.isNumber }
            return digits.isEmpty ? nil : digits
        }
    }
}
