import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// Campaigns of one workspace. Every member reads every campaign; owners, admins and managers change
/// any, others only those they own (Docs/Marketing.md). A campaign of another tenant answers
/// `campaign_not_found`, exactly like a missing one.
public struct Campaigns: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// The roles that change every campaign and give campaigns to any member.
    public static let managingRoles: Set<MembershipRole> = [.owner, .admin, .manager]

    static let columns: ColumnList = """
        id, name, description, channel, status, starts_on, ends_on, currency, budget_minor, actual_cost_minor, owner_id, created_at, updated_at
        """
    typealias Row = (UUID, String, String?, String, String, CalendarDate?, CalendarDate?, String, Int64?, Int64?, UUID, Date, Date)

    static func campaign(_ row: Row) -> Campaign {
        Campaign(id: CampaignID(row.0), name: row.1, description: row.2, channel: Campaign.Channel(rawValue: row.3) ?? .other,
                 status: Campaign.Status(rawValue: row.4) ?? .planned, startsOn: row.5, endsOn: row.6, currency: row.7,
                 budget: row.8.map { Money(amountMinor: $0, currency: row.7) },
                 actualCost: row.9.map { Money(amountMinor: $0, currency: row.7) },
                 ownerID: UserID(row.10), createdAt: row.11, updatedAt: row.12)
    }

    static func read(_ id: CampaignID, in transaction: Transaction) async throws -> Campaign {
        guard let row = try await transaction.rows("SELECT \(columns: columns) FROM campaigns WHERE id = \(id.uuid)", as: Row.self).first else {
            throw GuanxiError.notFound("campaign")
        }
        return campaign(row)
    }

    /// How a change holds the campaign until its transaction ends: `update` for a change of the
    /// campaign itself, `share` for a change of its members, which keeps its status from changing meanwhile.
    enum Lock: String {
        case update = "FOR UPDATE"
        case share = "FOR SHARE"
    }

    /// Reads and locks the campaign if the calling member may change it: 404 `campaign_not_found`
    /// when there is none, 403 `record_read_only` when the member is neither its owner nor an owner,
    /// admin or manager.
    static func requireEditable(_ principal: TenantPrincipal, _ id: CampaignID, lock: Lock, in transaction: Transaction) async throws -> Campaign {
        let rows = switch lock {
        case .update: try await transaction.rows("SELECT \(columns: columns) FROM campaigns WHERE id = \(id.uuid) FOR UPDATE", as: Row.self)
        case .share: try await transaction.rows("SELECT \(columns: columns) FROM campaigns WHERE id = \(id.uuid) FOR SHARE", as: Row.self)
        }
        guard let row = rows.first else { throw GuanxiError.notFound("campaign") }
        let campaign = campaign(row)
        guard managingRoles.contains(principal.role) || campaign.ownerID == principal.user else {
            throw GuanxiError(.forbidden, code: "record_read_only",
                              message: "You may read this campaign but not change it; ask its owner, a manager or an admin.",
                              details: ["entity": "campaign"])
        }
        return campaign
    }

    public func get(_ principal: TenantPrincipal, _ id: CampaignID) async throws -> Campaign {
        try await database.withTenant(principal.tenant) { try await Self.read(id, in: $0) }
    }

    public func create(_ principal: TenantPrincipal, _ input: NewCampaign) async throws -> Campaign {
        let fields = try CampaignFields(name: input.name, description: input.description, channel: input.channel, startsOn: input.startsOn,
                                        endsOn: input.endsOn, currency: input.currency, budgetMinor: input.budgetMinor,
                                        actualCostMinor: input.actualCostMinor, ownerID: input.ownerID ?? principal.user)
        let status = try input.status.map { try CampaignFields.choice($0, field: "status", of: Campaign.Status.self) } ?? .planned
        guard status == .planned || status == .active else {
            throw GuanxiError.invalidField("status", "A new campaign is planned or active; it completes or is cancelled later.")
        }
        try Self.requireMayGive(principal, to: fields.ownerID)
        return try await database.withTenant(principal.tenant) { transaction in
            try await References.requireUser(fields.ownerID, field: "owner_id", in: transaction)
            let rows = try await transaction.rows("""
                INSERT INTO campaigns (tenant_id, id, name, description, channel, status, starts_on, ends_on, currency, budget_minor,
                                       actual_cost_minor, owner_id)
                VALUES (\(principal.tenant.uuid), \(CampaignID().uuid), \(fields.name), \(fields.description), \(fields.channel.rawValue),
                        \(status.rawValue), \(fields.startsOn), \(fields.endsOn), \(fields.currency), \(fields.budgetMinor),
                        \(fields.actualCostMinor), \(fields.ownerID.uuid))
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
            return Self.campaign(rows[0])
        }
    }

    /// Applies the fields present in `patch`; `null` clears an optional field. The status moves only
    /// along `Campaign.Status.allowedNext` (409 `invalid_status_transition`); the other fields may
    /// change in any status, so the actual cost can be entered after the campaign completes.
    public func update(_ principal: TenantPrincipal, _ id: CampaignID, _ patch: CampaignPatch) async throws -> Campaign {
        try await database.withTenant(principal.tenant) { transaction in
            let campaign = try await Self.requireEditable(principal, id, lock: .update, in: transaction)
            let fields = try CampaignFields(
                name: try Self.required(patch.name, field: "name") ?? campaign.name,
                description: patch.description.applied(to: campaign.description),
                channel: try Self.required(patch.channel, field: "channel") ?? campaign.channel.rawValue,
                startsOn: patch.startsOn.applied(to: campaign.startsOn), endsOn: patch.endsOn.applied(to: campaign.endsOn),
                currency: try Self.required(patch.currency, field: "currency") ?? campaign.currency,
                budgetMinor: patch.budgetMinor.applied(to: campaign.budget?.amountMinor),
                actualCostMinor: patch.actualCostMinor.applied(to: campaign.actualCost?.amountMinor),
                ownerID: try Self.required(patch.ownerID, field: "owner_id") ?? campaign.ownerID)
            let status = try Self.required(patch.status, field: "status")
                .map { try CampaignFields.choice($0, field: "status", of: Campaign.Status.self) } ?? campaign.status
            if status != campaign.status && !campaign.status.allowedNext.contains(status) {
                throw Self.invalidTransition(from: campaign.status, to: status)
            }
            if fields.ownerID != campaign.ownerID {
                guard Self.managingRoles.contains(principal.role) else {
                    throw GuanxiError(.forbidden, code: "forbidden_role",
                                      message: "Only owners, admins and managers give a campaign to another member.",
                                      details: ["field": "owner_id"])
                }
                try await References.requireUser(fields.ownerID, field: "owner_id", in: transaction)
            }
            let rows = try await transaction.rows("""
                UPDATE campaigns SET name = \(fields.name), description = \(fields.description), channel = \(fields.channel.rawValue),
                       status = \(status.rawValue), starts_on = \(fields.startsOn), ends_on = \(fields.endsOn), currency = \(fields.currency),
                       budget_minor = \(fields.budgetMinor), actual_cost_minor = \(fields.actualCostMinor), owner_id = \(fields.ownerID.uuid),
                       updated_at = now()
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
            return Self.campaign(rows[0])
        }
    }

    /// Deletes the campaign with its members and their touches. The deals it sourced stay, with
    /// `campaign_id` cleared; cancelling a campaign instead keeps that attribution.
    public func delete(_ principal: TenantPrincipal, _ id: CampaignID) async throws {
        try await database.withTenant(principal.tenant) { transaction in
            _ = try await Self.requireEditable(principal, id, lock: .update, in: transaction)
            try await transaction.query("DELETE FROM campaigns WHERE id = \(id.uuid)")
        }
    }

    /// A page of campaigns in creation order, filtered by status, channel, owner and any part of the name.
    public func list(_ principal: TenantPrincipal, _ filter: CampaignFilter, _ page: PageRequest) async throws -> Page<Campaign> {
        let pattern = TextSearch.substringPattern(filter.q)
        let rows = try await database.withTenant(principal.tenant) { transaction in
            try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM campaigns
                 WHERE id > \(page.after?.after ?? UUID.minimum)
                   AND (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue))
                   AND (\(filter.channel?.rawValue)::text IS NULL OR channel = \(filter.channel?.rawValue))
                   AND (\(filter.ownerID?.uuid)::uuid IS NULL OR owner_id = \(filter.ownerID?.uuid))
                   AND (\(pattern)::text IS NULL OR name ILIKE \(pattern))
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.campaign), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    // MARK: Helpers

    /// Owners, admins and managers make campaigns for anyone; others for themselves only (403 `forbidden_role`).
    static func requireMayGive(_ principal: TenantPrincipal, to owner: UserID) throws {
        guard owner == principal.user || managingRoles.contains(principal.role) else {
            throw GuanxiError(.forbidden, code: "forbidden_role",
                              message: "You may create a campaign only for yourself; owners, admins and managers create them for anyone.",
                              details: ["field": "owner_id"])
        }
    }

    /// A PATCH value of a field that cannot be emptied: `nil` when left out.
    static func required<Value>(_ patch: FieldPatch<Value>, field: String) throws -> Value? {
        if case .clear = patch { throw GuanxiError.invalidField(field, "\(field) cannot be removed; send a new value instead.") }
        return patch.applied(to: nil)
    }

    static func invalidTransition(from: Campaign.Status, to: Campaign.Status) -> GuanxiError {
        let allowed = from.allowedNext.map(\.rawValue).joined(separator: ", ")
        return GuanxiError(.conflict, code: "invalid_status_transition",
                           message: from.allowedNext.isEmpty
                               ? "A \(from.rawValue) campaign is final and cannot become \(to.rawValue); create a new campaign instead."
                               : "A \(from.rawValue) campaign cannot become \(to.rawValue); from \(from.rawValue) it may become \(allowed).",
                           details: ["from": from.rawValue, "to": to.rawValue, "allowed": allowed])
    }
}
