import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// The provider's view of its tenants: provisioning, listing, suspending and resuming.
/// Host scope throughout; a new tenant's first rows are written in the same transaction.
public struct TenantDirectory: Sendable {
    let database: Database
    let passwords: PasswordHasher
    let tenantCredentials: ExpiringCache<TenantPrincipal>
    let provisioningSteps: [any ProvisioningStep]

    /// `provisioningSteps` run inside the transaction that creates a tenant (its subscription, say),
    /// so a tenant exists whole or not at all.
    public init(database: Database, passwords: PasswordHasher, tenantCredentials: ExpiringCache<TenantPrincipal>,
                provisioningSteps: [any ProvisioningStep] = []) {
        self.database = database
        self.passwords = passwords
        self.tenantCredentials = tenantCredentials
        self.provisioningSteps = provisioningSteps
    }

    public struct NewTenant: RequestPayload {
        public static let fields: Set<String> = ["name", "slug", "admin_email", "admin_password", "admin_name", "time_zone", "locale",
                                                 "plan", "billing_cycle"]
        public var name: String
        public var slug: String
        public var adminEmail: String
        public var adminPassword: String
        public var adminName: String?
        public var timeZone: String?
        public var locale: String?
        /// A plan code; without one the tenant starts a trial of the entry plan.
        public var plan: String?
        public var billingCycle: String?

        public init(name: String, slug: String, adminEmail: String, adminPassword: String,
                    adminName: String? = nil, timeZone: String? = nil, locale: String? = nil,
                    plan: String? = nil, billingCycle: String? = nil) {
            self.plan = plan
            self.billingCycle = billingCycle
            self.name = name
            self.slug = slug
            self.adminEmail = adminEmail
            self.adminPassword = adminPassword
            self.adminName = adminName
            self.timeZone = timeZone
            self.locale = locale
        }

        enum CodingKeys: String, CodingKey {
            case name, slug, locale, plan
            case billingCycle = "billing_cycle"
            case adminEmail = "admin_email"
            case adminPassword = "admin_password"
            case adminName = "admin_name"
            case timeZone = "time_zone"
        }
    }

    static let columns: ColumnList = "id, slug, name, time_zone, locale, status, created_at, suspended_at"
    typealias Row = (UUID, String, String, String, String, String, Date, Date?)

    static func tenant(_ row: Row) -> Tenant {
        Tenant(id: TenantID(row.0), slug: row.1, name: row.2, timeZone: row.3, locale: row.4,
               status: Tenant.Status(rawValue: row.5) ?? .suspended, createdAt: row.6, suspendedAt: row.7)
    }

    /// Creates the tenant, its owner (the admin user) and a first API key, all or nothing.
    public func provision(_ new: NewTenant) async throws -> (tenant: Tenant, apiKey: APIKeyText) {
        let name = new.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let slug = new.slug.lowercased()
        let timeZone = new.timeZone ?? "UTC"
        let locale = new.locale ?? "en"
        guard (1...200).contains(name.count) else { throw GuanxiError.invalidField("name", "name must have 1 to 200 characters.") }
        guard slug.wholeMatch(of: /[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?/) != nil else {
            throw GuanxiError.invalidField("slug", "slug must be 1 to 40 lowercase letters, digits or inner hyphens; it becomes the workspace's host name.")
        }
        guard TimeZone(identifier: timeZone) != nil else {
            throw GuanxiError.invalidField("time_zone", "time_zone must be an IANA zone such as Asia/Shanghai or Europe/Berlin.")
        }
        guard ["en", "zh-CN"].contains(locale) else { throw GuanxiError.invalidField("locale", "locale must be en or zh-CN.") }
        let email = try Validate.email(new.adminEmail, field: "admin_email")
        guard new.adminPassword.count >= 10 else {
            throw GuanxiError.invalidField("admin_password", "admin_password must have at least 10 characters.")
        }
        let passwordHash = try await passwords.hash(new.adminPassword)
        let tenantID = TenantID()
        let userID = UserID()
        let key = APIKeyText.generate(for: tenantID)
        let tenant = try await database.withHost { host in
            let rows = try await host.rows("""
                INSERT INTO tenants (id, slug, name, time_zone, locale)
                VALUES (\(tenantID.uuid), \(slug), \(name), \(timeZone), \(locale))
                ON CONFLICT (slug) DO NOTHING
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
            guard let row = rows.first else {
                throw GuanxiError(.conflict, code: "slug_taken", message: "The slug \(slug) is already taken; choose another.",
                                  details: ["field": "slug"])
            }
            let scoped = try await host.actAs(tenantID)
            try await scoped.query("""
                INSERT INTO users (tenant_id, id, email, name, password_hash)
                VALUES (\(tenantID.uuid), \(userID.uuid), \(email), \(new.adminName ?? ""), \(passwordHash))
                """)
            try await scoped.query("INSERT INTO memberships (tenant_id, user_id, role) VALUES (\(tenantID.uuid), \(userID.uuid), 'owner')")
            try await APIKeys.insert(key, name: "First key", user: userID, in: scoped)
            let tenant = Self.tenant(row)
            for step in provisioningSteps { try await step.provision(tenant, new, in: scoped) }
            return tenant
        }
        return (tenant, key)
    }

    public func list(_ page: PageRequest) async throws -> Page<Tenant> {
        let after = page.after
        let rows = try await database.withHost { host in
            try await host.rows("""
                SELECT \(columns: Self.columns) FROM tenants
                 WHERE id > \(after?.after ?? UUID.minimum)
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.tenant), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    public func find(_ id: TenantID) async throws -> Tenant {
        let rows = try await database.withHost { host in
            try await host.rows("SELECT \(columns: Self.columns) FROM tenants WHERE id = \(id.uuid)", as: Row.self)
        }
        guard let row = rows.first else { throw GuanxiError.notFound("tenant") }
        return Self.tenant(row)
    }

    public func find(slug: String) async throws -> Tenant? {
        try await database.withHost { host in
            try await host.rows("SELECT \(columns: Self.columns) FROM tenants WHERE slug = \(slug.lowercased())", as: Row.self)
        }.first.map(Self.tenant)
    }

    /// Suspends or resumes a tenant. Its data is untouched; only access changes.
    public func setStatus(_ id: TenantID, _ status: Tenant.Status) async throws -> Tenant {
        let rows = try await database.withHost { host in
            try await host.rows("""
                UPDATE tenants SET status = \(status.rawValue), updated_at = now(),
                       suspended_at = CASE WHEN \(status.rawValue) = 'suspended' THEN coalesce(suspended_at, now()) END
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
        }
        guard let row = rows.first else { throw GuanxiError.notFound("tenant") }
        tenantCredentials.removeAll(of: id)
        return Self.tenant(row)
    }
}
