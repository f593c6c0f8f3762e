import Foundation
import GuanxiCore

/// A marketing campaign: a trade-fair invitation, a WeChat, SMS or email promotion to a segment of
/// customers, a holiday event. Its budget and actual cost are in its one currency.
public struct Campaign: Sendable, Encodable, Equatable {
    /// How the campaign reaches people.
    public enum Channel: String, Sendable, Codable, CaseIterable {
        case email, sms, wechat, phone, event, web, print, other
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case planned, active, completed, cancelled

        /// A planned campaign starts or is called off; an active one completes or is called off;
        /// completed and cancelled are final.
        public var allowedNext: [Status] {
            switch self {
            case .planned: [.active, .cancelled]
            case .active: [.completed, .cancelled]
            case .completed, .cancelled: []
            }
        }
    }

    public var id: CampaignID
    public var name: String
    public var description: String?
    public var channel: Channel
    public var status: Status
    public var startsOn: CalendarDate?
    /// Never before `startsOn`.
    public var endsOn: CalendarDate?
    /// The currency of the budget, the actual cost and the report's amounts (ISO 4217).
    public var currency: String
    /// Shown as `budget_minor`, `null` while not set.
    public var budget: Money?
    /// What the campaign cost, shown as `actual_cost_minor`; the report's cost per response and ROI need it.
    public var actualCost: Money?
    public var ownerID: UserID
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, description, channel, status, currency
        case startsOn = "starts_on"
        case endsOn = "ends_on"
        case budgetMinor = "budget_minor"
        case actualCostMinor = "actual_cost_minor"
        case ownerID = "owner_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Every field is present, `null` when empty; the amounts as minor units beside one `currency`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(channel, forKey: .channel)
        try container.encode(status, forKey: .status)
        try container.encode(startsOn, forKey: .startsOn)
        try container.encode(endsOn, forKey: .endsOn)
        try container.encode(currency, forKey: .currency)
        try container.encode(budget?.amountMinor, forKey: .budgetMinor)
        try container.encode(actualCost?.amountMinor, forKey: .actualCostMinor)
        try container.encode(ownerID, forKey: .ownerID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

public struct NewCampaign: RequestPayload {
    public static let fields: Set<String> = ["name", "description", "channel", "status", "starts_on", "ends_on", "currency",
                                             "budget_minor", "actual_cost_minor", "owner_id"]
    public var name: String
    public var description: String?
    /// One of `Campaign.Channel`, checked by the service so that a wrong one is told the choices.
    public var channel: String
    /// `planned` when left out; a campaign may also start `active`.
    public var status: String?
    public var startsOn: CalendarDate?
    public var endsOn: CalendarDate?
    public var currency: String
    public var budgetMinor: Int64?
    public var actualCostMinor: Int64?
    /// The calling member when left out.
    public var ownerID: UserID?

    public init(name: String, description: String? = nil, channel: String, status: String? = nil, startsOn: CalendarDate? = nil,
                endsOn: CalendarDate? = nil, currency: String, budgetMinor: Int64? = nil, actualCostMinor: Int64? = nil,
                ownerID: UserID? = nil) {
        self.name = name
        self.description = description
        self.channel = channel
        self.status = status
        self.startsOn = startsOn
        self.endsOn = endsOn
        self.currency = currency
        self.budgetMinor = budgetMinor
        self.actualCostMinor = actualCostMinor
        self.ownerID = ownerID
    }

    enum CodingKeys: String, CodingKey {
        case name, description, channel, status, currency
        case startsOn = "starts_on"
        case endsOn = "ends_on"
        case budgetMinor = "budget_minor"
        case actualCostMinor = "actual_cost_minor"
        case ownerID = "owner_id"
    }
}

/// Any field of a campaign; `status` moves along `Campaign.Status.allowedNext`.
public struct CampaignPatch: RequestPayload {
    public static let fields = NewCampaign.fields
    public var name: FieldPatch<String> = .keep
    public var description: FieldPatch<String> = .keep
    public var channel: FieldPatch<String> = .keep
    public var status: FieldPatch<String> = .keep
    public var startsOn: FieldPatch<CalendarDate> = .keep
    public var endsOn: FieldPatch<CalendarDate> = .keep
    public var currency: FieldPatch<String> = .keep
    public var budgetMinor: FieldPatch<Int64> = .keep
    public var actualCostMinor: FieldPatch<Int64> = .keep
    /// A reassignment: owners, admins and managers only.
    public var ownerID: FieldPatch<UserID> = .keep

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NewCampaign.CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        description = try container.decodePatch(String.self, forKey: .description)
        channel = try container.decodePatch(String.self, forKey: .channel)
        status = try container.decodePatch(String.self, forKey: .status)
        startsOn = try container.decodePatch(CalendarDate.self, forKey: .startsOn)
        endsOn = try container.decodePatch(CalendarDate.self, forKey: .endsOn)
        currency = try container.decodePatch(String.self, forKey: .currency)
        budgetMinor = try container.decodePatch(Int64.self, forKey: .budgetMinor)
        actualCostMinor = try container.decodePatch(Int64.self, forKey: .actualCostMinor)
        ownerID = try container.decodePatch(UserID.self, forKey: .ownerID)
    }
}

/// The filters of `GET /api/v1/campaigns`.
public struct CampaignFilter: Sendable {
    public var status: Campaign.Status?
    public var channel: Campaign.Channel?
    public var ownerID: UserID?
    /// Any part of the name, without regard to case.
    public var q: String?

