import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Synchronization

/// CSV imports of one workspace: upload and check (the preview), change the mapping or the dedupe
/// choice, and commit, all or nothing. Every method takes the tenant first; another tenant's import
/// answers `import_not_found`, exactly like a missing one.
public struct Imports: Sendable {
    let database: Database
    let commitSlots: CommitSlots

    /// The largest upload accepted, far above the 1 MiB of JSON bodies.
    public static let maxUploadBytes = 64 << 20
    /// What an import's rows can become: the values of `object`.
    public static let objectNames = ImportObject.all.map(\.name)
    /// Errors shown with the job; the errors endpoint pages through all of them.
    static let errorsShown = 100
    /// Rows written, and errors stored, per statement.
    static let batchSize = 5_000

    /// `maxConcurrentCommits` bounds the commits running at once in this process. A commit holds one
    /// pooled connection for its transaction and briefly takes a second to publish progress, so with
    /// fewer commits than connections the commits can never hold every connection and wait for one.
    public init(database: Database, maxConcurrentCommits: Int = 4) {
        self.database = database
        self.commitSlots = CommitSlots(limit: maxConcurrentCommits)
    }

    // MARK: Upload and preview

    /// Reads the file (UTF-8, UTF-8 with a byte order mark, or GB18030), proposes a mapping from its
    /// header, checks every row, and keeps the file and the errors as a new import.
    public func create(_ tenant: TenantID, by user: UserID, object objectName: String?, dedupe: String?,
                       fileName: String?, bytes: [UInt8]) async throws -> ImportJob {
        let object = try Self.object(named: objectName)
        let dedupe = try Self.dedupe(dedupe) ?? .skip
        let (file, header, records) = try await Self.offEventLoops {
            let file = try ImportFile(bytes: bytes)
            let (header, records) = try file.records()
            return (file, header, records)
        }
        let id = ImportID()
        let fileName = fileName.map { String($0.prefix(255)) }
        return try await database.withTenant(tenant) { transaction in
            let customFields = try await CustomFieldDefinitions.all(object.customFieldObject, in: transaction)
            let mapping = ImportCheck.proposedMapping(for: header, fields: object.fields(with: customFields))
            let check = try ImportCheck(object: object, customFields: customFields, header: header, mapping: mapping)
            let references = try await ImportReferences.load(for: check.columns, in: transaction)
            let outcome = try await Self.offEventLoops { check.check(records, references: references) }
            let rows = try await transaction.rows("""
                INSERT INTO imports (tenant_id, id, object, file_name, encoding, header, mapping, dedupe, content, total_rows,
                                     error_count, preview, status, created_by)
                VALUES (\(tenant.uuid), \(id.uuid), \(object.name), \(fileName), \(file.encoding.rawValue), \(header),
                        \(Self.stored(mapping)), \(dedupe.rawValue), \(file.text), \(outcome.rowCount), \(outcome.errors.count),
                        \(try Self.json(outcome.preview))::jsonb, 'ready', \(user.uuid))
                RETURNING \(columns: Self.columns)
                """, as: Self.Row.self)
            try await Self.store(outcome.errors, of: id, in: transaction)
            return try Self.job(rows[0], errors: Array(outcome.errors.prefix(Self.errorsShown)), customFields: customFields)
        }
    }

    public func get(_ tenant: TenantID, _ id: ImportID) async throws -> ImportJob {
        try await database.withTenant(tenant) { transaction in
            let rows = try await transaction.rows("SELECT \(columns: Self.columns) FROM imports WHERE id = \(id.uuid)", as: Self.Row.self)
            guard let row = rows.first else { throw GuanxiError.notFound("import") }
            let errors = try await Self.errors(of: id, after: nil, limit: Self.errorsShown, in: transaction)
            let customFields = try await CustomFieldDefinitions.all(try Self.object(named: row.1).customFieldObject, in: transaction)
            return try Self.job(row, errors: errors.map(\.error), customFields: customFields)
        }
    }

    /// Every error of the import, in row order, a page at a time.
    public func errors(_ tenant: TenantID, _ id: ImportID, _ page: PageRequest) async throws -> Page<ImportRowError> {
        try await database.withTenant(tenant) { transaction in
            let found = try await transaction.rows("SELECT id FROM imports WHERE id = \(id.uuid)", as: UUID.self)
            guard !found.isEmpty else { throw GuanxiError.notFound("import") }
            let errors = try await Self.errors(of: id, after: page.after?.after, limit: page.limit + 1, in: transaction)
            let shown = errors.prefix(page.limit)
            return Page(items: shown.map(\.error), nextCursor: errors.count > page.limit ? shown.last.map { Cursor(after: $0.id) } : nil)
        }
    }

