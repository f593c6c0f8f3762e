import Foundation
import GuanxiCore
import Tenancy

/// How urgent a case is; each priority has its own SLA targets.
public enum CasePriority: String, Sendable, Codable, CaseIterable {
    case low, normal, high, urgent

    /// One step up, as an escalation raises it; `urgent` stays `urgent`.
    public var raised: CasePriority {
        switch self {
        case .low: .normal
        case .normal: .high
        case .high, .urgent: .urgent
        }
    }
}

/// Where a case stands. Cases start `new`; see `allowedNext` for the moves a member may make.
public enum CaseStatus: String, Sendable, Codable, CaseIterable {
    case new, open
    case waitingOnCustomer = "waiting_on_customer"
    case resolved, closed

    /// The statuses a case may move to from this one. `new` is only ever the first status; a
    /// closed case only reopens, and only by a manager, admin or owner.
    public var allowedNext: [CaseStatus] {
        switch self {
        case .new: [.open, .waitingOnCustomer, .resolved, .closed]
        case .open: [.waitingOnCustomer, .resolved, .closed]
        case .waitingOnCustomer: [.open, .resolved, .closed]
        case .resolved: [.open, .closed]
        case .closed: [.open]
        }
    }

    /// The resolution clock runs in these statuses and stands still in the others: while the
    /// customer has to answer, and once the case is resolved or closed.
    public var resolutionClockRuns: Bool { self == .new || self == .open }

    /// Still to be worked on: `open=true` in lists.
    public var isOpen: Bool { self == .new || self == .open || self == .waitingOnCustomer }
}

/// How the customer reached the firm.
public enum CaseChannel: String, Sendable, Codable, CaseIterable {
    case phone, email, web
    case walkIn = "walk_in"
}

/// A customer's request for service: what it is about, who works it, and its SLA clocks.
public struct ServiceCase: Sendable, Equatable, Encodable {
    public var id: CaseID
    /// Readable by people: 1001, 1002, … within the workspace, without gaps.
    public var number: Int
    public var subject: String
    public var description: String?
    public var status: CaseStatus
    public var priority: CasePriority
    public var category: String?
    public var channel: CaseChannel
    public var assigneeID: UserID?
    public var contactID: ContactID?
    public var accountID: AccountID?
    public var createdBy: UserID?
    public var clocks: SLAClocks
    /// The nearest due time among the clocks still running, past or future; agents' queues are ordered by it.
    public var nextDueAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
    public var satisfaction: Int?
    public var satisfactionComment: String?
    public var satisfactionRecordedAt: Date?
    /// The workspace's custom fields for cases that this one has a value for.
    public var customFields: CustomFields
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, number, subject, description, status, priority, category, channel, satisfaction
        case customFields = "custom_fields"
        case assigneeID = "assignee_id"
        case contactID = "contact_id"
        case accountID = "account_id"
        case createdBy = "created_by"
        case firstResponseTargetMinutes = "first_response_target_minutes"
        case firstResponseDueAt = "first_response_due_at"
        case firstRespondedAt = "first_responded_at"
        case firstResponseBreachedAt = "first_response_breached_at"
        case resolutionTargetMinutes = "resolution_target_minutes"
        case resolutionDueAt = "resolution_due_at"
        case resolutionSecondsLeft = "resolution_seconds_left"
        case resolutionBreachedAt = "resolution_breached_at"
        case nextDueAt = "next_due_at"
        case resolvedAt = "resolved_at"
        case closedAt = "closed_at"
        case satisfactionComment = "satisfaction_comment"
        case satisfactionRecordedAt = "satisfaction_recorded_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Every field is always present, `null` when empty; the clocks are flat in the case.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(number, forKey: .number)
        try container.encode(subject, forKey: .subject)
        try container.encode(description, forKey: .description)
        try container.encode(status, forKey: .status)
        try container.encode(priority, forKey: .priority)
        try container.encode(category, forKey: .category)
        try container.encode(channel, forKey: .channel)
        try container.encode(assigneeID, forKey: .assigneeID)
        try container.encode(contactID, forKey: .contactID)
        try container.encode(accountID, forKey: .accountID)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(clocks.firstResponseTargetMinutes, forKey: .firstResponseTargetMinutes)
        try container.encode(clocks.firstResponseDueAt, forKey: .firstResponseDueAt)
        try container.encode(clocks.firstRespondedAt, forKey: .firstRespondedAt)
        try container.encode(clocks.firstResponseBreachedAt, forKey: .firstResponseBreachedAt)
        try container.encode(clocks.resolutionTargetMinutes, forKey: .resolutionTargetMinutes)
        try container.encode(clocks.resolutionDueAt, forKey: .resolutionDueAt)
        try container.encode(clocks.resolutionSecondsLeft, forKey: .resolutionSecondsLeft)
        try container.encode(clocks.resolutionBreachedAt, forKey: .resolutionBreachedAt)
        try container.encode(nextDueAt, forKey: .nextDueAt)
        try container.encode(resolvedAt, forKey: .resolvedAt)
        try container.encode(closedAt, forKey: .closedAt)
        try container.encode(satisfaction, forKey: .satisfaction)
        try container.encode(satisfactionComment, forKey: .satisfactionComment)
        try container.encode(satisfactionRecordedAt, forKey: .satisfactionRecordedAt)
        try container.encode(customFields, forKey: .customFields)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// `POST /api/v1/cases`. Every case starts `new`; `priority` defaults to `normal`.
public struct NewCase: RequestPayload {
    public static let fields: Set<String> = ["subject", "description", "priority", "category", "channel", "assignee_id",
                                             "contact_id", "account_id", "custom_fields"]
    public var subject: String
    public var description: String?
    public var priority: String?
    public var category: String?
    public var channel: String
    public var assigneeID: UserID?
    public var contactID: ContactID?
    public var accountID: AccountID?
    public var customFields: CustomFields?

