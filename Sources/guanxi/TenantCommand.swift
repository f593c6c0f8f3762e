import ArgumentParser
import Database
import Foundation
import Gateway
import GuanxiCore
import PostgresNIO
import Tenancy

/// `guanxi tenant …`: the operator API's tenant actions from the command line; JSON out.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Provision, list, show, suspend and resume tenants.",
        subcommands: [Create.self, List.self, Show.self, Suspend.self, Resume.self])

    struct Create: AsyncParsableCommand {
        @OptionGroup var database: DatabaseOptions
        @Option var name: String
        @Option var slug: String
        @Option var adminEmail: String
        @Option(help: "At least 10 characters (env GUANXI_ADMIN_PASSWORD).")
        var adminPassword: String?
        @Option var timeZone: String = "UTC"
        @Option(help: "en or zh-CN") var locale: String = "en"
        @Option(help: "A plan code; without one the tenant starts a trial of the entry plan.") var plan: String?
        @Option(help: "monthly or yearly") var billingCycle: String?

        func run() async throws {
            guard let adminPassword = adminPassword ?? ProcessInfo.processInfo.environment["GUANXI_ADMIN_PASSWORD"] else { throw ValidationError("Give --admin-password or GUANXI_ADMIN_PASSWORD.") }
            try await withServices(database) { services in
                let (tenant, key) = try await services.tenants.provision(.init(
                    name: name, slug: slug, adminEmail: adminEmail, adminPassword: adminPassword, timeZone: timeZone, locale: locale,
                    plan: plan, billingCycle: billingCycle))
                try printJSON(["tenant": AnyEncodable(tenant), "api_key": AnyEncodable(key.text)])
            }
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var database: DatabaseOptions
        @Option var limit: Int = 50
        @Option var cursor: String?

        func run() async throws {
            try await withServices(database) { services in
                let page = try await services.tenants.list(try PageRequest(limit: String(limit), cursor: cursor))
                try printJSON(["data": AnyEncodable(page.items), "next_cursor": AnyEncodable(page.nextCursor?.token)])
            }
        }
    }

    struct Show: AsyncParsableCommand {
        @OptionGroup var database: DatabaseOptions
        @Argument var id: String
        func run() async throws {
            try await withServices(database) { try printJSON(try await $0.tenants.find(try tenantID(id))) }
        }
    }

    struct Suspend: AsyncParsableCommand {
        @OptionGroup var database: DatabaseOptions
        @Argument var id: String
        func run() async throws {
            try await withServices(database) { try printJSON(try await $0.tenants.setStatus(try tenantID(id), .suspended)) }
        }
    }

    struct Resume: AsyncParsableCommand {
        @OptionGroup var database: DatabaseOptions
        @Argument var id: String
        func run() async throws {
            try await withServices(database) { try printJSON(try await $0.tenants.setStatus(try tenantID(id), .active)) }
        }
    }
}

func tenantID(_ text: String) throws -> TenantID {
    guard let id = TenantID(text) else { throw ValidationError("\(text) is not a tenant id (UUID).") }
    return id
}

/// Runs `body` with the services over the configured database, then stops a cluster it started.
func withServices(_ options: DatabaseOptions, _ body: (GuanxiServices) async throws -> Void) async throws {
    let logger = makeLogger("guanxi.cli", level: "warning")
    let (appURL, cluster) = try await options.prepare(logger: logger)
    defer { try? cluster?.stop() }
    do {
        try await DatabaseSetup.withClient(appURL, logger: logger) { client in
            let trialDays = ProcessInfo.processInfo.environment["GUANXI_TRIAL_DAYS"].flatMap(Int.init) ?? 14
            try await body(GuanxiServices(database: Database(client: client, logger: logger), trialDays: trialDays,
                                          billing: try billingConfiguration()))
        }
    } catch let error as GuanxiError {
        throw ValidationError("\(error.code): \(error.message)")
    }
}

struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
