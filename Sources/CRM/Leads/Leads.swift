import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// Leads of one workspace. Every method takes the calling member first (its tenant scopes every
/// query); a lead of another tenant answers `lead_not_found`, exactly like a missing one.
public struct Leads: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns: ColumnList = """
        id, name, company, email, phone, title, source, status, disqualified_reason, message, owner_id, converted_at, \
        converted_by, converted_account_id, converted_contact_id, converted_deal_id, created_at, updated_at, custom_fields
        """
    typealias Row = (UUID, String, String?, String?, String?, String?, String?, String, String?, String?, UUID, Date?,
                     UUID?, UUID?, UUID?, UUID?, Date, Date, CustomFields)

    static func lead(_ row: Row) -> Lead {
        Lead(id: LeadID(row.0), name: row.1, company: row.2, email: row.3, phone: row.4, title: row.5, source: row.6,
             status: Lead.Status(rawValue: row.7) ?? .new, disqualifiedReason: row.8, message: row.9, ownerID: UserID(row.10),
             convertedAt: row.11, convertedBy: row.12.map(UserID.init), convertedAccountID: row.13.map(AccountID.init),
             convertedContactID: row.14.map(ContactID.init), convertedDealID: row.15.map(DealID.init), customFields: row.18,
             createdAt: row.16, updatedAt: row.17)
    }

    static func read(_ id: LeadID, lock: Bool = false, in transaction: Transaction) async throws -> Lead {
        let rows = lock
            ? try await transaction.rows("SELECT \(columns: columns) FROM leads WHERE id = \(id.uuid) FOR UPDATE", as: Row.self)
            : try await transaction.rows("SELECT \(columns: columns) FROM leads WHERE id = \(id.uuid)", as: Row.self)
        guard let row = rows.first else { throw GuanxiError.notFound("lead") }
        return lead(row)
    }

    public func get(_ principal: TenantPrincipal, _ id: LeadID) async throws -> Lead {
        try await database.withTenant(principal.tenant) { try await Self.read(id, in: $0) }
    }

    public func create(_ principal: TenantPrincipal, _ input: NewLead) async throws -> Lead {
        let fields = try LeadFields(name: input.name, company: input.company, email: input.email, phone: input.phone, title: input.title,
                                    source: input.source, status: input.status ?? .new, disqualifiedReason: input.disqualifiedReason,
                                    message: input.message, ownerID: input.ownerID ?? principal.user)
        return try await database.withTenant(principal.tenant) { transaction in
            try await References.requireUser(fields.ownerID, field: "owner_id", in: transaction)
            try await RecordAccess.requireMayAssign(.lead, to: fields.ownerID, reassigning: false, in: transaction)
            let customFields = try await CustomFieldValues.validate(object: .lead, input: input.customFields, existing: nil, in: transaction)
            return try await Self.insert(principal.tenant, fields, customFields: customFields, in: transaction)
        }
    }

    /// Writes a new lead in `tenant` (through the API or the public form); the custom fields were
    /// checked by the caller.
    static func insert(_ tenant: TenantID, _ fields: LeadFields, customFields: CustomFields = CustomFields(),
                       in transaction: Transaction) async throws -> Lead {
        let rows = try await transaction.rows("""
            INSERT INTO leads (tenant_id, id, name, company, email, phone, title, source, status, disqualified_reason, message, owner_id,
                               custom_fields)
            VALUES (\(tenant.uuid), \(LeadID().uuid), \(fields.name), \(fields.company), \(fields.email), \(fields.phone), \(fields.title),
                    \(fields.source), \(fields.status.rawValue), \(fields.disqualifiedReason), \(fields.message), \(fields.ownerID.uuid),
                    \(customFields))
            RETURNING \(columns: columns)
            """, as: Row.self)
        return lead(rows[0])
    }

    /// Applies the fields present in `patch`. Leaving `disqualified` clears the reason; a
    /// converted lead no longer changes (409 `lead_converted`).
    public func update(_ principal: TenantPrincipal, _ id: LeadID, _ patch: LeadPatch) async throws -> Lead {
        try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(.lead, id.uuid, in: transaction)
            let lead = try await Self.read(id, lock: true, in: transaction)
            guard lead.status != .converted else { throw Self.converted }
            guard let name = patch.name.applied(to: lead.name) else {
                throw GuanxiError.invalidField("name", "name cannot be removed; send a new name instead.")
            }
            guard let status = patch.status.applied(to: lead.status) else {
                throw GuanxiError.invalidField("status", "status cannot be removed; send new, contacted, qualified or disqualified.")
            }
            guard let owner = patch.ownerID.applied(to: lead.ownerID) else {
                throw GuanxiError.invalidField("owner_id", "owner_id cannot be removed; every lead has an owner.")
            }
            var reason = patch.disqualifiedReason
            if case .keep = reason, status != .disqualified { reason = .clear }  // leaving disqualified drops the reason
            let fields = try LeadFields(name: name, company: patch.company.applied(to: lead.company), email: patch.email.applied(to: lead.email),
                                        phone: patch.phone.applied(to: lead.phone), title: patch.title.applied(to: lead.title),
                                        source: patch.source.applied(to: lead.source), status: status,
                                        disqualifiedReason: reason.applied(to: lead.disqualifiedReason),
                                        message: patch.message.applied(to: lead.message), ownerID: owner)
            try await RecordAccess.requireMayReassign(.lead, from: lead.ownerID, to: fields.ownerID, in: transaction)
            try await References.requireUser(fields.ownerID, field: "owner_id", in: transaction)
            let customFields = try await CustomFieldValues.validate(object: .lead, input: patch.customFields,
                                                                    existing: lead.customFields, in: transaction)
            let rows = try await transaction.rows("""
                UPDATE leads SET name = \(fields.name), company = \(fields.company), email = \(fields.email), phone = \(fields.phone),
                       title = \(fields.title), source = \(fields.source), status = \(fields.status.rawValue),
                       disqualified_reason = \(fields.disqualifiedReason), message = \(fields.message), owner_id = \(fields.ownerID.uuid),
                       custom_fields = \(customFields), updated_at = now()
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
            return Self.lead(rows[0])
        }
    }

    /// Deletes the lead; what it was converted into stays.
    public func delete(_ principal: TenantPrincipal, _ id: LeadID) async throws {
        let deleted = try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(.lead, id.uuid, in: transaction)
            return try await transaction.rows("DELETE FROM leads WHERE id = \(id.uuid) RETURNING id", as: UUID.self)
        }
        guard !deleted.isEmpty else { throw GuanxiError.notFound("lead") }
    }

    /// A page of leads in creation order. Every list of leads is this query, so a filter added
    /// here (a member's own leads, a custom field) applies everywhere.
    public func list(_ principal: TenantPrincipal, _ filter: LeadFilter, _ page: PageRequest) async throws -> Page<Lead> {
        let search = try TextSearch.condition(filter.q, matching: .lead)
        let source = filter.source?.lowercased()
        let rows = try await database.withTenant(principal.tenant) { transaction in
            let customFields = try await filter.customFields.condition(for: .lead, in: transaction)
            return try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM leads
                 WHERE id > \(page.after?.after ?? UUID.minimum)
                   AND (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue))
                   AND (\(source)::text IS NULL OR source = \(source))
                   AND (\(filter.ownerID?.uuid)::uuid IS NULL OR owner_id = \(filter.ownerID?.uuid))
                   AND \(condition: search)
                   AND \(condition: customFields)
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.lead), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    /// Converts a qualified lead, in one transaction: an account (new from the lead's company, or
    /// the given one), a contact from the lead's person at that account, optionally a deal with that
    /// contact; then the lead is marked converted with links to them. Any failure writes nothing.
    public func convert(_ principal: TenantPrincipal, _ id: LeadID, _ request: LeadConversionRequest) async throws -> LeadConversion {
        try await database.withTenant(principal.tenant) { transaction in
            try await RecordAccess.requireEditable(.lead, id.uuid, in: transaction)
            let lead = try await Self.read(id, lock: true, in: transaction)
            guard lead.status != .converted else { throw Self.converted }
            guard lead.status == .qualified else {
                throw GuanxiError(.conflict, code: "lead_not_qualified",
                                  message: "Only a qualified lead can be converted; this one is \(lead.status.rawValue). Set its status to qualified first.",
                                  details: ["status": lead.status.rawValue])
            }
            let account = try await Self.conversionAccount(principal.tenant, lead, request.accountID, in: transaction)
            let contact = try await Contacts.insert(principal.tenant, try ContactFields(name: lead.name, email: lead.email, phone: lead.phone,
                                                                                       title: lead.title, accountID: account.id), in: transaction)
            var deal: Deal?
            if let requested = request.deal {
                deal = try await Self.conversionDeal(principal, requested, account: account, contact: contact, in: transaction)
            }
            let rows = try await transaction.rows("""
                UPDATE leads SET status = 'converted', converted_at = now(), converted_by = \(principal.user.uuid),
                       converted_account_id = \(account.id.uuid), converted_contact_id = \(contact.id.uuid),
                       converted_deal_id = \(deal?.id.uuid), updated_at = now()
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
            return LeadConversion(lead: Self.lead(rows[0]), account: account, contact: contact, deal: deal)
        }
    }

    static let converted = GuanxiError(.conflict, code: "lead_converted",
                                       message: "This lead was converted; it is kept as it was. Work with the account, contact and deal it became.")

    static func conversionAccount(_ tenant: TenantID, _ lead: Lead, _ accountID: AccountID?, in transaction: Transaction) async throws -> Account {
        if let accountID {
            try await Accounts.requireExists(accountID, in: transaction)
            let rows = try await transaction.rows("SELECT \(columns: Accounts.columns) FROM accounts WHERE id = \(accountID.uuid)", as: Accounts.Row.self)
            return Accounts.account(rows[0])
        }
        guard let company = lead.company else {
            throw GuanxiError(.invalid, code: "lead_company_missing",
                              message: "The lead has no company to make an account from; set its company, or send account_id.",
                              details: ["field": "account_id"])
        }
        return try await Accounts.insert(tenant, try AccountFields(name: company, website: nil, phone: nil, industry: nil), in: transaction)
    }

    /// The deal a conversion opens, at the account and with the new contact. Field errors name the
    /// field inside `deal`, such as `deal.currency`.
    static func conversionDeal(_ principal: TenantPrincipal, _ requested: ConvertedDeal, account: Account, contact: Contact,
                               in transaction: Transaction) async throws -> Deal {
        do {
            let fields = try DealFields(name: requested.name ?? account.name, amountMinor: requested.amountMinor, currency: requested.currency,
                                        expectedCloseDate: requested.expectedCloseDate, accountID: account.id, contactIDs: [contact.id],
                                        ownerID: requested.ownerID ?? principal.user)
            let stage = try await Deals.startingStage(principal.tenant, requested.stageID, in: transaction)
            return try await Deals.read(try await Deals.insert(principal, fields, stage: stage, in: transaction), in: transaction)
        } catch var error as GuanxiError where error.details["field"] != nil {
            error.details["field"] = "deal." + error.details["field"]!
            throw error
        }
    }
}

