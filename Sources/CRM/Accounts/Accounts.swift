import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// Accounts of one workspace; tenant first in every method, foreign ids answer `account_not_found`.
public struct Accounts: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns: ColumnList = "id, name, website, phone, industry, owner_id, created_at, updated_at, custom_fields"
    typealias Row = (UUID, String, String?, String?, String?, UUID?, Date, Date, CustomFields)

    static func account(_ row: Row) -> Account {
        Account(id: AccountID(row.0), name: row.1, website: row.2, phone: row.3, industry: row.4,
                customFields: row.8, ownerID: row.5.map(UserID.init), createdAt: row.6, updatedAt: row.7)
    }

    /// One round trip through `account_in_tenant`, which scopes itself to the tenant and the acting member.
    struct AccountInTenant: PostgresPreparedStatement {
        static let name = "account_in_tenant"
        static let sql = "SELECT id, name, website, phone, industry, owner_id, created_at, updated_at, custom_fields FROM account_in_tenant($1, $2, $3, $4)"
        typealias Row = Accounts.Row
        var tenant: UUID
        var actor = ActingUser.settings
        var id: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(tenant)
            bindings.append(actor.user)
            bindings.append(actor.role)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            var columns = RowReader(row)
            return (try columns.next(), try columns.next(), try columns.next(), try columns.next(), try columns.next(),
                    try columns.next(), try columns.next(), try columns.next(), try columns.next())
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
        return try await database.withTenant(tenant) { transaction in
            let customFields = try await CustomFieldValues.validate(object: .account, input: input.customFields, existing: nil, in: transaction)
            return try await Self.insert(tenant, fields, customFields: customFields, in: transaction)
        }
    }

    /// Writes a new account in `transaction`'s tenant (a create, or a lead's conversion); the custom
    /// fields were checked by the caller.
    static func insert(_ tenant: TenantID, _ fields: AccountFields, customFields: CustomFields = CustomFields(),
                       in transaction: Transaction) async throws -> Account {
        let rows = try await transaction.rows("""
            INSERT INTO accounts (tenant_id, id, name, website, phone, industry, custom_fields)
            VALUES (\(tenant.uuid), \(AccountID().uuid), \(fields.name), \(fields.website), \(fields.phone), \(fields.industry),
                    \(customFields))
            RETURNING \(columns: Self.columns)
            """, as: Row.self)
        return Self.account(rows[0])
    }

    /// Applies the fields present in `patch`; a new `owner_id` is a reassignment (owners, admins, and
    /// managers within their teams).
    public func update(_ tenant: TenantID, _ id: AccountID, _ patch: AccountPatch) async throws -> Account {
        let rows = try await database.withTenant(tenant) { transaction in
            try await RecordAccess.requireEditable(.account, id.uuid, in: transaction)
            let current = try await transaction.rows("SELECT \(columns: Self.columns) FROM accounts WHERE id = \(id.uuid) FOR UPDATE", as: Row.self)
            guard let row = current.first else { throw GuanxiError.notFound("account") }
            let account = Self.account(row)
            guard let name = patch.name.applied(to: account.name) else {
                throw GuanxiError.invalidField("name", "name cannot be removed; send a new name instead.")
            }
            let fields = try AccountFields(name: name, website: patch.website.applied(to: account.website),
                                           phone: patch.phone.applied(to: account.phone),
                                           industry: patch.industry.applied(to: account.industry))
            let customFields = try await CustomFieldValues.validate(object: .account, input: patch.customFields,
                                                                    existing: account.customFields, in: transaction)
            let owner = patch.ownerID.applied(to: account.ownerID)
            try await RecordAccess.requireMayReassign(.account, from: account.ownerID, to: owner, in: transaction)
            return try await transaction.rows("""
                UPDATE accounts SET name = \(fields.name), website = \(fields.website), phone = \(fields.phone),
                       industry = \(fields.industry), custom_fields = \(customFields), owner_id = \(owner?.uuid), updated_at = now()
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
        }
        return Self.account(rows[0])
    }

    /// Deletes the account; its contacts stay and lose the link.
    public func delete(_ tenant: TenantID, _ id: AccountID) async throws {
        let deleted = try await database.withTenant(tenant) { transaction in
            try await RecordAccess.requireEditable(.account, id.uuid, in: transaction)
            return try await transaction.rows("DELETE FROM accounts WHERE id = \(id.uuid) RETURNING id", as: UUID.self)
        }
        guard !deleted.isEmpty else { throw GuanxiError.notFound("account") }
    }

    /// A page of accounts in creation order, filtered by `q` (name, website, phone) and custom fields.
    public func list(_ tenant: TenantID, q: String?, customFields filter: CustomFieldFilter = CustomFieldFilter(),
                     _ page: PageRequest) async throws -> Page<Account> {
        let search = try TextSearch.condition(q, matching: .account)
        let rows = try await database.withTenant(tenant) { transaction in
            let customFields = try await filter.condition(for: .account, in: transaction)
            return try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM accounts
                 WHERE id > \(page.after?.after ?? UUID.minimum)
                   AND \(condition: search)
                   AND \(condition: customFields)
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
        self.name = try Self.name(name)
        self.website = try Self.website(website)
        self.phone = try Self.phone(phone)
        self.industry = try Self.industry(industry)
    }

    // One check per field, so an import can report every field of a row that breaks its rule.

    static func name(_ value: String?) throws -> String {
        try Validate.text(value, field: "name", length: 1...300, required: true)!
    }

    static func website(_ value: String?) throws -> String? {
        try Validate.text(value, field: "website", length: 3...300)
    }

    static func phone(_ value: String?) throws -> String? {
        try Validate.text(value, field: "phone", length: 3...40)
    }

    static func industry(_ value: String?) throws -> String? {
        try Validate.text(value, field: "industry", length: 1...100)
    }
}