    public init(subject: String, description: String? = nil, priority: CasePriority? = nil, category: String? = nil,
                channel: CaseChannel, assigneeID: UserID? = nil, contactID: ContactID? = nil, accountID: AccountID? = nil,
                customFields: CustomFields? = nil) {
        self.subject = subject
        self.description = description
        self.priority = priority?.rawValue
        self.category = category
        self.channel = channel.rawValue
        self.assigneeID = assigneeID
        self.contactID = contactID
        self.accountID = accountID
        self.customFields = customFields
    }

    enum CodingKeys: String, CodingKey {
        case subject, description, priority, category, channel
        case assigneeID = "assignee_id"
        case contactID = "contact_id"
        case accountID = "account_id"
        case customFields = "custom_fields"
    }
}

/// `PATCH /api/v1/cases/{id}`: the fields present change, `null` clears an optional one.
public struct CasePatch: RequestPayload {
    public static let fields = NewCase.fields.union(["status"])
    public var subject: FieldPatch<String> = .keep
    public var description: FieldPatch<String> = .keep
    public var status: FieldPatch<String> = .keep
    public var priority: FieldPatch<String> = .keep
    public var category: FieldPatch<String> = .keep
    public var channel: FieldPatch<String> = .keep
    public var assigneeID: FieldPatch<UserID> = .keep
    public var contactID: FieldPatch<ContactID> = .keep
    public var accountID: FieldPatch<AccountID> = .keep
    /// The custom fields to change: a value replaces, `null` removes; others keep theirs.
    public var customFields: CustomFields?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case subject, description, status, priority, category, channel
        case assigneeID = "assignee_id"
        case contactID = "contact_id"
        case accountID = "account_id"
        case customFields = "custom_fields"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        subject = try container.decodePatch(String.self, forKey: .subject)
        description = try container.decodePatch(String.self, forKey: .description)
        status = try container.decodePatch(String.self, forKey: .status)
        priority = try container.decodePatch(String.self, forKey: .priority)
        category = try container.decodePatch(String.self, forKey: .category)
        channel = try container.decodePatch(String.self, forKey: .channel)
        assigneeID = try container.decodePatch(UserID.self, forKey: .assigneeID)
        contactID = try container.decodePatch(ContactID.self, forKey: .contactID)
        accountID = try container.decodePatch(AccountID.self, forKey: .accountID)
        customFields = try container.decodeIfPresent(CustomFields.self, forKey: .customFields)
    }
}

