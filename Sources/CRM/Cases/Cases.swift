import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// Service cases of one workspace. Every method takes the tenant (or the calling member, who
/// carries it) first; a case of another tenant answers `case_not_found`, exactly like a missing
/// one. Methods that move SLA clocks take `now`, so tests can drive time.
public struct Cases: Sendable {
    let database: Database
    let serviceLevels: ServiceLevels

    public init(database: Database, serviceLevels: ServiceLevels) {
        self.database = database
        self.serviceLevels = serviceLevels
    }

    /// The roles that may reopen a closed case.
    public static let reopeningRoles: Set<MembershipRole> = [.owner, .admin, .manager]

    static let columns: ColumnList = """
        id, number, subject, description, status, priority, category, channel, assignee_id, contact_id, account_id, created_by, \
        first_response_target_minutes, first_response_due_at, first_responded_at, first_response_breached_at, \
        resolution_target_minutes, resolution_due_at, resolution_seconds_left, resolution_breached_at, next_due_at, \
        resolved_at, closed_at, satisfaction, satisfaction_comment, satisfaction_recorded_at, custom_fields, created_at, updated_at
        """

    // MARK: Reading

    public func get(_ tenant: TenantID, _ id: CaseID) async throws -> ServiceCase {
        let found = try await database.withTenant(tenant) { transaction in
            try await Self.fetch("SELECT \(columns: Self.columns) FROM cases WHERE id = \(id.uuid)", in: transaction)
        }
        guard let found = found.first else { throw GuanxiError.notFound("case") }
        return found
    }

