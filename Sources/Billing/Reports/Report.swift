import Foundation

/// One value of a report cell: reports are integers (minor units, counts, basis points) and text.
public enum ReportValue: Sendable, Equatable, Encodable {
    case int(Int64)
    case text(String)
    case null

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    var csv: String {
        switch self {
        case .int(let value): String(value)
        case .null: ""
        case .text(let value):
            value.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
    }
}

/// A row of a report: named cells in a fixed order, so JSON and CSV come from the same list.
public struct ReportRow: Sendable, Equatable, Encodable {
    public let cells: [(name: String, value: ReportValue)]

    /// `values` in the order of `columns`.
    public init(_ columns: [String], _ values: [ReportValue]) {
        precondition(columns.count == values.count, "a value for every column")
        self.cells = zip(columns, values).map { (name: $0.0, value: $0.1) }
    }

    public subscript(_ name: String) -> ReportValue? { cells.first { $0.name == name }?.value }

    /// The integer in cell `name` (0 when it is not one): for sums and checks.
    public func int(_ name: String) -> Int64 {
        if case .int(let value)? = self[name] { return value }
        return 0
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CellKey.self)
        for cell in cells { try container.encode(cell.value, forKey: CellKey(stringValue: cell.name)) }
    }

    public static func == (a: ReportRow, b: ReportRow) -> Bool {
        a.cells.map(\.name) == b.cells.map(\.name) && a.cells.map(\.value) == b.cells.map(\.value)
    }

    struct CellKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// A host report: its name, the months it covers, and its rows.
public struct Report: Sendable, Encodable {
    public var name: String
    public var from: BillingMonth?
    public var to: BillingMonth?
    public var columns: [String]
    public var rows: [ReportRow]

    public init(name: String, from: BillingMonth?, to: BillingMonth?, columns: [String], rows: [ReportRow]) {
        self.name = name
        self.from = from
        self.to = to
        self.columns = columns
        self.rows = rows
    }

    enum CodingKeys: String, CodingKey { case name = "report", from, to, rows = "data" }

    /// RFC 4180 CSV: a header of the cell names, then one line per row.
    public func csv() -> String {
        let lines = [columns.joined(separator: ",")] + rows.map { $0.cells.map(\.value.csv).joined(separator: ",") }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
