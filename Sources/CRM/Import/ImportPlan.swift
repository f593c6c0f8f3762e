import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// The dedupe keys of the records already in the workspace that the member sees: for each key,
/// its value → the oldest record that has it; and, for `update`, the records among them that may
/// not be changed.
struct ExistingKeys: Sendable {
    fileprivate var records: [String: [String: UUID]] = [:]   // by the key's field
    /// Records the member may read but not change (a read-only share), or that are settled (a
    /// converted lead): their duplicates are left out.
    fileprivate var unchangeable: Set<UUID> = []

    /// Reads the stored keys that the mapped `columns` can meet, and, when duplicates are to be
    /// updated, which records may not be.
    static func load(_ object: ImportObject, columns: [ImportField], dedupe: ImportDedupe,
                     in transaction: Transaction) async throws -> ExistingKeys {
        var existing = ExistingKeys()
        if dedupe == .update {
            // record_editable's test: row-level security shows a member records they may only
            // read, and would let an UPDATE of them through.
            existing.unchangeable = Set(try await transaction.rows("""
                SELECT id FROM \(identifier: object.table)
                 WHERE NOT record_matches((SELECT record_access(\(object.kind.rawValue), true)), id, owner_id)
                """, as: UUID.self))
            if let settled = object.settledColumn {
                existing.unchangeable.formUnion(try await transaction.rows("""
                    SELECT id FROM \(identifier: object.table) WHERE \(identifier: settled) IS NOT NULL
                    """, as: UUID.self))
            }
        }
        for key in object.dedupeKeys where columns.contains(where: { $0.name == key.field }) {
            let rows = try await transaction.rows("""
                SELECT id, \(identifier: key.storedColumn)::text FROM \(identifier: object.table)
                 WHERE \(identifier: key.storedColumn) IS NOT NULL ORDER BY id
                """, as: (UUID, String).self)
            var byValue: [String: UUID] = [:]
            for (id, stored) in rows {
                guard let value = key.key(stored), byValue[value] == nil else { continue }
                byValue[value] = id
            }
            existing.records[key.field] = byValue
        }
        return existing
    }
}

/// What a commit writes, decided row by row in file order: new records, changes to existing
/// records, and rows left out.
///
/// A row is a duplicate when one of its keys (in the object's order: email then phone for
/// contacts) equals a key of a record already there or of an earlier row of the file. `skip`
/// leaves duplicates out; `update` writes their non-blank values over the record they duplicate
/// (an earlier row's new record included, so the last row wins) unless the member may not change
/// that record, when the row is left out; `create` makes every row a record.
struct ImportPlan: Sendable {
    /// One record to write: its id, a value per column (`nil`: keep, or NULL for a new record), and
    /// how many rows of the file it stands for.
    struct Record: Sendable {
        let id: UUID
        var values: [String?]
        var rows: Int
    }

    private enum Target: Hashable {
        case new(Int)       // index in `inserts`
        case existing(UUID)
    }

    private(set) var inserts: [Record] = []
    private(set) var updates: [Record] = []
    private(set) var skipped = 0

    init(rows: [ImportCheck.Row], columns: [ImportField], keys: [DedupeKey], existing: ExistingKeys, dedupe: ImportDedupe) {
        inserts.reserveCapacity(rows.count)
        // each usable key: where its value is in a row, and who holds each value so far
        let usable = keys.compactMap { key in columns.firstIndex { $0.name == key.field }.map { (key, $0) } }
        var holders: [[String: Target]] = usable.map { key, _ in (existing.records[key.field] ?? [:]).mapValues(Target.existing) }
        var updateIndex: [UUID: Int] = [:]

        for row in rows {
            guard dedupe != .create else {
                inserts.append(Record(id: UUID.version7(), values: row.values, rows: 1))
                continue
            }
            let rowKeys = usable.map { key, column in row.values[column].flatMap(key.key) }
            let target = rowKeys.enumerated().lazy.compactMap { index, value in value.flatMap { holders[index][$0] } }.first
            let resolved: Target
            switch (target, dedupe) {
            case (nil, _):
                inserts.append(Record(id: UUID.version7(), values: row.values, rows: 1))
                resolved = .new(inserts.count - 1)
            case (.some, .skip), (.some, .create):
                skipped += 1
                continue
            case (.new(let index)?, .update):
                inserts[index].merge(row.values)
                resolved = .new(index)
            case (.existing(let id)?, .update) where existing.unchangeable.contains(id):
                skipped += 1
                continue
            case (.existing(let id)?, .update):
                if let index = updateIndex[id] {
                    updates[index].merge(row.values)
                } else {
                    updateIndex[id] = updates.count
                    updates.append(Record(id: id, values: row.values, rows: 1))
                }
                resolved = .existing(id)
            }
            // The row's other keys now lead to the same record.
            for (index, value) in rowKeys.enumerated() {
                if let value, holders[index][value] == nil { holders[index][value] = resolved }
            }
        }
    }
}

extension ImportPlan.Record {
    /// A later row's non-blank values win.
    mutating func merge(_ values: [String?]) {
        for (index, value) in values.enumerated() where value != nil { self.values[index] = value }
        rows += 1
    }
}
