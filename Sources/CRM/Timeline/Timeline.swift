import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// One thing that happened with a customer, as the timeline shows it.
public struct TimelineItem: Sendable, Encodable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case task, call, meeting, email, note
        case dealCreated = "deal_created"
        case dealStageChanged = "deal_stage_changed"
        case dealWon = "deal_won"
        case dealLost = "deal_lost"
        case leadConverted = "lead_converted"
        case caseCreated = "case_created"
        case caseStatusChanged = "case_status_changed"
        case casePriorityChanged = "case_priority_changed"
        case caseAssigneeChanged = "case_assignee_changed"
        case caseResponded = "case_responded"
        case caseBreached = "case_breached"
        case caseEscalated = "case_escalated"
        case caseSatisfactionRecorded = "case_satisfaction_recorded"
        case campaignTouch = "campaign_touch"
    }

    /// The activity's id, the deal or case history entry's id, the converted lead's id, or the campaign touch's id.
    public var id: UUID
    public var kind: Kind
    public var occurredAt: Date
    /// Who did it: the activity's owner, who moved the deal, who converted the lead, who changed
    /// the case, who recorded the campaign touch; `nil` for what the system did (a breach, an escalation).
    public var userID: UserID?
    /// The activity's title, the deal's name, the lead's name, the case's subject, the campaign's name.
    public var title: String?
    /// The activity's text, why a deal was moved, won or lost, the converted lead's company, the
    /// note of a case's history entry or of a campaign touch.
    public var body: String?
    /// What changed: a deal's stage names, a case's status, priority, assignee or breached target, a
    /// campaign member's status.
    public var from: String?
    public var to: String?
    public var accountID: AccountID?
    public var contactID: ContactID?
    public var leadID: LeadID?
    public var dealID: DealID?
    public var caseID: CaseID?
    public var activityID: ActivityID?
    public var campaignID: CampaignID?

    enum CodingKeys: String, CodingKey {
        case id, kind, title, body, from, to
        case occurredAt = "occurred_at"
        case userID = "user_id"
        case accountID = "account_id"
        case contactID = "contact_id"
        case leadID = "lead_id"
        case dealID = "deal_id"
        case caseID = "case_id"
        case activityID = "activity_id"
        case campaignID = "campaign_id"
    }

    /// Every field is present, `null` when it does not apply.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.uuidString.lowercased(), forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(userID, forKey: .userID)
        try container.encode(title, forKey: .title)
        try container.encode(body, forKey: .body)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(accountID, forKey: .accountID)
        try container.encode(contactID, forKey: .contactID)
        try container.encode(leadID, forKey: .leadID)
        try container.encode(dealID, forKey: .dealID)
        try container.encode(caseID, forKey: .caseID)
        try container.encode(activityID, forKey: .activityID)
        try container.encode(campaignID, forKey: .campaignID)
    }
}

/// The 360° view of a customer: every activity, deal event, lead conversion, case event and campaign
/// touch of an account or a contact, newest first. One SQL query: a UNION ALL with a branch per
/// source, ordered by (occurred_at, id) and paged by keyset on both. A new source is one more branch
/// returning the same columns.
public struct Timeline: Sendable {
    /// Whose timeline. An account's holds its contacts' items and its deals' too.
    public enum Subject: Sendable {
        case account(AccountID)
        case contact(ContactID)
    }

    let database: Database

    public init(database: Database) { self.database = database }

    typealias Row = (UUID, String, Date, Int64, UUID?, String?, String?, String?, String?, UUID?, UUID?, UUID?, UUID?, UUID?, UUID?, UUID?)

