import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Subscriptions
import Tenancy

/// One quota as `GET /api/v1/limits` shows it: its limit (`nil` is unlimited) and current use.
public struct QuotaUse: Sendable, Codable, Equatable {
    public var name: String
    public var limit: Int?
    public var used: Int
    public var remaining: Int?

    init(_ name: String, limit: Int?, used: Int) {
        self.name = name
        self.limit = limit
        self.used = used
        self.remaining = limit.map { max(0, $0 - used) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(limit, forKey: .limit)
        try container.encode(used, forKey: .used)
        try container.encode(remaining, forKey: .remaining)
    }
}

/// Every quota of a workspace with its limit and use, like Salesforce's `/limits`.
public struct Limits: Sendable {
    let database: Database
    let subscriptions: Subscriptions
    let rateLimiter: RateLimiter
    let concurrency: ConcurrencyLimiter

    public init(database: Database, subscriptions: Subscriptions, rateLimiter: RateLimiter, concurrency: ConcurrencyLimiter) {
        self.database = database
        self.subscriptions = subscriptions
        self.rateLimiter = rateLimiter
        self.concurrency = concurrency
    }

    public func report(_ principal: TenantPrincipal) async throws -> [QuotaUse] {
        // One transaction, so the limits and the uses shown belong to the same moment.
        let (subscription, counters, members, webhooks, customFields) = try await database.withTenant(principal.tenant) { transaction in
            let subscription = try await subscriptions.subscription(principal.tenant, in: transaction)
            let counters = try await transaction.rows("SELECT kind, used FROM record_counters", as: (String, Int).self)
            let (members, webhooks, customFields) = try await transaction.rows("""
                SELECT (SELECT count(*) FROM memberships)::int, (SELECT count(*) FROM webhook_endpoints)::int,
                       (SELECT count(*) FROM custom_field_definitions)::int
                """, as: (Int, Int, Int).self)[0]
            return (subscription, Dictionary(uniqueKeysWithValues: counters), members, webhooks, customFields)
        }
        let limits = subscription.plan.limits
        return [
            QuotaUse("contacts", limit: limits.contacts, used: counters["contacts"] ?? 0),
            QuotaUse("accounts", limit: limits.accounts, used: counters["accounts"] ?? 0),
            QuotaUse("seats", limit: subscription.seats, used: members),
            QuotaUse("api_requests_per_day", limit: limits.apiPerDay,
                     used: rateLimiter.usedToday(principal.tenant, timeZone: principal.timeZone)),
            QuotaUse("api_requests_per_minute", limit: limits.apiPerMinute,
                     used: rateLimiter.usedThisMinute(principal.tenant, perMinute: limits.apiPerMinute)),
            QuotaUse("api_requests_per_minute_per_key", limit: limits.apiPerMinutePerKey,
                     used: rateLimiter.usedThisMinute(credential: principal.credential, perKeyMinute: limits.apiPerMinutePerKey)),
            QuotaUse("concurrent_requests", limit: limits.concurrentRequests, used: concurrency.inFlight(principal.tenant)),
            QuotaUse("storage_mb", limit: limits.storageMB, used: 0),
            QuotaUse("webhooks", limit: limits.webhooks, used: webhooks),
            QuotaUse("custom_fields", limit: limits.customFields, used: customFields),
        ]
    }
}
