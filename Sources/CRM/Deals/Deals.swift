import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// Deals of one workspace. Every method takes the calling member first (its tenant scopes every
/// query); a deal of another tenant answers `deal_not_found`, exactly like a missing one. Every
/// change of stage, creation included, is recorded in `deal_stage_changes`.
public struct Deals: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// The columns of the `deal_details` view: the deal with its stage and contacts.
    static let columns: ColumnList = """
        id, name, pipeline_id, stage_id, stage_name, status, win_probability_bp, amount_minor, currency, \
        expected_close_date, account_id, contact_ids, owner_id, closed_at, close_reason, created_at, updated_at, custom_fields, campaign_id
        """
    typealias Row = (UUID, String, UUID, UUID, String, String, Int, Int64?, String?, CalendarDate?, UUID?, [UUID], UUID,
                     Date?, String?, Date, Date, CustomFields, UUID?)

    static func deal(_ row: Row) -> Deal {
        Deal(id: DealID(row.0), name: row.1, pipelineID: PipelineID(row.2), stageID: StageID(row.3), stageName: row.4,
             status: Stage.Kind(rawValue: row.5) ?? .open, winProbabilityBP: row.6,
             amount: row.7.flatMap { minor in row.8.map { Money(amountMinor: minor, currency: $0) } },
             expectedCloseDate: row.9, accountID: row.10.map(AccountID.init), contactIDs: row.11.map(ContactID.init),
             ownerID: UserID(row.12), closedAt: row.13, closeReason: row.14, customFields: row.17,
             campaignID: row.18.map(CampaignID.init), createdAt: row.15, updatedAt: row.16)
    }

    static func read(_ id: DealID, in transaction: Transaction) async throws -> Deal {
        guard let row = try await transaction.rows("SELECT \(columns: columns) FROM deal_details WHERE id = \(id.uuid)", as: Row.self).first else {
            throw GuanxiError.notFound("deal")
        }
        return deal(row)
    }

    public func get(_ principal: TenantPrincipal, _ id: DealID) async throws -> Deal {
        try await database.withTenant(principal.tenant) { try await Self.read(id, in: $0) }
    }

    public func create(_ principal: TenantPrincipal, _ input: NewDeal) async throws -> Deal {
        let fields = try DealFields(name: input.name, amountMinor: input.amountMinor, currency: input.currency,
                                    expectedCloseDate: input.expectedCloseDate, accountID: input.accountID,
                                    contactIDs: input.contactIDs ?? [], ownerID: input.ownerID ?? principal.user, campaignID: input.campaignID)
        return try await database.withTenant(principal.tenant) { transaction in
            let stage = try await Self.startingStage(principal.tenant, input.stageID, in: transaction)
            let customFields = try await CustomFieldValues.validate(object: .deal, input: input.customFields, existing: nil, in: transaction)
            let id = try await Self.insert(principal, fields, stage: stage, customFields: customFields, in: transaction)
            return try await Self.read(id, in: transaction)
        }
    }

    /// Where a new deal starts: the named stage, which must be open, or the default pipeline's first stage.
    static func startingStage(_ tenant: TenantID, _ id: StageID?, in transaction: Transaction) async throws -> Stage {
        guard let id else {
            return try await Pipelines.firstOpenStage(of: try await Pipelines.defaultPipeline(tenant, in: transaction), in: transaction)
        }
        let stage = try await Pipelines.stage(id, field: "stage_id", in: transaction)
        guard stage.kind == .open else {
            throw GuanxiError.invalidField("stage_id", "A new deal starts in an open stage; move it to won or lost afterwards.")
        }
        return stage
    }

    /// Writes a new deal, its contacts and its first history entry (a create, or a lead's conversion);
    /// the custom fields were checked by the caller.
    static func insert(_ principal: TenantPrincipal, _ fields: DealFields, stage: Stage, customFields: CustomFields = CustomFields(),
                       in transaction: Transaction) async throws -> DealID {
        try await fields.checkReferences(in: transaction)
        try await RecordAccess.requireMayAssign(.deal, to: fields.ownerID, reassigning: false, in: transaction)
        let id = DealID()
        try await transaction.query("""
            INSERT INTO deals (tenant_id, id, name, pipeline_id, stage_id, amount_minor, currency, expected_close_date, account_id, owner_id,
                               custom_fields, campaign_id)
            VALUES (\(principal.tenant.uuid), \(id.uuid), \(fields.name), \(stage.pipelineID.uuid), \(stage.id.uuid), \(fields.amount?.amountMinor),
                    \(fields.amount?.currency), \(fields.expectedCloseDate), \(fields.accountID?.uuid), \(fields.ownerID.uuid), \(customFields),
                    \(fields.campaignID?.uuid))
            """)
        try await replaceContacts(principal.tenant, of: id, with: fields.contactIDs, in: transaction)
        try await recordChange(principal, deal: id, from: nil, to: stage, reason: nil, in: transaction)
        return id
    }

    /// Applies the fields present in `patch`; `null` clears an optional field.
    public func update(_ principal: TenantPrincipal, _ id: DealID, _ patch: DealPatch) async throws -> Deal {
        try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(.deal, id.uuid, in: transaction)
            let deal = try await Self.read(id, in: transaction)
            guard let name = patch.name.applied(to: deal.name) else {
                throw GuanxiError.invalidField("name", "name cannot be removed; send a new name instead.")
            }
            guard let owner = patch.ownerID.applied(to: deal.ownerID) else {
                throw GuanxiError.invalidField("owner_id", "owner_id cannot be removed; every deal has an owner.")
            }
            let fields = try DealFields(name: name, amountMinor: patch.amountMinor.applied(to: deal.amount?.amountMinor),
                                        currency: patch.currency.applied(to: deal.amount?.currency),
                                        expectedCloseDate: patch.expectedCloseDate.applied(to: deal.expectedCloseDate),
                                        accountID: patch.accountID.applied(to: deal.accountID),
                                        contactIDs: patch.contactIDs.applied(to: deal.contactIDs) ?? [], ownerID: owner,
                                        campaignID: patch.campaignID.applied(to: deal.campaignID))
            try await RecordAccess.requireMayReassign(.deal, from: deal.ownerID, to: fields.ownerID, in: transaction)
            try await fields.checkReferences(changedFrom: deal, in: transaction)
            let customFields = try await CustomFieldValues.validate(object: .deal, input: patch.customFields,
                                                                    existing: deal.customFields, in: transaction)
            try await transaction.query("""
                UPDATE deals SET name = \(fields.name), amount_minor = \(fields.amount?.amountMinor), currency = \(fields.amount?.currency),
                       expected_close_date = \(fields.expectedCloseDate), account_id = \(fields.accountID?.uuid),
                       owner_id = \(fields.ownerID.uuid), custom_fields = \(customFields), campaign_id = \(fields.campaignID?.uuid), updated_at = now()
                 WHERE id = \(id.uuid)
                """)
            switch patch.contactIDs {
            case .keep: break  // the links keep the order in which the contacts were added
            case .clear, .set: try await Self.replaceContacts(principal.tenant, of: id, with: fields.contactIDs, in: transaction)
            }
            return try await Self.read(id, in: transaction)
        }
    }

    /// Deletes the deal with its history and contact links; activities attached to it stay on the
    /// other records they are attached to.
    public func delete(_ principal: TenantPrincipal, _ id: DealID) async throws {
        let deleted = try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(.deal, id.uuid, in: transaction)
            return try await transaction.rows("DELETE FROM deals WHERE id = \(id.uuid) RETURNING id", as: UUID.self)
        }
        guard !deleted.isEmpty else { throw GuanxiError.notFound("deal") }
    }

    /// Moves the deal to another stage and records the move: who, when, from where, to where, why.
    public func move(_ principal: TenantPrincipal, _ id: DealID, _ move: DealMove) async throws -> Deal {
        let reason = try Validate.text(move.reason, field: "reason", length: 1...1000)
        return try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(.deal, id.uuid, in: transaction)
            let deal = try await Self.read(id, in: transaction)
            let target = try await Pipelines.stage(move.stageID, field: "stage_id", in: transaction)
            guard target.id != deal.stageID else {
                throw GuanxiError(.conflict, code: "stage_unchanged", message: "The deal is already in \(target.name).")
            }
            if target.kind == .lost && reason == nil {
                throw GuanxiError.invalidField("reason", "reason is required when a deal is lost: say why, for the next one.")
            }
            let closes = target.kind != .open
            try await transaction.query("""
                UPDATE deals SET pipeline_id = \(target.pipelineID.uuid), stage_id = \(target.id.uuid),
                       closed_at = CASE WHEN \(closes) THEN now() END, close_reason = \(closes ? reason : nil), updated_at = now()
                 WHERE id = \(id.uuid)
                """)
            try await Self.recordChange(principal, deal: id, from: (deal.stageID, deal.stageName), to: target, reason: reason, in: transaction)
            return try await Self.read(id, in: transaction)
        }
    }

    /// The deal's history, oldest first: its creation, then every move.
    public func history(_ principal: TenantPrincipal, _ id: DealID, _ page: PageRequest) async throws -> Page<DealStageChange> {
        let rows = try await database.withTenant(principal.tenant) { transaction in
            _ = try await Self.read(id, in: transaction)
            return try await transaction.rows("""
                SELECT id, deal_id, from_stage_id, from_stage_name, to_stage_id, to_stage_name, to_kind, win_probability_bp, reason,
                       changed_by, changed_at
                  FROM deal_stage_changes
                 WHERE deal_id = \(id.uuid) AND id > \(page.after?.after ?? UUID.minimum)
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: (UUID, UUID, UUID?, String?, UUID?, String, String, Int, String?, UUID, Date).self)
        }
        let changes = rows.map { row in
            DealStageChange(id: DealStageChangeID(row.0), dealID: DealID(row.1), fromStageID: row.2.map(StageID.init), fromStageName: row.3,
                            toStageID: row.4.map(StageID.init), toStageName: row.5, toKind: Stage.Kind(rawValue: row.6) ?? .open,
                            winProbabilityBP: row.7, reason: row.8, changedBy: UserID(row.9), changedAt: row.10)
        }
        return Page(rows: changes, limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    /// A page of deals in creation order. Every list of deals is this query, so a filter added
    /// here (a member's own deals, a custom field) applies everywhere.
    public func list(_ principal: TenantPrincipal, _ filter: DealFilter, _ page: PageRequest) async throws -> Page<Deal> {
        let search = try TextSearch.condition(filter.q, matching: .deal)
        let rows = try await database.withTenant(principal.tenant) { transaction in
            let customFields = try await filter.customFields.condition(for: .deal, in: transaction)
            return try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM deal_details
                 WHERE id > \(page.after?.after ?? UUID.minimum)
                   AND (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue))
                   AND (\(filter.stageID?.uuid)::uuid IS NULL OR stage_id = \(filter.stageID?.uuid))
                   AND (\(filter.pipelineID?.uuid)::uuid IS NULL OR pipeline_id = \(filter.pipelineID?.uuid))
                   AND (\(filter.ownerID?.uuid)::uuid IS NULL OR owner_id = \(filter.ownerID?.uuid))
                   AND (\(filter.accountID?.uuid)::uuid IS NULL OR account_id = \(filter.accountID?.uuid))
                   AND (\(filter.contactID?.uuid)::uuid IS NULL
                        OR EXISTS (SELECT 1 FROM deal_contacts c WHERE c.deal_id = deal_details.id AND c.contact_id = \(filter.contactID?.uuid)))
                   AND \(condition: search)
                   AND (\(filter.campaignID?.uuid)::uuid IS NULL OR campaign_id = \(filter.campaignID?.uuid))
                   AND \(condition: customFields)
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.deal), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    // MARK: Helpers

    static func replaceContacts(_ tenant: TenantID, of deal: DealID, with contacts: [ContactID], in transaction: Transaction) async throws {
        try await transaction.query("DELETE FROM deal_contacts WHERE deal_id = \(deal.uuid)")
        guard !contacts.isEmpty else { return }
        try await transaction.query("""
            INSERT INTO deal_contacts (tenant_id, deal_id, contact_id)
            SELECT \(tenant.uuid), \(deal.uuid), c FROM unnest(\(contacts.map(\.uuid))::uuid[]) AS c
            """)
    }

    static func recordChange(_ principal: TenantPrincipal, deal: DealID, from: (id: StageID, name: String)?, to stage: Stage,
                             reason: String?, in transaction: Transaction) async throws {
        try await transaction.query("""
            INSERT INTO deal_stage_changes (tenant_id, id, deal_id, from_stage_id, from_stage_name, to_stage_id, to_stage_name, to_kind,
                                            win_probability_bp, reason, changed_by)
            VALUES (\(principal.tenant.uuid), \(DealStageChangeID().uuid), \(deal.uuid), \(from?.id.uuid), \(from?.name), \(stage.id.uuid),
                    \(stage.name), \(stage.kind.rawValue), \(stage.winProbabilityBP), \(reason), \(principal.user.uuid))
            """)
    }
}

/// A deal's writable fields, validated and normalised once for create, update and conversion.
struct DealFields {
    static let largestAmountMinor: Int64 = 999_999_999_999_999

    var name: String
    var amount: Money?
    var expectedCloseDate: CalendarDate?
    var accountID: AccountID?
    var contactIDs: [ContactID]
    var ownerID: UserID
    var campaignID: CampaignID?

    init(name: String, amountMinor: Int64?, currency: String?, expectedCloseDate: CalendarDate?, accountID: AccountID?,
         contactIDs: [ContactID], ownerID: UserID, campaignID: CampaignID? = nil) throws {
        self.name = try Validate.text(name, field: "name", length: 1...300, required: true)!
        switch (amountMinor, currency) {
        case (nil, nil):
            amount = nil
        case (let minor?, let currency?):
            guard (0...Self.largestAmountMinor).contains(minor) else {
                throw GuanxiError.invalidField("amount_minor", "amount_minor is a whole number of minor units (fen, cents) from 0 to \(Self.largestAmountMinor).")
            }
            let code = currency.uppercased()
            guard code.wholeMatch(of: /[A-Z]{3}/) != nil else {
                throw GuanxiError.invalidField("currency", "currency is an ISO 4217 code such as CNY or USD.")
            }
            amount = Money(amountMinor: minor, currency: code)
        case (nil, _):
            throw GuanxiError.invalidField("amount_minor", "amount_minor and currency go together: send both, or null for both.")
        case (_, nil):
            throw GuanxiError.invalidField("currency", "amount_minor and currency go together: send both, or null for both.")
        }
        self.expectedCloseDate = expectedCloseDate
        self.accountID = accountID
        var seen = Set<ContactID>()
        self.contactIDs = contactIDs.filter { seen.insert($0).inserted }
        self.ownerID = ownerID
        self.campaignID = campaignID
    }

    /// The account, contacts, owner and campaign must be the workspace's own. On a change of `current` only the
    /// new ones are checked: a member who may change a deal need not see every record it links to.
    func checkReferences(changedFrom current: Deal? = nil, in transaction: Transaction) async throws {
        if accountID != current?.accountID { try await Accounts.requireExists(accountID, in: transaction) }
        let added = contactIDs.filter { !(current?.contactIDs.contains($0) ?? false) }
        try await References.requireContacts(added, field: "contact_ids", in: transaction)
        if ownerID != current?.ownerID { try await References.requireUser(ownerID, field: "owner_id", in: transaction) }
        if campaignID != current?.campaignID { try await References.requireCampaign(campaignID, field: "campaign_id", in: transaction) }
    }
}
