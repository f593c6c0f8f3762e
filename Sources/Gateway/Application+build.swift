import Billing
import CRM
import Database
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import Tenancy

/// The router with every route, middleware and controller; what tests drive directly.
public func buildRouter(services: GuanxiServices, configuration: GatewayConfiguration) -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ErrorMiddleware())
    let maxBody = configuration.maxBodyBytes
    let hosts = TenantHosts(baseDomain: configuration.baseDomain, directory: services.tenants)

    HealthController(database: services.database).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    SessionController(authenticator: services.authenticator, hosts: hosts, throttle: .logins(), maxBodyBytes: maxBody)
        .addRoutes(to: router)
    LeadFormController(form: services.leadForm, tenants: services.tenants, subscriptions: services.subscriptions, maxBodyBytes: maxBody)
        .addRoutes(to: router)

    let api = router.group("api/v1")
        .add(middleware: TenantAuthenticationMiddleware(authenticator: services.authenticator, hosts: hosts))
        .add(middleware: WorkspaceAccessMiddleware(rateLimiter: services.rateLimiter, concurrency: services.concurrency,
                                                   usage: services.usage))
        .group(context: TenantRequestContext.self)
    WorkspaceController(apiKeys: services.apiKeys, maxBodyBytes: maxBody).addRoutes(to: api)
    MembersController(members: services.members, maxBodyBytes: maxBody).addRoutes(to: api)
    AccountsController(accounts: services.accounts, maxBodyBytes: maxBody).addRoutes(to: api)
    ContactsController(contacts: services.contacts, maxBodyBytes: maxBody).addRoutes(to: api)
    CasesController(cases: services.cases, maxBodyBytes: maxBody).addRoutes(to: api)
    ServiceLevelsController(serviceLevels: services.serviceLevels, maxBodyBytes: maxBody).addRoutes(to: api)
    ImportsController(imports: services.imports, maxBodyBytes: maxBody).addRoutes(to: api)
    ExportsController(exports: services.exports).addRoutes(to: api)
    SubscriptionController(subscriptions: services.subscriptions, limits: services.limits).addRoutes(to: api)
    AuditController(auditLog: services.auditLog).addRoutes(to: api)
    WebhooksController(webhooks: services.webhooks, maxBodyBytes: maxBody).addRoutes(to: api)
    LeadsController(leads: services.leads, maxBodyBytes: maxBody).addRoutes(to: api)
    PipelinesController(pipelines: services.pipelines, maxBodyBytes: maxBody).addRoutes(to: api)
    DealsController(deals: services.deals, maxBodyBytes: maxBody).addRoutes(to: api)
    ActivitiesController(activities: services.activities, maxBodyBytes: maxBody).addRoutes(to: api)
    TimelineController(timeline: services.timeline).addRoutes(to: api)
    CustomFieldsController(definitions: services.customFields, maxBodyBytes: maxBody).addRoutes(to: api)
    InvoicesController(invoices: services.invoices).addRoutes(to: api)
    RecordSharesController(shares: services.recordShares, maxBodyBytes: maxBody).addRoutes(to: api)
    SearchController(search: services.search).addRoutes(to: api)
    CampaignsController(campaigns: services.campaigns, maxBodyBytes: maxBody).addRoutes(to: api)
    CampaignMembersController(members: services.campaignMembers, maxBodyBytes: maxBody).addRoutes(to: api)

    let ops = router.group("ops/v1")
        .add(middleware: OperatorAuthenticationMiddleware(authenticator: services.authenticator))
        .group(context: OperatorRequestContext.self)
    OperatorTenantsController(tenants: services.tenants, maxBodyBytes: maxBody).addRoutes(to: ops)
    OperatorPlansController(plans: services.plans, maxBodyBytes: maxBody).addRoutes(to: ops)
    OperatorSubscriptionsController(subscriptions: services.subscriptions, maxBodyBytes: maxBody).addRoutes(to: ops)
    OperatorBillingController(invoices: services.invoices, billingRun: services.billingRun, dunning: services.dunning, maxBodyBytes: maxBody)
        .addRoutes(to: ops)
    OperatorReportsController(reports: services.reports).addRoutes(to: ops)
    return router
}

/// The HTTPS server (TLS 1.2+, HTTP/2 and HTTP/1.1 by ALPN) with the PostgreSQL client as a
/// service started before it and shut down after it.
public func buildApplication(
    services: GuanxiServices, configuration: GatewayConfiguration, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    var tls = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(configuration.certificatePath).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: configuration.privateKeyPath, format: .pem)))
    tls.minimumTLSVersion = .tlsv12
    let idleTimeout = TimeAmount(configuration.idleTimeout)
    return Application(
        router: buildRouter(services: services, configuration: configuration),
        server: HTTPServerBuilder { [tls] responder in
            // A client gets the idle timeout to finish its TLS handshake too.
            HandshakeDeadlineChannel(
                upgrade: try HTTP2UpgradeChannel(tlsConfiguration: tls, configuration: .init(
                    idleTimeout: configuration.idleTimeout, streamConfiguration: .init(idleTimeout: idleTimeout)), responder: responder),
                deadline: idleTimeout)
        },
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Guanxi"),
        services: [PostgresClientService(client: services.database.client), services.usage,
                   SubscriptionRenewalService(subscriptions: services.subscriptions, logger: logger),
                   WebhookDeliveryService(database: services.database, logger: logger),
                   CaseBreachService(monitor: services.caseBreaches, logger: logger),
                   BillingService(billingRun: services.billingRun, dunning: services.dunning, logger: logger)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// Runs the PostgreSQL client for as long as the application runs.
public struct PostgresClientService: Service {
    let client: PostgresClient
    public init(client: PostgresClient) { self.client = client }
    public func run() async throws {
        await cancelWhenGracefulShutdown { await client.run() }
    }
}