/// A lead's writable fields, validated and normalised once for create, update and the public form.
struct LeadFields {
    var name: String
    var company: String?
    var email: String?
    var phone: String?
    var title: String?
    var source: String?
    var status: Lead.Status
    var disqualifiedReason: String?
    var message: String?
    var ownerID: UserID

    init(name: String, company: String?, email: String?, phone: String?, title: String?, source: String?, status: Lead.Status,
         disqualifiedReason: String?, message: String?, ownerID: UserID) throws {
        // The person's fields follow the rules of a contact's, which the lead becomes.
        let person = try ContactFields(name: name, email: email, phone: phone, title: title, accountID: nil)
        self.name = person.name
        self.email = person.email
        self.phone = person.phone
        self.title = person.title
        self.company = try Self.company(company)
        self.source = try Self.source(source)
        guard status != .converted else {
            throw GuanxiError.invalidField("status", "A lead becomes converted only through POST /api/v1/leads/{id}/convert.")
        }
        self.status = status
        self.disqualifiedReason = try Validate.text(disqualifiedReason, field: "disqualified_reason", length: 1...1000)
        if status == .disqualified && self.disqualifiedReason == nil {
            throw GuanxiError.invalidField("disqualified_reason", "disqualified_reason is required to disqualify a lead: say why.")
        }
        if status != .disqualified && self.disqualifiedReason != nil {
            throw GuanxiError.invalidField("disqualified_reason", "disqualified_reason goes only with status disqualified.")
        }
        self.message = try Self.message(message)
        self.ownerID = ownerID
    }

    // The rules of single fields, shared with the import (`ImportObject+Leads.swift`).

    static func company(_ value: String?) throws -> String? {
        try Validate.text(value, field: "company", length: 1...300)
    }

    /// A short code, stored in lower case: `[a-z0-9][a-z0-9_-]*`, checked without a regex, which
    /// would be compiled again for every row of an import.
    static func source(_ value: String?) throws -> String? {
        let source = try Validate.text(value, field: "source", length: 1...40)?.lowercased()
        func isCode(_ character: Character) -> Bool {
            character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "-")
        }
        if let source, source.first == "_" || source.first == "-" || !source.allSatisfy(isCode) {
            throw GuanxiError.invalidField("source", "source is a short code of letters, digits, _ and -, such as web_form or trade_show.")
        }
        return source
    }

    static func message(_ value: String?) throws -> String? {
        try Validate.text(value, field: "message", length: 1...5000)
    }
}
