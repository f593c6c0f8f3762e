import Foundation
import GuanxiCore

/// A custom field's type with the checks its values must pass. Shown and written as the
/// definition's `rules` object, which holds every rule of the type (`null` when not set):
///
/// | type | rules |
/// |---|---|
/// | `text` | `max_length` (1–10000 characters, 1000 unless set) |
/// | `number` | `min`, `max`, `scale` (decimal places, 0–6, 0 unless set); values below 10¹² in size |
/// | `money` | `currency` (every value in it; any currency when not set), `min`, `max` (minor units) |
/// | `date` | `min`, `max` (`YYYY-MM-DD`) |
/// | `boolean`, `single_choice`, `multi_choice` | none (the choices are the field's `options`) |
public enum CustomFieldRules: Sendable, Equatable {
    case text(maxLength: Int)
    case number(min: Decimal?, max: Decimal?, scale: Int)
    case money(currency: String?, min: Int64?, max: Int64?)
    case date(min: CalendarDate?, max: CalendarDate?)
    case boolean
    case singleChoice
    case multiChoice

    static let defaultMaxLength = 1000
    static let maxLengths = 1...10_000
    static let scales = 0...6
    /// Amounts stay within ±(10¹⁵ − 1) minor units, like deals' amounts.
    static let largestAmount: Int64 = 999_999_999_999_999
    /// Numbers stay below 10¹² in size: with their 6 decimal places at most, a number times 10⁶
    /// fits a bigint, which is how the filters' index compares them.
    static let numbers = Decimal(string: "-999999999999.999999")!...Decimal(string: "999999999999.999999")!

    /// Each rule and the types it belongs to.
    static let ruleTypes: [String: [CustomFieldType]] = [
        "max_length": [.text], "scale": [.number], "currency": [.money],
        "min": [.number, .money, .date], "max": [.number, .money, .date],
    ]

    public var type: CustomFieldType {
        switch self {
        case .text: .text
        case .number: .number
        case .money: .money
        case .date: .date
        case .boolean: .boolean
        case .singleChoice: .singleChoice
        case .multiChoice: .multiChoice
        }
    }

    /// Reads the rules of a field of `type` from the JSON a client sent (or that was stored); a rule
    /// left out or `null` takes its default. Errors name the rule, as `rules.max_length`.
    init(_ json: [String: CustomFieldValue]?, for type: CustomFieldType) throws {
        let json = json ?? [:]
        for name in json.keys.sorted() {
            guard let types = Self.ruleTypes[name] else {
                throw GuanxiError(.invalid, code: "unknown_field",
                                  message: "rules.\(name) is not a rule; rules are \(Self.ruleTypes.keys.sorted().joined(separator: ", ")).",
                                  details: ["field": "rules.\(name)"])
            }
            guard types.contains(type) || json[name] == .null else {
                throw GuanxiError.invalidField("rules.\(name)", "\(name) is a rule of \(types.map(\.rawValue).joined(separator: ", ")) fields, not of \(type.rawValue) fields.")
            }
        }
        func rule(_ name: String) -> CustomFieldValue? { json[name].flatMap { $0 == .null ? nil : $0 } }
        switch type {
        case .text:
            self = .text(maxLength: try rule("max_length").map { Int(try Self.whole($0, rule: "max_length", in: Self.maxLengths)) }
                ?? Self.defaultMaxLength)
        case .number:
            func bound(_ name: String) throws -> Decimal? {
                try rule(name).map { value in
                    guard case .number(let number) = value, Self.numbers.contains(number) else {
                        throw GuanxiError.invalidField("rules.\(name)", "\(name) must be a number from \(Self.numbers.lowerBound) to \(Self.numbers.upperBound).")
                    }
                    return number
                }
            }
            let (min, max) = (try bound("min"), try bound("max"))
            try Self.requireOrdered(min, max)
            self = .number(min: min, max: max, scale: try rule("scale").map { Int(try Self.whole($0, rule: "scale", in: Self.scales)) } ?? 0)
        case .money:
            let amounts = -Int(Self.largestAmount)...Int(Self.largestAmount)
            let (min, max) = (try rule("min").map { try Self.whole($0, rule: "min", in: amounts) },
                              try rule("max").map { try Self.whole($0, rule: "max", in: amounts) })
            try Self.requireOrdered(min, max)
            let currency = try rule("currency").map { value in
                guard case .string(let text) = value, let code = Self.currencyCode(text) else {
                    throw GuanxiError.invalidField("rules.currency", "currency is an ISO 4217 code such as CNY or USD.")
                }
                return code
            }
            self = .money(currency: currency, min: min, max: max)
        case .date:
            func bound(_ name: String) throws -> CalendarDate? {
                try rule(name).map { value in
                    guard case .string(let text) = value, let day = CalendarDate(text) else {
                        throw GuanxiError.invalidField("rules.\(name)", "\(name) must be a date written YYYY-MM-DD, such as 2026-03-31.")
                    }
                    return day
                }
            }
            let (min, max) = (try bound("min"), try bound("max"))
            try Self.requireOrdered(min, max)
            self = .date(min: min, max: max)
        case .boolean: self = .boolean
        case .singleChoice: self = .singleChoice
        case .multiChoice: self = .multiChoice
        }
    }

    /// The rules as the definition's `rules` object: every rule of the type, `null` when not set.
    var json: CustomFieldValue {
        switch self {
        case .text(let maxLength):
            .object(["max_length": .number(Decimal(maxLength))])
        case .number(let min, let max, let scale):
            .object(["min": min.map(CustomFieldValue.number) ?? .null, "max": max.map(CustomFieldValue.number) ?? .null,
                     "scale": .number(Decimal(scale))])
        case .money(let currency, let min, let max):
            .object(["currency": currency.map(CustomFieldValue.string) ?? .null,
                     "min": min.map { .number(Decimal($0)) } ?? .null, "max": max.map { .number(Decimal($0)) } ?? .null])
        case .date(let min, let max):
            .object(["min": min.map { .string($0.description) } ?? .null, "max": max.map { .string($0.description) } ?? .null])
        case .boolean, .singleChoice, .multiChoice:
            .object([:])
        }
    }

    // MARK: Helpers shared with the values' checks

    /// The whole number `value` holds, if it is one that fits an `Int64`.
    static func wholeNumber(_ value: CustomFieldValue) -> Int64? {
        guard case .number(let number) = value, fits(number, decimalPlaces: 0) else { return nil }
        return Int64(number.description)
    }

    /// Whether `number` has at most `places` digits after the decimal point (trailing zeros do not count).
    static func fits(_ number: Decimal, decimalPlaces places: Int) -> Bool {
        var value = number
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, places, .plain)
        return rounded == number
    }

    /// `text` as an ISO 4217 code, upper case; `nil` if it is not three letters.
    static func currencyCode(_ text: String) -> String? {
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        // Not a Regex, which takes about 30 µs a match: imports check a currency per cell.
        return code.utf8.count == 3 && code.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) ? code : nil
    }

    private static func whole(_ value: CustomFieldValue, rule: String, in range: ClosedRange<Int>) throws -> Int64 {
        guard let number = wholeNumber(value), range.contains(Int(number)) else {
            throw GuanxiError.invalidField("rules.\(rule)", "\(rule) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }

    private static func requireOrdered<Bound: Comparable>(_ min: Bound?, _ max: Bound?) throws {
        if let min, let max, min > max {
            throw GuanxiError.invalidField("rules.min", "min must not be greater than max.")
        }
    }
}
