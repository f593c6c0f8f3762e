import ArgumentParser
import Database
import Foundation
import Gateway
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API over HTTPS (HTTP/2 and HTTP/1.1).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on (env GUANXI_HOST).")
    var host: String = ProcessInfo.processInfo.environment["GUANXI_HOST"] ?? "127.0.0.1"

    @Option(help: "Port to listen on (env GUANXI_PORT).")
    var port: Int = ProcessInfo.processInfo.environment["GUANXI_PORT"].flatMap(Int.init) ?? 8443

    @Option(help: "PEM certificate chain; default a self-signed one under the data directory (env GUANXI_TLS_CERTIFICATE).")
    var tlsCertificate: String?

    @Option(help: "PEM private key of the certificate (env GUANXI_TLS_KEY).")
    var tlsKey: String?

    @Option(help: "Workspaces answer at <slug>.<base domain> (env GUANXI_BASE_DOMAIN).")
    var baseDomain: String = ProcessInfo.processInfo.environment["GUANXI_BASE_DOMAIN"] ?? "localhost"

    @Option(help: "trace, debug, info, notice, warning, error or critical (env GUANXI_LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["GUANXI_LOG_LEVEL"] ?? "info"

    @Option(help: "Database connections in the pool (env GUANXI_DATABASE_CONNECTIONS).")
    var databaseConnections: Int = ProcessInfo.processInfo.environment["GUANXI_DATABASE_CONNECTIONS"].flatMap(Int.init) ?? 16

    @Option(help: "Days of trial for a tenant created without a plan (env GUANXI_TRIAL_DAYS).")
    var trialDays: Int = ProcessInfo.processInfo.environment["GUANXI_TRIAL_DAYS"].flatMap(Int.init) ?? 14

    @Option(help: "Seconds a client's connection may stay idle before the server closes it (env GUANXI_IDLE_TIMEOUT).")
    var idleTimeout: Int = ProcessInfo.processInfo.environment["GUANXI_IDLE_TIMEOUT"].flatMap(Int.init) ?? 75

    func validate() throws {
        guard (1...365).contains(trialDays) else { throw ValidationError("--trial-days must be from 1 to 365.") }
        guard (1...3600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be from 1 to 3600 seconds.") }
        _ = try billingConfiguration()
        if let token = ProcessInfo.processInfo.environment["GUANXI_OPERATOR_TOKEN"], token.count < 16 {
            throw ValidationError("GUANXI_OPERATOR_TOKEN must have at least 16 characters.")
        }
    }

    func run() async throws {
        let logger = makeLogger("guanxi", level: logLevel)
        let (appURL, cluster) = try await database.prepare(logger: logger)
        do {
            try await serve(appURL, embedded: database.externalDatabaseURL == nil, logger: logger)
        } catch {
            try? cluster?.stop()
            throw error
        }
        try cluster?.stop()
    }

    private func serve(_ appURL: DatabaseURL, embedded: Bool, logger: Logger) async throws {
        let dataDirectory = database.dataDirectory
        let environment = ProcessInfo.processInfo.environment
        var (certificate, key) = (tlsCertificate ?? environment["GUANXI_TLS_CERTIFICATE"], tlsKey ?? environment["GUANXI_TLS_KEY"])
        if certificate == nil || key == nil {
            (certificate, key) = try SelfSignedCertificate.ensure(in: dataDirectory)
        }
        var clientConfiguration = appURL.clientConfiguration
        clientConfiguration.options.maximumConnections = databaseConnections
        // A full, fixed pool without keep-alive pings: the pool then arms no idle or keep-alive
        // timer each time a connection is returned, which on a busy server cost more than the
        // queries. (PostgreSQL's own tcp_keepalives and the socket close still catch dead peers.)
        clientConfiguration.options.minimumConnections = databaseConnections
        clientConfiguration.options.keepAliveBehavior = nil
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        let services = GuanxiServices(database: Database(client: client, logger: logger), trialDays: trialDays,
                                      billing: try billingConfiguration())
        let gateway = GatewayConfiguration(host: host, port: port, certificatePath: certificate!, privateKeyPath: key!,
                                           baseDomain: baseDomain, idleTimeout: .seconds(idleTimeout))
        try await DatabaseSetup.withClient(appURL, logger: logger) { try await DatabaseSetup.verifyServingRole($0, logger: logger) }

        let startup = StartupTasks(services: services, dataDirectory: dataDirectory, embedded: embedded,
                                   gateway: gateway, logger: logger)
        let app = try buildApplication(services: services, configuration: gateway, logger: logger) { port in
            do {
                try await startup.run(port: port)
            } catch {
                logger.critical("start-up failed", metadata: ["error": "\(error)"])
            }
        }
        try await app.runService()
    }
}

/// What happens once the server listens: the operator token from the environment is registered,
/// and in embedded mode a demo tenant exists and its credentials are printed.
struct StartupTasks {
    let services: GuanxiServices
    let dataDirectory: URL
    let embedded: Bool
    let gateway: GatewayConfiguration
    let logger: Logger

    func run(port: Int) async throws {
        var operatorToken = ProcessInfo.processInfo.environment["GUANXI_OPERATOR_TOKEN"]
        if operatorToken == nil, embedded {
            operatorToken = try secretFile("operator-token") { Secret.random() }
        }
        if let operatorToken {
            try await services.authenticator.registerOperatorToken(operatorToken, name: "bootstrap")
        }
        var lines = ["Guanxi is serving at https://\(gateway.host == "0.0.0.0" ? "localhost" : gateway.host):\(port)"]
        if embedded {
            let demo = try await demoTenantCredentials(port: port)
            lines.append(contentsOf: demo)
            if let operatorToken { lines.append("  operator token:  \(operatorToken)") }
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// The demo workspace's credentials, made on the first start and read back on later ones
    /// (keys are stored hashed, so the file is the only place they can be shown again).
    func demoTenantCredentials(port: Int) async throws -> [String] {
        let file = dataDirectory.appendingPathComponent("demo-credentials.txt")
        if let existing = try? String(contentsOf: file, encoding: .utf8),
           (try? await services.tenants.find(slug: "demo")) != nil {
            return existing.split(separator: "\n").map(String.init)
        }
        let password = Secret.random(bytes: 12)
        let (tenant, key) = try await services.tenants.provision(.init(
            name: "Demo Trading Co. 演示贸易", slug: "demo", adminEmail: "owner@demo.example", adminPassword: password,
            adminName: "Demo Owner", timeZone: "Asia/Shanghai", locale: "zh-CN"))
        let lines = [
            "Demo workspace \(tenant.slug) (\(tenant.id)):",
            "  sign-in:         POST https://demo.\(gateway.baseDomain):\(port)/auth/login  {\"email\": \"owner@demo.example\", \"password\": \"\(password)\"}",
            "  API key:         \(key.text)",
            "  try:             curl -k -H 'Authorization: Bearer \(key.text)' https://localhost:\(port)/api/v1/contacts",
        ]
        try Data(lines.joined(separator: "\n").utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return lines
    }

    func secretFile(_ name: String, make: () -> String) throws -> String {
        let file = dataDirectory.appendingPathComponent(name)
        if let existing = try? String(contentsOf: file, encoding: .utf8) { return existing.trimmingCharacters(in: .whitespacesAndNewlines) }
        let value = make()
        try Data(value.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return value
    }
}
