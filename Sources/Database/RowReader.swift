import GuanxiCore
import PostgresNIO

/// Reads a row's columns in order, one concrete type at a time. Hot reads use it instead of
/// decoding into a tuple, whose type the runtime would look up again on every row. Inlinable, so
/// that each caller's module specializes `next` for its column types instead of going through the
/// generic one (which looked up type metadata for every column).
public struct RowReader {
    @usableFromInline var cells: PostgresRow.Iterator

    @inlinable public init(_ row: PostgresRow) { self.cells = row.makeIterator() }

    @inlinable public mutating func next<Value: PostgresDecodable>(_ type: Value.Type = Value.self) throws -> Value {
        guard let cell = cells.next() else { throw Self.missingColumn }
        return try cell.decode(Value.self)
    }

    @usableFromInline static let missingColumn = GuanxiError(.internalFailure, code: "internal_error",
                                                             message: "A row had fewer columns than expected.")
}
