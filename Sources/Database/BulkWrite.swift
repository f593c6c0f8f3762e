import Foundation
import GuanxiCore
import PostgresNIO

/// A table or column name written in code (never taken from a request), for SQL that is put
/// together from a description of a table, as imports do. Checked to be a plain lower-case
/// identifier, the only form in which it enters SQL unbound.
public struct SQLIdentifier: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let name: String

    public init(_ name: String) {
        precondition(name.first.map { $0.isLetter || $0 == "_" } == true
                     && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" },
                     "SQL identifiers here are plain lower-case names")
        self.name = name
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { name }
}

extension PostgresQuery.StringInterpolation {
    public mutating func appendInterpolation(identifier: SQLIdentifier) {
        appendInterpolation(unescaped: identifier.name)
    }
}

extension ColumnList {
    /// The identifiers, in order, as a column list.
    public init(_ identifiers: [SQLIdentifier]) {
        self.init(stringLiteral: identifiers.map(\.name).joined(separator: ", "))
    }
}

/// Writes many rows of one tenant table in batches, inside one tenant transaction. Each batch is
/// sent with `COPY` into a temporary table whose columns have the target's types (COPY cannot
/// write into a table under row-level security), and goes from there into the target with one
/// statement, under the tenant's policy and with the table's triggers. The temporary table is
/// dropped when the transaction ends.
public struct BulkWriter: Sendable {
    let transaction: Transaction
    let table: SQLIdentifier
    /// The written columns after `id`, in the order of each row's values.
    let columns: [SQLIdentifier]
    /// jsonb object columns that an update merges into the record's instead of replacing.
    let merging: Set<SQLIdentifier>
    static let stage: SQLIdentifier = "bulk_stage"

    /// Prepares batches for `table` (which has `tenant_id`, `id` and `updated_at`): each row is
    /// its id followed by one value per column of `columns`. An update merges the columns of
    /// `merging` (jsonb objects) key by key: the keys a row gives replace the record's, the
    /// others stay.
    public init(_ transaction: Transaction, table: SQLIdentifier, columns: [SQLIdentifier],
                merging: Set<SQLIdentifier> = []) async throws {
        self.transaction = transaction
        self.table = table
        self.columns = columns
        self.merging = merging
        try await transaction.query("""
            CREATE TEMPORARY TABLE \(identifier: Self.stage) ON COMMIT DROP AS
            SELECT \(columns: ColumnList(["id"] + columns)) FROM \(identifier: table) WITH NO DATA
            """)
    }

    /// Inserts the rows as new records of the transaction's tenant. Values are text as PostgreSQL
    /// reads it for the column's type; `nil` is NULL.
    public func insert(_ rows: [BulkRow]) async throws {
        guard let tenant = transaction.tenant else { preconditionFailure("bulk writes are tenant writes") }
        try await stage(rows)
        let all = ColumnList(["id"] + columns)
        try await transaction.query("""
            INSERT INTO \(identifier: table) (tenant_id, \(columns: all))
            SELECT \(tenant.uuid), \(columns: all) FROM \(identifier: Self.stage)
            """)
    }

    /// Sets, on the existing record with each row's id, every column whose value is not `nil`, and
    /// `updated_at`. Columns given as `nil` keep their value; those of `merging` get the row's keys.
    public func update(_ rows: [BulkRow]) async throws {
        try await stage(rows)
        let assignments = columns.map { column in
            merging.contains(column) ? "\(column) = t.\(column) || coalesce(s.\(column), '{}')" : "\(column) = coalesce(s.\(column), t.\(column))"
        }.joined(separator: ", ")
        // Every name in `assignments` is a checked identifier.
        try await transaction.query(PostgresQuery(unsafeSQL: """
            UPDATE \(table) AS t SET \(assignments), updated_at = now()
              FROM \(Self.stage) AS s WHERE t.id = s.id
            """))
    }

    private func stage(_ rows: [BulkRow]) async throws {
        try await transaction.query("TRUNCATE \(identifier: Self.stage)")
        var buffer = ByteBuffer()
        for row in rows {
            precondition(row.values.count == columns.count, "a value for every column")
            buffer.writeString(row.id.uuidString)
            for value in row.values {
                buffer.writeInteger(UInt8(ascii: "\t"))
                Self.writeCopyText(value, to: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        do {
            try await transaction.connection.copyFrom(table: Self.stage.name, columns: (["id"] + columns).map(\.name),
                                                      logger: transaction.logger) { writer in
                try await writer.write(buffer)
            }
        } catch let error as PSQLError {
            throw error.guanxiError
        }
    }

    /// COPY's text format: backslash escapes for the characters that separate fields and rows.
    static func writeCopyText(_ value: String?, to buffer: inout ByteBuffer) {
        guard let value else {
            buffer.writeStaticString("\\N")
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}

/// One record for `BulkWriter`: its id and one value per written column.
public struct BulkRow: Sendable {
    public var id: UUID
    public var values: [String?]

    public init(id: UUID, values: [String?]) {
        self.id = id
        self.values = values
    }
}
