import Foundation
import GuanxiCore

/// Someone who may become a customer, before they are one. A qualified lead is converted into an
/// account, a contact and optionally a deal; it stays, marked converted, with links to them.
public struct Lead: Sendable, Encodable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case new, contacted, qualified, disqualified
        /// Set only by a conversion; a converted lead no longer changes.
        case converted
    }

    public var id: LeadID
    public var name: String
    public var company: String?
    public var email: String?
    public var phone: String?
    public var title: String?
    /// Where the lead came from, such as `web_form` (the public form), `referral` or `trade_show`.
    public var source: String?
    public var status: Status
    /// Why the lead was disqualified; set exactly while the status is `disqualified`.
    public var disqualifiedReason: String?
    /// What the lead wrote, or notes taken when it was captured.
    public var message: String?
    public var ownerID: UserID
    public var convertedAt: Date?
    public var convertedBy: UserID?
    public var convertedAccountID: AccountID?
    public var convertedContactID: ContactID?
    public var convertedDealID: DealID?
    /// The workspace's custom fields for leads that this one has a value for.
    public var customFields: CustomFields
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, company, email, phone, title, source, status, message
        case customFields = "custom_fields"
        case disqualifiedReason = "disqualified_reason"
        case ownerID = "owner_id"
        case convertedAt = "converted_at"
        case convertedBy = "converted_by"
        case convertedAccountID = "converted_account_id"
        case convertedContactID = "converted_contact_id"
        case convertedDealID = "converted_deal_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Every field is present, `null` when empty.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(company, forKey: .company)
        try container.encode(email, forKey: .email)
        try container.encode(phone, forKey: .phone)
        try container.encode(title, forKey: .title)
        try container.encode(source, forKey: .source)
        try container.encode(status, forKey: .status)
        try container.encode(disqualifiedReason, forKey: .disqualifiedReason)
        try container.encode(message, forKey: .message)
        try container.encode(ownerID, forKey: .ownerID)
        try container.encode(convertedAt, forKey: .convertedAt)
        try container.encode(convertedBy, forKey: .convertedBy)
        try container.encode(convertedAccountID, forKey: .convertedAccountID)
        try container.encode(convertedContactID, forKey: .convertedContactID)
        try container.encode(convertedDealID, forKey: .convertedDealID)
        try container.encode(customFields, forKey: .customFields)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

public struct NewLead: RequestPayload {
    public static let fields: Set<String> = ["name", "company", "email", "phone", "title", "source", "status",
                                             "disqualified_reason", "message", "owner_id", "custom_fields"]
    public var name: String
    public var company: String?
    public var email: String?
    public var phone: String?
    public var title: String?
    public var source: String?
    /// `new` when left out; `converted` is only reached by converting.
    public var status: Lead.Status?
    public var disqualifiedReason: String?
    public var message: String?
    /// The calling member when left out.
    public var ownerID: UserID?
    public var customFields: CustomFields?

    public init(name: String, company: String? = nil, email: String? = nil, phone: String? = nil, title: String? = nil,
                source: String? = nil, status: Lead.Status? = nil, disqualifiedReason: String? = nil, message: String? = nil,
                ownerID: UserID? = nil, customFields: CustomFields? = nil) {
        self.name = name
        self.company = company
        self.email = email
        self.phone = phone
        self.title = title
        self.source = source
        self.status = status
        self.disqualifiedReason = disqualifiedReason
        self.message = message
        self.ownerID = ownerID
        self.customFields = customFields
    }

    enum CodingKeys: String, CodingKey {
        case name, company, email, phone, title, source, status, message
        case disqualifiedReason = "disqualified_reason"
        case ownerID = "owner_id"
        case customFields = "custom_fields"
    }
}

