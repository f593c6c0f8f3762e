import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// The contacts and leads a campaign targets, and their touches. Reading takes seeing the campaign
/// (every member does); changing takes the right to change the campaign (`Campaigns.requireEditable`).
/// Members are added and removed while the campaign is planned or active, and their statuses change
/// while it is active or completed (late replies count).
public struct CampaignMembers: Sendable {
    let database: Database
    /// The most contacts one segment request adds, and the most members one `from_status` change
    /// moves: each request stays short, and repeating it goes on where it stopped.
    let batchSize: Int

    /// The most ids one request may name.
    public static let largestBatch = 1_000
    /// How far in the future a touch's `occurred_at` may be, for clients whose clocks run ahead.
    static let clockTolerance: TimeInterval = 300

    public init(database: Database, batchSize: Int = 10_000) {
        self.database = database
        self.batchSize = batchSize
    }

    static let columns: ColumnList = """
        id, campaign_id, contact_id, lead_id, name, email, phone, status, status_changed_at, added_by, created_at, updated_at
        """
    typealias Row = (UUID, UUID, UUID?, UUID?, String?, String?, String?, String, Date, UUID?, Date, Date)

    static func member(_ row: Row) -> CampaignMember {
        CampaignMember(id: CampaignMemberID(row.0), campaignID: CampaignID(row.1), contactID: row.2.map(ContactID.init),
                       leadID: row.3.map(LeadID.init), name: row.4, email: row.5, phone: row.6,
                       status: CampaignMember.Status(rawValue: row.7) ?? .targeted, statusChangedAt: row.8,
                       addedBy: row.9.map(UserID.init), createdAt: row.10, updatedAt: row.11)
    }

    static let touchColumns: ColumnList = "id, member_id, from_status, to_status, note, occurred_at, recorded_by, created_at"
    typealias TouchRow = (UUID, UUID, String, String, String?, Date, UUID?, Date)

    static func touch(_ row: TouchRow, of campaign: CampaignID) -> CampaignTouch {
        CampaignTouch(id: CampaignTouchID(row.0), campaignID: campaign, memberID: CampaignMemberID(row.1),
                      fromStatus: CampaignMember.Status(rawValue: row.2) ?? .targeted, toStatus: CampaignMember.Status(rawValue: row.3) ?? .targeted,
                      note: row.4, occurredAt: row.5, recordedBy: row.6.map(UserID.init), createdAt: row.7)
    }

    // MARK: Adding and removing