    /// Sets a new mapping and/or dedupe choice and checks every row again under them.
    public func update(_ tenant: TenantID, _ id: ImportID, _ patch: ImportPatch) async throws -> ImportJob {
        let dedupe = try Self.dedupe(patch.dedupe)
        return try await database.withTenant(tenant) { transaction in
            let rows = try await transaction.rows("""
                SELECT object, status, encoding, header, mapping, dedupe, content,
                       CASE WHEN status = 'committing' THEN pg_try_advisory_xact_lock(\(Self.commitLockKey(id))) ELSE false END
                  FROM imports WHERE id = \(id.uuid) FOR UPDATE
                """, as: (String, String, String, [String], [String], String, String?, Bool).self)
            guard let (objectName, status, encoding, header, stored, storedDedupe, content, abandoned) = rows.first else {
                throw GuanxiError.notFound("import")
            }
            try Self.requireOpen(status: status, abandonedCommit: abandoned)
            let object = try Self.object(named: objectName)
            let mapping = patch.mapping ?? Self.mapping(stored)
            let customFields = try await CustomFieldDefinitions.all(object.customFieldObject, in: transaction)
            let check = try ImportCheck(object: object, customFields: customFields, header: header, mapping: mapping)
            let file = ImportFile(encoding: ImportEncoding(rawValue: encoding) ?? .utf8, text: content ?? "")
            let references = try await ImportReferences.load(for: check.columns, in: transaction)
            let outcome = try await Self.offEventLoops { check.check(try file.records().rows, references: references) }
            try await transaction.query("DELETE FROM import_errors WHERE import_id = \(id.uuid)")
            try await Self.store(outcome.errors, of: id, in: transaction)
            let updated = try await transaction.rows("""
                UPDATE imports SET mapping = \(Self.stored(mapping)), dedupe = \(dedupe?.rawValue ?? storedDedupe),
                       total_rows = \(outcome.rowCount), error_count = \(outcome.errors.count),
                       preview = \(try Self.json(outcome.preview))::jsonb, status = 'ready', processed_rows = 0,
                       failure_code = NULL, failure_message = NULL, updated_at = now()
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Self.Row.self)
            return try Self.job(updated[0], errors: Array(outcome.errors.prefix(Self.errorsShown)), customFields: customFields)
        }
    }

    /// Reading, checking and planning a large file keep a core busy for a while. Swift concurrency
    /// has one thread per core, so this work goes to NIO's thread pool, as bcrypt does, and the
    /// other requests keep being served meanwhile.
    static func offEventLoops<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    // MARK: Storage

    static let columns: ColumnList = """
        id, object, status, file_name, encoding, dedupe, header, mapping, total_rows, error_count, preview, processed_rows, \
        created_rows, updated_rows, skipped_rows, failure_code, failure_message, created_at, updated_at, committed_at
        """
    typealias Row = (UUID, String, String, String?, String, String, [String], [String], Int, Int, String, Int,
                     Int, Int, Int, String?, String?, Date, Date, Date?)

    /// The import as the API shows it; `customFields` are the object's definitions, which its
    /// `fields` list after the object's own.
    static func job(_ row: Row, errors: [ImportRowError], customFields: [CustomFieldDefinition]) throws -> ImportJob {
        let (id, objectName, status, fileName, encoding, dedupe, header, mapping, total, errorCount, preview, processed,
             created, updated, skipped, failureCode, failureMessage, createdAt, updatedAt, committedAt) = row
        let object = try Self.object(named: objectName)
        let fields = Self.mapping(mapping)
        return ImportJob(
            id: ImportID(id), object: objectName, status: ImportStatus(rawValue: status) ?? .failed, fileName: fileName,
            encoding: ImportEncoding(rawValue: encoding) ?? .utf8, dedupe: ImportDedupe(rawValue: dedupe) ?? .skip, rowCount: total,
            columns: header.enumerated().map { ImportColumn(index: $0.offset, header: $0.element, field: fields[$0.offset]) },
            fields: object.fields(with: customFields).map { ImportFieldDescription(name: $0.name, required: $0.required) },
            preview: try JSONDecoder().decode([ImportPreviewRow].self, from: Data(preview.utf8)),
            errorCount: errorCount, errors: errors, processedRows: processed, createdRows: created, updatedRows: updated,
            skippedRows: skipped, failure: failureCode.map { ImportFailure(code: $0, message: failureMessage ?? "") },
            createdAt: createdAt, updatedAt: updatedAt, committedAt: committedAt)
    }

    /// The mapping as stored: a field name per column, '' for a column not imported.
    static func stored(_ mapping: [String?]) -> [String] { mapping.map { $0 ?? "" } }
    static func mapping(_ stored: [String]) -> [String?] { stored.map { $0.isEmpty ? nil : $0 } }

    static func json(_ preview: [ImportPreviewRow]) throws -> String {
        String(decoding: try JSONEncoder().encode(preview), as: UTF8.self)
    }

    /// Replaces nothing: the caller deletes the old errors first. Ids are made in row order, so
    /// paging by id pages by row.
    static func store(_ errors: [ImportRowError], of id: ImportID, in transaction: Transaction) async throws {
        for start in stride(from: 0, to: errors.count, by: batchSize) {
            let batch = errors[start..<min(start + batchSize, errors.count)]
            try await transaction.query("""
                INSERT INTO import_errors (tenant_id, import_id, id, row_number, field, column_name, code, message)
                SELECT \(transaction.tenant?.uuid), \(id.uuid), e.id, e.row_number, e.field, nullif(e.column_name, ''), e.code, e.message
                  FROM unnest(\(batch.map { _ in UUID.version7() })::uuid[], \(batch.map(\.row))::integer[],
                              \(batch.map(\.field))::text[], \(batch.map { $0.column ?? "" })::text[],
                              \(batch.map(\.code))::text[], \(batch.map(\.message))::text[])
                       AS e(id, row_number, field, column_name, code, message)
                """)
        }
    }

    static func errors(of id: ImportID, after: UUID?, limit: Int, in transaction: Transaction) async throws
        -> [(id: UUID, error: ImportRowError)] {
        try await transaction.rows("""
            SELECT id, row_number, field, column_name, code, message FROM import_errors
             WHERE import_id = \(id.uuid) AND id > \(after ?? UUID.minimum)
             ORDER BY id LIMIT \(limit)
            """, as: (UUID, Int, String, String?, String, String).self)
        .map { ($0.0, ImportRowError(row: $0.1, field: $0.2, column: $0.3, code: $0.4, message: $0.5)) }
    }

    // MARK: Checks

    static func object(named name: String?) throws -> ImportObject {
        guard let name, let object = ImportObject.named(name) else {
            throw GuanxiError(.malformed, code: "invalid_parameter",
                              message: "object must be one of \(ImportObject.all.map(\.name).joined(separator: ", ")).",
                              details: ["parameter": "object"])
        }
        return object
    }

    static func dedupe(_ text: String?) throws -> ImportDedupe? {
        guard let text else { return nil }
        guard let dedupe = ImportDedupe(rawValue: text) else {
            throw GuanxiError.invalidField("dedupe", "dedupe must be one of skip, update, create.")
        }
        return dedupe
    }

    /// A committed import is final; one being committed cannot change until its commit ends.
    /// `abandonedCommit` is a `committing` import whose commit no transaction holds any more (the
    /// process ended mid-way): it may change and be committed again.
    static func requireOpen(status: String, abandonedCommit: Bool) throws {
        switch ImportStatus(rawValue: status) {
        case .committed:
            throw GuanxiError(.conflict, code: "import_committed", message: "This import is already committed; upload the file again to import it anew.")
        case .committing where !abandonedCommit:
            throw GuanxiError(.conflict, code: "import_in_progress", message: "This import is being committed; follow its progress with GET.")
        default:
            return
        }
    }

    /// The transaction-level advisory lock a commit holds for its whole transaction.
    static func commitLockKey(_ id: ImportID) -> Int64 {
        // The id's last 8 bytes are random (UUID v7), so they make a key that does not collide in practice.
        withUnsafeBytes(of: id.uuid.uuid) { $0.loadUnaligned(fromByteOffset: 8, as: Int64.self) }
    }
}

/// How many commits may run at once in this process.
final class CommitSlots: Sendable {
    private let inUse = Mutex(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func enter() -> Bool {
        inUse.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { inUse.withLock { $0 -= 1 } }
}
