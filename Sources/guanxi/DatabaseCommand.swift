import ArgumentParser
import Database
import Foundation

/// `guanxi db start|stop`: the embedded cluster on its own, for tests, benchmarks and psql.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Start or stop the embedded PostgreSQL cluster on its own.",
        subcommands: [Start.self, Stop.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the cluster and print its superuser URL.")
        @Option(help: "Data directory.") var dataDir: String = "./.guanxi"
        @Flag(help: "Trade crash safety for speed (fsync off): for throw-away clusters only.") var ephemeral = false

        func run() throws {
            let cluster = EmbeddedPostgres(dataDirectory: URL(fileURLWithPath: dataDir).standardizedFileURL, durable: !ephemeral)
            print(cluster.superuserURL(try cluster.start().secrets).text)
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster.")
        @Option(help: "Data directory.") var dataDir: String = "./.guanxi"

        func run() throws {
            try EmbeddedPostgres(dataDirectory: URL(fileURLWithPath: dataDir).standardizedFileURL).stop()
        }
    }
}
