import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// Contacts of one workspace. Every method takes the tenant first; a contact of another tenant
/// is invisible here and answers `contact_not_found`, exactly like a missing one.
public struct Contacts: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns: ColumnList = "id, account_id, name, email, phone, title, owner_id, created_at, updated_at, custom_fields"
    typealias Row = (UUID, UUID?, String, String?, String?, String?, UUID?, Date, Date, CustomFields)

    static func contact(_ row: Row) -> Contact {
        Contact(id: ContactID(row.0), accountID: row.1.map(AccountID.init), name: row.2, email: row.3,
                phone: row.4, title: row.5, customFields: row.9, ownerID: row.6.map(UserID.init), createdAt: row.7, updatedAt: row.8)
    }

    /// The hot read: one round trip through `contact_in_tenant`, which scopes itself to the tenant
    /// and the acting member (whose role decides what they see).
    struct ContactInTenant: PostgresPreparedStatement {
        // Named here: the protocol's default name is the type's, spelled out by reflection on every execution.
        static let name = "contact_in_tenant"
        static let sql = "SELECT id, account_id, name, email, phone, title, owner_id, created_at, updated_at, custom_fields FROM contact_in_tenant($1, $2, $3, $4)"
        typealias Row = Contacts.Row
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
                    try columns.next(), try columns.next(), try columns.next(), try columns.next(), try columns.next())
        }
    }

    public func get(_ tenant: TenantID, _ id: ContactID) async throws -> Contact {
        guard let row = try await database.scopedRead(ContactInTenant(tenant: tenant.uuid, id: id.uuid)).first else {
            throw GuanxiError.notFound("contact")
        }
        return Self.contact(row)
    }

    public func create(_ tenant: TenantID, _ input: NewContact) async throws -> Contact {
        let fields = try ContactFields(name: input.name, email: input.email, phone: input.phone,
                                       title: input.title, accountID: input.accountID)
        return try await database.withTenant(tenant) { transaction in
            try await Accounts.requireExists(fields.accountID, in: transaction)
            let customFields = try await CustomFieldValues.validate(object: .contact, input: input.customFields, existing: nil, in: transaction)
            return try await Self.insert(tenant, fields, customFields: customFields, in: transaction)
        }
    }

    /// Writes a new contact in `transaction`'s tenant (a create, or a lead's conversion); the
    /// account, if any, and the custom fields were checked by the caller.
    static func insert(_ tenant: TenantID, _ fields: ContactFields, customFields: CustomFields = CustomFields(),
                       in transaction: Transaction) async throws -> Contact {
        let rows = try await transaction.rows("""
            INSERT INTO contacts (tenant_id, id, account_id, name, email, phone, title, custom_fields)
            VALUES (\(tenant.uuid), \(ContactID().uuid), \(fields.accountID?.uuid), \(fields.name), \(fields.email),
                    \(fields.phone), \(fields.title), \(customFields))
            RETURNING \(columns: Self.columns)
            """, as: Row.self)
        return Self.contact(rows[0])
    }

    /// Applies the fields present in `patch`; `null` clears an optional field. A new `owner_id` is a
    /// reassignment (owners, admins, and managers within their teams).
    public func update(_ tenant: TenantID, _ id: ContactID, _ patch: ContactPatch) async throws -> Contact {
        let rows = try await database.withTenant(tenant) { transaction in
            try await RecordAccess.requireEditable(.contact, id.uuid, in: transaction)
            let current = try await transaction.rows("SELECT \(columns: Self.columns) FROM contacts WHERE id = \(id.uuid) FOR UPDATE", as: Row.self)
            guard let row = current.first else { throw GuanxiError.notFound("contact") }
            let contact = Self.contact(row)
            guard let name = patch.name.applied(to: contact.name) else {
                throw GuanxiError.invalidField("name", "name cannot be removed; send a new name instead.")
            }
            let fields = try ContactFields(name: name, email: patch.email.applied(to: contact.email),
                                           phone: patch.phone.applied(to: contact.phone),
                                           title: patch.title.applied(to: contact.title),
                                           accountID: patch.accountID.applied(to: contact.accountID))
            if fields.accountID != contact.accountID { try await Accounts.requireExists(fields.accountID, in: transaction) }
            let customFields = try await CustomFieldValues.validate(object: .contact, input: patch.customFields,
                                                                    existing: contact.customFields, in: transaction)
            let owner = patch.ownerID.applied(to: contact.ownerID)
            try await RecordAccess.requireMayReassign(.contact, from: contact.ownerID, to: owner, in: transaction)
            return try await transaction.rows("""
                UPDATE contacts SET account_id = \(fields.accountID?.uuid), name = \(fields.name), email = \(fields.email),
                       phone = \(fields.phone), title = \(fields.title), custom_fields = \(customFields), owner_id = \(owner?.uuid), updated_at = now()
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
        }
        return Self.contact(rows[0])
    }

    public func delete(_ tenant: TenantID, _ id: ContactID) async throws {
        let deleted = try await database.withTenant(tenant) { transaction in
            try await RecordAccess.requireEditable(.contact, id.uuid, in: transaction)
            return try await transaction.rows("DELETE FROM contacts WHERE id = \(id.uuid) RETURNING id", as: UUID.self)
        }
        guard !deleted.isEmpty else { throw GuanxiError.notFound("contact") }
    }

    /// A page of contacts in creation order, filtered by `q` (name, email, phone), account and custom fields.
    public func list(_ tenant: TenantID, _ filter: ContactFilter, _ page: PageRequest) async throws -> Page<Contact> {
        let rows = try await database.withTenant(tenant) { transaction in
            let matching = try await filter.condition(in: transaction)
            return try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM contacts
                 WHERE id > \(page.after?.after ?? UUID.minimum) AND \(condition: matching)
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.contact), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }
}

/// A contact's writable fields, validated and normalised once for create, update and import.
struct ContactFields {
    var name: String
    var email: String?
    var phone: String?
    var title: String?
    var accountID: AccountID?

    init(name: String, email: String?, phone: String?, title: String?, accountID: AccountID?) throws {
        self.name = try Self.name(name)
        self.email = try Self.email(email)
        self.phone = try Self.phone(phone)
        self.title = try Self.title(title)
        self.accountID = accountID
    }

    // One check per field, so an import can report every field of a row that breaks its rule.

    static func name(_ value: String?) throws -> String {
        try Validate.text(value, field: "name", length: 1...300, required: true)!
    }

    static func email(_ value: String?) throws -> String? {
        try Validate.text(value, field: "email", length: 3...254).map { try Validate.email($0, field: "email") }
    }

    static func phone(_ value: String?) throws -> String? {
        let phone = try Validate.text(value, field: "phone", length: 3...40)
        if let phone, phone.contains(where: { !($0.isNumber || " +-().ext".contains($0)) }) {
            throw GuanxiError.invalidField("phone", "phone may hold digits, spaces and + - ( ) only.")
        }
        return phone
    }

    static func title(_ value: String?) throws -> String? {
        try Validate.text(value, field: "title", length: 1...200)
    }
}
