import Foundation
import GuanxiCore

/// A sales opportunity: an amount expected from an account by a date, moving through a pipeline's stages.
public struct Deal: Sendable, Encodable, Equatable {
    public var id: DealID
    public var name: String
    public var pipelineID: PipelineID
    public var stageID: StageID
    public var stageName: String
    /// The kind of the deal's stage: `open`, or closed as `won` or `lost`.
    public var status: Stage.Kind
    /// The stage's win probability in basis points (10000 is 100 %).
    public var winProbabilityBP: Int
    /// Shown as `amount_minor` and `currency`, both `null` while the amount is not known.
    public var amount: Money?
    public var expectedCloseDate: CalendarDate?
    public var accountID: AccountID?
    public var contactIDs: [ContactID]
    public var ownerID: UserID
    /// When the deal was won or lost; `null` while it is open.
    public var closedAt: Date?
    /// Why it was won or lost.
    public var closeReason: String?
    /// The workspace's custom fields for deals that this one has a value for.
    public var customFields: CustomFields
    /// The campaign that sourced the deal (Docs/Marketing.md); `null` when none did, or once it is deleted.
    public var campaignID: CampaignID?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, status, currency
        case pipelineID = "pipeline_id"
        case stageID = "stage_id"
        case stageName = "stage_name"
        case winProbabilityBP = "win_probability_bp"
        case amountMinor = "amount_minor"
        case expectedCloseDate = "expected_close_date"
        case accountID = "account_id"
        case contactIDs = "contact_ids"
        case ownerID = "owner_id"
        case closedAt = "closed_at"
        case closeReason = "close_reason"
        case customFields = "custom_fields"
        case campaignID = "campaign_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(id: DealID, name: String, pipelineID: PipelineID, stageID: StageID, stageName: String, status: Stage.Kind,
                winProbabilityBP: Int, amount: Money?, expectedCloseDate: CalendarDate?, accountID: AccountID?,
                contactIDs: [ContactID], ownerID: UserID, closedAt: Date?, closeReason: String?,
                customFields: CustomFields, campaignID: CampaignID? = nil, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.pipelineID = pipelineID
        self.stageID = stageID
        self.stageName = stageName
        self.status = status
        self.winProbabilityBP = winProbabilityBP
        self.amount = amount
        self.expectedCloseDate = expectedCloseDate
        self.accountID = accountID
        self.contactIDs = contactIDs
        self.ownerID = ownerID
        self.closedAt = closedAt
        self.closeReason = closeReason
        self.customFields = customFields
        self.campaignID = campaignID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Every field is present, `null` when empty; the amount as flat `amount_minor` and `currency`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(pipelineID, forKey: .pipelineID)
        try container.encode(stageID, forKey: .stageID)
        try container.encode(stageName, forKey: .stageName)
        try container.encode(status, forKey: .status)
        try container.encode(winProbabilityBP, forKey: .winProbabilityBP)
        try container.encode(amount?.amountMinor, forKey: .amountMinor)
        try container.encode(amount?.currency, forKey: .currency)
        try container.encode(expectedCloseDate, forKey: .expectedCloseDate)
        try container.encode(accountID, forKey: .accountID)
        try container.encode(contactIDs, forKey: .contactIDs)
        try container.encode(ownerID, forKey: .ownerID)
        try container.encode(closedAt, forKey: .closedAt)
        try container.encode(closeReason, forKey: .closeReason)
        try container.encode(customFields, forKey: .customFields)
        try container.encode(campaignID, forKey: .campaignID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

public struct NewDeal: RequestPayload {
    public static let fields: Set<String> = ["name", "amount_minor", "currency", "expected_close_date", "stage_id", "account_id",
                                             "contact_ids", "owner_id", "custom_fields", "campaign_id"]
    public var name: String
    public var amountMinor: Int64?
    public var currency: String?
    public var expectedCloseDate: CalendarDate?
    /// An open stage of any pipeline; the default pipeline's first stage when left out.
    public var stageID: StageID?
    public var accountID: AccountID?
    public var contactIDs: [ContactID]?
    /// The calling member when left out.
    public var ownerID: UserID?
    public var customFields: CustomFields?
    /// The campaign that sourced the deal.
    public var campaignID: CampaignID?

    public init(name: String, amountMinor: Int64? = nil, currency: String? = nil, expectedCloseDate: CalendarDate? = nil,
                stageID: StageID? = nil, accountID: AccountID? = nil, contactIDs: [ContactID]? = nil, ownerID: UserID? = nil,
                customFields: CustomFields? = nil, campaignID: CampaignID? = nil) {
        self.name = name
        self.amountMinor = amountMinor
        self.currency = currency
        self.expectedCloseDate = expectedCloseDate
        self.stageID = stageID
        self.accountID = accountID
        self.contactIDs = contactIDs
        self.ownerID = ownerID
        self.customFields = customFields
        self.campaignID = campaignID
    }

    enum CodingKeys: String, CodingKey {
        case name, currency
        case amountMinor = "amount_minor"
        case expectedCloseDate = "expected_close_date"
        case stageID = "stage_id"
        case accountID = "account_id"
        case contactIDs = "contact_ids"
        case ownerID = "owner_id"
        case customFields = "custom_fields"
        case campaignID = "campaign_id"
    }
}

/// A deal's stage changes only through a move (`Deals.move`), which records it.
public struct DealPatch: RequestPayload {
    public static let fields: Set<String> = ["name", "amount_minor", "currency", "expected_close_date", "account_id", "contact_ids", "owner_id",
                                             "custom_fields", "campaign_id"]
    public var name: FieldPatch<String> = .keep
    public var amountMinor: FieldPatch<Int64> = .keep
    public var currency: FieldPatch<String> = .keep
    public var expectedCloseDate: FieldPatch<CalendarDate> = .keep
    public var accountID: FieldPatch<AccountID> = .keep
    /// Replaces the deal's contacts; `null` or `[]` removes them all.
    public var contactIDs: FieldPatch<[ContactID]> = .keep
    public var ownerID: FieldPatch<UserID> = .keep
    /// The custom fields to change: a value replaces, `null` removes; others keep theirs.
    public var customFields: CustomFields?
    public var campaignID: FieldPatch<CampaignID> = .keep

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NewDeal.CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        amountMinor = try container.decodePatch(Int64.self, forKey: .amountMinor)
        currency = try container.decodePatch(String.self, forKey: .currency)
        expectedCloseDate = try container.decodePatch(CalendarDate.self, forKey: .expectedCloseDate)
        accountID = try container.decodePatch(AccountID.self, forKey: .accountID)
        contactIDs = try container.decodePatch([ContactID].self, forKey: .contactIDs)
        ownerID = try container.decodePatch(UserID.self, forKey: .ownerID)
        customFields = try container.decodeIfPresent(CustomFields.self, forKey: .customFields)
        campaignID = try container.decodePatch(CampaignID.self, forKey: .campaignID)
    }
}

/// Moves a deal to another stage, of its pipeline or another one. A won or lost stage closes the
/// deal; `reason` is then why (required for lost). Back to an open stage reopens it.
public struct DealMove: RequestPayload {
    public static let fields: Set<String> = ["stage_id", "reason"]
    public var stageID: StageID
    public var reason: String?

