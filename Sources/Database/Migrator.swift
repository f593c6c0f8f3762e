import Crypto
import Foundation
import GuanxiCore
import Logging
import PostgresNIO

/// One file of `Migrations/`: `NNNN_verb_object.sql`, its statements split on lines that read `--;;`
/// (PostgresNIO sends one statement per query).
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    public static let statementSeparator = "--;;"

    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public var statements: [String] {
        sql.components(separatedBy: "\n")
            .split(whereSeparator: { $0.trimmingCharacters(in: .whitespaces) == Migration.statementSeparator })
            .map { $0.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }

    /// Reads every `NNNN_*.sql` in `directory`, ordered by number; two files with one number are refused.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        var migrations: [Migration] = []
        for file in files {
            guard let version = Int(file.prefix(while: \.isNumber)) else {
                throw GuanxiError(.invalid, code: "invalid_migration_name", message: "Migration \(file) must start with its number, e.g. 0001_create_tenants.sql.")
            }
            if migrations.last?.version == version {
                throw GuanxiError(.invalid, code: "duplicate_migration", message: "Two migrations share number \(version).")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(file.dropLast(4)), sql: sql))
        }
        return migrations
    }
}

/// Applies migrations forward only, each in its own transaction, recorded with a checksum, while
/// holding an advisory lock so that servers starting together apply each file once.
public struct Migrator: Sendable {
    /// An arbitrary constant that names the migration lock ("guanxi" in ASCII).
    static let advisoryLockKey: Int64 = 0x6775_616e_7869
    public let migrations: [Migration]
    let logger: Logger

    public init(migrations: [Migration], logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what is missing and returns the versions applied now. Must run as the owner role.
    @discardableResult
    public func migrate(_ client: PostgresClient) async throws -> [Int] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                let applied = try await self.pending(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                throw error
            }
        }
    }

    /// Throws unless every migration is applied with its current checksum: a server that may not
    /// migrate (an external database) refuses to serve an outdated schema.
    public func verify(_ client: PostgresClient) async throws {
        try await client.withConnection { connection in
            let recorded = try await self.recorded(on: connection)
            try self.checkChecksums(recorded)
            let missing = migrations.filter { recorded[$0.version] == nil }.map(\.name)
            if !missing.isEmpty {
                throw GuanxiError(.unavailable, code: "schema_outdated",
                                  message: "The database lacks migrations \(missing.joined(separator: ", ")); run `guanxi migrate` as the owner role.")
            }
        }
    }

    private func pending(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        // The serving role reads it to refuse an outdated schema (`verify`).
        try await connection.query("GRANT SELECT ON schema_migrations TO PUBLIC", logger: logger)
        let recorded = try await self.recorded(on: connection)
        try checkChecksums(recorded)
        var applied: [Int] = []
        for migration in migrations where recorded[migration.version] == nil {
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            try await connection.query("BEGIN", logger: logger)
            do {
                for statement in migration.statements {
                    // Read the rows out: a statement's error can arrive after its first rows, and
                    // must be reported as this statement's, not as the next one's aborted transaction.
                    for try await _ in try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) {}
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                    logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                let reason = (error as? PSQLError)?.serverInfo?[.message] ?? "\(error)"
                throw GuanxiError(.internalFailure, code: "migration_failed",
                                  message: "Migration \(migration.name) failed and was rolled back: \(reason)")
            }
            applied.append(migration.version)
        }
        return applied
    }

    private func recorded(on connection: PostgresConnection) async throws -> [Int: (name: String, checksum: String)] {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        var present = false
        for try await value in exists.decode(Bool.self) { present = value }
        guard present else { return [:] }
        var recorded: [Int: (name: String, checksum: String)] = [:]
        for try await (version, name, checksum) in try await connection.query(
            "SELECT version, name, checksum FROM schema_migrations", logger: logger
        ).decode((Int, String, String).self) {
            recorded[version] = (name, checksum)
        }
        return recorded
    }

    private func checkChecksums(_ recorded: [Int: (name: String, checksum: String)]) throws {
        for migration in migrations {
            if let previous = recorded[migration.version], previous.checksum != migration.checksum {
                throw GuanxiError(.conflict, code: "migration_edited",
                                  message: "Migration \(migration.name) was edited after it was applied (recorded checksum \(previous.checksum.prefix(12))…, file \(migration.checksum.prefix(12))…). Migrations are forward only: restore the file and add a new one.")
            }
        }
    }
}
