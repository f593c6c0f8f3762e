import Foundation
import GuanxiCore

/// A task to do, or a call, meeting, email or note logged by hand, attached to one or more of an
/// account, a contact, a lead and a deal.
public struct Activity: Sendable, Encodable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case task, call, meeting, email, note
    }

    public var id: ActivityID
    public var kind: Kind
    /// The subject line; optional for notes only.
    public var title: String?
    /// The text; required for notes.
    public var body: String?
    /// When the call, meeting or email happened or the note was written; when a task was set.
    public var occurredAt: Date
    /// Calls and meetings only.
    public var durationMinutes: Int?
    /// Tasks only.
    public var dueDate: CalendarDate?
    /// Tasks only: when it was marked done, `null` while open.
    public var doneAt: Date?
    public var ownerID: UserID
    public var assigneeID: UserID?
    public var attachments: ActivityAttachments
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, title, body, done
        case occurredAt = "occurred_at"
        case durationMinutes = "duration_minutes"
        case dueDate = "due_date"
        case doneAt = "done_at"
        case ownerID = "owner_id"
        case assigneeID = "assignee_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Every field is present, `null` when empty; the attachments as `account_id`, `contact_id`,
    /// `lead_id`, `deal_id`, and tasks show `done` as well.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(title, forKey: .title)
        try container.encode(body, forKey: .body)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(durationMinutes, forKey: .durationMinutes)
        try container.encode(dueDate, forKey: .dueDate)
        try container.encode(kind == .task ? doneAt != nil : nil, forKey: .done)
        try container.encode(doneAt, forKey: .doneAt)
        try container.encode(ownerID, forKey: .ownerID)
        try container.encode(assigneeID, forKey: .assigneeID)
        try attachments.encode(to: encoder)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// The records an activity is attached to: at least one. Attaching to a new kind of record is one
/// more property here, one more column in `activities`, and one more branch of the timeline.
public struct ActivityAttachments: Sendable, Codable, Equatable {
    public var accountID: AccountID?
    public var contactID: ContactID?
    public var leadID: LeadID?
    public var dealID: DealID?
    public var caseID: CaseID?

    public init(accountID: AccountID? = nil, contactID: ContactID? = nil, leadID: LeadID? = nil, dealID: DealID? = nil,
                caseID: CaseID? = nil) {
        self.accountID = accountID
        self.contactID = contactID
        self.leadID = leadID
        self.dealID = dealID
        self.caseID = caseID
    }

    static let fields: Set<String> = ["account_id", "contact_id", "lead_id", "deal_id", "case_id"]

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id"
        case contactID = "contact_id"
        case leadID = "lead_id"
        case dealID = "deal_id"
        case caseID = "case_id"
    }

    public var isEmpty: Bool { accountID == nil && contactID == nil && leadID == nil && dealID == nil && caseID == nil }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(accountID, forKey: .accountID)
        try container.encode(contactID, forKey: .contactID)
        try container.encode(leadID, forKey: .leadID)
        try container.encode(dealID, forKey: .dealID)
        try container.encode(caseID, forKey: .caseID)
    }
}

public struct NewActivity: RequestPayload {
    public static let fields: Set<String> = Set(["kind", "title", "body", "occurred_at", "duration_minutes", "due_date", "done",
                                                 "owner_id", "assignee_id"]).union(ActivityAttachments.fields)
    public var kind: Activity.Kind
    public var title: String?
    public var body: String?
    /// Now when left out.
    public var occurredAt: Date?
    public var durationMinutes: Int?
    public var dueDate: CalendarDate?
    /// A task logged as already done.
    public var done: Bool?
    /// The calling member when left out.
    public var ownerID: UserID?
    /// The owner when left out.
    public var assigneeID: UserID?
    public var attachments: ActivityAttachments

