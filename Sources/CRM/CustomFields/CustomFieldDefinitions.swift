import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// The custom fields a workspace defined for its records. Every method takes the tenant first; a
/// definition of another tenant answers `custom_field_not_found`, exactly like a missing one. The
/// plan's `custom_fields` limit is checked by the database when a definition is inserted (402
/// `quota_exceeded`).
public struct CustomFieldDefinitions: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns: ColumnList = "id, object, key, label, label_zh, type, required, options, rules, position, created_at, updated_at"
    typealias Row = (UUID, String, String, String, String?, String, Bool, StoredOptions, CustomFieldValue, Int, Date, Date)

    /// The choices as the `options` jsonb column holds them.
    struct StoredOptions: Codable, PostgresCodable {
        var options: [CustomFieldOption]

        init(_ options: [CustomFieldOption]) { self.options = options }
        init(from decoder: any Decoder) throws { options = try decoder.singleValueContainer().decode([CustomFieldOption].self) }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(options)
        }
    }

    static func definition(_ row: Row) throws -> CustomFieldDefinition {
        guard let object = CustomFieldObject(rawValue: row.1), let type = CustomFieldType(rawValue: row.5),
              case .object(let rules) = row.8 else {
            throw GuanxiError(.internalFailure, code: "internal_error", message: "A stored custom field definition could not be read.")
        }
        return CustomFieldDefinition(id: CustomFieldID(row.0), object: object, key: row.2, label: row.3, labelZh: row.4,
                                     required: row.6, options: row.7.options, rules: try CustomFieldRules(rules, for: type),
                                     position: row.9, createdAt: row.10, updatedAt: row.11)
    }

    // MARK: Reading

    /// A page of definitions, by object and then position; `object` limits it to one kind of record.
    public func list(_ tenant: TenantID, object: CustomFieldObject?, _ page: PageRequest) async throws -> Page<CustomFieldDefinition> {
        let after = try page.after.map(Self.position(in:))
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM custom_field_definitions
                 WHERE (\(object?.rawValue)::text IS NULL OR object = \(object?.rawValue))
                   AND (\(after?.object)::text IS NULL OR (object, position, id) > (\(after?.object), \(after?.position), \(after?.id)))
                 ORDER BY object, position, id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: try rows.map(Self.definition), limit: page.limit) { definition in
            Cursor(after: definition.id.uuid, key: "\(definition.object.rawValue):\(definition.position)")
        }
    }

    public func get(_ tenant: TenantID, _ id: CustomFieldID) async throws -> CustomFieldDefinition {
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("SELECT \(columns: Self.columns) FROM custom_field_definitions WHERE id = \(id.uuid)", as: Row.self)
        }
        guard let row = rows.first else { throw GuanxiError.notFound("custom_field") }
        return try Self.definition(row)
    }

    /// The object's definitions that a write of `keys` needs, with the required ones when
    /// `includingRequired`. They are share-locked until the write commits, so a definition cannot
    /// change its type, lose a choice or go away between the check of a value and its commit; a
    /// definition changed meanwhile is read as it is after that change.
    static func forWriting(_ object: CustomFieldObject, keys: [String], includingRequired: Bool,
                           in transaction: Transaction) async throws -> [CustomFieldDefinition] {
        try await transaction.rows("""
            SELECT \(columns: columns) FROM custom_field_definitions
             WHERE object = \(object.rawValue) AND (key = ANY(\(keys)) OR (\(includingRequired) AND required))
             ORDER BY position, id
               FOR KEY SHARE
            """, as: Row.self).map(definition)
    }

    /// Every definition of the object, in the order people see them (position, then creation): the
    /// columns of CSV exports and imports.
    static func all(_ object: CustomFieldObject, in transaction: Transaction) async throws -> [CustomFieldDefinition] {
        try await transaction.rows("""
            SELECT \(columns: columns) FROM custom_field_definitions WHERE object = \(object.rawValue) ORDER BY position, id
            """, as: Row.self).map(definition)
    }

    /// The object's definitions named by `keys`, by key: what a list's filters need.
    static func named(_ keys: [String], of object: CustomFieldObject, in transaction: Transaction) async throws -> [String: CustomFieldDefinition] {
        let rows = try await transaction.rows("""
            SELECT \(columns: columns) FROM custom_field_definitions WHERE object = \(object.rawValue) AND key = ANY(\(keys))
            """, as: Row.self)
        return Dictionary(uniqueKeysWithValues: try rows.map(definition).map { ($0.key, $0) })
    }

    // MARK: Changing

    /// Defines a field; 409 `custom_field_exists` when the object already has one with that key.
    public func create(_ tenant: TenantID, _ input: NewCustomFieldDefinition) async throws -> CustomFieldDefinition {
        let object = try Validate.choice(input.object, field: "object", as: CustomFieldObject.self)
        let key = input.key
        guard key.wholeMatch(of: /[a-z][a-z0-9_]{0,39}/) != nil else {
            throw GuanxiError.invalidField("key", "key must be 1 to 40 characters of lowercase letters, digits and _, starting with a letter, such as customer_tier.")
        }
        let type = try Validate.choice(input.type, field: "type", as: CustomFieldType.self)
        let fields = try DefinitionFields(label: input.label, labelZh: input.labelZh, rules: try CustomFieldRules(input.rules, for: type),
                                          options: input.options, position: input.position)
        do {
            let rows = try await database.withTenant(tenant) { transaction in
                try await transaction.rows("""
                    INSERT INTO custom_field_definitions (tenant_id, id, object, key, label, label_zh, type, required, options, rules, position)
                    VALUES (\(tenant.uuid), \(CustomFieldID().uuid), \(object.rawValue), \(key), \(fields.label), \(fields.labelZh),
                            \(type.rawValue), \(input.required ?? false), \(StoredOptions(fields.options)), \(fields.rules.json),
                            coalesce(\(fields.position), (SELECT max(position) + 1 FROM custom_field_definitions WHERE object = \(object.rawValue)), 0))
                    RETURNING \(columns: Self.columns)
                    """, as: Row.self)
            }
            return try Self.definition(rows[0])
        } catch let error as GuanxiError where error.details["constraint"] == "custom_field_definitions_key" {
            throw GuanxiError(.conflict, code: "custom_field_exists",
                              message: "The \(object.plural) already have a custom field with key \(key); choose another key, or change that field.",
                              details: ["field": "key"])
        }
    }

    /// Applies the fields present in `patch`. The type changes only while no record holds a value
    /// of the field, and a choice records hold cannot be dropped (409 `custom_field_in_use`); new
    /// rules apply to values written from now on.
    public func update(_ tenant: TenantID, _ id: CustomFieldID, _ patch: CustomFieldDefinitionPatch) async throws -> CustomFieldDefinition {
        if case .keep = patch.key {} else {
            throw GuanxiError.invalidField("key", "A field's key never changes: records and filters use it. Create a field with the new key instead.")
        }
        if case .keep = patch.object {} else {
            throw GuanxiError.invalidField("object", "A field belongs to one kind of record for good. Create a field for the other object instead.")
        }
        return try await database.withTenant(tenant) { transaction in
            let current = try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM custom_field_definitions WHERE id = \(id.uuid) FOR UPDATE
                """, as: Row.self)
            guard let row = current.first else { throw GuanxiError.notFound("custom_field") }
            let definition = try Self.definition(row)
            guard let label = patch.label.applied(to: definition.label) else {
                throw GuanxiError.invalidField("label", "label cannot be removed; send a new label instead.")
            }
            guard let required = patch.required.applied(to: definition.required) else {
                throw GuanxiError.invalidField("required", "required is true or false; it cannot be removed.")
            }
            guard let position = patch.position.applied(to: definition.position) else {
                throw GuanxiError.invalidField("position", "position cannot be removed; send a new position instead.")
            }
            let type = try patch.type.applied(to: definition.type.rawValue).map { try Validate.choice($0, field: "type", as: CustomFieldType.self) }
            guard let type else { throw GuanxiError.invalidField("type", "type cannot be removed; a field always has one.") }
            // Rules and choices of another type do not carry over.
            var rules = definition.rules
            switch patch.rules {
            case .keep: if type != definition.type { rules = try CustomFieldRules(nil, for: type) }
            case .clear: rules = try CustomFieldRules(nil, for: type)
            case .set(let json): rules = try CustomFieldRules(json, for: type)
            }
            var options: [CustomFieldOption]? = type.hasChoices && definition.type.hasChoices ? definition.options : nil
            switch patch.options {
            case .keep: break
            case .clear: options = nil
            case .set(let replacement): options = replacement
            }
            let fields = try DefinitionFields(label: label, labelZh: patch.labelZh.applied(to: definition.labelZh), rules: rules,
                                              options: options, position: position, keptValues: Set(definition.options.map(\.value)))
            if type != definition.type {
                try await Self.requireUnused(definition, in: transaction)
            } else if type.hasChoices {
                try await Self.requireUnused(choices: Set(definition.options.map(\.value)).subtracting(fields.options.map(\.value)),
                                             of: definition, in: transaction)
            }
            let rows = try await transaction.rows("""
                UPDATE custom_field_definitions
                   SET label = \(fields.label), label_zh = \(fields.labelZh), type = \(type.rawValue), required = \(required),
                       options = \(StoredOptions(fields.options)), rules = \(fields.rules.json), position = \(position), updated_at = now()
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
            return try Self.definition(rows[0])
        }
    }

    /// Deletes the definition and, in the same transaction, its values from every record of its
    /// object (each such record counts as updated: `updated_at`, the audit log, webhooks).
    public func delete(_ tenant: TenantID, _ id: CustomFieldID) async throws {
        try await database.withTenant(tenant) { transaction in
            let deleted = try await transaction.rows("""
                DELETE FROM custom_field_definitions WHERE id = \(id.uuid) RETURNING object, key
                """, as: (String, String).self)
            guard let removed = deleted.first else { throw GuanxiError.notFound("custom_field") }
            try await transaction.query("SELECT remove_custom_field_values(\(removed.0), \(removed.1))")
        }
    }

    // MARK: Helpers

    /// The position of a list's cursor: `object:position` and the id.
    private static func position(in cursor: Cursor) throws -> (object: String, position: Int, id: UUID) {
        let parts = (cursor.key ?? "").split(separator: ":")
        guard parts.count == 2, CustomFieldObject(rawValue: String(parts[0])) != nil, let position = Int(parts[1]) else {
            throw Cursor.invalid
        }
        return (String(parts[0]), position, cursor.after)
    }

    /// Refuses a change of type while any record holds a value of the field (the index holds a row
    /// for every value, in the same transaction as the record).
    private static func requireUnused(_ definition: CustomFieldDefinition, in transaction: Transaction) async throws {
        let used = try await transaction.rows("""
            SELECT EXISTS (SELECT 1 FROM custom_field_index WHERE object = \(definition.object.rawValue) AND key = \(definition.key))
            """, as: Bool.self)[0]
        if used {
            throw GuanxiError(.conflict, code: "custom_field_in_use",
                              message: "Some \(definition.object.plural) hold values of \(definition.key), so its type cannot change. Create a new field, or remove the values first.",
                              details: ["field": "type"])
        }
    }

    /// Refuses to drop choices that records still hold.
    private static func requireUnused(choices: Set<String>, of definition: CustomFieldDefinition, in transaction: Transaction) async throws {
        guard !choices.isEmpty else { return }
        let held = try await transaction.rows("""
            SELECT value FROM custom_field_index
             WHERE object = \(definition.object.rawValue) AND key = \(definition.key) AND value = ANY(\(choices.sorted()))
             ORDER BY value LIMIT 1
            """, as: String.self)
        if let choice = held.first {
            throw GuanxiError(.conflict, code: "custom_field_in_use",
                              message: "Some \(definition.object.plural) hold the choice \(choice) of \(definition.key), so it cannot be dropped. Change those records first, or keep the choice.",
                              details: ["field": "options", "option": choice])
        }
    }
}

