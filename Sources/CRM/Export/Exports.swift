import Database
import Foundation
import PostgresNIO
import GuanxiCore

/// Lists of one workspace as CSV files, with the filters of the list endpoints, read a page at a
/// time so that a list of any length streams in constant memory. Each page is its own read, so rows
/// created while an export runs may or may not appear in it.
public struct Exports: Sendable {
    let database: Database
    let contacts: Contacts
    let accounts: Accounts

    /// Rows read per page.
    static let pageSize = 1_000

    public init(database: Database, contacts: Contacts, accounts: Accounts) {
        self.database = database
        self.contacts = contacts
        self.accounts = accounts
    }

    /// Contacts, with their account's name beside its id, so the file imports into another workspace.
    public func contacts(_ tenant: TenantID, _ filter: ContactFilter, encoding: ExportEncoding) -> CSVExport {
        let header = ["id", "name", "email", "phone", "title", "account_name", "account_id", "created_at", "updated_at"]
        return CSVExport(header: header, encoding: encoding) { [contacts, database] cursor in
            let page = try await contacts.list(tenant, filter, PageRequest(limit: Self.pageSize, after: cursor))
            let accountIDs = Array(Set(page.items.compactMap { $0.accountID?.uuid }))
            let names = accountIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await database.withTenant(tenant) { transaction in
                try await transaction.rows("SELECT id, name FROM accounts WHERE id = ANY(\(accountIDs))", as: (UUID, String).self)
            })
            let records = page.items.map { contact -> [String?] in
                [contact.id.description, contact.name, contact.email, contact.phone, contact.title,
                 contact.accountID.flatMap { names[$0.uuid] }, contact.accountID?.description,
                 contact.createdAt.exported, contact.updatedAt.exported]
            }
            return (records, page.nextCursor)
        }
    }

    public func accounts(_ tenant: TenantID, q: String?, encoding: ExportEncoding) -> CSVExport {
        let header = ["id", "name", "website", "phone", "industry", "created_at", "updated_at"]
        return CSVExport(header: header, encoding: encoding) { [accounts] cursor in
            let page = try await accounts.list(tenant, q: q, PageRequest(limit: Self.pageSize, after: cursor))
            let records = page.items.map { account -> [String?] in
                [account.id.description, account.name, account.website, account.phone, account.industry,
                 account.createdAt.exported, account.updatedAt.exported]
            }
            return (records, page.nextCursor)
        }
    }
}
