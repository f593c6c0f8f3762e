import ArgumentParser
import Database
import Foundation
import Migrations

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending migrations: to --owner-database-url, or to the embedded cluster under --data-dir.")

    @Option(help: "URL of the schema owner role (guanxi_owner) of an existing PostgreSQL (env GUANXI_OWNER_DATABASE_URL).")
    var ownerDatabaseURL: String?

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = makeLogger("guanxi.migrate", level: "info")
        guard let ownerDatabaseURL = ownerDatabaseURL ?? ProcessInfo.processInfo.environment["GUANXI_OWNER_DATABASE_URL"] else {
            let (_, cluster) = try await database.prepare(logger: logger)
            try cluster?.stop()
            if let external = database.externalDatabaseURL {
                print("\(try DatabaseURL(external)) has every migration; to apply new ones give --owner-database-url.")
            } else {
                print("The embedded database under \(database.dataDirectory.path) is up to date.")
            }
            return
        }
        let migrator = Migrator(migrations: try Migration.load(from: MigrationFiles.directory), logger: logger)
        let applied = try await DatabaseSetup.withClient(try DatabaseURL(ownerDatabaseURL), logger: logger) {
            try await migrator.migrate($0)
        }
        print(applied.isEmpty ? "Already up to date." : "Applied migrations \(applied.map(String.init).joined(separator: ", ")).")
    }
}
