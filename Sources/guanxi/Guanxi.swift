import ArgumentParser

@main
struct Guanxi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guanxi",
        abstract: "Guanxi: a hosted CRM for many small firms, each in its own isolated workspace.",
        subcommands: [Serve.self, Migrate.self, TenantCommand.self, PlanCommand.self, SubscriptionCommand.self, DatabaseCommand.self])
}
