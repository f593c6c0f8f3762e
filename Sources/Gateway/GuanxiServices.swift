import Billing
import CRM
import Database
import Quotas
import Subscriptions
import Tenancy

/// The domain services, wired once from the database; the controllers receive what they use.
public struct GuanxiServices: Sendable {
    public let database: Database
    public let tenants: TenantDirectory
    public let authenticator: Authenticator
    public let apiKeys: APIKeys
    public let members: Members
    public let accounts: Accounts
    public let contacts: Contacts
    public let serviceLevels: ServiceLevels
    public let cases: Cases
    public let caseBreaches: CaseBreachMonitor
    public let leads: Leads
    public let leadForm: LeadForm
    public let pipelines: Pipelines
    public let deals: Deals
    public let activities: Activities
    public let timeline: Timeline
    public let campaigns: Campaigns
    public let campaignMembers: CampaignMembers
    public let recordShares: RecordShares
    public let search: Search
    public let imports: Imports
    public let exports: Exports
    public let plans: PlanCatalog
    public let subscriptions: Subscriptions
    public let limits: Limits
    public let rateLimiter: RateLimiter
    public let concurrency: ConcurrencyLimiter
    public let usage: UsageMeter
    public let auditLog: AuditLog
    public let webhooks: Webhooks
    public let customFields: CustomFieldDefinitions
    public let billingRun: BillingRun
    public let invoices: Invoices
    public let dunning: Dunning
    public let reports: HostReports

    /// `allowsLoopbackWebhooks` lets webhooks call 127.0.0.1 and localhost (tests, local development).
    public init(database: Database, credentialCacheTTL: Duration = .seconds(5), passwordCost: UInt8 = 12, trialDays: Int = 14,
                billing: BillingConfiguration = BillingConfiguration(), allowsLoopbackWebhooks: Bool = false) {
        let passwords = PasswordHasher(cost: passwordCost)
        let tenantCredentials = ExpiringCache<TenantPrincipal>(timeToLive: credentialCacheTTL)
        let plans = PlanCatalog(database: database)
        let subscriptions = Subscriptions(database: database, catalog: plans, tenantCredentials: tenantCredentials, trialDays: trialDays)
        let rateLimiter = RateLimiter()
        let concurrency = ConcurrencyLimiter()
        self.database = database
        self.tenants = TenantDirectory(database: database, passwords: passwords, tenantCredentials: tenantCredentials,
                                       provisioningSteps: [subscriptions])
        self.authenticator = Authenticator(database: database, passwords: passwords, tenantCredentials: tenantCredentials,
                                           operatorCredentials: ExpiringCache(timeToLive: credentialCacheTTL))
        self.apiKeys = APIKeys(database: database, tenantCredentials: tenantCredentials)
        self.members = Members(database: database, passwords: passwords, tenantCredentials: tenantCredentials)
        self.accounts = Accounts(database: database)
        self.contacts = Contacts(database: database)
        let serviceLevels = ServiceLevels(database: database)
        self.serviceLevels = serviceLevels
        self.cases = Cases(database: database, serviceLevels: serviceLevels)
        self.caseBreaches = CaseBreachMonitor(database: database, serviceLevels: serviceLevels)
        self.leads = Leads(database: database)
        self.leadForm = LeadForm(database: database)
        self.pipelines = Pipelines(database: database)
        self.deals = Deals(database: database)
        self.activities = Activities(database: database)
        self.timeline = Timeline(database: database)
        self.campaigns = Campaigns(database: database)
        self.campaignMembers = CampaignMembers(database: database)
        self.recordShares = RecordShares(database: database)
        self.search = Search(database: database)
        self.imports = Imports(database: database)
        self.exports = Exports(database: database, contacts: contacts, accounts: accounts, leads: leads, deals: deals, cases: cases,
                               activities: activities)
        self.plans = plans
        self.subscriptions = subscriptions
        self.limits = Limits(database: database, subscriptions: subscriptions, rateLimiter: rateLimiter, concurrency: concurrency)
        self.rateLimiter = rateLimiter
        self.concurrency = concurrency
        self.usage = UsageMeter(database: database)
        self.auditLog = AuditLog(database: database)
        self.webhooks = Webhooks(database: database, urlPolicy: WebhookURLPolicy(allowsLoopback: allowsLoopbackWebhooks))
        self.customFields = CustomFieldDefinitions(database: database)
        self.billingRun = BillingRun(database: database, configuration: billing)
        self.dunning = Dunning(database: database, subscriptions: subscriptions, tenants: tenants, policy: billing.dunning)
        self.invoices = Invoices(database: database, configuration: billing, dunning: dunning)
        self.reports = HostReports(database: database)
    }
}
