import Database
import Foundation
import GuanxiCore

/// The one place where custom field values are checked before a record is written: against the
/// workspace's definitions for the record's object, read in the writing transaction.
enum CustomFieldValues {
    /// The values to store for a record: `existing` (`nil` for a new record) with `input` applied.
    /// A key of `input` replaces its value, `null` (or blank text, or an empty list) removes it, and
    /// keys left out keep theirs. A new record needs every required field; no record may lose one.
    /// Throws 422 `unknown_custom_field` for a key with no definition and 422 `invalid_custom_field`
    /// for a value its field refuses, both with `details.field` = `custom_fields.<key>`.
    static func validate(object: CustomFieldObject, input: CustomFields?, existing: CustomFields?,
                         in transaction: Transaction) async throws -> CustomFields {
        let input = input ?? CustomFields()
        if let existing, input.values.isEmpty { return existing }
        let keys = input.values.keys.sorted()
        let definitions = try await CustomFieldDefinitions.forWriting(object, keys: keys, includingRequired: existing == nil,
                                                                      in: transaction)
        let byKey = Dictionary(uniqueKeysWithValues: definitions.map { ($0.key, $0) })
        var result = existing ?? CustomFields()
        for key in keys {
            guard let definition = byKey[key] else {
                throw GuanxiError(.invalid, code: "unknown_custom_field",
                                  message: "custom_fields.\(key) is not a custom field of \(object.plural); GET /api/v1/custom-fields?object=\(object.rawValue) lists them.",
                                  details: ["field": "custom_fields.\(key)"])
            }
            result[key] = try definition.normalized(input[key] ?? .null)
            if result[key] == nil && definition.required && existing != nil {
                throw definition.invalid("is required; it cannot be removed, only changed.")
            }
        }
        if let missing = definitions.first(where: { $0.required && result[$0.key] == nil }) {
            throw missing.invalid("is required; send a value for it.")
        }
        return result
    }
}

extension CustomFieldDefinition {
    /// `value` checked against the field's type and rules, in the form records keep (trimmed text,
    /// an upper-case currency, choices in the field's order); `nil` when it holds no value: `null`,
    /// blank text or an empty list.
    func normalized(_ value: CustomFieldValue) throws -> CustomFieldValue? {
        if value == .null { return nil }
        switch rules {
        case .text(let maxLength):
            guard case .string(let text) = value else { throw invalid("must be text in quotes; got \(value.jsonKind).") }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { return nil }
            guard trimmed.count <= maxLength else { throw invalid("must have at most \(maxLength) characters; this has \(trimmed.count).") }
            return .string(trimmed)
        case .number(let min, let max, let scale):
            guard case .number(let number) = value else { throw invalid("must be a JSON number such as 12.5, not in quotes; got \(value.jsonKind).") }
            guard CustomFieldRules.numbers.contains(number) else {
                throw invalid("must be from \(CustomFieldRules.numbers.lowerBound) to \(CustomFieldRules.numbers.upperBound).")
            }
            guard CustomFieldRules.fits(number, decimalPlaces: scale) else {
                throw invalid(scale == 0 ? "must be a whole number." : "may have at most \(scale) decimal places.")
            }
            if let min, number < min { throw invalid("must be at least \(min).") }
            if let max, number > max { throw invalid("must be at most \(max).") }
            return .number(number)
        case .money(let currency, let min, let max):
            let example = "{\"amount_minor\": 1250000, \"currency\": \"\(currency ?? "CNY")\"}"
            guard case .object(let money) = value, Set(money.keys) == ["amount_minor", "currency"],
                  let amount = money["amount_minor"].flatMap(CustomFieldRules.wholeNumber),
                  case .string(let text)? = money["currency"], let code = CustomFieldRules.currencyCode(text) else {
                throw invalid("must be an amount in minor units (fen, cents) with its ISO 4217 currency, such as \(example).")
            }
            guard abs(amount) <= CustomFieldRules.largestAmount else {
                throw invalid("must have an amount_minor from -\(CustomFieldRules.largestAmount) to \(CustomFieldRules.largestAmount).")
            }
            if let currency, code != currency { throw invalid("must be in \(currency): the field holds amounts in that currency only.") }
            if let min, amount < min { throw invalid("must be at least \(min) minor units.") }
            if let max, amount > max { throw invalid("must be at most \(max) minor units.") }
            return .object(["amount_minor": .number(Decimal(amount)), "currency": .string(code)])
        case .date(let min, let max):
            guard case .string(let text) = value, let day = CalendarDate(text) else {
                throw invalid("must be a date written YYYY-MM-DD, such as 2026-03-31.")
            }
            if let min, day < min { throw invalid("must be \(min) or later.") }
            if let max, day > max { throw invalid("must be \(max) or earlier.") }
            return .string(day.description)
        case .boolean:
            guard case .bool = value else { throw invalid("must be true or false; got \(value.jsonKind).") }
            return value
        case .singleChoice:
            guard case .string(let choice) = value, options.contains(where: { $0.value == choice }) else {
                throw invalid("must be one of \(choiceList).")
            }
            return value
        case .multiChoice:
            guard case .array(let items) = value else { throw invalid("must be a list of choices, such as [\"\(options[0].value)\"], of \(choiceList).") }
            var chosen = Set<String>()
            for item in items {
                guard case .string(let choice) = item, options.contains(where: { $0.value == choice }) else {
                    throw invalid("may hold only \(choiceList).")
                }
                guard chosen.insert(choice).inserted else { throw invalid("holds \(choice) twice; each choice may appear once.") }
            }
            guard !chosen.isEmpty else { return nil }
            return .array(options.filter { chosen.contains($0.value) }.map { .string($0.value) })
        }
    }

    /// 422 `invalid_custom_field` naming the field: `custom_fields.budget (Budget) must be …`.
    func invalid(_ problem: String) -> GuanxiError {
        GuanxiError(.invalid, code: "invalid_custom_field", message: "custom_fields.\(key) (\(label)) \(problem)",
                    details: ["field": "custom_fields.\(key)"])
    }

    /// The choices' values for a message: `gold, silver, bronze`.
    var choiceList: String { options.map(\.value).joined(separator: ", ") }
}
