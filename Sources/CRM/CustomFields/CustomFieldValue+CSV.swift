import Foundation
import GuanxiCore

// Custom field values as the cells of a CSV file, both ways: what an export writes, and what an
// import reads. Every cell an export writes, an import reads back as the same value; an import
// also reads a few forms that spreadsheets write (Docs/Import-Export.md#custom-fields).
//
// | type | cell |
// |---|---|
// | text | the text |
// | number | a plain decimal: `-12.5` |
// | money | the amount in the currency's major unit, a space, the currency: `1234.56 CNY` |
// | date | `2026-03-31` |
// | boolean | `true` or `false` |
// | single_choice | the choice's value: `gold` |
// | multi_choice | the choices' values joined by `; `: `a; c` (choice values cannot hold `;` or `；`) |

extension CustomFieldValue {
    /// The value as an export writes it in a cell; `nil` for no value.
    var csvCell: String? {
        switch self {
        case .null:
            return nil
        case .string(let text):
            return text
        case .number(let number):
            return number.description
        case .bool(let value):
            return value ? "true" : "false"
        case .array(let items):
            return items.compactMap(\.csvCell).joined(separator: CustomFieldCellReader.choiceSeparator)
        case .object(let money):
            guard let amount = money["amount_minor"].flatMap(CustomFieldRules.wholeNumber), case .string(let currency)? = money["currency"] else {
                return nil
            }
            return Money(amountMinor: amount, currency: currency).decimalAmount + " " + currency
        }
    }
}

extension CustomFieldDefinition {
    /// The label people of a workspace in `locale` see: `label_zh` in Simplified Chinese when set.
    func label(forLocale locale: String) -> String {
        locale == "zh-CN" ? labelZh ?? label : label
    }

    /// The header of the field's column when its label alone would repeat another column's: `Region (region)`.
    func header(withKey label: String) -> String { "\(label) (\(key))" }

    /// Every header that names the field's column in an import: `cf.<key>`, the key, either label,
    /// and either label with the key, as an export may write them.
    var csvHeaders: [String] {
        let labels = [label] + (labelZh.map { [$0] } ?? [])
        return [CustomFieldCellReader.mappingPrefix + key, key] + labels + labels.map(header(withKey:))
    }
}

/// Reads the cells of one custom field's column into values, checked as the API checks a value
/// (`CustomFieldDefinition.normalized`). What every cell needs is prepared once per file: the
/// choices by value and by label.
struct CustomFieldCellReader: Sendable {
    /// How an import's mapping names a custom field, like the lists' filters: `cf.customer_tier`.
    static let mappingPrefix = "cf."
    /// Between the choices of a multi_choice cell. Choice values cannot hold `;` or `；`, so it
    /// splits a cell unambiguously; an import splits on either, since Chinese keyboards type `；`.
    static let choiceSeparator = "; "
    static let choiceSeparators: Set<Character> = [";", "；"]
    private static let posix = Locale(identifier: "en_US_POSIX")

    let definition: CustomFieldDefinition
    /// A choice by any of its names in lower case (value, label, label_zh); `nil` for a name two
    /// choices share.
    private let choicesByName: [String: String?]

    init(_ definition: CustomFieldDefinition) {
        self.definition = definition
        var choices: [String: String?] = [:]
        for option in definition.options {
            for name in [option.value, option.label, option.labelZh].compactMap({ $0?.lowercased() }) {
                if let other = choices[name], other != option.value { choices[name] = .some(nil) } else { choices[name] = option.value }
            }
        }
        choicesByName = choices
    }

    /// The value a non-blank cell holds, in the form records keep; `nil` when it holds none (an
    /// empty list of choices). Throws 422 `invalid_custom_field` with the API's message.
    func value(_ cell: String) throws -> CustomFieldValue? {
        let text = Validate.trimmed(cell)
        return try definition.normalized(try read(text))
    }

