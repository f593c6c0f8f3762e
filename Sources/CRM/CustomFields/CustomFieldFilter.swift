import Database
import Foundation
import GuanxiCore

/// A list's filters on custom fields, from its `cf.` query parameters:
///
/// - `cf.<key>=<value>`: the value is equal (text, number, date, boolean, single_choice; for money,
///   the amount in minor units); for multi_choice, the record's list holds that choice (repeat the
///   parameter to require several).
/// - `cf.<key>.gte=` and `cf.<key>.lte=`: at least, at most; number, money (minor units) and date.
/// - `cf.<key>.currency=CNY`: a money field's currency.
///
/// A record without a value for the key never matches. Each term looks its records up in
/// `custom_field_index` (see `Migrations/0013_create_custom_fields.sql` for why not in the jsonb).
public struct CustomFieldFilter: Sendable {
    enum Comparison: String, Sendable {
        case equals
        case atLeast = "gte"
        case atMost = "lte"
        case currency
    }

    /// One parameter: `cf.amount.gte=100` is key `amount`, comparison `atLeast`, values `["100"]`.
    struct Term: Sendable {
        var parameter: String
        var key: String
        var comparison: Comparison
        var values: [String]
    }

    var terms: [Term]

    /// No filter.
    public init() { terms = [] }

    /// Reads the query parameters named `cf.…`, in the order given, and leaves the others to the
    /// list. 400 `invalid_filter` for a name other than `cf.<key>` or `cf.<key>.<gte|lte|currency>`.
    public init(parameters: [(name: String, value: String)]) throws {
        var terms: [Term] = []
        for (name, value) in parameters where name.hasPrefix("cf.") {
            let parts = name.dropFirst(3).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts[0].wholeMatch(of: /[a-z][a-z0-9_]{0,39}/) != nil, parts.count <= 2,
                  let comparison = parts.count == 2 ? Comparison(rawValue: parts[1]).flatMap({ $0 == .equals ? nil : $0 }) : .equals else {
                throw Self.invalid(name, "\(name) is not a custom field filter; write cf.<key>, cf.<key>.gte, cf.<key>.lte or cf.<key>.currency, with the field's key such as cf.customer_tier.")
            }
            if let index = terms.firstIndex(where: { $0.parameter == name }) {
                terms[index].values.append(value)
            } else {
                terms.append(Term(parameter: name, key: parts[0], comparison: comparison, values: [value]))
            }
        }
        self.terms = terms
    }

    /// The filters as a condition on the records of `object`, for the list's query, which must
    /// name the record's id `id`. 400 `invalid_filter` for a key that names no field of the object,
    /// a comparison its type does not have, or a value it cannot hold.
    func condition(for object: CustomFieldObject, in transaction: Transaction) async throws -> SQLCondition {
        guard !terms.isEmpty else { return .always }
        let definitions = try await CustomFieldDefinitions.named(Array(Set(terms.map(\.key))), of: object, in: transaction)
        var conditions: [SQLCondition] = []
        for term in terms {
            guard let definition = definitions[term.key] else {
                throw Self.invalid(term.parameter, "\(term.key) is not a custom field of \(object.plural); GET /api/v1/custom-fields?object=\(object.rawValue) lists them.")
            }
            conditions += try TermOnField(term: term, definition: definition).conditions()
        }
        return .all(conditions)
    }

    static func invalid(_ parameter: String, _ message: String) -> GuanxiError {
        GuanxiError(.malformed, code: "invalid_filter", message: message, details: ["field": parameter])
    }
}

/// One term read against the definition of its field.
private struct TermOnField {
    let term: CustomFieldFilter.Term
    let definition: CustomFieldDefinition

    /// How `custom_field_index` holds text: by its first 200 characters (Unicode code points, as
    /// PostgreSQL's `left` counts).
    static let indexedTextLength = 200