    public init(stageID: StageID, reason: String? = nil) {
        self.stageID = stageID
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case reason
        case stageID = "stage_id"
    }
}

/// One entry of a deal's history: its creation (`from_stage_id` and `from_stage_name` null) or a move.
public struct DealStageChange: Sendable, Encodable, Equatable {
    public var id: DealStageChangeID
    public var dealID: DealID
    /// `null` once that stage was deleted; the name stays.
    public var fromStageID: StageID?
    public var fromStageName: String?
    public var toStageID: StageID?
    public var toStageName: String
    public var toKind: Stage.Kind
    /// The target stage's probability at the time.
    public var winProbabilityBP: Int
    public var reason: String?
    public var changedBy: UserID
    public var changedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, reason
        case dealID = "deal_id"
        case fromStageID = "from_stage_id"
        case fromStageName = "from_stage_name"
        case toStageID = "to_stage_id"
        case toStageName = "to_stage_name"
        case toKind = "to_kind"
        case winProbabilityBP = "win_probability_bp"
        case changedBy = "changed_by"
        case changedAt = "changed_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(dealID, forKey: .dealID)
        try container.encode(fromStageID, forKey: .fromStageID)
        try container.encode(fromStageName, forKey: .fromStageName)
        try container.encode(toStageID, forKey: .toStageID)
        try container.encode(toStageName, forKey: .toStageName)
        try container.encode(toKind, forKey: .toKind)
        try container.encode(winProbabilityBP, forKey: .winProbabilityBP)
        try container.encode(reason, forKey: .reason)
        try container.encode(changedBy, forKey: .changedBy)
        try container.encode(changedAt, forKey: .changedAt)
    }
}

/// The filters of `GET /api/v1/deals`.
public struct DealFilter: Sendable {
    public var status: Stage.Kind?
    public var stageID: StageID?
    public var pipelineID: PipelineID?
    public var ownerID: UserID?
    public var accountID: AccountID?
    public var contactID: ContactID?
    /// Any part of the name, without regard to case.
    public var q: String?
    public var customFields: CustomFieldFilter
    /// The deals a campaign sourced.
    public var campaignID: CampaignID?

    public init(status: Stage.Kind? = nil, stageID: StageID? = nil, pipelineID: PipelineID? = nil, ownerID: UserID? = nil,
                accountID: AccountID? = nil, contactID: ContactID? = nil, q: String? = nil,
                customFields: CustomFieldFilter = CustomFieldFilter(), campaignID: CampaignID? = nil) {
        self.status = status
        self.stageID = stageID
        self.pipelineID = pipelineID
        self.ownerID = ownerID
        self.accountID = accountID
        self.contactID = contactID
        self.q = q
        self.customFields = customFields
        self.campaignID = campaignID
    }
}