    /// A page of cases. Every list of cases comes from here, so rules on who sees which cases
    /// belong here too. With `open == true` the page is ordered nearest due time first (cases with
    /// no clock running last), otherwise in creation order.
    public func list(_ tenant: TenantID, _ filter: CaseFilter, _ page: PageRequest) async throws -> Page<ServiceCase> {
        let statuses = filter.statuses?.map(\.rawValue)
        let priorities = filter.priorities?.map(\.rawValue)
        let assigneeID: UUID? = if case .member(let user) = filter.assignee { user.uuid } else { nil }
        let unassigned = filter.assignee == .unassigned
        let byDueTime = filter.orderedByDueTime
        let after = page.after?.after
        let rows = try await database.withTenant(tenant) { transaction in
            let customFields = try await filter.customFields.condition(for: .case, in: transaction)
            return try await Self.fetch("""
                SELECT \(columns: Self.columns) FROM cases
                 WHERE (\(statuses)::text[] IS NULL OR status = ANY (\(statuses)::text[]))
                   AND (\(priorities)::text[] IS NULL OR priority = ANY (\(priorities)::text[]))
                   AND (\(assigneeID)::uuid IS NULL OR assignee_id = \(assigneeID))
                   AND (NOT \(unassigned) OR assignee_id IS NULL)
                   AND (\(filter.open)::boolean IS NULL OR (status IN ('new', 'open', 'waiting_on_customer')) = \(filter.open))
                   AND (\(filter.breached)::boolean IS NULL
                        OR (first_response_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL) = \(filter.breached))
                   AND (\(filter.category)::text IS NULL OR lower(category) = lower(\(filter.category)))
                   AND (\(filter.contactID?.uuid)::uuid IS NULL OR contact_id = \(filter.contactID?.uuid))
                   AND (\(filter.accountID?.uuid)::uuid IS NULL OR account_id = \(filter.accountID?.uuid))
                   AND (\(filter.number)::int IS NULL OR number = \(filter.number))
                   AND \(condition: customFields)
                   AND (\(after)::uuid IS NULL OR CASE WHEN \(byDueTime)
                        THEN (coalesce(next_due_at, 'infinity'), id)
                             > (SELECT coalesce(next_due_at, 'infinity'), id FROM cases WHERE id = \(after))
                        ELSE id > \(after) END)
                 ORDER BY CASE WHEN \(byDueTime) THEN coalesce(next_due_at, 'infinity') END, id
                 LIMIT \(page.limit + 1)
                """, in: transaction)
        }
        return Page(rows: rows, limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    /// The case's history, oldest first.
    public func history(_ tenant: TenantID, _ id: CaseID, _ page: PageRequest) async throws -> Page<CaseEvent> {
        let rows = try await database.withTenant(tenant) { transaction in
            let found = try await transaction.rows("SELECT id FROM cases WHERE id = \(id.uuid)", as: UUID.self)
            guard !found.isEmpty else { throw GuanxiError.notFound("case") }
            return try await transaction.rows("""
                SELECT id, occurred_at, kind, from_value, to_value, note, actor_id FROM case_events
                 WHERE case_id = \(id.uuid) AND id > \(page.after?.after ?? UUID.minimum)
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: (UUID, Date, String, String?, String?, String?, UUID?).self)
        }
        let events = try rows.map { row in
            CaseEvent(id: CaseEventID(row.0), caseID: id, occurredAt: row.1, kind: try Self.stored(row.2, as: CaseEvent.Kind.self),
                      from: row.3, to: row.4, note: row.5, actorID: row.6.map(UserID.init))
        }
        return Page(rows: events, limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    // MARK: Changing

    /// Opens a case: `new`, numbered next in the workspace, its clocks started at `now` with the
    /// targets of its priority. A contact's account fills in `account_id` when none is given.
    public func create(_ member: TenantPrincipal, _ input: NewCase, now: Date = Date()) async throws -> ServiceCase {
        let text = try CaseText(subject: input.subject, description: input.description, category: input.category)
        let priority = try input.priority.map { try Validate.choice($0, field: "priority", as: CasePriority.self) } ?? .normal
        let channel = try Validate.choice(input.channel, field: "channel", as: CaseChannel.self)
        let tenant = member.tenant
        return try await database.withTenant(tenant) { transaction in
            try await Self.requireMember(input.assigneeID, field: "assignee_id", in: transaction)
            let contactAccount = try await Self.accountOfContact(input.contactID, in: transaction)
            let accountID = input.accountID ?? contactAccount
            try await Accounts.requireExists(accountID, in: transaction)
            let settings = try await serviceLevels.settings(in: transaction)
            let clocks = SLAClocks(starting: try await serviceLevels.target(for: priority, in: transaction), at: now,
                                   in: try await serviceLevels.calendar(settings, from: now, in: transaction))
            let customFields = try await CustomFieldValues.validate(object: .case, input: input.customFields, existing: nil, in: transaction)
            let number = try await transaction.rows("""
                INSERT INTO case_counters (tenant_id, last_number) VALUES (\(tenant.uuid), 1001)
                ON CONFLICT (tenant_id) DO UPDATE SET last_number = case_counters.last_number + 1
                RETURNING last_number
                """, as: Int.self)[0]
            let id = CaseID()
            let created = try await Self.fetch("""
                INSERT INTO cases (tenant_id, id, number, subject, description, status, priority, category, channel, assignee_id,
                                   contact_id, account_id, created_by, first_response_target_minutes, first_response_due_at,
                                   resolution_target_minutes, resolution_due_at, custom_fields, created_at, updated_at)
                VALUES (\(tenant.uuid), \(id.uuid), \(number), \(text.subject), \(text.description), \(CaseStatus.new.rawValue),
                        \(priority.rawValue), \(text.category), \(channel.rawValue), \(input.assigneeID?.uuid), \(input.contactID?.uuid),
                        \(accountID?.uuid), \(member.user.uuid), \(clocks.firstResponseTargetMinutes), \(clocks.firstResponseDueAt),
                        \(clocks.resolutionTargetMinutes), \(clocks.resolutionDueAt), \(customFields), \(now), \(now))
                RETURNING \(columns: Self.columns)
                """, in: transaction)[0]
            try await Self.record([HistoryEntry(.created, to: CaseStatus.new.rawValue, actor: member.user)],
                                  of: id, tenant: tenant, at: now, in: transaction)
            return created
        }
    }

    /// Applies the fields present in `patch`. A new priority re-targets the running clocks; a new
    /// status must be one `CaseStatus.allowedNext` allows, and stops or resumes the resolution clock.
    /// Status, priority and assignee changes are recorded in the history.
    public func update(_ member: TenantPrincipal, _ id: CaseID, _ patch: CasePatch, now: Date = Date()) async throws -> ServiceCase {
        let status = try Self.required(patch.status, field: "status").map { try Validate.choice($0, field: "status", as: CaseStatus.self) }
        let priority = try Self.required(patch.priority, field: "priority").map {
            try Validate.choice($0, field: "priority", as: CasePriority.self)
        }
        let channel = try Self.required(patch.channel, field: "channel").map { try Validate.choice($0, field: "channel", as: CaseChannel.self) }
        let subject = try Self.required(patch.subject, field: "subject")
        let tenant = member.tenant
        return try await database.withTenant(tenant) { transaction in
            try await RecordAccess.requireEditable(.serviceCase, id.uuid, in: transaction)
            var serviceCase = try await Self.lock(id, in: transaction)
            let before = serviceCase
            if before.status == .closed && status != .open {
                throw Self.closed
            }
            let text = try CaseText(subject: subject ?? before.subject, description: patch.description.applied(to: before.description),
                                    category: patch.category.applied(to: before.category))
            serviceCase.subject = text.subject
            serviceCase.description = text.description
            serviceCase.category = text.category
            serviceCase.channel = channel ?? before.channel
            try await Self.applyLinks(patch, to: &serviceCase, in: transaction)
            serviceCase.customFields = try await CustomFieldValues.validate(object: .case, input: patch.customFields,
                                                                            existing: before.customFields, in: transaction)

            var history: [HistoryEntry] = []
            let newPriority = priority.flatMap { $0 == before.priority ? nil : $0 }
            let newStatus = status.flatMap { $0 == before.status ? nil : $0 }
            if newPriority != nil || newStatus != nil {
                let calendar = try await serviceLevels.calendar(try await serviceLevels.settings(in: transaction), from: now, in: transaction)
                if let newPriority {
                    serviceCase.clocks.retarget(try await serviceLevels.target(for: newPriority, in: transaction), at: now, in: calendar)
                    serviceCase.priority = newPriority
                    history.append(HistoryEntry(.priorityChanged, from: before.priority.rawValue, to: newPriority.rawValue, actor: member.user))
                }
                if let newStatus {
                    guard before.status.allowedNext.contains(newStatus) else { throw Self.invalidTransition(from: before.status, to: newStatus) }
                    if before.status == .closed && !Self.reopeningRoles.contains(member.role) {
                        throw GuanxiError(.forbidden, code: "forbidden_role",
                                          message: "Your role (\(member.role.rawValue)) may not reopen a closed case; ask a manager, admin or owner.")
                    }
                    let breached = Self.move(&serviceCase, to: newStatus, at: now, in: calendar)
                    history += breached.map(HistoryEntry.breach)
                    history.append(HistoryEntry(.statusChanged, from: before.status.rawValue, to: newStatus.rawValue, actor: member.user))
                }
            }
            if serviceCase.assigneeID != before.assigneeID {
                history.append(HistoryEntry(.assigneeChanged, from: before.assigneeID?.description, to: serviceCase.assigneeID?.description,
                                            actor: member.user))
            }
            guard serviceCase != before else { return before }
            let written = try await Self.write(serviceCase, at: now, in: transaction)
            try await Self.record(history, of: id, tenant: tenant, at: now, in: transaction)
            return written
        }
    }

    /// Records that a member answered the customer. The first response stops the first-response
    /// clock; a `new` case becomes `open`. Refused on a closed case.
    public func respond(_ member: TenantPrincipal, _ id: CaseID, _ response: CaseResponse, now: Date = Date()) async throws -> ServiceCase {
        let note = try Validate.text(response.note, field: "note", length: 1...2000)
        return try await database.withTenant(member.tenant) { transaction in
            try await RecordAccess.requireEditable(.serviceCase, id.uuid, in: transaction)
            var serviceCase = try await Self.lock(id, in: transaction)
            guard serviceCase.status != .closed else { throw Self.closed }
            var history = serviceCase.clocks.recordResponse(at: now).map(HistoryEntry.breach)
            history.append(HistoryEntry(.responded, note: note, actor: member.user))
            if serviceCase.status == .new {
                let calendar = try await serviceLevels.calendar(try await serviceLevels.settings(in: transaction), from: now, in: transaction)
                history += Self.move(&serviceCase, to: .open, at: now, in: calendar).map(HistoryEntry.breach)
                history.append(HistoryEntry(.statusChanged, from: CaseStatus.new.rawValue, to: CaseStatus.open.rawValue, actor: member.user))
            }
            let written = try await Self.write(serviceCase, at: now, in: transaction)
            try await Self.record(history, of: id, tenant: member.tenant, at: now, in: transaction)
            return written
        }
    }

    /// Records the customer's rating of the case's resolution: once per resolution (reopening
    /// clears it, the history keeps it), only after the case was resolved.
    public func recordSatisfaction(_ member: TenantPrincipal, _ id: CaseID, _ rating: SatisfactionRating,
                                   now: Date = Date()) async throws -> ServiceCase {
        guard (1...5).contains(rating.rating) else {
            throw GuanxiError.invalidField("rating", "rating must be a whole number from 1 (poor) to 5 (excellent).")
        }
        let comment = try Validate.text(rating.comment, field: "comment", length: 1...2000)
        return try await database.withTenant(member.tenant) { transaction in
            try await RecordAccess.requireEditable(.serviceCase, id.uuid, in: transaction)
            var serviceCase = try await Self.lock(id, in: transaction)
            guard serviceCase.resolvedAt != nil else {
                throw GuanxiError(.conflict, code: "case_not_resolved",
                                  message: "Satisfaction is recorded for a resolution; this case (\(serviceCase.status.rawValue)) has not been resolved.",
                                  details: ["status": serviceCase.status.rawValue])
            }
            guard serviceCase.satisfaction == nil else {
                throw GuanxiError(.conflict, code: "satisfaction_already_recorded",
                                  message: "This resolution was already rated \(serviceCase.satisfaction ?? 0); a rating is recorded once per resolution.")
            }
            serviceCase.satisfaction = rating.rating
            serviceCase.satisfactionComment = comment
            serviceCase.satisfactionRecordedAt = now
            let written = try await Self.write(serviceCase, at: now, in: transaction)
            try await Self.record([HistoryEntry(.satisfactionRecorded, to: "\(rating.rating)", note: comment, actor: member.user)],
                                  of: id, tenant: member.tenant, at: now, in: transaction)
            return written
        }
    }

    /// Deletes a case and its history. Its number is never handed out again.
    public func delete(_ tenant: TenantID, _ id: CaseID) async throws {
        let deleted = try await database.withTenant(tenant) { transaction in
            try await RecordAccess.requireEditable(.serviceCase, id.uuid, in: transaction)
            return try await transaction.rows("DELETE FROM cases WHERE id = \(id.uuid) RETURNING id", as: UUID.self)
        }
        guard !deleted.isEmpty else { throw GuanxiError.notFound("case") }
    }

    // MARK: Shared with the breach monitor

    /// Moves the case to `status` at `now`: stops or resumes the resolution clock, stamps
    /// resolution and closing, and clears them and the rating when the case reopens. Returns the
    /// clocks found past due as they stopped.
    static func move(_ serviceCase: inout ServiceCase, to status: CaseStatus, at now: Date, in calendar: BusinessCalendar) -> [SLAClock] {
        let from = serviceCase.status
        var breached: [SLAClock] = []
        if from.resolutionClockRuns && !status.resolutionClockRuns {
            breached += serviceCase.clocks.stopResolution(at: now, in: calendar)
        } else if !from.resolutionClockRuns && status.resolutionClockRuns {
            serviceCase.clocks.resumeResolution(at: now, in: calendar)
        }
        if from.isOpen && !status.isOpen {
            breached += serviceCase.clocks.stopFirstResponse(at: now)
        }
        switch status {
        case .resolved:
            serviceCase.resolvedAt = now
        case .closed:
            serviceCase.closedAt = now
        case .open where !from.isOpen:
            serviceCase.resolvedAt = nil
            serviceCase.closedAt = nil
            serviceCase.satisfaction = nil
            serviceCase.satisfactionComment = nil
            serviceCase.satisfactionRecordedAt = nil
        default:
            break
        }
        serviceCase.status = status
        return breached
    }

    /// An entry to write to a case's history.
    struct HistoryEntry {
        var kind: CaseEvent.Kind
        var from: String?
        var to: String?
        var note: String?
        /// `nil`: the SLA monitor.
        var actor: UserID?

        init(_ kind: CaseEvent.Kind, from: String? = nil, to: String? = nil, note: String? = nil, actor: UserID?) {
            self.kind = kind
            self.from = from
            self.to = to
            self.note = note
            self.actor = actor
        }

        /// A clock found past its due time, by the monitor or as the clock stopped.
        static func breach(_ clock: SLAClock) -> HistoryEntry { HistoryEntry(.breached, to: clock.rawValue, actor: nil) }
    }

    static func record(_ entries: [HistoryEntry], of id: CaseID, tenant: TenantID, at time: Date, in transaction: Transaction) async throws {
        for entry in entries {
            try await transaction.query("""
                INSERT INTO case_events (tenant_id, id, case_id, occurred_at, kind, from_value, to_value, note, actor_id)
                VALUES (\(tenant.uuid), \(CaseEventID().uuid), \(id.uuid), \(time), \(entry.kind.rawValue), \(entry.from), \(entry.to),
                        \(entry.note), \(entry.actor?.uuid))
                """)
        }
    }

    static func unknownAssignee(field: String) -> GuanxiError {
        GuanxiError(.invalid, code: "unknown_assignee", message: "\(field) names no member of this workspace.", details: ["field": field])
    }

    // MARK: Private

    private static let closed = GuanxiError(
        .conflict, code: "case_closed",
        message: "This case is closed and cannot change; a manager, admin or owner may reopen it with status open.")

    private static func invalidTransition(from: CaseStatus, to: CaseStatus) -> GuanxiError {
        let allowed = from.allowedNext.map(\.rawValue).joined(separator: ", ")
        return GuanxiError(.conflict, code: "invalid_status_transition",
                           message: "A \(from.rawValue) case cannot become \(to.rawValue); from \(from.rawValue) it may become \(allowed).",
                           details: ["from": from.rawValue, "to": to.rawValue, "allowed": allowed])
    }

    /// A PATCH value for a field that cannot be emptied: `nil` when left out.
    private static func required<Value>(_ patch: FieldPatch<Value>, field: String) throws -> Value? {
        if case .clear = patch { throw GuanxiError.invalidField(field, "\(field) cannot be removed; send a new value instead.") }
        return patch.applied(to: nil)
    }

    /// The assignee, contact and account of `patch`, each checked to be of this workspace when it
    /// changes, and a new assignee to be one the acting member may give the case to.
    private static func applyLinks(_ patch: CasePatch, to serviceCase: inout ServiceCase, in transaction: Transaction) async throws {
        if case .set(let assignee) = patch.assigneeID, assignee != serviceCase.assigneeID {
            try await requireMember(assignee, field: "assignee_id", in: transaction)
        }
        let assignee = patch.assigneeID.applied(to: serviceCase.assigneeID)
        if assignee != serviceCase.assigneeID {
            try await RecordAccess.requireMayAssign(.serviceCase, to: assignee, reassigning: true, in: transaction)
        }
        if case .set(let contact) = patch.contactID, contact != serviceCase.contactID {
            _ = try await accountOfContact(contact, in: transaction)
        }
        if case .set(let account) = patch.accountID, account != serviceCase.accountID {
            try await Accounts.requireExists(account, in: transaction)
        }
        serviceCase.assigneeID = assignee
        serviceCase.contactID = patch.contactID.applied(to: serviceCase.contactID)
        serviceCase.accountID = patch.accountID.applied(to: serviceCase.accountID)
    }

    private static func lock(_ id: CaseID, in transaction: Transaction) async throws -> ServiceCase {
        guard let found = try await fetch("SELECT \(columns: columns) FROM cases WHERE id = \(id.uuid) FOR UPDATE", in: transaction).first else {
            throw GuanxiError.notFound("case")
        }
        return found
    }

    /// Writes every field a member or a clock may change, with `updated_at` at `now`.
    private static func write(_ c: ServiceCase, at now: Date, in transaction: Transaction) async throws -> ServiceCase {
        try await fetch("""
            UPDATE cases SET subject = \(c.subject), description = \(c.description), status = \(c.status.rawValue),
                   priority = \(c.priority.rawValue), category = \(c.category), channel = \(c.channel.rawValue),
                   assignee_id = \(c.assigneeID?.uuid), contact_id = \(c.contactID?.uuid), account_id = \(c.accountID?.uuid),
                   first_response_target_minutes = \(c.clocks.firstResponseTargetMinutes),
                   first_response_due_at = \(c.clocks.firstResponseDueAt), first_responded_at = \(c.clocks.firstRespondedAt),
                   first_response_breached_at = \(c.clocks.firstResponseBreachedAt),
                   resolution_target_minutes = \(c.clocks.resolutionTargetMinutes), resolution_due_at = \(c.clocks.resolutionDueAt),
                   resolution_seconds_left = \(c.clocks.resolutionSecondsLeft), resolution_breached_at = \(c.clocks.resolutionBreachedAt),
                   resolved_at = \(c.resolvedAt), closed_at = \(c.closedAt), satisfaction = \(c.satisfaction),
                   satisfaction_comment = \(c.satisfactionComment), satisfaction_recorded_at = \(c.satisfactionRecordedAt),
                   custom_fields = \(c.customFields), updated_at = \(now)
             WHERE id = \(c.id.uuid)
            RETURNING \(columns: columns)
            """, in: transaction)[0]
    }

    static func fetch(_ query: PostgresQuery, in transaction: Transaction) async throws -> [ServiceCase] {
        try await transaction.query(query).map(serviceCase)
    }

    private static func serviceCase(_ row: PostgresRow) throws -> ServiceCase {
        var columns = RowReader(row)
        return ServiceCase(
            id: CaseID(try columns.next()), number: try columns.next(), subject: try columns.next(), description: try columns.next(),
            status: try stored(try columns.next(), as: CaseStatus.self), priority: try stored(try columns.next(), as: CasePriority.self),
            category: try columns.next(), channel: try stored(try columns.next(), as: CaseChannel.self),
            assigneeID: (try columns.next() as UUID?).map(UserID.init), contactID: (try columns.next() as UUID?).map(ContactID.init),
            accountID: (try columns.next() as UUID?).map(AccountID.init), createdBy: (try columns.next() as UUID?).map(UserID.init),
            clocks: SLAClocks(firstResponseTargetMinutes: try columns.next(), firstResponseDueAt: try columns.next(),
                              firstRespondedAt: try columns.next(), firstResponseBreachedAt: try columns.next(),
                              resolutionTargetMinutes: try columns.next(), resolutionDueAt: try columns.next(),
                              resolutionSecondsLeft: try columns.next(), resolutionBreachedAt: try columns.next()),
            nextDueAt: try columns.next(), resolvedAt: try columns.next(), closedAt: try columns.next(), satisfaction: try columns.next(),
            satisfactionComment: try columns.next(), satisfactionRecordedAt: try columns.next(), customFields: try columns.next(),
            createdAt: try columns.next(), updatedAt: try columns.next())
    }

    /// A value the database's checks allow, as its Swift enumeration.
    private static func stored<Value: RawRepresentable>(_ text: String, as type: Value.Type) throws -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: text) else {
            throw GuanxiError(.internalFailure, code: "internal_error", message: "Unexpected stored value \(text) for \(Value.self).")
        }
        return value
    }

    private static func requireMember(_ user: UserID?, field: String, in transaction: Transaction) async throws {
        guard let user else { return }
        if try await transaction.rows("SELECT user_id FROM memberships WHERE user_id = \(user.uuid)", as: UUID.self).isEmpty {
            throw unknownAssignee(field: field)
        }
    }

    /// The contact's account; `unknown_contact` when the contact is not one of this workspace's.
    private static func accountOfContact(_ contact: ContactID?, in transaction: Transaction) async throws -> AccountID? {
        guard let contact else { return nil }
        let rows = try await transaction.rows("SELECT account_id FROM contacts WHERE id = \(contact.uuid) FOR KEY SHARE", as: UUID?.self)
        guard let row = rows.first else {
            throw GuanxiError(.invalid, code: "unknown_contact", message: "contact_id names no contact in this workspace.",
                              details: ["field": "contact_id"])
        }
        return row.map(AccountID.init)
    }
}

/// A case's text fields, validated and trimmed once for create and update.
struct CaseText {
    var subject: String
    var description: String?
    var category: String?

    init(subject: String, description: String?, category: String?) throws {
        self.subject = try Validate.text(subject, field: "subject", length: 1...300, required: true)!
        self.description = try Validate.text(description, field: "description", length: 1...20_000)
        self.category = try Validate.text(category, field: "category", length: 1...100)
    }
}