    /// Adds contacts and leads by id, all or none: every id must be a contact or lead the caller
    /// sees (422 `unknown_contact`, `unknown_lead`). Ids already members are skipped and reported;
    /// an id repeated in the request counts once.
    public func add(_ principal: TenantPrincipal, _ campaignID: CampaignID, _ input: NewCampaignMembers) async throws -> AddedCampaignMembers {
        let contactIDs = Self.unique(input.contactIDs)
        let leadIDs = Self.unique(input.leadIDs)
        guard !contactIDs.isEmpty || !leadIDs.isEmpty else {
            throw GuanxiError.invalidField("contact_ids", "Send contact_ids, lead_ids or both, with at least one id.")
        }
        guard contactIDs.count + leadIDs.count <= Self.largestBatch else {
            throw GuanxiError.invalidField(contactIDs.count > leadIDs.count ? "contact_ids" : "lead_ids",
                                           "At most \(Self.largestBatch) ids in all per request; add a segment for more contacts at once.")
        }
        return try await database.withTenant(principal.tenant) { transaction in
            try Self.requireOpen(try await Campaigns.requireEditable(principal, campaignID, lock: .share, in: transaction))
            try await References.requireContacts(contactIDs, field: "contact_ids", in: transaction)
            try await References.requireLeads(leadIDs, field: "lead_ids", in: transaction)
            let addedContacts = try await Self.insert(principal, campaignID, column: .contact, contactIDs.map(\.uuid), in: transaction)
            let addedLeads = try await Self.insert(principal, campaignID, column: .lead, leadIDs.map(\.uuid), in: transaction)
            let added = try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM campaign_member_details WHERE id = ANY(\(addedContacts + addedLeads)) ORDER BY id
                """, as: Row.self)
            let members = added.map(Self.member)
            let addedContactIDs = Set(members.compactMap(\.contactID))
            let addedLeadIDs = Set(members.compactMap(\.leadID))
            return AddedCampaignMembers(added: members, skippedContactIDs: contactIDs.filter { !addedContactIDs.contains($0) },
                                        skippedLeadIDs: leadIDs.filter { !addedLeadIDs.contains($0) })
        }
    }

    /// Adds the contacts that `GET /api/v1/contacts` lists with the same filters, as far as the caller
    /// sees them, in id order, at most `batchSize` per request (`more` says whether others remain).
    public func addSegment(_ principal: TenantPrincipal, _ campaignID: CampaignID, _ segment: ContactFilter) async throws -> AddedCampaignSegment {
        try await database.withTenant(principal.tenant) { transaction in
            try Self.requireOpen(try await Campaigns.requireEditable(principal, campaignID, lock: .share, in: transaction))
            let matching = try await segment.condition(in: transaction)
            let skipped = try await transaction.rows("""
                SELECT count(*) FROM contacts
                 WHERE \(condition: matching)
                   AND EXISTS (SELECT 1 FROM campaign_members m WHERE m.campaign_id = \(campaignID.uuid) AND m.contact_id = contacts.id)
                """, as: Int.self)[0]
            let candidates = try await transaction.rows("""
                SELECT id FROM contacts
                 WHERE \(condition: matching)
                   AND NOT EXISTS (SELECT 1 FROM campaign_members m WHERE m.campaign_id = \(campaignID.uuid) AND m.contact_id = contacts.id)
                 ORDER BY id LIMIT \(batchSize + 1)
                """, as: UUID.self)
            let added = try await Self.insert(principal, campaignID, column: .contact, Array(candidates.prefix(batchSize)), in: transaction)
            return AddedCampaignSegment(added: added.count, skipped: skipped, more: candidates.count > batchSize)
        }
    }

    /// Which column of `campaign_members` names the person.
    enum PersonColumn {
        case contact, lead
    }

    /// Inserts members for `people` (contacts or leads) and answers the new members' ids; people
    /// already in the campaign, even through a request running at the same time, are left out.
    static func insert(_ principal: TenantPrincipal, _ campaignID: CampaignID, column: PersonColumn, _ people: [UUID],
                       in transaction: Transaction) async throws -> [UUID] {
        guard !people.isEmpty else { return [] }
        let ids = people.map { _ in CampaignMemberID().uuid }
        return switch column {
        case .contact:
            try await transaction.rows("""
                INSERT INTO campaign_members (tenant_id, id, campaign_id, contact_id, added_by)
                SELECT \(principal.tenant.uuid), p.id, \(campaignID.uuid), p.person, \(principal.user.uuid)
                  FROM unnest(\(ids)::uuid[], \(people)::uuid[]) AS p(id, person)
                ON CONFLICT DO NOTHING
                RETURNING id
                """, as: UUID.self)
        case .lead:
            try await transaction.rows("""
                INSERT INTO campaign_members (tenant_id, id, campaign_id, lead_id, added_by)
                SELECT \(principal.tenant.uuid), p.id, \(campaignID.uuid), p.person, \(principal.user.uuid)
                  FROM unnest(\(ids)::uuid[], \(people)::uuid[]) AS p(id, person)
                ON CONFLICT DO NOTHING
                RETURNING id
                """, as: UUID.self)
        }
    }

    /// Removes a member with its touches.
    public func remove(_ principal: TenantPrincipal, _ campaignID: CampaignID, _ id: CampaignMemberID) async throws {
        try await database.withTenant(principal.tenant) { transaction in
            try Self.requireOpen(try await Campaigns.requireEditable(principal, campaignID, lock: .share, in: transaction))
            let deleted = try await transaction.rows("""
                DELETE FROM campaign_members WHERE campaign_id = \(campaignID.uuid) AND id = \(id.uuid) RETURNING id
                """, as: UUID.self)
            if deleted.isEmpty { throw GuanxiError.notFound("campaign_member") }
        }
    }

    // MARK: Reading

    public func get(_ principal: TenantPrincipal, _ campaignID: CampaignID, _ id: CampaignMemberID) async throws -> CampaignMember {
        try await database.withTenant(principal.tenant) { transaction in
            _ = try await Campaigns.read(campaignID, in: transaction)
            return Self.member(try await Self.read(campaignID, id, in: transaction))
        }
    }

    static func read(_ campaignID: CampaignID, _ id: CampaignMemberID, in transaction: Transaction) async throws -> Row {
        guard let row = try await transaction.rows("""
            SELECT \(columns: columns) FROM campaign_member_details WHERE campaign_id = \(campaignID.uuid) AND id = \(id.uuid)
            """, as: Row.self).first else {
            throw GuanxiError.notFound("campaign_member")
        }
        return row
    }

    /// A page of the campaign's members in the order they were added.
    public func list(_ principal: TenantPrincipal, _ campaignID: CampaignID, _ filter: CampaignMemberFilter,
                     _ page: PageRequest) async throws -> Page<CampaignMember> {
        let rows = try await database.withTenant(principal.tenant) { transaction in
            _ = try await Campaigns.read(campaignID, in: transaction)
            return try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM campaign_member_details
                 WHERE campaign_id = \(campaignID.uuid) AND id > \(page.after?.after ?? UUID.minimum)
                   AND (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue))
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.member), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    /// A member's touches in the order they were recorded.
    public func touches(_ principal: TenantPrincipal, _ campaignID: CampaignID, _ id: CampaignMemberID,
                        _ page: PageRequest) async throws -> Page<CampaignTouch> {
        let rows = try await database.withTenant(principal.tenant) { transaction in
            _ = try await Campaigns.read(campaignID, in: transaction)
            _ = try await Self.read(campaignID, id, in: transaction)
            return try await transaction.rows("""
                SELECT \(columns: Self.touchColumns) FROM campaign_touches
                 WHERE member_id = \(id.uuid) AND id > \(page.after?.after ?? UUID.minimum)
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: TouchRow.self)
        }
        return Page(rows: rows.map { Self.touch($0, of: campaignID) }, limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    // MARK: Touches

    /// Moves one member to a new status (`CampaignMember.Status.mayBecome`, else 409
    /// `invalid_status_transition`) and records the move as a touch.
    public func touch(_ principal: TenantPrincipal, _ campaignID: CampaignID, _ id: CampaignMemberID, _ input: NewCampaignTouch,
                      now: Date = Date()) async throws -> CampaignTouch {
        let change = try TouchFields(status: input.status, note: input.note, occurredAt: input.occurredAt, now: now)
        return try await database.withTenant(principal.tenant) { transaction in
            try Self.requireRunning(try await Campaigns.requireEditable(principal, campaignID, lock: .share, in: transaction))
            guard let current = try await transaction.rows("""
                SELECT status FROM campaign_members WHERE campaign_id = \(campaignID.uuid) AND id = \(id.uuid) FOR UPDATE
                """, as: String.self).first.flatMap(CampaignMember.Status.init) else {
                throw GuanxiError.notFound("campaign_member")
            }
            guard current.mayBecome(change.status) else { throw Self.invalidTransition(id, from: current, to: change.status) }
            let touches = try await Self.record(principal, [(id.uuid, current)], change, in: transaction)
            return Self.touch(touches[0], of: campaignID)
        }
    }

    /// Moves many members to one status: those named (all or none; those already in it are skipped and
    /// reported), or every member in `from_status`, at most `batchSize` per request.
    public func touchMany(_ principal: TenantPrincipal, _ campaignID: CampaignID, _ input: NewCampaignTouches,
                          now: Date = Date()) async throws -> RecordedCampaignTouches {
        let change = try TouchFields(status: input.status, note: input.note, occurredAt: input.occurredAt, now: now)
        switch (input.memberIDs, input.fromStatus) {
        case (let named?, nil):
            let ids = Self.unique(named)
            guard !ids.isEmpty, ids.count <= Self.largestBatch else {
                throw GuanxiError.invalidField("member_ids", "member_ids holds 1 to \(Self.largestBatch) ids; use from_status to move more at once.")
            }
            return try await database.withTenant(principal.tenant) { transaction in
                try Self.requireRunning(try await Campaigns.requireEditable(principal, campaignID, lock: .share, in: transaction))
                let members = try await transaction.rows("""
                    SELECT id, status FROM campaign_members WHERE campaign_id = \(campaignID.uuid) AND id = ANY(\(ids.map(\.uuid)))
                     ORDER BY id FOR UPDATE
                    """, as: (UUID, String).self).map { ($0.0, CampaignMember.Status(rawValue: $0.1) ?? .targeted) }
                guard members.count == ids.count else {
                    throw GuanxiError(.invalid, code: "unknown_campaign_member", message: "member_ids names a member that is not in this campaign.",
                                      details: ["field": "member_ids"])
                }
                let moves = members.filter { $0.1 != change.status }
                if let refused = moves.first(where: { !$0.1.mayBecome(change.status) }) {
                    throw Self.invalidTransition(CampaignMemberID(refused.0), from: refused.1, to: change.status)
                }
                _ = try await Self.record(principal, moves, change, in: transaction)
                return RecordedCampaignTouches(touched: moves.count,
                                               skippedMemberIDs: members.filter { $0.1 == change.status }.map { CampaignMemberID($0.0) }, more: false)
            }
        case (nil, let text?):
            let from = try CampaignFields.choice(text, field: "from_status", of: CampaignMember.Status.self)
            guard from.mayBecome(change.status) else { throw Self.invalidTransition(nil, from: from, to: change.status) }
            return try await database.withTenant(principal.tenant) { transaction in
                try Self.requireRunning(try await Campaigns.requireEditable(principal, campaignID, lock: .share, in: transaction))
                let members = try await transaction.rows("""
                    SELECT id FROM campaign_members WHERE campaign_id = \(campaignID.uuid) AND status = \(from.rawValue)
                     ORDER BY id LIMIT \(batchSize + 1) FOR UPDATE
                    """, as: UUID.self)
                let moves = members.prefix(batchSize).map { ($0, from) }
                _ = try await Self.record(principal, moves, change, in: transaction)
                return RecordedCampaignTouches(touched: moves.count, skippedMemberIDs: [], more: members.count > batchSize)
            }
        default:
            throw GuanxiError.invalidField("member_ids", "Send either member_ids or from_status, exactly one of them.")
        }
    }

    /// Writes one touch per move and sets the members' new status; answers the touches.
    static func record(_ principal: TenantPrincipal, _ moves: [(member: UUID, from: CampaignMember.Status)], _ change: TouchFields,
                       in transaction: Transaction) async throws -> [TouchRow] {
        guard !moves.isEmpty else { return [] }
        let members = moves.map(\.member)
        let touches = try await transaction.rows("""
            INSERT INTO campaign_touches (tenant_id, id, member_id, from_status, to_status, note, occurred_at, recorded_by)
            SELECT \(principal.tenant.uuid), t.id, t.member_id, t.from_status, \(change.status.rawValue), \(change.note), \(change.occurredAt),
                   \(principal.user.uuid)
              FROM unnest(\(moves.map { _ in CampaignTouchID().uuid })::uuid[], \(members)::uuid[], \(moves.map(\.from.rawValue))::text[])
                   AS t(id, member_id, from_status)
            RETURNING \(columns: touchColumns)
            """, as: TouchRow.self)
        try await transaction.query("""
            UPDATE campaign_members SET status = \(change.status.rawValue), status_changed_at = \(change.occurredAt), updated_at = now()
             WHERE id = ANY(\(members))
            """)
        return touches
    }

    // MARK: Rules

    /// Members join and leave a planned or active campaign only (409 `campaign_closed`).
    static func requireOpen(_ campaign: Campaign) throws {
        guard campaign.status == .planned || campaign.status == .active else {
            throw GuanxiError(.conflict, code: "campaign_closed",
                              message: "This campaign is \(campaign.status.rawValue); its members no longer change.",
                              details: ["status": campaign.status.rawValue])
        }
    }

    /// Members' statuses change while the campaign is active, or completed (a late reply still counts):
    /// 409 `campaign_not_started` while planned, `campaign_closed` once cancelled.
    static func requireRunning(_ campaign: Campaign) throws {
        switch campaign.status {
        case .active, .completed:
            return
        case .planned:
            throw GuanxiError(.conflict, code: "campaign_not_started",
                              message: "This campaign is planned; set its status to active before recording what its members did.",
                              details: ["status": campaign.status.rawValue])
        case .cancelled:
            throw GuanxiError(.conflict, code: "campaign_closed",
                              message: "This campaign is cancelled; its members no longer change.", details: ["status": campaign.status.rawValue])
        }
    }

    /// 409 `invalid_status_transition`, naming the member when one member's move is refused.
    static func invalidTransition(_ id: CampaignMemberID?, from: CampaignMember.Status, to: CampaignMember.Status) -> GuanxiError {
        let allowed = from.allowedNext.map(\.rawValue).joined(separator: ", ")
        var details = ["from": from.rawValue, "to": to.rawValue, "allowed": allowed]
        details["member_id"] = id?.description
        return GuanxiError(.conflict, code: "invalid_status_transition",
                           message: allowed.isEmpty
                               ? "An \(from.rawValue) member is final; it cannot become \(to.rawValue)."
                               : "A \(from.rawValue) member cannot become \(to.rawValue); from \(from.rawValue) it may become \(allowed).",
                           details: details)
    }

    static func unique<Entity>(_ ids: [Identifier<Entity>]) -> [Identifier<Entity>] {
        var seen = Set<Identifier<Entity>>()
        return ids.filter { seen.insert($0).inserted }
    }
}

/// A touch's fields, checked before anything is read.
struct TouchFields {
    var status: CampaignMember.Status
    var note: String?
    var occurredAt: Date

    init(status: String, note: String?, occurredAt: Date?, now: Date) throws {
        self.status = try CampaignFields.choice(status, field: "status", of: CampaignMember.Status.self)
        guard self.status != .targeted else {
            throw GuanxiError.invalidField("status", "Every member starts targeted and never goes back; send sent, opened, clicked, responded, bounced or unsubscribed.")
        }
        self.note = try Validate.text(note, field: "note", length: 1...1000)
        let occurredAt = occurredAt ?? now
        guard occurredAt <= now.addingTimeInterval(CampaignMembers.clockTolerance) else {
            throw GuanxiError.invalidField("occurred_at", "occurred_at is in the future; send when it happened, or leave it out for now.")
        }
        self.occurredAt = occurredAt
    }
}