/// `POST /api/v1/cases/{id}/responses`: a member answered the customer; `note` says how.
public struct CaseResponse: RequestPayload {
    public static let fields: Set<String> = ["note"]
    public var note: String?

    public init(note: String? = nil) { self.note = note }
}

/// `POST /api/v1/cases/{id}/satisfaction`: the customer's rating of a resolution, 1 (poor) to 5 (excellent).
public struct SatisfactionRating: RequestPayload {
    public static let fields: Set<String> = ["rating", "comment"]
    public var rating: Int
    public var comment: String?

    public init(rating: Int, comment: String? = nil) {
        self.rating = rating
        self.comment = comment
    }
}

/// Whose cases a list shows.
public enum AssigneeFilter: Sendable, Equatable {
    case member(UserID)
    case unassigned
}

/// The filters of `GET /api/v1/cases`; `nil` filters nothing.
public struct CaseFilter: Sendable {
    public var statuses: [CaseStatus]?
    public var priorities: [CasePriority]?
    public var assignee: AssigneeFilter?
    /// `true`: new, open or waiting on the customer; `false`: resolved or closed. With `true` the
    /// list comes nearest due time first, which is an agent's queue.
    public var open: Bool?
    /// `true`: a clock was breached; `false`: none was.
    public var breached: Bool?
    public var category: String?
    public var contactID: ContactID?
    public var accountID: AccountID?
    public var number: Int?
    public var customFields: CustomFieldFilter

    public init(statuses: [CaseStatus]? = nil, priorities: [CasePriority]? = nil, assignee: AssigneeFilter? = nil, open: Bool? = nil,
                breached: Bool? = nil, category: String? = nil, contactID: ContactID? = nil, accountID: AccountID? = nil,
                number: Int? = nil, customFields: CustomFieldFilter = CustomFieldFilter()) {
        self.statuses = statuses
        self.priorities = priorities
        self.assignee = assignee
        self.open = open
        self.breached = breached
        self.category = category
        self.contactID = contactID
        self.accountID = accountID
        self.number = number
        self.customFields = customFields
    }

    var orderedByDueTime: Bool { open == true }
}

/// One entry of a case's history, for a timeline.
public struct CaseEvent: Sendable, Equatable, Encodable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case created
        case statusChanged = "status_changed"
        case priorityChanged = "priority_changed"
        case assigneeChanged = "assignee_changed"
        case responded, breached, escalated
        case satisfactionRecorded = "satisfaction_recorded"
    }

    public var id: CaseEventID
    public var caseID: CaseID
    public var occurredAt: Date
    public var kind: Kind
    /// The value before and after a change; for `breached` and `escalated`, `to` names the clock
    /// (`first_response` or `resolution`); for `satisfaction_recorded`, `to` is the rating.
    public var from: String?
    public var to: String?
    /// A response's note, a rating's comment.
    public var note: String?
    /// The member who acted; `nil` for the SLA monitor.
    public var actorID: UserID?

    enum CodingKeys: String, CodingKey {
        case id, kind, from, to, note
        case caseID = "case_id"
        case occurredAt = "occurred_at"
        case actorID = "actor_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(caseID, forKey: .caseID)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(kind, forKey: .kind)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(note, forKey: .note)
        try container.encode(actorID, forKey: .actorID)
    }
}

extension Validate {
    /// One of an enumeration's values, or `invalid_field` listing them.
    static func choice<Value: RawRepresentable & CaseIterable>(_ text: String, field: String, as type: Value.Type) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: text) else {
            throw GuanxiError.invalidField(field, "\(field) must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }
}
