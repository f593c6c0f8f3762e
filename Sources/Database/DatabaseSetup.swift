import GuanxiCore
import Logging
import PostgresNIO

/// The roles of DESIGN.md's tenancy rules: `guanxi_owner` owns the schema and runs migrations;
/// `guanxi_app` serves, is neither superuser nor owner and cannot bypass row-level security;
/// `guanxi_host` holds host-level privileges and is reached only by `SET LOCAL ROLE` from `guanxi_app`
/// (which does not inherit them), so host work is always an explicit scope.
public enum DatabaseSetup {
    public static let ownerRole = "guanxi_owner"
    public static let appRole = "guanxi_app"
    public static let hostRole = "guanxi_host"

    /// As a superuser: creates or updates the roles and creates `database` if missing.
    /// Returns the owner's and the app role's URLs. Passwords must be hex (see `EmbeddedPostgres`).
    public static func prepare(superuser: DatabaseURL, database: String, ownerPassword: String, appPassword: String,
                               logger: Logger) async throws -> (owner: DatabaseURL, app: DatabaseURL) {
        precondition(([database, ownerPassword, appPassword].joined()).allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" },
                     "identifiers and passwords must be plain")
        try await withClient(superuser, logger: logger) { client in
            try await client.withConnection { connection in
                // Processes preparing one cluster at once would collide on ALTER ROLE: take turns.
                try await connection.query("SELECT pg_advisory_lock(\(setupLockKey))", logger: logger)
                do {
                    try await createRolesAndDatabase(on: connection, database: database, ownerPassword: ownerPassword,
                                                     appPassword: appPassword, logger: logger)
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(setupLockKey))", logger: logger)
                    throw error
                }
                try await connection.query("SELECT pg_advisory_unlock(\(setupLockKey))", logger: logger)
            }
        }
        return (superuser.with(username: ownerRole, password: .some(ownerPassword), database: database),
                superuser.with(username: appRole, password: .some(appPassword), database: database))
    }

    static let setupLockKey: Int64 = 0x6775_616e_7873

    private static func createRolesAndDatabase(on connection: PostgresConnection, database: String, ownerPassword: String,
                                               appPassword: String, logger: Logger) async throws {
        let statements = [
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(ownerRole)') THEN CREATE ROLE \(ownerRole) LOGIN; END IF; END $$",
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(hostRole)') THEN CREATE ROLE \(hostRole) NOLOGIN; END IF; END $$",
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(appRole)') THEN CREATE ROLE \(appRole) LOGIN; END IF; END $$",
            "ALTER ROLE \(ownerRole) LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '\(ownerPassword)'",
            "ALTER ROLE \(hostRole) NOLOGIN NOSUPERUSER NOBYPASSRLS",
            "ALTER ROLE \(appRole) LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT NOCREATEDB NOCREATEROLE PASSWORD '\(appPassword)'",
            "GRANT \(hostRole) TO \(appRole)",
        ]
        for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
        var exists = false
        for try await _ in try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(database)", logger: logger) { exists = true }
        if !exists {
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database) OWNER \(ownerRole) ENCODING 'UTF8' TEMPLATE template0"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "REVOKE ALL ON DATABASE \(database) FROM PUBLIC"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "GRANT CONNECT, TEMPORARY ON DATABASE \(database) TO \(appRole)"), logger: logger)
        }
    }

    /// Refuses to serve as a role that could see past row-level security: a superuser, a role with
    /// BYPASSRLS, or the owner of any table (owners can switch RLS off), directly or through a role
    /// it may become.
    public static func verifyServingRole(_ client: PostgresClient, logger: Logger) async throws {
        let rows = try await client.query("""
            SELECT r.rolname, 'is superuser or bypasses row-level security'
              FROM pg_roles r
             WHERE pg_has_role(current_user, r.oid, 'MEMBER') AND (r.rolsuper OR r.rolbypassrls)
            UNION ALL
            SELECT DISTINCT pg_get_userbyid(c.relowner), 'owns table ' || c.relname
              FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
               AND pg_has_role(current_user, c.relowner, 'MEMBER')
            """, logger: logger)
        var problems: [String] = []
        for try await (role, reason) in rows.decode((String, String).self) { problems.append("\(role) \(reason)") }
        if !problems.isEmpty {
            throw GuanxiError(.forbidden, code: "unsafe_serving_role",
                              message: "Refusing to serve: the database role could bypass tenant isolation (\(problems.prefix(3).joined(separator: "; "))). Serve as \(appRole).")
        }
    }

    /// Runs `body` with a short-lived client, for set-up work before the services start.
    @discardableResult
    public static func withClient<Result: Sendable>(
        _ url: DatabaseURL, logger: Logger, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            await Task.yield()  // let run() start before the first lease
            return try await body(client)
        }
    }
}
