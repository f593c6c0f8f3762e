import Database
import Foundation
import GuanxiCore
import Logging
import Migrations
import PostgresNIO

/// The PostgreSQL the tests run against: a cluster `make test` starts (its superuser URL in
/// `GUANXI_TEST_DATABASE_URL`), one freshly migrated database per test process, and the roles
/// exactly as the server uses them.
struct TestDatabase: Sendable {
    let superuser: DatabaseURL
    let owner: DatabaseURL
    let app: DatabaseURL

    static let logger: Logger = {
        var logger = Logger(label: "guanxi.test")
        logger.logLevel = .warning
        return logger
    }()

    static let shared = Task<TestDatabase, any Error> { try await make() }

    static func superuserURL() throws -> DatabaseURL {
        guard let text = ProcessInfo.processInfo.environment["GUANXI_TEST_DATABASE_URL"] else {
            throw GuanxiError(.unavailable, code: "no_test_database",
                              message: "Run the tests with `make test`, which starts PostgreSQL and sets GUANXI_TEST_DATABASE_URL.")
        }
        return try DatabaseURL(text)
    }

    static let ownerPassword = EmbeddedPostgresSecret.make()
    static let appPassword = EmbeddedPostgresSecret.make()

    /// A new, empty database with the roles prepared; `migrate` says whether to apply migrations.
    static func freshDatabase(named name: String, migrate: Bool) async throws -> TestDatabase {
        let superuser = try superuserURL()
        try await DatabaseSetup.withClient(superuser, logger: logger) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
        let urls = try await DatabaseSetup.prepare(superuser: superuser, database: name, ownerPassword: ownerPassword,
                                                   appPassword: appPassword, logger: logger)
        if migrate {
            try await DatabaseSetup.withClient(urls.owner, logger: logger) { try await migrator.migrate($0) }
        }
        return TestDatabase(superuser: superuser.with(database: name), owner: urls.owner, app: urls.app)
    }

    static var migrator: Migrator {
        get throws { Migrator(migrations: try Migration.load(from: MigrationFiles.directory), logger: logger) }
    }

    private static func make() async throws -> TestDatabase {
        try await freshDatabase(named: "guanxi_test_\(getpid())", migrate: true)
    }
}

enum EmbeddedPostgresSecret {
    static func make() -> String { (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() }
}

/// Runs `body` with a running client for `url`.
func withClient<Result: Sendable>(_ url: DatabaseURL, _ body: (PostgresClient) async throws -> Result) async throws -> Result {
    try await DatabaseSetup.withClient(url, logger: TestDatabase.logger, body)
}
