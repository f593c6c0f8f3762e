import Hummingbird
import Database
import Foundation
import GuanxiCore
import Migrations
import PostgresNIO
import Testing

@Suite("Database: migrations, roles and the tenancy catalog")
struct DatabaseTests {
    @Test("every SQL file in Migrations/ is listed in Package.swift and so ships in the binary")
    func everyMigrationShips() throws {
        let folder = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../Migrations").standardized
        let sqlFiles = { (url: URL) in
            Set(try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".sql") })
        }
        #expect(try sqlFiles(MigrationFiles.directory) == sqlFiles(folder), "add the new file to migrationFiles in Package.swift")
    }

    @Test("migrations apply from empty, once, and refuse an edited file")
    func migrationsFromEmpty() async throws {
        let database = try await TestDatabase.freshDatabase(named: "guanxi_migrate_\(getpid())", migrate: false)
        let migrator = try TestDatabase.migrator
        #expect(!migrator.migrations.isEmpty)
        // Two servers starting together: the advisory lock lets each file apply once.
        let results = try await withClient(database.owner) { client in
            async let first = migrator.migrate(client)
            async let second = migrator.migrate(client)
            return try await [first, second]
        }
        #expect(results.flatMap { $0 }.sorted() == migrator.migrations.map(\.version))
        let again = try await withClient(database.owner) { try await migrator.migrate($0) }
        #expect(again.isEmpty)
        try await withClient(database.app) { try await migrator.verify($0) }

        var edited = migrator.migrations
        edited[0].sql += "\n-- an edit after the fact\n"
        let tampered = Migrator(migrations: edited, logger: TestDatabase.logger)
        await #expect(throws: GuanxiError.self) { try await withClient(database.owner) { try await tampered.migrate($0) } }
        do {
            _ = try await withClient(database.owner) { try await tampered.migrate($0) }
        } catch let error as GuanxiError {
            #expect(error.code == "migration_edited")
            #expect(error.message.contains(edited[0].name))
        }
    }

    @Test("a failing migration leaves nothing behind and is not recorded")
    func failingMigrationRollsBack() async throws {
        let database = try await TestDatabase.freshDatabase(named: "guanxi_failing_\(getpid())", migrate: false)
        let broken = Migration(version: 1, name: "0001_broken", sql: "CREATE TABLE half_done (id int)\n--;;\nSELECT * FROM no_such_table")
        let migrator = Migrator(migrations: [broken], logger: TestDatabase.logger)
        await #expect(throws: GuanxiError.self) { try await withClient(database.owner) { try await migrator.migrate($0) } }
        let leftovers = try await withClient(database.owner) { client in
            var names: [String] = []
            for try await name in try await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").decode(String.self) {
                names.append(name)
            }
            var versions: [Int] = []
            for try await version in try await client.query("SELECT version FROM schema_migrations").decode(Int.self) {
                versions.append(version)
            }
            return (names, versions)
        }
        #expect(!leftovers.0.contains("half_done"))
        #expect(leftovers.1.isEmpty)
    }

    @Test("an outdated schema is refused by verify")
    func verifyRefusesOutdatedSchema() async throws {
        let database = try await TestDatabase.freshDatabase(named: "guanxi_outdated_\(getpid())", migrate: false)
        let migrator = try TestDatabase.migrator
        let partial = Migrator(migrations: Array(migrator.migrations.prefix(1)), logger: TestDatabase.logger)
        _ = try await withClient(database.owner) { try await partial.migrate($0) }
        await #expect(throws: GuanxiError.self) { try await withClient(database.app) { try await migrator.verify($0) } }
    }

    @Test("the server refuses roles that could bypass row-level security")
    func servingRoleCheck() async throws {
        let database = try await TestDatabase.shared.value
        try await withClient(database.app) { try await DatabaseSetup.verifyServingRole($0, logger: TestDatabase.logger) }
        for unsafe in [database.owner, database.superuser] {
            do {
                try await withClient(unsafe) { try await DatabaseSetup.verifyServingRole($0, logger: TestDatabase.logger) }
                Issue.record("\(unsafe.username) was accepted as a serving role")
            } catch let error as GuanxiError {
                #expect(error.code == "unsafe_serving_role")
            }
        }
    }

    @Test("every table with tenant_id: forced RLS, a tenant policy, keys and foreign keys led by tenant_id")
    func tenancyCatalog() async throws {
        let database = try await TestDatabase.shared.value
        let problems = try await withClient(database.superuser) { client in
            var problems: [String] = []
            let rows = try await client.query("""
                SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                       EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid
                                  AND pg_get_expr(p.polqual, p.polrelid) LIKE '%current_setting(''app.tenant_id''%'
                                  AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%current_setting(''app.tenant_id''%'),
                       (SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                         WHERE i.indrelid = c.oid AND i.indisprimary)
                  FROM pg_class c JOIN pg_attribute t ON t.attrelid = c.oid AND t.attname = 'tenant_id' AND NOT t.attisdropped
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                """)
            var tables = 0
            for try await (table, rls, forced, policy, keyLead) in rows.decode((String, Bool, Bool, Bool, String?).self) {
                tables += 1
                if !rls { problems.append("\(table): row-level security not enabled") }
                if !forced { problems.append("\(table): row-level security not forced") }
                if !policy { problems.append("\(table): no policy on app.tenant_id for reads and writes") }
                if keyLead != "tenant_id" { problems.append("\(table): primary key does not start with tenant_id") }
            }
            if tables < 10 { problems.append("only \(tables) tenant tables found") }
            // Unique indexes and foreign keys must include tenant_id, or rows could collide or point across tenants.
            let unique = try await client.query("""
                SELECT c.relname, ic.relname FROM pg_index i
                  JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
                  JOIN pg_attribute t ON t.attrelid = c.oid AND t.attname = 'tenant_id'
                 WHERE c.relnamespace = 'public'::regnamespace AND i.indisunique AND i.indkey[0] <> t.attnum
                """)
            for try await (table, index) in unique.decode((String, String).self) {
                problems.append("\(table): unique index \(index) does not start with tenant_id")
            }
            let foreign = try await client.query("""
                SELECT c.relname, k.conname FROM pg_constraint k
                  JOIN pg_class c ON c.oid = k.conrelid
                  JOIN pg_attribute t ON t.attrelid = c.oid AND t.attname = 'tenant_id'
                 WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace AND NOT (t.attnum = ANY (k.conkey))
                   -- a reference into a global table (tenants, plans) is not a reference into another tenant
                   AND EXISTS (SELECT 1 FROM pg_attribute r WHERE r.attrelid = k.confrelid AND r.attname = 'tenant_id')
                """)
            for try await (table, constraint) in foreign.decode((String, String).self) {
                problems.append("\(table): foreign key \(constraint) does not include tenant_id")
            }
            return problems
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("row-level security: no tenant set sees nothing, a tenant sees only itself, writes cannot cross")
    func rowLevelSecurity() async throws {
        try await TestApp.run { app in
            let a = try await app.makeTenant()
            let b = try await app.makeTenant()
            _ = try await app.services.contacts.create(a.id, .init(name: "Only in A"))
            let database = try await TestDatabase.shared.value
            try await withClient(database.app) { client in
                // A pooled connection with the setting left as '' sees nothing, and does not fail.
                try await client.withConnection { connection in
                    try await connection.query("SELECT set_config('app.tenant_id', '', false)", logger: TestDatabase.logger)
                    var count = -1
                    for try await value in try await connection.query("SELECT count(*)::int FROM contacts", logger: TestDatabase.logger).decode(Int.self) { count = value }
                    #expect(count == 0)
                }
                var unscoped = -1
                for try await value in try await client.query("SELECT count(*)::int FROM contacts").decode(Int.self) { unscoped = value }
                #expect(unscoped == 0)
            }
            let db = app.services.database
            let seenByB = try await db.withTenant(b.id) { try await $0.rows("SELECT id FROM contacts", as: UUID.self) }
            #expect(seenByB.isEmpty)
            let seenByA = try await db.withTenant(a.id) { try await $0.rows("SELECT id FROM contacts", as: UUID.self) }
            #expect(seenByA.count == 1)
            // Scoped to B, a row claiming to be A's is refused by the policy's WITH CHECK.
            await #expect(throws: GuanxiError.self) {
                try await db.withTenant(b.id) { transaction in
                    try await transaction.query("INSERT INTO contacts (tenant_id, id, name) VALUES (\(a.id.uuid), \(UUID()), 'smuggled')")
                }
            }
            // The tenant setting does not outlive its transaction on a pooled connection.
            try await withClient(database.app) { client in
                try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: TestDatabase.logger)
                    try await connection.query("SELECT set_config('app.tenant_id', \(a.id.description), true)", logger: TestDatabase.logger)
                    try await connection.query("COMMIT", logger: TestDatabase.logger)
                    var count = -1
                    for try await value in try await connection.query("SELECT count(*)::int FROM contacts", logger: TestDatabase.logger).decode(Int.self) { count = value }
                    #expect(count == 0)
                }
            }
            // The app role cannot read host-only tables without the explicit host scope.
            await #expect(throws: GuanxiError.self) {
                try await db.withTenant(a.id) { try await $0.rows("SELECT id FROM operator_tokens", as: UUID.self) }
            }
        }
    }
}
