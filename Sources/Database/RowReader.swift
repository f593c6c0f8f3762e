import GuanxiCore
import PostgresNIO

/// Reads a row's columns in order, one concrete type at a time. Hot reads use it instead of
/// decoding into a tuple, whose type the runtime would look up again on every row.
public struct RowReader {
    private var cells: PostgresRow.Iterator

    public init(_ row: PostgresRow) { self.cells = row.makeIterator() }

    public mutating func next<Value: PostgresDecodable>(_ type: Value.Type = Value.self) throws -> Value {
        guard let cell = cells.next() else {
            throw GuanxiError(.internalFailure, code: "internal_error", message: "A row had fewer columns than expected.")
        }
        return try cell.decode(Value.self)
    }
}
