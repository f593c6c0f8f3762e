import Database
import Foundation
import PostgresNIO
import GuanxiCore
import Tenancy

/// Lists of one workspace as CSV files, with the filters of the list endpoints, read a page at a
/// time so that a list of any length streams in constant memory. Each page is its own read, so rows
/// created while an export runs may or may not appear in it. Each page is read through the list
/// itself, as the member who asked, so an export holds exactly what the list would show them.
public struct Exports: Sendable {
    let database: Database
    let contacts: Contacts
    let accounts: Accounts
    let leads: Leads
    let deals: Deals
    let cases: Cases
    let activities: Activities

    /// Rows read per page.
    static let pageSize = 1_000

    public init(database: Database, contacts: Contacts, accounts: Accounts, leads: Leads, deals: Deals, cases: Cases,
                activities: Activities) {
        self.database = database
        self.contacts = contacts
        self.accounts = accounts
        self.leads = leads
        self.deals = deals
        self.cases = cases
        self.activities = activities
    }

    /// Contacts, with their account's name beside its id, so the file imports into another workspace.
    public func contacts(_ tenant: TenantID, _ filter: ContactFilter, encoding: ExportEncoding) async throws -> CSVExport {
        let header = ["id", "name", "email", "phone", "title", "account_name", "account_id", "created_at", "updated_at"]
        let custom = try await CustomFieldColumns.load(.contact, after: header, tenant: tenant, database: database)
        return CSVExport(header: header + custom.headers, encoding: encoding) { [contacts, database] cursor in
            let page = try await contacts.list(tenant, filter, PageRequest(limit: Self.pageSize, after: cursor))
            let names = try await Self.accountNames(page.items.compactMap(\.accountID), tenant, database)
            let records = page.items.map { contact -> [String?] in
                [contact.id.description, contact.name, contact.email, contact.phone, contact.title,
                 contact.accountID.flatMap { names[$0] }, contact.accountID?.description,
                 contact.createdAt.exported, contact.updatedAt.exported] + custom.cells(contact.customFields)
            }
            return (records, page.nextCursor)
        }
    }

    public func accounts(_ tenant: TenantID, q: String?, customFields filter: CustomFieldFilter, encoding: ExportEncoding) async throws -> CSVExport {
        let header = ["id", "name", "website", "phone", "industry", "created_at", "updated_at"]
        let custom = try await CustomFieldColumns.load(.account, after: header, tenant: tenant, database: database)
        return CSVExport(header: header + custom.headers, encoding: encoding) { [accounts] cursor in
            let page = try await accounts.list(tenant, q: q, customFields: filter, PageRequest(limit: Self.pageSize, after: cursor))
            let records = page.items.map { account -> [String?] in
                [account.id.description, account.name, account.website, account.phone, account.industry,
                 account.createdAt.exported, account.updatedAt.exported] + custom.cells(account.customFields)
            }
            return (records, page.nextCursor)
        }
    }

    /// Leads, every field of the API. The person's columns carry the names a leads import
    /// proposes, so the file imports into another workspace.
    public func leads(_ principal: TenantPrincipal, _ filter: LeadFilter, encoding: ExportEncoding) async throws -> CSVExport {
        let header = ["id", "name", "company", "email", "phone", "title", "source", "status", "disqualified_reason", "message",
                      "owner_id", "converted_at", "converted_account_id", "converted_contact_id", "converted_deal_id",
                      "created_at", "updated_at"]
        let custom = try await CustomFieldColumns.load(.lead, after: header, tenant: principal.tenant, database: database)
        return CSVExport(header: header + custom.headers, encoding: encoding) { [leads] cursor in
            let page = try await leads.list(principal, filter, PageRequest(limit: Self.pageSize, after: cursor))
            let records = page.items.map { lead -> [String?] in
                [lead.id.description, lead.name, lead.company, lead.email, lead.phone, lead.title, lead.source, lead.status.rawValue,
                 lead.disqualifiedReason, lead.message, lead.ownerID.description, lead.convertedAt?.exported,
                 lead.convertedAccountID?.description, lead.convertedContactID?.description, lead.convertedDealID?.description,
                 lead.createdAt.exported, lead.updatedAt.exported] + custom.cells(lead.customFields)
            }
            return (records, page.nextCursor)
        }
    }