    /// What belongs to the customer: for a contact, itself, its deals (through `deal_contacts`), its
    /// cases and the leads converted into it; for an account, also its contacts' and its own deals,
    /// cases and leads. Items are activities attached to any of these, the history of those deals
    /// and cases, the conversions, and the campaign touches of those contacts and leads.
    public func items(_ principal: TenantPrincipal, _ subject: Subject, _ page: PageRequest) async throws -> Page<TimelineItem> {
        let (accountID, contactID): (UUID?, UUID?) = switch subject {
        case .account(let id): (id.uuid, nil)
        case .contact(let id): (nil, id.uuid)
        }
        // Where the page starts: before (occurred_at in microseconds since 1970, id) of the last item seen.
        var before: (micros: Int64, id: UUID)?
        if let cursor = page.after {
            guard let micros = cursor.key.flatMap({ Int64($0) }) else { throw Cursor.invalid }
            before = (micros, cursor.after)
        }
        let rows = try await database.withTenant(principal.tenant) { transaction in
            try await Self.requireSubject(subject, in: transaction)
            return try await transaction.rows("""
                WITH customer_contacts AS (
                    SELECT id FROM contacts WHERE id = \(contactID) OR account_id = \(accountID)
                ), customer_deals AS (
                    SELECT id FROM deals WHERE account_id = \(accountID)
                    UNION
                    SELECT deal_id FROM deal_contacts WHERE contact_id IN (SELECT id FROM customer_contacts)
                ), customer_leads AS (
                    SELECT id FROM leads
                     WHERE converted_account_id = \(accountID) OR converted_contact_id IN (SELECT id FROM customer_contacts)
                ), customer_cases AS (
                    SELECT id FROM cases WHERE account_id = \(accountID) OR contact_id IN (SELECT id FROM customer_contacts)
                ), items AS (
                    SELECT a.id, a.kind, a.occurred_at, a.owner_id AS user_id, a.title, a.body,
                           NULL::text AS from_value, NULL::text AS to_value,
                           a.account_id, a.contact_id, a.lead_id, a.deal_id, a.case_id, a.id AS activity_id, NULL::uuid AS campaign_id
                      FROM activities a
                     WHERE a.account_id = \(accountID)
                        OR a.contact_id IN (SELECT id FROM customer_contacts)
                        OR a.deal_id IN (SELECT id FROM customer_deals)
                        OR a.lead_id IN (SELECT id FROM customer_leads)
                        OR a.case_id IN (SELECT id FROM customer_cases)
                    UNION ALL
                    SELECT h.id,
                           CASE WHEN h.from_stage_name IS NULL THEN 'deal_created'
                                WHEN h.to_kind = 'won' THEN 'deal_won'
                                WHEN h.to_kind = 'lost' THEN 'deal_lost'
                                ELSE 'deal_stage_changed' END,
                           h.changed_at, h.changed_by, d.name, h.reason, h.from_stage_name, h.to_stage_name,
                           d.account_id, NULL::uuid, NULL::uuid, d.id, NULL::uuid, NULL::uuid, NULL::uuid
                      FROM deal_stage_changes h
                      JOIN deals d ON d.tenant_id = h.tenant_id AND d.id = h.deal_id
                     WHERE h.deal_id IN (SELECT id FROM customer_deals)
                    UNION ALL
                    SELECT l.id, 'lead_converted', l.converted_at, l.converted_by, l.name, l.company, NULL, NULL,
                           l.converted_account_id, l.converted_contact_id, l.id, l.converted_deal_id, NULL::uuid, NULL::uuid, NULL::uuid
                      FROM leads l
                     WHERE l.id IN (SELECT id FROM customer_leads)
                    UNION ALL
                    SELECT e.id, 'case_' || e.kind, e.occurred_at, e.actor_id, c.subject, e.note, e.from_value, e.to_value,
                           c.account_id, c.contact_id, NULL::uuid, NULL::uuid, c.id, NULL::uuid, NULL::uuid
                      FROM case_events e
                      JOIN cases c ON c.tenant_id = e.tenant_id AND c.id = e.case_id
                     WHERE e.case_id IN (SELECT id FROM customer_cases)
                    UNION ALL
                    SELECT t.id, 'campaign_touch', t.occurred_at, t.recorded_by, g.name, t.note, t.from_status, t.to_status,
                           NULL::uuid, m.contact_id, m.lead_id, NULL::uuid, NULL::uuid, NULL::uuid, g.id
                      FROM campaign_touches t
                      JOIN campaign_members m ON m.tenant_id = t.tenant_id AND m.id = t.member_id
                      JOIN campaigns g ON g.tenant_id = m.tenant_id AND g.id = m.campaign_id
                     WHERE m.contact_id IN (SELECT id FROM customer_contacts) OR m.lead_id IN (SELECT id FROM customer_leads)
                )
                SELECT id, kind, occurred_at, (extract(epoch FROM occurred_at) * 1000000)::bigint, user_id, title, body,
                       from_value, to_value, account_id, contact_id, lead_id, deal_id, case_id, activity_id, campaign_id
                  FROM items
                 WHERE \(before == nil)
                    OR (occurred_at, id) < (timestamptz 'epoch' + \(before?.micros) * interval '1 microsecond', \(before?.id))
                 ORDER BY occurred_at DESC, id DESC
                 LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        let items = rows.map { row in
            PositionedItem(micros: row.3, item: TimelineItem(
                id: row.0, kind: TimelineItem.Kind(rawValue: row.1) ?? .note, occurredAt: row.2, userID: row.4.map(UserID.init), title: row.5,
                body: row.6, from: row.7, to: row.8, accountID: row.9.map(AccountID.init), contactID: row.10.map(ContactID.init),
                leadID: row.11.map(LeadID.init), dealID: row.12.map(DealID.init), caseID: row.13.map(CaseID.init),
                activityID: row.14.map(ActivityID.init), campaignID: row.15.map(CampaignID.init)))
        }
        let positioned = Page(rows: items, limit: page.limit) { Cursor(after: $0.item.id, key: String($0.micros)) }
        return Page(items: positioned.items.map(\.item), nextCursor: positioned.nextCursor)
    }

    /// 404 `account_not_found` or `contact_not_found` for a customer this workspace does not have.
    static func requireSubject(_ subject: Subject, in transaction: Transaction) async throws {
        switch subject {
        case .account(let id):
            if try await transaction.rows("SELECT id FROM accounts WHERE id = \(id.uuid)", as: UUID.self).isEmpty {
                throw GuanxiError.notFound("account")
            }
        case .contact(let id):
            if try await transaction.rows("SELECT id FROM contacts WHERE id = \(id.uuid)", as: UUID.self).isEmpty {
                throw GuanxiError.notFound("contact")
            }
        }
    }
}

/// An item with its exact position in microseconds, which a `Date` would round.
private struct PositionedItem: Sendable {
    var micros: Int64
    var item: TimelineItem
}
