import Database
import Foundation
import PostgresNIO

/// The records that a file's reference cells may name (a contact's account, by id or by name),
/// read once per check from the workspace.
struct ImportReferences: Sendable {
    private struct Index: Sendable {
        let reference: ImportReference
        /// normalised key → the ids of the records that have it
        let ids: [String: [UUID]]
    }

    /// By the name of the reference field.
    private var indexes: [String: Index] = [:]

    /// Reads the records every reference field of `fields` may name.
    static func load(for fields: [ImportField], in transaction: Transaction) async throws -> ImportReferences {
        var references = ImportReferences()
        for field in fields {
            guard case .reference(let reference) = field.value else { continue }
            let rows = try await transaction.rows("""
                SELECT id, \(identifier: reference.matchColumn)::text FROM \(identifier: reference.table)
                """, as: (UUID, String?).self)
            var ids: [String: [UUID]] = [:]
            for (id, match) in rows {
                guard let match else { continue }
                ids[reference.key(match), default: []].append(id)
            }
            references.indexes[field.name] = Index(reference: reference, ids: ids)
        }
        return references
    }

    /// The records the reference field `field` finds for `cell`: none, one, or (names repeat) several.
    func ids(_ field: String, matching cell: String) -> [UUID] {
        guard let index = indexes[field] else { return [] }
        return index.ids[index.reference.key(cell)] ?? []
    }
}
