import Foundation
import GuanxiCore

/// One version of a plan in the provider's catalog. Subscribers point at a version, so
/// publishing a new version never changes what existing subscribers pay until they move.
public struct Plan: Sendable, Codable, Equatable {
    public var id: UUID
    public var code: String
    public var version: Int
    public var nameEN: String
    public var nameZH: String
    public var currency: String
    public var priceMonthMinor: Int64
    public var priceYearMinor: Int64
    public var includedSeats: Int
    public var extraSeatMonthMinor: Int64
    public var limits: PlanLimits
    public var features: [String]
    /// Order of plans from small to large: moving up is an upgrade.
    public var rank: Int
    public var isEntry: Bool

    enum CodingKeys: String, CodingKey {
        case id, code, version, currency, limits, features, rank
        case nameEN = "name_en"
        case nameZH = "name_zh"
        case priceMonthMinor = "price_month_minor"
        case priceYearMinor = "price_year_minor"
        case includedSeats = "included_seats"
        case extraSeatMonthMinor = "extra_seat_month_minor"
        case isEntry = "is_entry"
    }
}

/// What a plan allows; `nil` is unlimited.
public struct PlanLimits: Sendable, Codable, Equatable {
    public var contacts: Int?
    public var accounts: Int?
    public var storageMB: Int?
    public var apiPerMinute: Int
    public var apiPerDay: Int
    public var concurrentRequests: Int
    public var webhooks: Int?
    public var customFields: Int?

    enum CodingKeys: String, CodingKey {
        case contacts, accounts, webhooks
        case storageMB = "storage_mb"
        case apiPerMinute = "api_per_minute"
        case apiPerDay = "api_per_day"
        case concurrentRequests = "concurrent_requests"
        case customFields = "custom_fields"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(contacts, forKey: .contacts)
        try container.encode(accounts, forKey: .accounts)
        try container.encode(storageMB, forKey: .storageMB)
        try container.encode(apiPerMinute, forKey: .apiPerMinute)
        try container.encode(apiPerDay, forKey: .apiPerDay)
        try container.encode(concurrentRequests, forKey: .concurrentRequests)
        try container.encode(webhooks, forKey: .webhooks)
        try container.encode(customFields, forKey: .customFields)
    }

    /// The count limit named `quota`, for quota checks.
    public func countLimit(_ quota: String) -> Int? {
        switch quota {
        case "contacts": contacts
        case "accounts": accounts
        default: nil
        }
    }
}

/// A plan as an operator publishes it: a new code, or a new version of an existing code.
public struct PlanDefinition: RequestPayload {
    public static let fields: Set<String> = [
        "code", "name_en", "name_zh", "currency", "price_month_minor", "price_year_minor", "included_seats",
        "extra_seat_month_minor", "limits", "features", "rank",
    ]
    public var code: String
    public var nameEN: String
    public var nameZH: String
    public var currency: String
    public var priceMonthMinor: Int64
    public var priceYearMinor: Int64
    public var includedSeats: Int
    public var extraSeatMonthMinor: Int64
    public var limits: PlanLimits
    public var features: [String]?
    public var rank: Int

    enum CodingKeys: String, CodingKey {
        case code, currency, limits, features, rank
        case nameEN = "name_en"
        case nameZH = "name_zh"
        case priceMonthMinor = "price_month_minor"
        case priceYearMinor = "price_year_minor"
        case includedSeats = "included_seats"
        case extraSeatMonthMinor = "extra_seat_month_minor"
    }
}
