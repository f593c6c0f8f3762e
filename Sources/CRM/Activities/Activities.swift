import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// Activities of one workspace. Every method takes the calling member first (its tenant scopes
/// every query); an activity of another tenant answers `activity_not_found`, like a missing one.
public struct Activities: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns: ColumnList = """
        id, kind, title, body, occurred_at, duration_minutes, due_date, done_at, owner_id, assignee_id, account_id, contact_id, \
        lead_id, deal_id, case_id, created_at, updated_at
        """
    typealias Row = (UUID, String, String?, String?, Date, Int?, CalendarDate?, Date?, UUID, UUID?, UUID?, UUID?, UUID?, UUID?, UUID?, Date, Date)

    static func activity(_ row: Row) -> Activity {
        Activity(id: ActivityID(row.0), kind: Activity.Kind(rawValue: row.1) ?? .note, title: row.2, body: row.3, occurredAt: row.4,
                 durationMinutes: row.5, dueDate: row.6, doneAt: row.7, ownerID: UserID(row.8), assigneeID: row.9.map(UserID.init),
                 attachments: ActivityAttachments(accountID: row.10.map(AccountID.init), contactID: row.11.map(ContactID.init),
                                                  leadID: row.12.map(LeadID.init), dealID: row.13.map(DealID.init),
                                                  caseID: row.14.map(CaseID.init)),
                 createdAt: row.15, updatedAt: row.16)
    }

    static func read(_ id: ActivityID, lock: Bool = false, in transaction: Transaction) async throws -> Activity {
        let rows = lock
            ? try await transaction.rows("SELECT \(columns: columns) FROM activities WHERE id = \(id.uuid) FOR UPDATE", as: Row.self)
            : try await transaction.rows("SELECT \(columns: columns) FROM activities WHERE id = \(id.uuid)", as: Row.self)
        guard let row = rows.first else { throw GuanxiError.notFound("activity") }
        return activity(row)
    }

    public func get(_ principal: TenantPrincipal, _ id: ActivityID) async throws -> Activity {
        try await database.withTenant(principal.tenant) { try await Self.read(id, in: $0) }
    }

    public func create(_ principal: TenantPrincipal, _ input: NewActivity) async throws -> Activity {
        let owner = input.ownerID ?? principal.user
        let fields = try ActivityFields(kind: input.kind, title: input.title, body: input.body, occurredAt: input.occurredAt,
                                        durationMinutes: input.durationMinutes, dueDate: input.dueDate, done: input.done ?? false,
                                        ownerID: owner, assigneeID: input.assigneeID ?? owner, attachments: input.attachments)
        return try await database.withTenant(principal.tenant) { transaction in
            try await fields.checkReferences(in: transaction)
            try await RecordAccess.requireMayAssign(.activity, to: fields.ownerID, reassigning: false, in: transaction)
            let rows = try await transaction.rows("""
                INSERT INTO activities (tenant_id, id, kind, title, body, occurred_at, duration_minutes, due_date, done_at, owner_id,
                                        assignee_id, account_id, contact_id, lead_id, deal_id, case_id)
                VALUES (\(principal.tenant.uuid), \(ActivityID().uuid), \(fields.kind.rawValue), \(fields.title), \(fields.body),
                        coalesce(\(fields.occurredAt), now()), \(fields.durationMinutes), \(fields.dueDate),
                        CASE WHEN \(fields.done) THEN now() END, \(fields.ownerID.uuid), \(fields.assigneeID?.uuid),
                        \(fields.attachments.accountID?.uuid), \(fields.attachments.contactID?.uuid), \(fields.attachments.leadID?.uuid),
                        \(fields.attachments.dealID?.uuid), \(fields.attachments.caseID?.uuid))
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
            return Self.activity(rows[0])
        }
    }

    /// Applies the fields present in `patch`; `done` marks a task done or open again.
    public func update(_ principal: TenantPrincipal, _ id: ActivityID, _ patch: ActivityPatch) async throws -> Activity {
        try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(.activity, id.uuid, in: transaction)
            let activity = try await Self.read(id, lock: true, in: transaction)
            // Only a new time is written: the stored one has microseconds that a Date would round.
            var newOccurredAt: Date?
            switch patch.occurredAt {
            case .keep: break
            case .set(let date): newOccurredAt = date
            case .clear: throw GuanxiError.invalidField("occurred_at", "occurred_at cannot be removed; send a time instead.")
            }
            guard let owner = patch.ownerID.applied(to: activity.ownerID) else {
                throw GuanxiError.invalidField("owner_id", "owner_id cannot be removed; every activity has an owner.")
            }
            guard let done = patch.done.applied(to: activity.doneAt != nil) else {
                throw GuanxiError.invalidField("done", "done is true or false.")
            }
            let attachments = ActivityAttachments(accountID: patch.accountID.applied(to: activity.attachments.accountID),
                                                  contactID: patch.contactID.applied(to: activity.attachments.contactID),
                                                  leadID: patch.leadID.applied(to: activity.attachments.leadID),
                                                  dealID: patch.dealID.applied(to: activity.attachments.dealID),
                                                  caseID: patch.caseID.applied(to: activity.attachments.caseID))
            let fields = try ActivityFields(kind: activity.kind, title: patch.title.applied(to: activity.title),
                                            body: patch.body.applied(to: activity.body), occurredAt: newOccurredAt,
                                            durationMinutes: patch.durationMinutes.applied(to: activity.durationMinutes),
                                            dueDate: patch.dueDate.applied(to: activity.dueDate), done: done, ownerID: owner,
                                            assigneeID: patch.assigneeID.applied(to: activity.assigneeID), attachments: attachments)
            try await RecordAccess.requireMayReassign(.activity, from: activity.ownerID, to: fields.ownerID, in: transaction)
            try await fields.checkReferences(changedFrom: activity, in: transaction)
            let rows = try await transaction.rows("""
                UPDATE activities SET title = \(fields.title), body = \(fields.body), occurred_at = coalesce(\(fields.occurredAt), occurred_at),
                       duration_minutes = \(fields.durationMinutes), due_date = \(fields.dueDate),
                       done_at = CASE WHEN \(fields.done) THEN coalesce(done_at, now()) END, owner_id = \(fields.ownerID.uuid),
                       assignee_id = \(fields.assigneeID?.uuid), account_id = \(attachments.accountID?.uuid),
                       contact_id = \(attachments.contactID?.uuid), lead_id = \(attachments.leadID?.uuid), deal_id = \(attachments.dealID?.uuid),
                       case_id = \(attachments.caseID?.uuid), updated_at = now()
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
            return Self.activity(rows[0])
        }
    }

    public func delete(_ principal: TenantPrincipal, _ id: ActivityID) async throws {
        let deleted = try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(.activity, id.uuid, in: transaction)
            return try await transaction.rows("DELETE FROM activities WHERE id = \(id.uuid) RETURNING id", as: UUID.self)
        }
        guard !deleted.isEmpty else { throw GuanxiError.notFound("activity") }
    }

    /// A page of activities. Every list of activities, "my tasks" included, is this query, so a
    /// filter added here applies everywhere. "Today" is the workspace's, in its time zone.
    public func list(_ principal: TenantPrincipal, _ filter: ActivityFilter, _ page: PageRequest) async throws -> Page<Activity> {
        let byDueDate = filter.order == .dueDate
        // Ordered by (due date, id) or, for creation order, by (infinity, id): one keyset for both.
        let afterKey = byDueDate ? try Self.dueKey(page.after) : Self.noDueDate
        let attached = filter.attachments
        let rows = try await database.withTenant(principal.tenant) { transaction in
            try await transaction.rows("""
                WITH today AS (SELECT (now() AT TIME ZONE time_zone)::date AS day FROM tenants)
                SELECT \(columns: Self.columns) FROM activities CROSS JOIN today
                 WHERE (coalesce(CASE WHEN \(byDueDate) THEN due_date END, 'infinity'::date), id)
                       > (\(afterKey)::date, \(page.after?.after ?? UUID.minimum))
                   AND (\(filter.kind?.rawValue)::text IS NULL OR kind = \(filter.kind?.rawValue))
                   AND (\(attached.accountID?.uuid)::uuid IS NULL OR account_id = \(attached.accountID?.uuid))
                   AND (\(attached.contactID?.uuid)::uuid IS NULL OR contact_id = \(attached.contactID?.uuid))
                   AND (\(attached.leadID?.uuid)::uuid IS NULL OR lead_id = \(attached.leadID?.uuid))
                   AND (\(attached.dealID?.uuid)::uuid IS NULL OR deal_id = \(attached.dealID?.uuid))
                   AND (\(attached.caseID?.uuid)::uuid IS NULL OR case_id = \(attached.caseID?.uuid))
                   AND (\(filter.ownerID?.uuid)::uuid IS NULL OR owner_id = \(filter.ownerID?.uuid))
                   AND (\(filter.assigneeID?.uuid)::uuid IS NULL OR assignee_id = \(filter.assigneeID?.uuid))
                   AND (\(filter.done)::boolean IS NULL OR (kind = 'task' AND (done_at IS NOT NULL) = \(filter.done)))
                   AND (\(filter.due?.rawValue)::text IS NULL OR (kind = 'task' AND CASE \(filter.due?.rawValue)::text
                            WHEN 'today' THEN due_date = today.day
                            WHEN 'overdue' THEN due_date < today.day AND done_at IS NULL
                            ELSE due_date > today.day END))
                 ORDER BY coalesce(CASE WHEN \(byDueDate) THEN due_date END, 'infinity'::date), id
                 LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.activity), limit: page.limit) { activity in
            Cursor(after: activity.id.uuid, key: byDueDate ? activity.dueDate?.description ?? Self.noDueDate : nil)
        }
    }

    /// The sort value of tasks without a due date, which come last.
    static let noDueDate = "infinity"

    /// The due date a by-due-date cursor carries; a cursor of another list is refused.
    static func dueKey(_ cursor: Cursor?) throws -> String {
        guard let cursor else { return "-infinity" }
        guard let key = cursor.key, key == noDueDate || CalendarDate(key) != nil else { throw Cursor.invalid }
        return key
    }
}

/// An activity's writable fields, validated once for create and update.
struct ActivityFields {
    var kind: Activity.Kind
    var title: String?
    var body: String?
    var occurredAt: Date?
    var durationMinutes: Int?
    var dueDate: CalendarDate?
    var done: Bool
    var ownerID: UserID
    var assigneeID: UserID?
    var attachments: ActivityAttachments

    init(kind: Activity.Kind, title: String?, body: String?, occurredAt: Date?, durationMinutes: Int?, dueDate: CalendarDate?,
         done: Bool, ownerID: UserID, assigneeID: UserID?, attachments: ActivityAttachments) throws {
        self.kind = kind
        self.title = try Validate.text(title, field: "title", length: 1...300, required: kind != .note)
        self.body = try Validate.text(body, field: "body", length: 1...20_000, required: kind == .note)
        self.occurredAt = occurredAt
        if let durationMinutes {
            guard kind == .call || kind == .meeting else {
                throw GuanxiError.invalidField("duration_minutes", "duration_minutes is for calls and meetings.")
            }
            guard (0...1440).contains(durationMinutes) else {
                throw GuanxiError.invalidField("duration_minutes", "duration_minutes must be from 0 to 1440.")
            }
        }
        self.durationMinutes = durationMinutes
        if kind != .task && dueDate != nil { throw GuanxiError.invalidField("due_date", "due_date is for tasks.") }
        if kind != .task && done { throw GuanxiError.invalidField("done", "Only a task can be done.") }
        self.dueDate = dueDate
        self.done = done
        self.ownerID = ownerID
        self.assigneeID = assigneeID
        guard !attachments.isEmpty else {
            throw GuanxiError(.invalid, code: "attachment_required",
                              message: "An activity is attached to at least one record: send account_id, contact_id, lead_id, deal_id or case_id.",
                              details: ["field": "account_id"])
        }
        self.attachments = attachments
    }

    /// The records and members named must be the workspace's own. On a change of `current` only the
    /// new ones are checked: a member who may change an activity need not see every record it is on.
    func checkReferences(changedFrom current: Activity? = nil, in transaction: Transaction) async throws {
        let before = current?.attachments
        if attachments.accountID != before?.accountID { try await Accounts.requireExists(attachments.accountID, in: transaction) }
        if let contact = attachments.contactID, contact != before?.contactID {
            try await References.requireContacts([contact], field: "contact_id", in: transaction)
        }
        if attachments.leadID != before?.leadID { try await References.requireLead(attachments.leadID, field: "lead_id", in: transaction) }
        if attachments.dealID != before?.dealID { try await References.requireDeal(attachments.dealID, field: "deal_id", in: transaction) }
        if attachments.caseID != before?.caseID { try await References.requireCase(attachments.caseID, field: "case_id", in: transaction) }
        if ownerID != current?.ownerID { try await References.requireUser(ownerID, field: "owner_id", in: transaction) }
        if assigneeID != current?.assigneeID { try await References.requireUser(assigneeID, field: "assignee_id", in: transaction) }
    }
}
