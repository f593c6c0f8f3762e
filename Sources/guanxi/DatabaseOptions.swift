import ArgumentParser
import Database
import Foundation
import Logging
import Gateway
import Migrations

/// Where the data lives: an existing PostgreSQL (`--database-url`) or the embedded cluster under
/// `--data-dir`, which is created, started and migrated on demand.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "Directory for the embedded PostgreSQL cluster, certificate and credentials (env GUANXI_DATA_DIR).")
    var dataDir: String = ProcessInfo.processInfo.environment["GUANXI_DATA_DIR"] ?? "./.guanxi"

    @Option(help: "Serve from this PostgreSQL as the guanxi_app role instead of the embedded cluster (env GUANXI_DATABASE_URL).")
    var databaseURL: String?

    /// The database URL from the flag, else from the environment; `nil` means the embedded cluster.
    var externalDatabaseURL: String? { databaseURL ?? ProcessInfo.processInfo.environment["GUANXI_DATABASE_URL"] }

    var dataDirectory: URL { URL(fileURLWithPath: dataDir).standardizedFileURL }

    /// The serving role's URL, after making sure the schema is current; and the embedded cluster,
    /// when this call started it, for the caller to stop.
    func prepare(logger: Logger) async throws -> (app: DatabaseURL, startedCluster: EmbeddedPostgres?) {
        let migrator = Migrator(migrations: try Migration.load(from: MigrationFiles.directory), logger: logger)
        if let externalDatabaseURL {
            let app = try DatabaseURL(externalDatabaseURL)
            _ = try await DatabaseSetup.withClient(app, logger: logger) { try await migrator.verify($0) }
            return (app, nil)
        }
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let cluster = EmbeddedPostgres(dataDirectory: dataDirectory)
        let (secrets, started) = try cluster.start()
        let urls = try await DatabaseSetup.prepare(superuser: cluster.superuserURL(secrets), database: "guanxi",
                                                   ownerPassword: secrets.owner, appPassword: secrets.app, logger: logger)
        _ = try await DatabaseSetup.withClient(urls.owner, logger: logger) { try await migrator.migrate($0) }
        return (urls.app, started ? cluster : nil)
    }
}

func makeLogger(_ label: String, level: String?) -> Logger {
    let level = level.flatMap(Logger.Level.init(rawValue:)) ?? .info
    return Logger(label: label) { JSONLogHandler(label: $0, level: level) }
}