    /// The cell as the JSON value the API would have been sent, before the field's rules.
    private func read(_ text: String) throws -> CustomFieldValue {
        switch definition.rules {
        case .text:
            return .string(text)
        case .number:
            guard let (negative, whole, fraction) = Self.plainDecimal(text),
                  let number = Decimal(string: (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction), locale: Self.posix) else {
                throw definition.invalid("must be a number written with digits and a decimal point, such as 1234.5.")
            }
            return .number(number)
        case .money(let fieldCurrency, _, _):
            return try money(text, fieldCurrency: fieldCurrency)
        case .date:
            // Spreadsheets in Chinese write dates as 2026/3/31.
            let parts = text.split(omittingEmptySubsequences: false) { $0 == "-" || $0 == "/" || $0 == "." }
            if parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
               parts.allSatisfy(Self.isDigits), let day = CalendarDate(year: Int(parts[0])!, month: Int(parts[1])!, day: Int(parts[2])!) {
                return .string(day.description)
            }
            return .string(text)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "1", "是": return .bool(true)
            case "false", "no", "0", "否": return .bool(false)
            default: throw definition.invalid("must be true or false.")
            }
        case .singleChoice:
            return .string(choice(named: text))
        case .multiChoice:
            let names = text.split(whereSeparator: Self.choiceSeparators.contains).map { Validate.trimmed(String($0)) }
            return .array(names.filter { !$0.isEmpty }.map { .string(choice(named: $0)) })
        }
    }

    /// The value of the choice `name` names: its value, or else (in any case) its value, label or
    /// label_zh when only one choice has it. Anything else stays as written, for the field's check
    /// to refuse with the list of choices.
    private func choice(named name: String) -> String {
        if definition.options.contains(where: { $0.value == name }) { return name }
        return choicesByName[name.lowercased()].flatMap { $0 } ?? name
    }

    /// `1234.56 CNY`: an amount in the currency's major unit and the currency. The currency may be
    /// left out when the field holds amounts in one currency only.
    private func money(_ text: String, fieldCurrency: String?) throws -> CustomFieldValue {
        let example = "such as 1234.56 \(fieldCurrency ?? "CNY")"
        let code = text.suffix(3).allSatisfy { $0.isASCII && $0.isLetter } ? CustomFieldRules.currencyCode(String(text.suffix(3))) : nil
        guard let (negative, whole, fraction) = Self.plainDecimal(Validate.trimmed(code == nil ? text : String(text.dropLast(3)))) else {
            throw definition.invalid("must be an amount and its currency, \(example).")
        }
        guard let currency = code ?? fieldCurrency else {
            throw definition.invalid("must be an amount and its currency, \(example): the field holds amounts in any currency.")
        }
        let digits = Money(amountMinor: 0, currency: currency).minorUnitDigits
        guard fraction.count <= digits else {
            throw definition.invalid(digits == 0 ? "must be a whole amount in \(currency)." : "may have at most \(digits) decimal places in \(currency).")
        }
        let minorDigits = (whole + fraction + String(repeating: "0", count: digits - fraction.count)).drop { $0 == "0" }
        guard minorDigits.count <= 18, let magnitude = Int64(minorDigits.isEmpty ? "0" : String(minorDigits)) else {
            throw definition.invalid("must have an amount_minor from -\(CustomFieldRules.largestAmount) to \(CustomFieldRules.largestAmount).")
        }
        let amount = negative ? -magnitude : magnitude
        return .object(["amount_minor": .number(Decimal(amount)), "currency": .string(currency)])
    }

    // Parsed by hand: a Swift Regex match takes about 30 µs, which a file of 100,000 rows pays per cell.

    /// A plain decimal, `-1234.5`: an optional sign, digits, and optionally a point and digits.
    private static func plainDecimal(_ text: String) -> (negative: Bool, whole: String, fraction: String)? {
        var rest = Substring(text)
        let negative = rest.first == "-"
        if negative || rest.first == "+" { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, isDigits(whole), parts.count == 1 || isDigits(parts[1]) else { return nil }
        return (negative, String(whole), parts.count == 2 ? String(parts[1]) : "")
    }

    private static func isDigits(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
