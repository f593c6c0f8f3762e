import GuanxiCore
import Logging
import PostgresNIO

/// The one way the services reach PostgreSQL. Tenant data is only reachable inside
/// `withTenant`, which sets `app.tenant_id` for one transaction; host-level data only inside
/// `withHost`, which switches to the `guanxi_host` role for one transaction.
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Runs `body` in one transaction in which row-level security shows only `tenant`'s rows.
    /// The setting is transaction-local, so a pooled connection never carries it to the next user.
    /// `ActingUser.current`, if any, is set in the same statement, for the audit log and the
    /// record-access policies.
    @discardableResult
    public func withTenant<Result: Sendable>(
        _ tenant: TenantID, _ body: (Transaction) async throws -> Result
    ) async throws -> Result {
        try await transaction { connection in
            try await connection.query(Self.scope(tenant), logger: logger)
            return try await body(Transaction(connection: connection, logger: logger, tenant: tenant))
        }
    }

    /// Sets the tenant and the acting member and role (empty when none) for the rest of the
    /// transaction, in one round trip.
    static func scope(_ tenant: TenantID) -> PostgresQuery {
        let actor = ActingUser.settings
        return """
            SELECT set_config('app.tenant_id', \(tenant.description), true), set_config('app.user_id', \(actor.user), true),
                   set_config('app.credential', \(ActingUser.current?.credential.rawValue ?? ""), true),
                   set_config('app.role', \(actor.role), true)
            """
    }

    /// Runs `body` in one transaction as the host role: operator and billing work across tenants.
    /// Tenant rows stay behind row-level security here too unless a transaction also sets a tenant.
    @discardableResult
    public func withHost<Result: Sendable>(_ body: (Transaction) async throws -> Result) async throws -> Result {
        try await transaction { connection in
            try await connection.query("SET LOCAL ROLE guanxi_host", logger: logger)
            return try await body(Transaction(connection: connection, logger: logger, tenant: nil))
        }
    }

    /// One statement that scopes itself: `query` must call a function that sets `app.tenant_id`
    /// transaction-locally before it reads (see `Migrations/`), so the read costs one round trip.
    /// Inlinable, so that the hot reads iterate their rows with their own row type, not a generic one.
    @inlinable
    public func scopedRead<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        do {
            var rows: [Statement.Row] = []
            for try await row in try await client.execute(statement, logger: logger) { rows.append(row) }
            return rows
        } catch let error as PSQLError {
            throw error.guanxiError
        }
    }

    private func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let result = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch let error as PSQLError {
            throw error.guanxiError
        }
    }
}

/// An open transaction, scoped to one tenant (`tenant` set) or to the host (`tenant` nil).
public struct Transaction: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// The tenant whose rows this transaction sees, `nil` in host scope.
    public let tenant: TenantID?

    /// Runs one statement to its end and returns its rows; every interpolated value is a bound
    /// parameter. Reading every row here makes a failing statement throw here, not at a later
    /// statement of the same transaction.
    @discardableResult
    public func query(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> [PostgresRow] {
        do {
            return try await connection.query(query, logger: logger, file: file, line: line).collect()
        } catch let error as PSQLError {
            throw error.guanxiError
        }
    }

    /// Runs one statement and decodes every row.
    public func rows<each Column: PostgresDecodable & Sendable>(
        _ query: PostgresQuery, as types: (repeat each Column).Type, file: String = #fileID, line: Int = #line
    ) async throws -> [(repeat each Column)] {
        try await self.query(query, file: file, line: line).map { try $0.decode((repeat each Column).self) }
    }

    /// Runs a prepared statement and decodes every row. The connection parses it once, and
    /// PostgreSQL may keep one plan for it: for a long statement run often, planning is the cost saved.
    public func execute<Statement: PostgresPreparedStatement>(
        _ statement: Statement, file: String = #fileID, line: Int = #line
    ) async throws -> [Statement.Row] {
        do {
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: logger, file: file, line: line) { rows.append(row) }
            return rows
        } catch let error as PSQLError {
            throw error.guanxiError
        }
    }

    /// Makes this host transaction act for `tenant` from here on, e.g. to provision a new tenant's
    /// first rows in the same transaction that creates the tenant.
    public func actAs(_ tenant: TenantID) async throws -> Transaction {
        try await query(Database.scope(tenant))
        return Transaction(connection: connection, logger: logger, tenant: tenant)
    }
}
