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
    /// One API key's (or session's) share of the minute.
    public var apiPerMinutePerKey: Int
    public var apiPerDay: Int
    public var concurrentRequests: Int
    public var webhooks: Int?
    public var customFields: Int?

    enum CodingKeys: String, CodingKey {
        case contacts, accounts, webhooks
        case storageMB = "storage_mb"
        case apiPerMinute = "api_per_minute"
        case apiPerMinutePerKey = "api_per_minute_per_key"
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
        try container.encode(apiPerMinutePerKey, forKey: .apiPerMinutePerKey)
        try container.encode(apiPerDay, forKey: .apiPerDay)
        try container.encode(concurrentRequests, forKey: .concurrentRequests)
        try container.encode(webhooks, forKey: .webhooks)
        try container.encode(customFields, forKey: .customFields)
    }

    public init(contacts: Int?, accounts: Int?, storageMB: Int?, apiPerMinute: Int, apiPerMinutePerKey: Int? = nil, apiPerDay: Int,
                concurrentRequests: Int, webhooks: Int?, customFields: Int?) {
        self.contacts = contacts
        self.accounts = accounts
        self.storageMB = storageMB
        self.apiPerMinute = apiPerMinute
        self.apiPerMinutePerKey = apiPerMinutePerKey ?? apiPerMinute
        self.apiPerDay = apiPerDay
        self.concurrentRequests = concurrentRequests
        self.webhooks = webhooks
        self.customFields = customFields
    }

    /// `api_per_minute_per_key` may be left out: one key may then use the whole minute.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let perMinute = try container.decode(Int.self, forKey: .apiPerMinute)
        self.init(contacts: try container.decodeIfPresent(Int.self, forKey: .contacts),
                  accounts: try container.decodeIfPresent(Int.self, forKey: .accounts),
                  storageMB: try container.decodeIfPresent(Int.self, forKey: .storageMB),
                  apiPerMinute: perMinute,
                  apiPerMinutePerKey: try container.decodeIfPresent(Int.self, forKey: .apiPerMinutePerKey),
                  apiPerDay: try container.decode(Int.self, forKey: .apiPerDay),
                  concurrentRequests: try container.decode(Int.self, forKey: .concurrentRequests),
                  webhooks: try container.decodeIfPresent(Int.self, forKey: .webhooks),
                  customFields: try container.decodeIfPresent(Int.self, forKey: .customFields))
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
