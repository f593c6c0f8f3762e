import Foundation
import GuanxiCore

/// A company the firm sells to or serves.
public struct Account: Sendable, Codable, Equatable {
    public var id: AccountID
    public var name: String
    public var website: String?
    public var phone: String?
    public var industry: String?
    /// The workspace's custom fields for accounts that this one has a value for.
    public var customFields: CustomFields
    /// The member the account belongs to: whoever made it, unless reassigned; `nil` for an account
    /// no member made, which everyone who sees accounts sees (Docs/Access.md).
    public var ownerID: UserID?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, website, phone, industry
        case customFields = "custom_fields"
        case ownerID = "owner_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Empty optional fields are sent as `null`, so every account has the same shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(website, forKey: .website)
        try container.encode(phone, forKey: .phone)
        try container.encode(industry, forKey: .industry)
        try container.encode(customFields, forKey: .customFields)
        try container.encode(ownerID, forKey: .ownerID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

public struct NewAccount: RequestPayload {
    public static let fields: Set<String> = ["name", "website", "phone", "industry", "custom_fields"]
    public var name: String
    public var website: String?
    public var phone: String?
    public var industry: String?
    public var customFields: CustomFields?

    public init(name: String, website: String? = nil, phone: String? = nil, industry: String? = nil, customFields: CustomFields? = nil) {
        self.name = name
        self.website = website
        self.phone = phone
        self.industry = industry
        self.customFields = customFields
    }

    enum CodingKeys: String, CodingKey {
        case name, website, phone, industry
        case customFields = "custom_fields"
    }
}

public struct AccountPatch: RequestPayload {
    public static let fields = NewAccount.fields.union(["owner_id"])
    public var name: FieldPatch<String> = .keep
    public var website: FieldPatch<String> = .keep
    public var phone: FieldPatch<String> = .keep
    public var industry: FieldPatch<String> = .keep
    /// The custom fields to change: a value replaces, `null` removes; others keep theirs.
    public var customFields: CustomFields?
    /// A reassignment: owners and admins, and managers within their teams (Docs/Access.md).
    public var ownerID: FieldPatch<UserID> = .keep

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, website, phone, industry
        case customFields = "custom_fields"
        case ownerID = "owner_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        website = try container.decodePatch(String.self, forKey: .website)
        phone = try container.decodePatch(String.self, forKey: .phone)
        industry = try container.decodePatch(String.self, forKey: .industry)
        customFields = try container.decodeIfPresent(CustomFields.self, forKey: .customFields)
        ownerID = try container.decodePatch(UserID.self, forKey: .ownerID)
    }
}
