import ArgumentParser
import Foundation
import Gateway
import GuanxiCore
import Subscriptions

/// `guanxi plan …`: the catalog from the command line; JSON out.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "List plans, or publish a plan (a new code or the next version of one).",
        subcommands: [List.self, Publish.self])

    struct List: AsyncParsableCommand {
        @OptionGroup var database: DatabaseOptions
        func run() async throws {
            try await withServices(database) { try printJSON(try await $0.plans.current()) }
        }
    }

    struct Publish: AsyncParsableCommand {
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "A JSON file in the shape of POST /ops/v1/plans.") var file: String
        func run() async throws {
            let definition = try JSONDecoder().decode(PlanDefinition.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            try await withServices(database) { try printJSON(try await $0.plans.publish(definition)) }
        }
    }
}

/// `guanxi subscription …`: an operator's subscription actions from the command line.
struct SubscriptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscription", abstract: "Show and change a tenant's subscription; roll periods forward.",
        subcommands: [Show.self, ChangePlan.self, Seats.self, BillingCycleChange.self, Transition.self, Renew.self])

    struct Show: AsyncParsableCommand {
        @OptionGroup var database: DatabaseOptions
        @Argument var tenant: String
        func run() async throws {
            try await withServices(database) { services in
                let (subscription, events) = try await services.subscriptions.forOperator(try tenantID(tenant))
                try printJSON(["subscription": AnyEncodable(subscription), "events": AnyEncodable(events)])
            }
        }
    }

    struct ChangePlan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "change-plan")
        @OptionGroup var database: DatabaseOptions
        @Argument var tenant: String
        @Argument var plan: String
        func run() async throws {
            try await withServices(database) { try printJSON(try await $0.subscriptions.changePlan(try tenantID(tenant), to: plan, actor: "cli")) }
        }
    }

    struct Seats: AsyncParsableCommand {
        @OptionGroup var database: DatabaseOptions
        @Argument var tenant: String
        @Argument var seats: Int
        func run() async throws {
            try await withServices(database) { try printJSON(try await $0.subscriptions.setSeats(try tenantID(tenant), to: seats, actor: "cli")) }
        }
    }

    struct BillingCycleChange: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "billing-cycle", abstract: "Move to monthly or yearly billing at the period's end.")
        @OptionGroup var database: DatabaseOptions
        @Argument var tenant: String
        @Argument(help: "monthly or yearly") var cycle: String
        func run() async throws {
            guard let cycle = BillingCycle(rawValue: cycle) else { throw ValidationError("The billing cycle is monthly or yearly.") }
            try await withServices(database) { try printJSON(try await $0.subscriptions.setBillingCycle(try tenantID(tenant), to: cycle, actor: "cli")) }
        }
    }

    struct Transition: AsyncParsableCommand {
        @OptionGroup var database: DatabaseOptions
        @Argument var tenant: String
        @Argument(help: "activate, past-due, read-only, lock, cancel or reactivate") var action: String
        @Option var cause: String = "by operator"
        func run() async throws {
            guard let transition = SubscriptionTransition(rawValue: action) else {
                throw ValidationError("action must be one of \(SubscriptionTransition.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            try await withServices(database) {
                try printJSON(try await $0.subscriptions.apply(transition, to: try tenantID(tenant), cause: cause, actor: "cli"))
            }
        }
    }

    struct Renew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Roll every subscription whose period ended (the server does this every minute).")
        @OptionGroup var database: DatabaseOptions
        func run() async throws {
            try await withServices(database) { print("Renewed \(try await $0.subscriptions.advance()) subscriptions.") }
        }
    }
}
