import ArgumentParser
import NIOCore
import NIOPosix

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

// Swift concurrency runs on NIO's event loops, so a request's handler, its database calls and its
// socket I/O need no thread hand-offs. This must happen before any other concurrent work starts.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
await runCommandLine()
