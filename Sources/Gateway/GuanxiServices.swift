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
    public let accounts: Accounts
    public let contacts: Contacts
    public let imports: Imports
    public let exports: Exports
    public let plans: PlanCatalog
    public let subscriptions: Subscriptions
    public let limits: Limits
    public let rateLimiter: RateLimiter
    public let concurrency: ConcurrencyLimiter
    public let usage: UsageMeter

    public init(database: Database, credentialCacheTTL: Duration = .seconds(5), passwordCost: UInt8 = 12, trialDays: Int = 14) {
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
        self.accounts = Accounts(database: database)
        self.contacts = Contacts(database: database)
        self.imports = Imports(database: database)
        self.exports = Exports(database: database, contacts: contacts, accounts: accounts)
        self.plans = plans
        self.subscriptions = subscriptions
        self.limits = Limits(database: database, subscriptions: subscriptions, rateLimiter: rateLimiter, concurrency: concurrency)
        self.rateLimiter = rateLimiter
        self.concurrency = concurrency
        self.usage = UsageMeter(database: database)
    }
}
