import Foundation
import GuanxiCore

/// A small firm's workspace.
public struct Tenant: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case active, suspended }

    public var id: TenantID
    public var slug: String
    public var name: String
    public var timeZone: String
    public var locale: String
    public var status: Status
    public var createdAt: Date
    public var suspendedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, slug, name, status
        case timeZone = "time_zone"
        case locale
        case createdAt = "created_at"
        case suspendedAt = "suspended_at"
    }

    /// `suspended_at` is `null` while active, never missing.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(slug, forKey: .slug)
        try container.encode(name, forKey: .name)
        try container.encode(timeZone, forKey: .timeZone)
        try container.encode(locale, forKey: .locale)
        try container.encode(status, forKey: .status)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(suspendedAt, forKey: .suspendedAt)
    }
}

/// What a member of a workspace may do; checked by the services, shown to the member.
public enum MembershipRole: String, Sendable, Codable, CaseIterable {
    case owner, admin, manager
    case salesRep = "sales_rep"
    case supportAgent = "support_agent"
}

/// Who is calling a workspace endpoint, established by an API key or a login session.
/// The gateway cannot reach tenant routes without one.
public struct TenantPrincipal: Sendable, Equatable {
    public var tenant: TenantID
    /// The API key or session this request came with; rate limits count per credential too.
    public var credential: UUID
    public var user: UserID
    public var role: MembershipRole
    public var tenantStatus: Tenant.Status
    public var tenantSlug: String
    public var locale: String
    public var timeZone: String
    /// The subscription's status (`trialing`, `active`, `past_due`, `read_only`, `locked`, `cancelled`).
    public var subscriptionStatus: String
    /// The plan's request limits, enforced by the gateway.
    public var limits: RequestLimits

    public init(tenant: TenantID, credential: UUID = UUID(), user: UserID, role: MembershipRole, tenantStatus: Tenant.Status, tenantSlug: String,
                locale: String, timeZone: String, subscriptionStatus: String = "active",
                limits: RequestLimits = RequestLimits(perMinute: 600, perKeyMinute: 300, perDay: 10_000, concurrent: 4)) {
        self.tenant = tenant
        self.credential = credential
        self.user = user
        self.role = role
        self.tenantStatus = tenantStatus
        self.tenantSlug = tenantSlug
        self.locale = locale
        self.timeZone = timeZone
        self.subscriptionStatus = subscriptionStatus
        self.limits = limits
    }
}

/// What a plan lets a workspace ask of the API.
public struct RequestLimits: Sendable, Equatable {
    public var perMinute: Int
    public var perKeyMinute: Int
    public var perDay: Int
    public var concurrent: Int

    public init(perMinute: Int, perKeyMinute: Int, perDay: Int, concurrent: Int) {
        self.perMinute = perMinute
        self.perKeyMinute = perKeyMinute
        self.perDay = perDay
        self.concurrent = concurrent
    }
}

/// The provider's operator, established by an operator token; never by a tenant credential.
public struct OperatorPrincipal: Sendable, Equatable {
    public var token: OperatorTokenID
    public var name: String
}
