import ArgumentParser
import Billing
import Foundation
import Gateway

/// `guanxi billing …`: make a month's invoices, take the dunning steps due.
struct BillingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billing", abstract: "Make a month's invoices (idempotent) and chase unpaid ones.", subcommands: [Run.self, Dunning.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Invoice every billing period whose last day falls in the month.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The month, YYYY-MM.") var period: String
        @Flag(help: "Leave the new invoices as drafts instead of issuing them.") var draft = false

        func run() async throws {
            guard let month = BillingMonth(period) else { throw ValidationError("--period must be a month written YYYY-MM.") }
            let terminal = isatty(STDERR_FILENO) == 1
            try await withServices(database) { services in
                let summary = try await services.billingRun.run(period: month, issue: !draft) { done, total in
                    let line = "billing \(month): \(done)/\(total) tenants"
                    FileHandle.standardError.write(Data((terminal ? "\r\(line)" + (done == total ? "\n" : "") : line + "\n").utf8))
                }
                try printJSON(summary)
            }
        }
    }

    struct Dunning: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take the dunning steps due now (the server does this every 10 minutes).")
        @OptionGroup var database: DatabaseOptions
        func run() async throws {
            try await withServices(database) { print("Took \(try await $0.dunning.run()) dunning steps.") }
        }
    }
}

/// `guanxi report NAME`: a host report as JSON or CSV.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Host reports: \(HostReports.Name.allCases.map(\.rawValue).joined(separator: ", ")).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The report.") var name: String
    @Option(help: "First month, YYYY-MM (default: the last).") var from: String?
    @Option(help: "Last month, YYYY-MM (default: this month).") var to: String?
    @Option(help: "json or csv") var format: String = "json"
    @Option(help: "For quota: flag use from this share of a limit, in basis points.") var thresholdBP: Int = 8000

    func run() async throws {
        guard let report = HostReports.Name(rawValue: name) else { throw ValidationError("Reports are \(HostReports.Name.allCases.map(\.rawValue).joined(separator: ", ")).") }
        guard ["json", "csv"].contains(format) else { throw ValidationError("--format is json or csv.") }
        let last = try to.map { try BillingMonth.parse($0, field: "to") } ?? BillingMonth.current()
        let first = try from.map { try BillingMonth.parse($0, field: "from") } ?? last
        try await withServices(database) { services in
            let result = try await services.reports.report(report, from: first, to: last, thresholdBP: thresholdBP)
            if format == "csv" { print(result.csv(), terminator: "") } else { try printJSON(result) }
        }
    }
}

/// The provider's billing settings from the environment (see Docs/Configuration.md).
func billingConfiguration(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BillingConfiguration {
    let prefix = environment["GUANXI_INVOICE_PREFIX"] ?? "GX"
    guard prefix.wholeMatch(of: /[A-Z0-9]{1,10}/) != nil else { throw ValidationError("GUANXI_INVOICE_PREFIX must be 1 to 10 capital letters or digits.") }
    let terms = environment["GUANXI_PAYMENT_TERMS_DAYS"].map { Int($0) ?? -1 } ?? 14
    guard (0...365).contains(terms) else { throw ValidationError("GUANXI_PAYMENT_TERMS_DAYS must be from 0 to 365.") }
    var policy = BillingConfiguration.DunningPolicy()
    if let text = environment["GUANXI_DUNNING_DAYS"] {
        let days = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard days.count == 3 else { throw ValidationError("GUANXI_DUNNING_DAYS is three day counts, N,M,K, for example 7,21,45.") }
        policy = .init(pastDueAfterDays: days[0], readOnlyAfterDays: days[1], suspendAfterDays: days[2])
    }
    guard policy.isValid else { throw ValidationError("GUANXI_DUNNING_DAYS must rise: 1 ≤ N < M < K.") }
    return BillingConfiguration(
        provider: .init(name: environment["GUANXI_PROVIDER_NAME"] ?? "Guanxi", address: environment["GUANXI_PROVIDER_ADDRESS"] ?? "",
                        taxID: environment["GUANXI_PROVIDER_TAX_ID"] ?? "", email: environment["GUANXI_PROVIDER_EMAIL"] ?? ""),
        numberPrefix: prefix, paymentTermsDays: terms, dunning: policy)
}