    /// Deals, the amount as a decimal number in the currency's major unit (`1234.56`) beside its
    /// currency, the account's name beside its id, the contacts' ids separated by spaces.
    public func deals(_ principal: TenantPrincipal, _ filter: DealFilter, encoding: ExportEncoding) async throws -> CSVExport {
        let header = ["id", "name", "pipeline_id", "stage_id", "stage_name", "status", "win_probability_bp", "amount", "currency",
                      "expected_close_date", "account_name", "account_id", "contact_ids", "owner_id", "campaign_id", "closed_at",
                      "close_reason", "created_at", "updated_at"]
        let custom = try await CustomFieldColumns.load(.deal, after: header, tenant: principal.tenant, database: database)
        return CSVExport(header: header + custom.headers, encoding: encoding) { [deals, database] cursor in
            let page = try await deals.list(principal, filter, PageRequest(limit: Self.pageSize, after: cursor))
            let names = try await Self.accountNames(page.items.compactMap(\.accountID), principal.tenant, database)
            let records = page.items.map { deal -> [String?] in
                [deal.id.description, deal.name, deal.pipelineID.description, deal.stageID.description, deal.stageName,
                 deal.status.rawValue, String(deal.winProbabilityBP), deal.amount?.decimalAmount, deal.amount?.currency,
                 deal.expectedCloseDate?.description, deal.accountID.flatMap { names[$0] }, deal.accountID?.description,
                 deal.contactIDs.map(\.description).joined(separator: " "), deal.ownerID.description, deal.campaignID?.description,
                 deal.closedAt?.exported, deal.closeReason, deal.createdAt.exported, deal.updatedAt.exported] + custom.cells(deal.customFields)
            }
            return (records, page.nextCursor)
        }
    }

    /// Service cases, every field of the API (the SLA clocks flat, as there), the account's name
    /// beside its id.
    public func cases(_ tenant: TenantID, _ filter: CaseFilter, encoding: ExportEncoding) async throws -> CSVExport {
        let header = ["id", "number", "subject", "description", "status", "priority", "category", "channel", "assignee_id",
                      "contact_id", "account_name", "account_id", "created_by", "first_response_target_minutes",
                      "first_response_due_at", "first_responded_at", "first_response_breached_at", "resolution_target_minutes",
                      "resolution_due_at", "resolution_seconds_left", "resolution_breached_at", "next_due_at", "resolved_at",
                      "closed_at", "satisfaction", "satisfaction_comment", "satisfaction_recorded_at", "created_at", "updated_at"]
        let custom = try await CustomFieldColumns.load(.case, after: header, tenant: tenant, database: database)
        return CSVExport(header: header + custom.headers, encoding: encoding) { [cases, database] cursor in
            let page = try await cases.list(tenant, filter, PageRequest(limit: Self.pageSize, after: cursor))
            let names = try await Self.accountNames(page.items.compactMap(\.accountID), tenant, database)
            let records = page.items.map { item -> [String?] in
                let clocks = item.clocks
                return [item.id.description, String(item.number), item.subject, item.description, item.status.rawValue,
                        item.priority.rawValue, item.category, item.channel.rawValue, item.assigneeID?.description,
                        item.contactID?.description, item.accountID.flatMap { names[$0] }, item.accountID?.description,
                        item.createdBy?.description, String(clocks.firstResponseTargetMinutes), clocks.firstResponseDueAt.exported,
                        clocks.firstRespondedAt?.exported, clocks.firstResponseBreachedAt?.exported,
                        String(clocks.resolutionTargetMinutes), clocks.resolutionDueAt?.exported,
                        clocks.resolutionSecondsLeft.map(String.init), clocks.resolutionBreachedAt?.exported,
                        item.nextDueAt?.exported, item.resolvedAt?.exported, item.closedAt?.exported,
                        item.satisfaction.map(String.init), item.satisfactionComment, item.satisfactionRecordedAt?.exported,
                        item.createdAt.exported, item.updatedAt.exported] + custom.cells(item.customFields)
            }
            return (records, page.nextCursor)
        }
    }

    /// Activities, every field of the API; `done_at` says whether a task is done.
    public func activities(_ principal: TenantPrincipal, _ filter: ActivityFilter, encoding: ExportEncoding) -> CSVExport {
        let header = ["id", "kind", "title", "body", "occurred_at", "duration_minutes", "due_date", "done_at", "owner_id",
                      "assignee_id", "account_id", "contact_id", "lead_id", "deal_id", "case_id", "created_at", "updated_at"]
        return CSVExport(header: header, encoding: encoding) { [activities] cursor in
            let page = try await activities.list(principal, filter, PageRequest(limit: Self.pageSize, after: cursor))
            let records = page.items.map { activity -> [String?] in
                let attached = activity.attachments
                return [activity.id.description, activity.kind.rawValue, activity.title, activity.body, activity.occurredAt.exported,
                        activity.durationMinutes.map(String.init), activity.dueDate?.description, activity.doneAt?.exported,
                        activity.ownerID.description, activity.assigneeID?.description, attached.accountID?.description,
                        attached.contactID?.description, attached.leadID?.description, attached.dealID?.description,
                        attached.caseID?.description, activity.createdAt.exported, activity.updatedAt.exported]
            }
            return (records, page.nextCursor)
        }
    }

    /// The names of the accounts `ids` name, of those the member sees.
    static func accountNames(_ ids: [AccountID], _ tenant: TenantID, _ database: Database) async throws -> [AccountID: String] {
        let unique = Array(Set(ids.map(\.uuid)))
        guard !unique.isEmpty else { return [:] }
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("SELECT id, name FROM accounts WHERE id = ANY(\(unique))", as: (UUID, String).self)
        }
        return Dictionary(uniqueKeysWithValues: rows.map { (AccountID($0.0), $0.1) })
    }
}