/// A definition's writable fields, checked and normalised once for create and update.
struct DefinitionFields {
    static let maxOptions = 200

    var label: String
    var labelZh: String?
    var rules: CustomFieldRules
    var options: [CustomFieldOption]
    var position: Int?

    /// `keptValues`: the choices the field has already; they may keep a `;` from before that rule.
    init(label: String, labelZh: String?, rules: CustomFieldRules, options: [CustomFieldOption]?, position: Int?,
         keptValues: Set<String> = []) throws {
        self.label = try Validate.text(label, field: "label", length: 1...100, required: true)!
        self.labelZh = try Validate.text(labelZh, field: "label_zh", length: 1...100)
        self.rules = rules
        if let position, !(0...10_000).contains(position) {
            throw GuanxiError.invalidField("position", "position must be a whole number from 0 to 10000.")
        }
        self.position = position
        guard rules.type.hasChoices else {
            guard options?.isEmpty ?? true else {
                throw GuanxiError.invalidField("options", "options are the choices of single_choice and multi_choice fields; a \(rules.type.rawValue) field has none.")
            }
            self.options = []
            return
        }
        guard let options, (1...Self.maxOptions).contains(options.count) else {
            throw GuanxiError.invalidField("options", "A \(rules.type.rawValue) field needs 1 to \(Self.maxOptions) options, such as [{\"value\": \"gold\", \"label\": \"Gold\"}].")
        }
        var seen = Set<String>()
        self.options = try options.enumerated().map { index, option in
            let field = "options.\(index)"
            let value = try Validate.text(option.value, field: "\(field).value", length: 1...100, required: true)!
            // It separates the choices of a multi_choice cell in CSV files (CustomFieldCellReader).
            guard keptValues.contains(value) || !value.contains(where: CustomFieldCellReader.choiceSeparators.contains) else {
                throw GuanxiError.invalidField("\(field).value", "A choice's value cannot hold ; or ；, which separate choices in CSV files.")
            }
            guard seen.insert(value).inserted else {
                throw GuanxiError.invalidField("\(field).value", "The value \(value) appears twice; each choice needs its own value.")
            }
            return CustomFieldOption(value: value, label: try Validate.text(option.label, field: "\(field).label", length: 1...100, required: true)!,
                                     labelZh: try Validate.text(option.labelZh, field: "\(field).label_zh", length: 1...100))
        }
    }
}
