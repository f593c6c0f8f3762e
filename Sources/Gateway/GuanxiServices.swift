import CRM
import Database
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

/// The domain services, wired once from the database; the controllers receive what they use.
public struct GuanxiServices: Sendable {
    public let database: Database
    public let tenants: TenantDirectory
    public let authenticator: Authenticator
    public let apiKeys: APIKeys
    public let accounts: Accounts
    public let contacts: Contacts

    public init(database: Database, credentialCacheTTL: Duration = .seconds(5), passwordCost: UInt8 = 12) {
        let passwords = PasswordHasher(cost: passwordCost)
        let tenantCredentials = ExpiringCache<TenantPrincipal>(timeToLive: credentialCacheTTL)
        self.database = database
        self.tenants = TenantDirectory(database: database, passwords: passwords, tenantCredentials: tenantCredentials)
        self.authenticator = Authenticator(database: database, passwords: passwords, tenantCredentials: tenantCredentials,
                                           operatorCredentials: ExpiringCache(timeToLive: credentialCacheTTL))
        self.apiKeys = APIKeys(database: database, tenantCredentials: tenantCredentials)
        self.accounts = Accounts(database: database)
        self.contacts = Contacts(database: database)
    }
}