    public init(status: Campaign.Status? = nil, channel: Campaign.Channel? = nil, ownerID: UserID? = nil, q: String? = nil) {
        self.status = status
        self.channel = channel
        self.ownerID = ownerID
        self.q = q
    }
}

/// A campaign's writable fields, validated and normalised once for create and update.
struct CampaignFields {
    static let largestAmountMinor: Int64 = 999_999_999_999_999

    var name: String
    var description: String?
    var channel: Campaign.Channel
    var startsOn: CalendarDate?
    var endsOn: CalendarDate?
    var currency: String
    var budgetMinor: Int64?
    var actualCostMinor: Int64?
    var ownerID: UserID

    init(name: String, description: String?, channel: String, startsOn: CalendarDate?, endsOn: CalendarDate?, currency: String,
         budgetMinor: Int64?, actualCostMinor: Int64?, ownerID: UserID) throws {
        self.name = try Validate.text(name, field: "name", length: 1...300, required: true)!
        self.description = try Validate.text(description, field: "description", length: 1...5000)
        self.channel = try Self.choice(channel, field: "channel", of: Campaign.Channel.self)
        if let startsOn, let endsOn, endsOn < startsOn {
            throw GuanxiError.invalidField("ends_on", "ends_on (\(endsOn)) is before starts_on (\(startsOn)); a campaign ends on or after the day it starts.")
        }
        self.startsOn = startsOn
        self.endsOn = endsOn
        let code = Validate.trimmed(currency).uppercased()
        guard code.wholeMatch(of: /[A-Z]{3}/) != nil else {
            throw GuanxiError.invalidField("currency", "currency is an ISO 4217 code such as CNY or USD; the budget and actual cost are in it.")
        }
        self.currency = code
        self.budgetMinor = try Self.amount(budgetMinor, field: "budget_minor")
        self.actualCostMinor = try Self.amount(actualCostMinor, field: "actual_cost_minor")
        self.ownerID = ownerID
    }

    static func amount(_ value: Int64?, field: String) throws -> Int64? {
        guard let value else { return nil }
        guard (0...largestAmountMinor).contains(value) else {
            throw GuanxiError.invalidField(field, "\(field) is a whole number of minor units (fen, cents) from 0 to \(largestAmountMinor).")
        }
        return value
    }

    /// One of a fixed set of words, with the set in the message when it is not.
    static func choice<Value: RawRepresentable & CaseIterable>(_ text: String, field: String, of type: Value.Type) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: Validate.trimmed(text).lowercased()) else {
            throw GuanxiError.invalidField(field, "\(field) must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }
}