    public init(kind: Activity.Kind, title: String? = nil, body: String? = nil, occurredAt: Date? = nil, durationMinutes: Int? = nil,
                dueDate: CalendarDate? = nil, done: Bool? = nil, ownerID: UserID? = nil, assigneeID: UserID? = nil,
                attachments: ActivityAttachments) {
        self.kind = kind
        self.title = title
        self.body = body
        self.occurredAt = occurredAt
        self.durationMinutes = durationMinutes
        self.dueDate = dueDate
        self.done = done
        self.ownerID = ownerID
        self.assigneeID = assigneeID
        self.attachments = attachments
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Activity.CodingKeys.self)
        kind = try container.decode(Activity.Kind.self, forKey: .kind)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        occurredAt = try container.decodeIfPresent(Date.self, forKey: .occurredAt)
        durationMinutes = try container.decodeIfPresent(Int.self, forKey: .durationMinutes)
        dueDate = try container.decodeIfPresent(CalendarDate.self, forKey: .dueDate)
        done = try container.decodeIfPresent(Bool.self, forKey: .done)
        ownerID = try container.decodeIfPresent(UserID.self, forKey: .ownerID)
        assigneeID = try container.decodeIfPresent(UserID.self, forKey: .assigneeID)
        attachments = try ActivityAttachments(from: decoder)
    }
}

/// The kind of an activity does not change; every other field may.
public struct ActivityPatch: RequestPayload {
    public static let fields = NewActivity.fields.subtracting(["kind"])
    public var title: FieldPatch<String> = .keep
    public var body: FieldPatch<String> = .keep
    public var occurredAt: FieldPatch<Date> = .keep
    public var durationMinutes: FieldPatch<Int> = .keep
    public var dueDate: FieldPatch<CalendarDate> = .keep
    /// `true` marks a task done (now), `false` open again.
    public var done: FieldPatch<Bool> = .keep
    public var ownerID: FieldPatch<UserID> = .keep
    public var assigneeID: FieldPatch<UserID> = .keep
    public var accountID: FieldPatch<AccountID> = .keep
    public var contactID: FieldPatch<ContactID> = .keep
    public var leadID: FieldPatch<LeadID> = .keep
    public var dealID: FieldPatch<DealID> = .keep
    public var caseID: FieldPatch<CaseID> = .keep

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Activity.CodingKeys.self)
        title = try container.decodePatch(String.self, forKey: .title)
        body = try container.decodePatch(String.self, forKey: .body)
        occurredAt = try container.decodePatch(Date.self, forKey: .occurredAt)
        durationMinutes = try container.decodePatch(Int.self, forKey: .durationMinutes)
        dueDate = try container.decodePatch(CalendarDate.self, forKey: .dueDate)
        done = try container.decodePatch(Bool.self, forKey: .done)
        ownerID = try container.decodePatch(UserID.self, forKey: .ownerID)
        assigneeID = try container.decodePatch(UserID.self, forKey: .assigneeID)
        let attachments = try decoder.container(keyedBy: ActivityAttachments.CodingKeys.self)
        accountID = try attachments.decodePatch(AccountID.self, forKey: .accountID)
        contactID = try attachments.decodePatch(ContactID.self, forKey: .contactID)
        leadID = try attachments.decodePatch(LeadID.self, forKey: .leadID)
        dealID = try attachments.decodePatch(DealID.self, forKey: .dealID)
        caseID = try attachments.decodePatch(CaseID.self, forKey: .caseID)
    }
}

/// Tasks by their due date against today in the workspace's time zone.
public enum TaskDue: String, Sendable, CaseIterable {
    /// Due today.
    case today
    /// Due before today and still open.
    case overdue
    /// Due after today.
    case upcoming
}

/// The filters of `GET /api/v1/activities` and `GET /api/v1/tasks/mine`.
public struct ActivityFilter: Sendable {
    public enum Order: Sendable {
        /// In creation order.
        case created
        /// By due date, soonest first, tasks without one last; then in creation order.
        case dueDate
    }

    public var kind: Activity.Kind?
    public var attachments: ActivityAttachments
    public var ownerID: UserID?
    public var assigneeID: UserID?
    /// Tasks done (`true`) or open (`false`).
    public var done: Bool?
    /// Tasks due today, overdue or upcoming; only tasks with a due date match.
    public var due: TaskDue?
    public var order: Order

    public init(kind: Activity.Kind? = nil, attachments: ActivityAttachments = ActivityAttachments(), ownerID: UserID? = nil,
                assigneeID: UserID? = nil, done: Bool? = nil, due: TaskDue? = nil, order: Order = .created) {
        self.kind = kind
        self.attachments = attachments
        self.ownerID = ownerID
        self.assigneeID = assigneeID
        self.done = done
        self.due = due
        self.order = order
    }

    /// A member's open tasks, soonest due first.
    public static func openTasks(of user: UserID, due: TaskDue?) -> ActivityFilter {
        ActivityFilter(kind: .task, assigneeID: user, done: false, due: due, order: .dueDate)
    }
}
