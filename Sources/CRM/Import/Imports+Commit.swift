import Database
import Foundation
import GuanxiCore
import PostgresNIO

extension Imports {
    /// Writes every row in one transaction, or none. Refused while the import has errors (409
    /// `import_has_errors`). Rows are checked again first, since the records they name may have
    /// changed since the preview; then duplicates are resolved, and the records written in batches,
    /// publishing `processed_rows` after each batch from a separate short transaction so that
    /// `GET` shows progress while this one is open. A failure (the plan's quota, say) writes no
    /// record and leaves the import `failed` with the reason, and is thrown. `authorize` is given
    /// the import's object before anything is written, and refuses by throwing (the gateway's
    /// role rules: only those who may create leads import them).
    public func commit(_ tenant: TenantID, _ id: ImportID, authorize: (String) throws -> Void = { _ in }) async throws -> ImportJob {
        guard commitSlots.enter() else {
            throw GuanxiError(.unavailable, code: "imports_busy",
                              message: "This server is committing \(commitSlots.limit) imports already; retry in a few seconds.",
                              details: ["retry_after_seconds": "5"])
        }
        defer { commitSlots.leave() }
        var started = false
        do {
            let outcome = try await database.withTenant(tenant) { transaction in
                try await commit(id, in: transaction, authorize: authorize) {
                    try await publish(tenant, id, status: .committing, processed: 0)
                    started = true
                } progress: { processed in
                    // Progress only informs; the import goes on if it cannot be shown.
                    do {
                        try await publish(tenant, id, status: .committing, processed: processed)
                    } catch {
                        database.logger.warning("import progress not recorded", metadata: ["import": "\(id)", "error": "\(error)"])
                    }
                }
            }
            return try outcome.get()
        } catch let error as GuanxiError where started {
            try await recordFailure(tenant, id, error)
            throw error
        }
    }

    private func recordFailure(_ tenant: TenantID, _ id: ImportID, _ failure: GuanxiError) async throws {
        try await database.withTenant(tenant) { transaction in
            try await transaction.query("""
                UPDATE imports SET status = 'failed', processed_rows = 0, failure_code = \(failure.code),
                       failure_message = \(failure.message), updated_at = now()
                 WHERE id = \(id.uuid)
                """)
        }
    }

    /// The commit's transaction. Returns a failure, instead of throwing, when the rows no longer
    /// pass: this transaction then stores their errors (and nothing else) before the import is
    /// marked failed.
    private func commit(_ id: ImportID, in transaction: Transaction, authorize: (String) throws -> Void,
                        started: () async throws -> Void,
                        progress: (Int) async -> Void) async throws -> Result<ImportJob, GuanxiError> {
        let held = try await transaction.rows("SELECT pg_try_advisory_xact_lock(\(Self.commitLockKey(id)))", as: Bool.self)
        guard held.first == true else {
            throw GuanxiError(.conflict, code: "import_in_progress", message: "This import is being committed; follow its progress with GET.")
        }
        let rows = try await transaction.rows("""
            SELECT object, status, encoding, header, mapping, dedupe, content, error_count FROM imports WHERE id = \(id.uuid)
            """, as: (String, String, String, [String], [String], String, String?, Int).self)
        guard let (objectName, status, encoding, header, mapping, dedupeText, content, errorCount) = rows.first else {
            throw GuanxiError.notFound("import")
        }
        try Self.requireOpen(status: status, abandonedCommit: true)
        try authorize(objectName)
        guard errorCount == 0 else { throw Self.hasErrors(errorCount) }
        try await started()

        let object = try Self.object(named: objectName)
        // Share-locked until the commit ends, as the API's writes do: the fields written, and the
        // required ones, cannot change type, lose a choice or go away under the commit.
        let fieldNames = Self.mapping(mapping)
        let customFields = try await CustomFieldDefinitions.forWriting(
            object.customFieldObject, keys: ImportField.customFieldKeys(in: fieldNames), includingRequired: true, in: transaction)
        let check = try ImportCheck(object: object, customFields: customFields, header: header, mapping: fieldNames)
        let file = ImportFile(encoding: ImportEncoding(rawValue: encoding) ?? .utf8, text: content ?? "")
        let references = try await ImportReferences.load(for: check.columns, in: transaction)
        let outcome = try await Self.offEventLoops { check.check(try file.records().rows, references: references) }
        guard outcome.errors.isEmpty else {
            try await Self.store(outcome.errors, of: id, in: transaction)
            try await transaction.query("""
                UPDATE imports SET error_count = \(outcome.errors.count), updated_at = now() WHERE id = \(id.uuid)
                """)
            return .failure(Self.hasErrors(outcome.errors.count))
        }

        let dedupe = ImportDedupe(rawValue: dedupeText) ?? .skip
        let existing = dedupe == .create ? ExistingKeys() : try await ExistingKeys.load(object, columns: check.columns, dedupe: dedupe, in: transaction)
        let plan = try await Self.offEventLoops {
            ImportPlan(rows: outcome.rows, columns: check.columns, keys: object.dedupeKeys, existing: existing, dedupe: dedupe)
        }
        let writer = try await BulkWriter(transaction, table: object.table, columns: check.writtenColumns, merging: ["custom_fields"])
        var processed = plan.skipped
        for (records, write) in [(plan.inserts, writer.insert), (plan.updates, writer.update)] {
            for start in stride(from: 0, to: records.count, by: Self.batchSize) {
                let batch = records[start..<min(start + Self.batchSize, records.count)]
                try await write(batch.map { BulkRow(id: $0.id, values: check.writtenValues($0.values)) })
                processed += batch.reduce(0) { $0 + $1.rows }
                await progress(processed)
            }
        }
        let committed = try await transaction.rows("""
            UPDATE imports SET status = 'committed', processed_rows = \(outcome.rowCount), created_rows = \(plan.inserts.count),
                   updated_rows = \(plan.updates.count), skipped_rows = \(plan.skipped), content = NULL,
                   failure_code = NULL, failure_message = NULL, committed_at = now(), updated_at = now()
             WHERE id = \(id.uuid)
            RETURNING \(columns: Self.columns)
            """, as: Self.Row.self)
        return .success(try Self.job(committed[0], errors: [],
                                     customFields: try await CustomFieldDefinitions.all(object.customFieldObject, in: transaction)))
    }

    /// Sets the import's status and progress in a short transaction of its own, so that readers see
    /// it while the commit's transaction is still open.
    private func publish(_ tenant: TenantID, _ id: ImportID, status: ImportStatus, processed: Int) async throws {
        try await database.withTenant(tenant) { transaction in
            try await transaction.query("""
                UPDATE imports SET status = \(status.rawValue), processed_rows = \(processed), updated_at = now() WHERE id = \(id.uuid)
                """)
        }
    }

    static func hasErrors(_ count: Int) -> GuanxiError {
        GuanxiError(.conflict, code: "import_has_errors",
                    message: "\(count) problems in the rows must be fixed first: correct the file and upload it again, or change the mapping.",
                    details: ["error_count": "\(count)"])
    }
}
