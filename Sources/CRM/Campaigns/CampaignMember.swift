import Foundation
import GuanxiCore

/// A contact or a lead that a campaign targets, and how far the campaign got with them.
public struct CampaignMember: Sendable, Encodable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case targeted, sent, opened, clicked, responded, bounced, unsubscribed

        /// The steps towards a response, in order; a member moves forward along them and may skip
        /// some (a phone call goes from targeted straight to responded).
        private static let progression: [Status] = [.targeted, .sent, .opened, .clicked, .responded]

        /// Forward along targeted → sent → opened → clicked → responded; bounced from targeted or
        /// sent, and back to sent when sent again; unsubscribed from anything, and for good.
        public func mayBecome(_ next: Status) -> Bool {
            switch (self, next) {
            case (.unsubscribed, _): false
            case (_, .unsubscribed): true
            case (.targeted, .bounced), (.sent, .bounced), (.bounced, .sent): true
            case (.bounced, _), (_, .bounced): false
            default: Self.progression.firstIndex(of: next)! > Self.progression.firstIndex(of: self)!
            }
        }

        public var allowedNext: [Status] { Status.allCases.filter(mayBecome) }
    }

    public var id: CampaignMemberID
    public var campaignID: CampaignID
    /// Exactly one of `contactID` and `leadID` is set.
    public var contactID: ContactID?
    public var leadID: LeadID?
    /// The contact's or lead's name, email and phone, as the caller sees them: `null` for a person
    /// out of the caller's sight (Docs/Access.md).
    public var name: String?
    public var email: String?
    public var phone: String?
    public var status: Status
    /// When the member reached `status` (the latest touch's `occurred_at`; when added, for `targeted`).
    public var statusChangedAt: Date
    /// The member who added them; `null` once that user is gone.
    public var addedBy: UserID?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, email, phone, status
        case campaignID = "campaign_id"
        case contactID = "contact_id"
        case leadID = "lead_id"
        case statusChangedAt = "status_changed_at"
        case addedBy = "added_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Every field is present, `null` when empty.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(campaignID, forKey: .campaignID)
        try container.encode(contactID, forKey: .contactID)
        try container.encode(leadID, forKey: .leadID)
        try container.encode(name, forKey: .name)
        try container.encode(email, forKey: .email)
        try container.encode(phone, forKey: .phone)
        try container.encode(status, forKey: .status)
        try container.encode(statusChangedAt, forKey: .statusChangedAt)
        try container.encode(addedBy, forKey: .addedBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// One change of a member's status: what the timelines show as a campaign touch.
public struct CampaignTouch: Sendable, Encodable, Equatable {
    public var id: CampaignTouchID
    public var campaignID: CampaignID
    public var memberID: CampaignMemberID
    public var fromStatus: CampaignMember.Status
    public var toStatus: CampaignMember.Status
    public var note: String?
    /// When it happened, which may be before it was recorded (`createdAt`).
    public var occurredAt: Date
    public var recordedBy: UserID?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, note
        case campaignID = "campaign_id"
        case memberID = "member_id"
        case fromStatus = "from_status"
        case toStatus = "to_status"
        case occurredAt = "occurred_at"
        case recordedBy = "recorded_by"
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(campaignID, forKey: .campaignID)
        try container.encode(memberID, forKey: .memberID)
        try container.encode(fromStatus, forKey: .fromStatus)
        try container.encode(toStatus, forKey: .toStatus)
        try container.encode(note, forKey: .note)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(recordedBy, forKey: .recordedBy)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

/// Contacts and leads to add to a campaign by id: at most `CampaignMembers.largestBatch` in all, added
/// together or not at all.
public struct NewCampaignMembers: RequestPayload {
    public static let fields: Set<String> = ["contact_ids", "lead_ids"]
    public var contactIDs: [ContactID]
    public var leadIDs: [LeadID]

    public init(contactIDs: [ContactID] = [], leadIDs: [LeadID] = []) {
        self.contactIDs = contactIDs
        self.leadIDs = leadIDs
    }

    enum CodingKeys: String, CodingKey {
        case contactIDs = "contact_ids"
        case leadIDs = "lead_ids"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        contactIDs = try container.decodeIfPresent([ContactID].self, forKey: .contactIDs) ?? []
        leadIDs = try container.decodeIfPresent([LeadID].self, forKey: .leadIDs) ?? []
    }
}

/// What adding by id did: the new members, and the ids that were members already.
public struct AddedCampaignMembers: Sendable, Encodable, Equatable {
    public var added: [CampaignMember]
    public var skippedContactIDs: [ContactID]
    public var skippedLeadIDs: [LeadID]

    enum CodingKeys: String, CodingKey {
        case added
        case skippedContactIDs = "skipped_contact_ids"
        case skippedLeadIDs = "skipped_lead_ids"
    }
}

/// What adding a segment did. `more` is true when more matching contacts remain than one request
/// adds: sending the same request again adds the next ones.
public struct AddedCampaignSegment: Sendable, Encodable, Equatable {
    public var added: Int
    /// Matching contacts that were members already.
    public var skipped: Int
    public var more: Bool
}

/// A member's new status, recorded as a touch.
public struct NewCampaignTouch: RequestPayload {
    public static let fields: Set<String> = ["status", "note", "occurred_at"]
    public var status: String
    public var note: String?
    /// Now when left out; it may be earlier (an opening reported later), not later.
    public var occurredAt: Date?

    public init(status: String, note: String? = nil, occurredAt: Date? = nil) {
        self.status = status
        self.note = note
        self.occurredAt = occurredAt
    }

    enum CodingKeys: String, CodingKey {
        case status, note
        case occurredAt = "occurred_at"
    }
}

/// One status for many members of a campaign: those named in `member_ids` (at most
/// `CampaignMembers.largestBatch`), or every member in `from_status` — exactly one of the two.
public struct NewCampaignTouches: RequestPayload {
    public static let fields: Set<String> = ["status", "note", "occurred_at", "member_ids", "from_status"]
    public var status: String
    public var note: String?
    public var occurredAt: Date?
    public var memberIDs: [CampaignMemberID]?
    public var fromStatus: String?

    public init(status: String, note: String? = nil, occurredAt: Date? = nil, memberIDs: [CampaignMemberID]? = nil, fromStatus: String? = nil) {
        self.status = status
        self.note = note
        self.occurredAt = occurredAt
        self.memberIDs = memberIDs
        self.fromStatus = fromStatus
    }

    enum CodingKeys: String, CodingKey {
        case status, note
        case occurredAt = "occurred_at"
        case memberIDs = "member_ids"
        case fromStatus = "from_status"
    }
}

/// What a change of many members did: how many moved, the named members already in that status,
/// and, for `from_status`, whether more remain than one request moves.
public struct RecordedCampaignTouches: Sendable, Encodable, Equatable {
    public var touched: Int
    public var skippedMemberIDs: [CampaignMemberID]
    public var more: Bool

    enum CodingKeys: String, CodingKey {
        case touched, more
        case skippedMemberIDs = "skipped_member_ids"
    }
}

/// The filters of `GET /api/v1/campaigns/{id}/members`.
public struct CampaignMemberFilter: Sendable {
    public var status: CampaignMember.Status?

    public init(status: CampaignMember.Status? = nil) { self.status = status }
}
