import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// Accounts of one workspace; tenant first in every method, foreign ids answer `account_not_found`.
public struct Accounts: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns: ColumnList = "id, name, website, phone, industry, created_at, updated_at"
    typealias Row = (UUID, String, String?, String?, String?, Date, Date)

    static func account(_ row: Row) -> Account {
        Account(id: AccountID(row.0), name: row.1, website: row.2, phone: row.3, industry: row.4,
                createdAt: row.5, updatedAt: row.6)
    }

    struct AccountInTenant: PostgresPreparedStatement {
        static let sql = "SELECT id, name, website, phone, industry, created_at, updated_at FROM account_in_tenant($1, $2)"
        typealias Row = Accounts.Row
        var tenant: UUID
        var id: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(tenant)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            var columns = RowReader(row)
            return (try columns.next(), try columns.next(), try columns.next(), try columns.next(), try columns.next(),
                    try columns.next(), try columns.next())
        }
    }

    public func get(_ tenant: TenantID, _ id: AccountID) async throws -> Account {
        guard let row = try await database.scopedRead(AccountInTenant(tenant: tenant.uuid, id: id.uuid)).first else {
            throw GuanxiError.notFound("account")
        }
        return Self.account(row)
    }

    public func create(_ tenant: TenantID, _ input: NewAccount) async throws -> Account {
        let fields = try AccountFields(name: input.name, website: input.website, phone: input.phone, industry: input.industry)
        return try await database.withTenant(tenant) { try await Self.insert(tenant, fields, in: $0) }
    }

    /// Writes a new account in `transaction`'s tenant (a create, or a lead's conversion).
    static func insert(_ tenant: TenantID, _ fields: AccountFields, in transaction: Transaction) async throws -> Account {
        let rows = try await transaction.rows("""
            INSERT INTO accounts (tenant_id, id, name, website, phone, industry)
            VALUES (\(tenant.uuid), \(AccountID().uuid), \(fields.name), \(fields.website), \(fields.phone), \(fields.industry))
            RETURNING \(columns: Self.columns)
            """, as: Row.self)
        return Self.account(rows[0])
    }

    public func update(_ tenant: TenantID, _ id: AccountID, _ patch: AccountPatch) async throws -> Account {
        let rows = try await database.withTenant(tenant) { transaction in
            let current = try await transaction.rows("SELECT \(columns: Self.columns) FROM accounts WHERE id = \(id.uuid) FOR UPDATE", as: Row.self)
            guard let row = current.first else { throw GuanxiError.notFound("account") }
            let account = Self.account(row)
            guard let name = patch.name.applied(to: account.name) else {
                throw GuanxiError.invalidField("name", "name cannot be removed; send a new name instead.")
            }
            let fields = try AccountFields(name: name, website: patch.website.applied(to: account.website),
                                           phone: patch.phone.applied(to: account.phone),
                                           industry: patch.industry.applied(to: account.industry))
            return try await transaction.rows("""
                UPDATE accounts SET name = \(fields.name), website = \(fields.website), phone = \(fields.phone),
                       industry = \(fields.industry), updated_at = now()
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
        }
        return Self.account(rows[0])
    }

    /// Deletes the account; its contacts stay and lose the link.
    public func delete(_ tenant: TenantID, _ id: AccountID) async throws {
        let deleted = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("DELETE FROM accounts WHERE id = \(id.uuid) RETURNING id", as: UUID.self)
        }
        guard !deleted.isEmpty else { throw GuanxiError.notFound("account") }
    }

    public func list(_ tenant: TenantID, q: String?, _ page: PageRequest) async throws -> Page<Account> {
        let search = TextSearch(q)
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM accounts
                 WHERE id > \(page.after?.after ?? UUID.minimum)
                   AND (\(search.pattern)::text IS NULL OR name ILIKE \(search.pattern) OR website ILIKE \(search.pattern)
                        OR regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') LIKE \(search.digitsPattern))
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.account), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    /// A reference from another record must name an account of the same workspace.
    static func requireExists(_ id: AccountID?, in transaction: Transaction) async throws {
        guard let id else { return }
        let found = try await transaction.rows("SELECT id FROM accounts WHERE id = \(id.uuid) FOR KEY SHARE", as: UUID.self)
        if found.isEmpty {
            throw GuanxiError(.invalid, code: "unknown_account", message: "account_id names no account in this workspace.",
                              details: ["field": "account_id"])
        }
    }
}

struct AccountFields {
    var name: String
    var website: String?
    var phone: String?
    var industry: String?

    init(name: String, website: String?, phone: String?, industry: String?) throws {
        self.name = try Validate.text(name, field: "name", length: 1...300, required: true)!
        self.website = try Validate.text(website, field: "website", length: 3...300)
        self.phone = try Validate.text(phone, field: "phone", length: 3...40)
        self.industry = try Validate.text(industry, field: "industry", length: 1...100)
    }
}
