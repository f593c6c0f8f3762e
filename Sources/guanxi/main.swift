import ArgumentParser
import Foundation
import NIOCore

/// Guanxi's command line: `serve`, `migrate`, `tenant …`, `plan …`, `subscription …`, `billing …`, `report …`, `db …`.
struct Guanxi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guanxi",
        abstract: "Guanxi: a hosted CRM for many small firms, each in its own isolated workspace.",
        subcommands: [Serve.self, Migrate.self, TenantCommand.self, PlanCommand.self, SubscriptionCommand.self, BillingCommand.self,
                      ReportCommand.self, DatabaseCommand.self])
}

/// The command line run asynchronously (ArgumentParser's async entry point).
func runCommandLine() async {
    await Guanxi.main()
}

// NIO's event loops do the sockets, TLS and the PostgreSQL protocol, Swift concurrency's threads (one
// per core) the handlers: half the cores for the loops, at least one, keeps the two sets of threads
// from crowding each other. On 2 cores, one loop served the hot read about 20 % faster than two, on
// 20 % less CPU per request (Docs/Performance.md). NIO_SINGLETON_GROUP_LOOP_COUNT sets another number.
if ProcessInfo.processInfo.environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil {
    NIOSingletons.groupLoopCountSuggestion = max(1, System.coreCount / 2)
}

// Swift concurrency keeps its own threads. Run on NIO's event loops instead (NIOSingletons'
// unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor), every call into a
// nonisolated async function goes through a loop's task queue (NIO runs those jobs as the loop's
// serial executor: about 46 per API request) and the database pool opens all its connections on one
// loop: no faster than the thread hand-offs saved, and a slower tail (Docs/Architecture.md#threads).
await runCommandLine()
