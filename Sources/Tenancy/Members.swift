import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// The people of one workspace and their teams. Only owners and admins change them (the gateway
/// checks the role); only an owner makes or unmakes another owner, and the last owner stays.
public struct Members: Sendable {
    let database: Database
    let passwords: PasswordHasher
    let tenantCredentials: ExpiringCache<TenantPrincipal>

    public init(database: Database, passwords: PasswordHasher, tenantCredentials: ExpiringCache<TenantPrincipal>) {
        self.database = database
        self.passwords = passwords
        self.tenantCredentials = tenantCredentials
    }

    static let columns: ColumnList = "u.id, u.email, u.name, m.role, m.team_id, m.created_at"
    typealias Row = (UUID, String, String, String, UUID?, Date)

    static func member(_ row: Row) -> Member {
        Member(userID: UserID(row.0), email: row.1, name: row.2, role: MembershipRole(rawValue: row.3) ?? .salesRep,
               teamID: row.4.map(TeamID.init), createdAt: row.5)
    }

    public func list(_ tenant: TenantID, team: TeamID?, _ page: PageRequest) async throws -> Page<Member> {
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM memberships m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
                 WHERE u.id > \(page.after?.after ?? UUID.minimum)
                   AND (\(team?.uuid)::uuid IS NULL OR m.team_id = \(team?.uuid))
                 ORDER BY u.id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.member), limit: page.limit) { Cursor(after: $0.userID.uuid) }
    }

    public func get(_ tenant: TenantID, _ user: UserID) async throws -> Member {
        try await database.withTenant(tenant) { try await Self.member(user, in: $0) }
    }

    /// The member, locked until the transaction ends so role checks and changes cannot interleave.
    static func member(_ user: UserID, in transaction: Transaction) async throws -> Member {
        let rows = try await transaction.rows("""
            SELECT \(columns: columns) FROM memberships m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
             WHERE u.id = \(user.uuid) FOR UPDATE OF m
            """, as: Row.self)
        guard let row = rows.first else { throw GuanxiError.notFound("member") }
        return member(row)
    }

    /// Adds a member who signs in with `email` and `password`; the subscription's seats bound the count.
    public func add(_ principal: TenantPrincipal, _ input: NewMember) async throws -> Member {
        let email = try Validate.email(input.email, field: "email")
        let name = try Validate.text(input.name, field: "name", length: 1...200) ?? ""
        guard input.password.count >= 10 else {
            throw GuanxiError.invalidField("password", "password must have at least 10 characters.")
        }
        try Self.requireMayGrant(input.role, by: principal)
        let passwordHash = try await passwords.hash(input.password)
        let user = UserID()
        return try await database.withTenant(principal.tenant) { transaction in
            try await Self.requireTeam(input.teamID, in: transaction)
            let inserted = try await transaction.rows("""
                INSERT INTO users (tenant_id, id, email, name, password_hash)
                VALUES (\(principal.tenant.uuid), \(user.uuid), \(email), \(name), \(passwordHash))
                ON CONFLICT (tenant_id, lower(email)) DO NOTHING RETURNING id
                """, as: UUID.self)
            guard !inserted.isEmpty else {
                throw GuanxiError(.conflict, code: "member_exists", message: "\(email) is already a member of this workspace.",
                                  details: ["field": "email"])
            }
            try await transaction.query("""
                INSERT INTO memberships (tenant_id, user_id, role, team_id)
                VALUES (\(principal.tenant.uuid), \(user.uuid), \(input.role.rawValue), \(input.teamID?.uuid))
                """)
            return try await Self.member(user, in: transaction)
        }
    }

    public func update(_ principal: TenantPrincipal, _ user: UserID, _ patch: MemberPatch) async throws -> Member {
        let member = try await database.withTenant(principal.tenant) { transaction in
            let current = try await Self.member(user, in: transaction)
            let name = try Validate.text(patch.name.applied(to: current.name), field: "name", length: 1...200) ?? ""
            guard let role = patch.role.applied(to: current.role) else {
                throw GuanxiError.invalidField("role", "role cannot be removed; send one of owner, admin, manager, sales_rep, support_agent.")
            }
            if role != current.role {
                try Self.requireMayGrant(role, by: principal)
                try Self.requireMayGrant(current.role, by: principal)
                if current.role == .owner { try await Self.requireAnotherOwner(than: user, in: transaction) }
            }
            let team = patch.teamID.applied(to: current.teamID)
            try await Self.requireTeam(team, in: transaction)
            try await transaction.query("UPDATE users SET name = \(name) WHERE id = \(user.uuid)")
            try await transaction.query("""
                UPDATE memberships SET role = \(role.rawValue), team_id = \(team?.uuid) WHERE user_id = \(user.uuid)
                """)
            return try await Self.member(user, in: transaction)
        }
        tenantCredentials.removeAll(of: principal.tenant)
        return member
    }

    /// Ends a membership: the user can no longer sign in and their keys and sessions stop working,
    /// while the records they own keep pointing at them until reassigned.
    public func remove(_ principal: TenantPrincipal, _ user: UserID) async throws {
        try await database.withTenant(principal.tenant) { transaction in
            let current = try await Self.member(user, in: transaction)
            try Self.requireMayGrant(current.role, by: principal)
            if current.role == .owner { try await Self.requireAnotherOwner(than: user, in: transaction) }
            try await transaction.query("DELETE FROM memberships WHERE user_id = \(user.uuid)")
            try await transaction.query("UPDATE api_keys SET revoked_at = now() WHERE user_id = \(user.uuid) AND revoked_at IS NULL")
            try await transaction.query("UPDATE sessions SET revoked_at = now() WHERE user_id = \(user.uuid) AND revoked_at IS NULL")
        }
        tenantCredentials.removeAll(of: principal.tenant)
    }

    // MARK: teams

    static let teamColumns: ColumnList = "id, name, manager_id, created_at"
    typealias TeamRow = (UUID, String, UUID?, Date)

    static func team(_ row: TeamRow) -> Team {
        Team(id: TeamID(row.0), name: row.1, managerID: row.2.map(UserID.init), createdAt: row.3)
    }

    public func teams(_ tenant: TenantID, _ page: PageRequest) async throws -> Page<Team> {
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("""
                SELECT \(columns: Self.teamColumns) FROM teams WHERE id > \(page.after?.after ?? UUID.minimum)
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: TeamRow.self)
        }
        return Page(rows: rows.map(Self.team), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    public func team(_ tenant: TenantID, _ id: TeamID) async throws -> Team {
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("SELECT \(columns: Self.teamColumns) FROM teams WHERE id = \(id.uuid)", as: TeamRow.self)
        }
        guard let row = rows.first else { throw GuanxiError.notFound("team") }
        return Self.team(row)
    }

    public func createTeam(_ tenant: TenantID, _ input: NewTeam) async throws -> Team {
        let name = try Validate.text(input.name, field: "name", length: 1...100, required: true)!
        let rows = try await database.withTenant(tenant) { transaction in
            try await Self.requireMember(input.managerID, field: "manager_id", in: transaction)
            return try await transaction.rows("""
                INSERT INTO teams (tenant_id, id, name, manager_id)
                VALUES (\(tenant.uuid), \(TeamID().uuid), \(name), \(input.managerID?.uuid))
                ON CONFLICT (tenant_id, lower(name)) DO NOTHING
                RETURNING \(columns: Self.teamColumns)
                """, as: TeamRow.self)
        }
        guard let row = rows.first else { throw Self.teamNameTaken(name) }
        return Self.team(row)
    }

    public func updateTeam(_ tenant: TenantID, _ id: TeamID, _ patch: TeamPatch) async throws -> Team {
        let row = try await database.withTenant(tenant) { transaction in
            let current = try await transaction.rows("SELECT \(columns: Self.teamColumns) FROM teams WHERE id = \(id.uuid) FOR UPDATE",
                                                     as: TeamRow.self)
            guard let currentRow = current.first else { throw GuanxiError.notFound("team") }
            let team = Self.team(currentRow)
            guard let name = patch.name.applied(to: team.name) else {
                throw GuanxiError.invalidField("name", "name cannot be removed; send a new name instead.")
            }
            let validName = try Validate.text(name, field: "name", length: 1...100, required: true)!
            let manager = patch.managerID.applied(to: team.managerID)
            try await Self.requireMember(manager, field: "manager_id", in: transaction)
            let clash = try await transaction.rows("SELECT id FROM teams WHERE lower(name) = lower(\(validName)) AND id <> \(id.uuid)",
                                                   as: UUID.self)
            guard clash.isEmpty else { throw Self.teamNameTaken(validName) }
            return try await transaction.rows("""
                UPDATE teams SET name = \(validName), manager_id = \(manager?.uuid) WHERE id = \(id.uuid)
                RETURNING \(columns: Self.teamColumns)
                """, as: TeamRow.self)[0]
        }
        return Self.team(row)
    }

    /// Deletes a team; its members stay, in no team.
    public func deleteTeam(_ tenant: TenantID, _ id: TeamID) async throws {
        let deleted = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("DELETE FROM teams WHERE id = \(id.uuid) RETURNING id", as: UUID.self)
        }
        guard !deleted.isEmpty else { throw GuanxiError.notFound("team") }
        tenantCredentials.removeAll(of: tenant)
    }

    // MARK: rules

    static func requireMayGrant(_ role: MembershipRole, by principal: TenantPrincipal) throws {
        if role == .owner && principal.role != .owner {
            throw GuanxiError(.forbidden, code: "owner_required", message: "Only an owner can make, change or remove an owner.")
        }
    }

    static func requireAnotherOwner(than user: UserID, in transaction: Transaction) async throws {
        let others = try await transaction.rows("""
            SELECT count(*) FROM memberships WHERE role = 'owner' AND user_id <> \(user.uuid)
            """, as: Int.self)
        guard others.first ?? 0 > 0 else {
            throw GuanxiError(.conflict, code: "last_owner",
                              message: "A workspace keeps at least one owner; make another member an owner first.")
        }
    }

    static func requireTeam(_ team: TeamID?, in transaction: Transaction) async throws {
        guard let team else { return }
        let found = try await transaction.rows("SELECT id FROM teams WHERE id = \(team.uuid)", as: UUID.self)
        guard !found.isEmpty else { throw GuanxiError.invalidField("team_id", "No team with that id exists here.") }
    }

    static func requireMember(_ user: UserID?, field: String, in transaction: Transaction) async throws {
        guard let user else { return }
        let found = try await transaction.rows("SELECT user_id FROM memberships WHERE user_id = \(user.uuid)", as: UUID.self)
        guard !found.isEmpty else { throw GuanxiError.invalidField(field, "\(field) must be a member of this workspace.") }
    }

    static func teamNameTaken(_ name: String) -> GuanxiError {
        GuanxiError(.conflict, code: "team_exists", message: "A team named \(name) already exists here.", details: ["field": "name"])
    }
}
