import Foundation
import GuanxiCore

/// A person the firm deals with, optionally at an account.
public struct Contact: Sendable, Codable, Equatable {
    public var id: ContactID
    public var accountID: AccountID?
    public var name: String
    public var email: String?
    public var phone: String?
    public var title: String?
    /// The workspace's custom fields for contacts that this one has a value for.
    public var customFields: CustomFields
    /// The member the contact belongs to: whoever made it, unless reassigned; `nil` for a contact
    /// no member made, which everyone who sees contacts sees (Docs/Access.md).
    public var ownerID: UserID?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, email, phone, title
        case accountID = "account_id"
        case customFields = "custom_fields"
        case ownerID = "owner_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Empty optional fields are sent as `null`, so every contact has the same shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(accountID, forKey: .accountID)
        try container.encode(name, forKey: .name)
        try container.encode(email, forKey: .email)
        try container.encode(phone, forKey: .phone)
        try container.encode(title, forKey: .title)
        try container.encode(customFields, forKey: .customFields)
        try container.encode(ownerID, forKey: .ownerID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

public struct NewContact: RequestPayload {
    public static let fields: Set<String> = ["name", "email", "phone", "title", "account_id", "custom_fields"]
    public var name: String
    public var email: String?
    public var phone: String?
    public var title: String?
    public var accountID: AccountID?
    public var customFields: CustomFields?

    public init(name: String, email: String? = nil, phone: String? = nil, title: String? = nil, accountID: AccountID? = nil,
                customFields: CustomFields? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.title = title
        self.accountID = accountID
        self.customFields = customFields
    }

    enum CodingKeys: String, CodingKey {
        case name, email, phone, title
        case accountID = "account_id"
        case customFields = "custom_fields"
    }
}

public struct ContactPatch: RequestPayload {
    public static let fields = NewContact.fields.union(["owner_id"])
    public var name: FieldPatch<String> = .keep
    public var email: FieldPatch<String> = .keep
    public var phone: FieldPatch<String> = .keep
    public var title: FieldPatch<String> = .keep
    public var accountID: FieldPatch<AccountID> = .keep
    /// The custom fields to change: a value replaces, `null` removes; others keep theirs.
    public var customFields: CustomFields?
    /// A reassignment: owners and admins, and managers within their teams (Docs/Access.md).
    public var ownerID: FieldPatch<UserID> = .keep

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, email, phone, title
        case accountID = "account_id"
        case customFields = "custom_fields"
        case ownerID = "owner_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        email = try container.decodePatch(String.self, forKey: .email)
        phone = try container.decodePatch(String.self, forKey: .phone)
        title = try container.decodePatch(String.self, forKey: .title)
        accountID = try container.decodePatch(AccountID.self, forKey: .accountID)
        customFields = try container.decodeIfPresent(CustomFields.self, forKey: .customFields)
        ownerID = try container.decodePatch(UserID.self, forKey: .ownerID)
    }
}

/// The filters of `GET /api/v1/contacts`.
public struct ContactFilter: Sendable {
    public var q: String?
    public var accountID: AccountID?
    public var customFields: CustomFieldFilter

    public init(q: String? = nil, accountID: AccountID? = nil, customFields: CustomFieldFilter = CustomFieldFilter()) {
        self.q = q
        self.accountID = accountID
        self.customFields = customFields
    }
}