    /// The term as conditions on the listed records.
    func conditions() throws -> [SQLCondition] {
        let atLeast = term.comparison == .atLeast
        switch (term.comparison, definition.type) {
        case (.currency, .money):
            return [lookup(IndexedValues(value: try currency()))]
        case (.equals, .money), (.equals, .number):
            let number = try indexedNumber()
            return [lookup(IndexedValues(numberFrom: number, numberTo: number))]
        case (.equals, .multiChoice):
            return try term.values.map { lookup(IndexedValues(value: try choice($0.trimmingCharacters(in: .whitespaces)))) }
        case (.equals, .singleChoice):
            return [lookup(IndexedValues(value: try choice(try value())))]
        case (.equals, .text):
            let text = try value()
            let indexed = String(String.UnicodeScalarView(text.unicodeScalars.prefix(Self.indexedTextLength)))
            // The index tells a long text only by its start; the record's own value decides.
            let exact: [SQLCondition] = indexed == text ? [] : ["custom_fields ->> \(definition.key) = \(text)"]
            return [lookup(IndexedValues(value: indexed))] + exact
        case (.equals, .date):
            return [lookup(IndexedValues(value: try day().description))]
        case (.equals, .boolean):
            guard let flag = Bool(try value()) else { throw invalid("\(term.parameter) must be true or false.") }
            return [lookup(IndexedValues(value: String(flag)))]
        case (.atLeast, .number), (.atMost, .number), (.atLeast, .money), (.atMost, .money):
            let bound = try indexedNumber()
            return [lookup(atLeast ? IndexedValues(numberFrom: bound) : IndexedValues(numberTo: bound))]
        case (.atLeast, .date), (.atMost, .date):
            let bound = try day().description
            return [lookup(atLeast ? IndexedValues(valueFrom: bound) : IndexedValues(valueTo: bound))]
        case (.currency, _):
            throw invalid("\(term.parameter) applies to money fields; \(term.key) is a \(definition.type.rawValue) field.")
        case (.atLeast, _), (.atMost, _):
            throw invalid("\(term.parameter) applies to number, money and date fields; \(term.key) is a \(definition.type.rawValue) field.")
        }
    }

    /// What an index row of the field must hold; `nil` tests nothing. `value` is text, a choice, a
    /// date, `true` or `false`, or a currency; `number` an amount in minor units or a number times 10⁶.
    struct IndexedValues {
        var value: String?
        var valueFrom: String?
        var valueTo: String?
        var numberFrom: Int64?
        var numberTo: Int64?
    }

    /// The records with an index row of this field that holds `values`. Each test left `nil` is
    /// dropped when PostgreSQL plans the statement with its values, so what remains are plain
    /// comparisons on the index's columns that its btree indexes serve.
    func lookup(_ values: IndexedValues) -> SQLCondition {
        """
        id IN (SELECT record_id FROM custom_field_index
                WHERE object = \(definition.object.rawValue) AND key = \(definition.key)
                  AND (\(values.value)::text IS NULL OR value = \(values.value))
                  AND (\(values.valueFrom)::text IS NULL OR value >= \(values.valueFrom))
                  AND (\(values.valueTo)::text IS NULL OR value <= \(values.valueTo))
                  AND (\(values.numberFrom)::bigint IS NULL OR number >= \(values.numberFrom))
                  AND (\(values.numberTo)::bigint IS NULL OR number <= \(values.numberTo)))
        """
    }

    /// The term's only value; a parameter given twice is refused, except a multi_choice's.
    func value() throws -> String {
        guard term.values.count == 1 else { throw invalid("give \(term.parameter) once.") }
        return term.values[0].trimmingCharacters(in: .whitespaces)
    }

    func choice(_ text: String) throws -> String {
        guard definition.options.contains(where: { $0.value == text }) else {
            throw invalid("\(term.parameter) must be one of \(definition.choiceList).")
        }
        return text
    }

    /// The value as the index's `number` holds it: a money field's amount in minor units, or a
    /// number times 10⁶, exactly (`7.5` is 7500000).
    func indexedNumber() throws -> Int64 {
        let text = try value()
        if definition.type == .money {
            guard let amount = Int64(text), abs(amount) <= CustomFieldRules.largestAmount else {
                throw invalid("\(term.parameter) must be a whole number of minor units (fen, cents), such as 1250000.")
            }
            return amount
        }
        guard text.wholeMatch(of: /-?[0-9]{1,12}(\.[0-9]{1,6})?/) != nil, let number = Decimal(string: text),
              let scaled = Int64((number * 1_000_000).description) else {
            throw invalid("\(term.parameter) must be a number such as 12.5, with at most 12 digits before the point and 6 after.")
        }
        return scaled
    }

    func day() throws -> CalendarDate {
        guard let day = CalendarDate(try value()) else { throw invalid("\(term.parameter) must be a date written YYYY-MM-DD.") }
        return day
    }

    func currency() throws -> String {
        guard let code = CustomFieldRules.currencyCode(try value()) else {
            throw invalid("\(term.parameter) must be an ISO 4217 code such as CNY.")
        }
        return code
    }

    func invalid(_ message: String) -> GuanxiError { CustomFieldFilter.invalid(term.parameter, message) }
}
