import PostgresNIO

/// A part of a `WHERE` clause whose shape depends on the request, such as the custom field filters
/// of a list (one condition per filter given): written like a query (`"key = \(key) AND value >= \(day)"`),
/// its string literals become SQL and every interpolated value a bound parameter. It enters a query
/// as `\(condition: …)`, where its values are numbered after the query's own, so no text a client
/// sent ever becomes SQL.
public struct SQLCondition: Sendable, ExpressibleByStringInterpolation {
    fileprivate enum Part: Sendable {
        case sql(String)
        case value(any PostgresThrowingDynamicTypeEncodable & Sendable)
        case null
    }

    fileprivate var parts: [Part]

    public init(stringLiteral value: String) { parts = [.sql(value)] }

    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    public struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) { parts.append(.sql(literal)) }

        public mutating func appendInterpolation<Value: PostgresThrowingDynamicTypeEncodable & Sendable>(_ value: Value) {
            parts.append(.value(value))
        }

        public mutating func appendInterpolation<Value: PostgresThrowingDynamicTypeEncodable & Sendable>(_ value: Value?) {
            parts.append(value.map { .value($0) } ?? .null)
        }
    }

    /// True for every row: no condition.
    public static let always: SQLCondition = "TRUE"

    /// Every one of `conditions` (`always` when there are none).
    public static func all(_ conditions: [SQLCondition]) -> SQLCondition {
        guard !conditions.isEmpty else { return always }
        var joined = SQLCondition(parts: [])
        for (index, condition) in conditions.enumerated() {
            joined.parts.append(.sql(index == 0 ? "(" : ") AND ("))
            joined.parts += condition.parts
        }
        joined.parts.append(.sql(")"))
        return joined
    }

    private init(parts: [Part]) { self.parts = parts }
}

extension PostgresQuery.StringInterpolation {
    /// Appends `condition`'s SQL, binding its values after those already in the query.
    public mutating func appendInterpolation(condition: SQLCondition) throws {
        for part in condition.parts {
            switch part {
            case .sql(let text): appendLiteral(text)
            case .value(let value): try appendInterpolation(value)
            case .null: appendInterpolation(String?.none)
            }
        }
    }
}
