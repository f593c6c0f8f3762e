import PostgresNIO

/// A fixed list of column names, interpolated into a query as `\(columns: Self.columns)`, so each
/// service writes its column list once. Names are checked to be identifiers, plain or qualified by
/// a table alias (`u.email`): this is the only text that enters SQL unbound.
public struct ColumnList: Sendable, ExpressibleByStringLiteral {
    let sql: String

    public init(stringLiteral value: String) {
        precondition(value.allSatisfy { $0.isLetter || $0.isNumber || "_., ".contains($0) }, "column lists hold identifiers only")
        self.sql = value
    }
}

extension PostgresQuery.StringInterpolation {
    public mutating func appendInterpolation(columns: ColumnList) {
        appendInterpolation(unescaped: columns.sql)
    }
}
