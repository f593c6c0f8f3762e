import Database
import GuanxiCore
import PostgresNIO

/// The custom field columns of an export: one per definition of the list's object, after the
/// list's own columns, in the definitions' order (position, then creation). A column is headed by
/// the field's label in the workspace's language (`label_zh` in a Chinese workspace, when set);
/// when that would repeat the header of an earlier column, in the way an import compares headers,
/// the key is added, `Region (region)`, and failing that the header is `cf.<key>`. An import
/// recognises each of these as the field's column, and reads its cells back to the same values.
struct CustomFieldColumns: Sendable {
    let headers: [String]
    private let keys: [String]

    /// Reads the object's definitions and the workspace's language, once per export.
    static func load(_ object: CustomFieldObject, after standard: [String], tenant: TenantID,
                     database: Database) async throws -> CustomFieldColumns {
        let (definitions, locale) = try await database.withTenant(tenant) { transaction in
            (try await CustomFieldDefinitions.all(object, in: transaction),
             try await transaction.rows("SELECT locale FROM tenants", as: String.self).first ?? "en")
        }
        return CustomFieldColumns(definitions, locale: locale, after: standard)
    }

    init(_ definitions: [CustomFieldDefinition], locale: String, after standard: [String]) {
        var taken = Set(standard.map(ImportCheck.normalisedHeader))
        var headers: [String] = []
        for definition in definitions {
            let label = definition.label(forLocale: locale)
            let candidates = [label, definition.header(withKey: label)]
            let header = candidates.first { !taken.contains(ImportCheck.normalisedHeader($0)) }
                ?? CustomFieldCellReader.mappingPrefix + definition.key
            taken.insert(ImportCheck.normalisedHeader(header))
            headers.append(header)
        }
        self.headers = headers
        self.keys = definitions.map(\.key)
    }

    /// A record's cells for these columns, as a person reads them (`CustomFieldValue.csvCell`).
    func cells(_ values: CustomFields) -> [String?] {
        keys.map { values[$0]?.csvCell }
    }
}