public struct LeadPatch: RequestPayload {
    public static let fields = NewLead.fields
    public var name: FieldPatch<String> = .keep
    public var company: FieldPatch<String> = .keep
    public var email: FieldPatch<String> = .keep
    public var phone: FieldPatch<String> = .keep
    public var title: FieldPatch<String> = .keep
    public var source: FieldPatch<String> = .keep
    public var status: FieldPatch<Lead.Status> = .keep
    public var disqualifiedReason: FieldPatch<String> = .keep
    public var message: FieldPatch<String> = .keep
    public var ownerID: FieldPatch<UserID> = .keep
    /// The custom fields to change: a value replaces, `null` removes; others keep theirs.
    public var customFields: CustomFields?

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NewLead.CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        company = try container.decodePatch(String.self, forKey: .company)
        email = try container.decodePatch(String.self, forKey: .email)
        phone = try container.decodePatch(String.self, forKey: .phone)
        title = try container.decodePatch(String.self, forKey: .title)
        source = try container.decodePatch(String.self, forKey: .source)
        status = try container.decodePatch(Lead.Status.self, forKey: .status)
        disqualifiedReason = try container.decodePatch(String.self, forKey: .disqualifiedReason)
        message = try container.decodePatch(String.self, forKey: .message)
        ownerID = try container.decodePatch(UserID.self, forKey: .ownerID)
        customFields = try container.decodeIfPresent(CustomFields.self, forKey: .customFields)
    }
}

/// The filters of `GET /api/v1/leads`.
public struct LeadFilter: Sendable {
    public var status: Lead.Status?
    public var source: String?
    public var ownerID: UserID?
    /// Any part of the name, company or email, without regard to case.
    public var q: String?
    public var customFields: CustomFieldFilter

    public init(status: Lead.Status? = nil, source: String? = nil, ownerID: UserID? = nil, q: String? = nil,
                customFields: CustomFieldFilter = CustomFieldFilter()) {
        self.status = status
        self.source = source
        self.ownerID = ownerID
        self.q = q
        self.customFields = customFields
    }
}

/// What a qualified lead becomes. Without `account_id` a new account is made from the lead's
/// company; with `deal` (an object, `{}` for every default) a deal is opened too.
public struct LeadConversionRequest: RequestPayload {
    public static let fields: Set<String> = ["account_id", "deal"]
    /// An existing account for the new contact (and deal), instead of a new one.
    public var accountID: AccountID?
    public var deal: ConvertedDeal?

    public init(accountID: AccountID? = nil, deal: ConvertedDeal? = nil) {
        self.accountID = accountID
        self.deal = deal
    }

    enum CodingKeys: String, CodingKey {
        case deal
        case accountID = "account_id"
    }
}

/// The deal a conversion opens; every field may be left out.
public struct ConvertedDeal: Sendable, Decodable {
    public static let fields: Set<String> = ["name", "amount_minor", "currency", "expected_close_date", "stage_id", "owner_id"]
    /// The account's name when left out.
    public var name: String?
    public var amountMinor: Int64?
    public var currency: String?
    public var expectedCloseDate: CalendarDate?
    /// The default pipeline's first stage when left out.
    public var stageID: StageID?
    /// The converting member when left out.
    public var ownerID: UserID?

    public init(name: String? = nil, amountMinor: Int64? = nil, currency: String? = nil, expectedCloseDate: CalendarDate? = nil,
                stageID: StageID? = nil, ownerID: UserID? = nil) {
        self.name = name
        self.amountMinor = amountMinor
        self.currency = currency
        self.expectedCloseDate = expectedCloseDate
        self.stageID = stageID
        self.ownerID = ownerID
    }

    enum CodingKeys: String, CodingKey {
        case name, currency
        case amountMinor = "amount_minor"
        case expectedCloseDate = "expected_close_date"
        case stageID = "stage_id"
        case ownerID = "owner_id"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(Self.fields)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        amountMinor = try container.decodeIfPresent(Int64.self, forKey: .amountMinor)
        currency = try container.decodeIfPresent(String.self, forKey: .currency)
        expectedCloseDate = try container.decodeIfPresent(CalendarDate.self, forKey: .expectedCloseDate)
        stageID = try container.decodeIfPresent(StageID.self, forKey: .stageID)
        ownerID = try container.decodeIfPresent(UserID.self, forKey: .ownerID)
    }
}

/// The lead, marked converted, and what it became.
public struct LeadConversion: Sendable, Encodable {
    public var lead: Lead
    public var account: Account
    public var contact: Contact
    public var deal: Deal?

    /// `deal` is `null` when none was opened, never missing.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lead, forKey: .lead)
        try container.encode(account, forKey: .account)
        try container.encode(contact, forKey: .contact)
        try container.encode(deal, forKey: .deal)
    }

    enum CodingKeys: String, CodingKey {
        case lead, account, contact, deal
    }
}
