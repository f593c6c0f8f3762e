import Hummingbird
import Database
import Foundation
import GuanxiCore
import HummingbirdTesting
import PostgresNIO
import Tenancy
import Testing

/// The audit log: every write to audited tables recorded with its member, credential and values,
/// readable by owners and admins, and unchangeable by the serving role.
@Suite("Audit log")
struct AuditTests {
    @Test("a contact's create, change and delete are recorded newest first, as the member's, with what changed")
    func contactLifecycle() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let userID = try #require(try await app.request(.get, "/api/v1/me", token: tenant.apiKey).json()["user_id"] as? String)
            let contact = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey,
                                                json: ["name": "张伟", "email": "zhang.wei@example.cn", "phone": "+86 138-0013-8000"]).json()
            let id = try #require(contact["id"] as? String)
            #expect(try await app.request(.patch, "/api/v1/contacts/\(id)", token: tenant.apiKey, json: ["title": "经理"]).status == .ok)
            #expect(try await app.request(.delete, "/api/v1/contacts/\(id)", token: tenant.apiKey).status == .noContent)

            let entries = try await app.auditEntries(tenant, "entity_type=contacts")
            #expect(entries.map { $0["action"] as? String } == ["delete", "update", "insert"])
            for entry in entries {
                #expect(entry["actor_user_id"] as? String == userID)
                #expect(entry["actor_credential"] as? String == "api_key")
                #expect(entry["entity_type"] as? String == "contacts")
                #expect(entry["entity_id"] as? String == id)
            }
            let (deleted, updated, inserted) = (entries[0], entries[1], entries[2])
            #expect(inserted["before"] is NSNull)
            let row = try #require(inserted["after"] as? [String: Any])
            #expect(row["name"] as? String == "张伟")
            #expect(row["email"] as? String == "zhang.wei@example.cn")
            // The tenant is the entry's scope, and generated columns are not what anyone wrote.
            #expect(row["tenant_id"] == nil)
            #expect(row["phone_digits"] == nil)
            // An update keeps only the columns that changed, old and new.
            let before = try #require(updated["before"] as? [String: Any])
            let after = try #require(updated["after"] as? [String: Any])
            #expect(Set(before.keys) == ["title", "updated_at"])
            #expect(Set(after.keys) == ["title", "updated_at"])
            #expect(before["title"] is NSNull)
            #expect(after["title"] as? String == "经理")
            #expect((deleted["before"] as? [String: Any])?["title"] as? String == "经理")
            #expect(deleted["after"] is NSNull)
        }
    }

    @Test("a session's writes name the session, a job's the system; an account's deletion records the contacts it unlinks; filters")
    func actorsAndFilters() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let userID = try #require(try await app.request(.get, "/api/v1/me", token: tenant.apiKey).json()["user_id"] as? String)
            let host: HTTPFields = [.init("Host")!: "\(tenant.slug).localhost"]
            let login = try await app.request(.post, "/auth/login", json: ["email": tenant.adminEmail, "password": tenant.adminPassword],
                                              headers: host)
            var session = host
            session[.cookie] = String(try #require(login.headers[.setCookie]).split(separator: ";")[0])
            let account = try await app.request(.post, "/api/v1/accounts", json: ["name": "明华贸易"], headers: session).json()
            let accountID = try #require(account["id"] as? String)
            // Written by no member: a background job or the command line.
            let contact = try await app.services.contacts.create(tenant.id, .init(name: "李娜", accountID: AccountID(accountID)))
            #expect(try await app.request(.delete, "/api/v1/accounts/\(accountID)", token: tenant.apiKey).status == .noContent)

            // The workspace's own provisioning (its first member and key) is in the log too, as the system's.
            let all = try await app.auditEntries(tenant, "").filter { ["accounts", "contacts"].contains($0["entity_type"] as? String) }
            let summaries = all.map { "\($0["entity_type"] ?? "") \($0["action"] ?? "") \($0["actor_credential"] ?? "")" }
            // The account's deletion and the unlinking of its contact, as the same member, in one transaction.
            #expect(Set(summaries.prefix(2)) == ["accounts delete api_key", "contacts update api_key"])
            #expect(Array(summaries.dropFirst(2)) == ["contacts insert system", "accounts insert session"])
            let unlinked = try #require(all.first { $0["entity_type"] as? String == "contacts" && $0["action"] as? String == "update" })
            #expect(unlinked["actor_user_id"] as? String == userID)
            #expect((unlinked["before"] as? [String: Any])?["account_id"] as? String == accountID)
            #expect((unlinked["after"] as? [String: Any])?["account_id"] is NSNull)
            #expect(all[2]["actor_user_id"] is NSNull)

            #expect(try await app.auditEntries(tenant, "actor=system&entity_type=contacts").map { $0["entity_id"] as? String } == [contact.id.description])
            #expect(try await app.auditEntries(tenant, "actor=\(userID)").count == 3)
            #expect(try await app.auditEntries(tenant, "entity_id=\(accountID)").map { $0["action"] as? String } == ["delete", "insert"])
            #expect(try await app.auditEntries(tenant, "entity_type=accounts&actor=\(userID)&entity_id=\(accountID)").count == 2)
            #expect(try await app.auditEntries(tenant, "from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00.000Z&entity_type=accounts").count == 2)
            #expect(try await app.auditEntries(tenant, "from=2999-01-01T00:00:00Z").isEmpty)
            #expect(try await app.auditEntries(tenant, "to=2000-01-01T00:00:00%2B08:00").isEmpty)

            for bad in ["actor=someone", "entity_id=42", "from=yesterday", "to=2026-13-01", "entity_type=Robert%27%3B"] {
                let response = try await app.request(.get, "/api/v1/audit?\(bad)", token: tenant.apiKey)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(response.errorCode == "invalid_filter", "\(bad)")
            }
        }
    }

    @Test("settings, a deal's contacts, members, teams and keys are recorded, with the key of rows that have no id and without secrets")
    func settingsAndMembers() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let workspace = tenant.id.description
            #expect(try await app.request(.patch, "/api/v1/service/sla", token: tenant.apiKey, json: [
                "targets": ["urgent": ["first_response_minutes": 15, "resolution_minutes": 120]], "escalate_priority": false,
            ]).status == .ok)
            #expect(try await app.request(.patch, "/api/v1/service/business-hours", token: tenant.apiKey, json: [
                "holidays": [["date": "2026-10-01", "name": "国庆节"]],
            ]).status == .ok)

            // An update of a row keyed by more than the workspace names the rest of its key.
            let targets = try await app.auditEntries(tenant, "entity_type=sla_targets&entity_id=\(workspace)")
            let urgent = try #require(targets.first { $0["action"] as? String == "update" })
            #expect((urgent["before"] as? [String: Any])?["priority"] as? String == "urgent")
            #expect((urgent["after"] as? [String: Any])?["first_response_minutes"] as? Int == 15)
            let settings = try await app.auditEntries(tenant, "entity_type=service_settings")
            #expect(settings.contains { ($0["after"] as? [String: Any])?["escalate_priority"] as? Bool == false })
            let holidays = try await app.auditEntries(tenant, "entity_type=business_holidays")
            #expect(holidays.map { $0["action"] as? String } == ["insert"])
            #expect((holidays.first?["after"] as? [String: Any])?["name"] as? String == "国庆节")
            #expect(holidays.first?["entity_id"] as? String == workspace)

            // A deal's contacts are recorded under the deal.
            let contact = try await app.createID("/api/v1/contacts", tenant, ["name": "陈静"])
            let deal = try await app.createID("/api/v1/deals", tenant, ["name": "年度合同", "contact_ids": [contact]])
            #expect(try await app.request(.patch, "/api/v1/deals/\(deal)", token: tenant.apiKey, json: ["contact_ids": [String]()]).status == .ok)
            let links = try await app.auditEntries(tenant, "entity_type=deal_contacts&entity_id=\(deal)")
            #expect(links.map { $0["action"] as? String } == ["delete", "insert"])
            #expect((links.first?["before"] as? [String: Any])?["contact_id"] as? String == contact)

            // A member's role, a team, a key: who did it, and never the password hash or the key's digest.
            let member = try await app.makeMember(of: tenant, role: .salesRep)
            #expect(try await app.request(.patch, "/api/v1/members/\(member.id)", token: tenant.apiKey, json: ["role": "manager"]).status == .ok)
            let role = try await app.auditEntries(tenant, "entity_type=memberships&entity_id=\(member.id)")
            #expect(role.first?["action"] as? String == "update")
            #expect((role.first?["before"] as? [String: Any])?["role"] as? String == "sales_rep")
            #expect((role.first?["after"] as? [String: Any])?["role"] as? String == "manager")
            #expect(role.first?["actor_credential"] as? String == "api_key")
            let team = try await app.createID("/api/v1/teams", tenant, ["name": "华东"])
            #expect(try await app.auditEntries(tenant, "entity_type=teams&entity_id=\(team)").count == 1)
            let users = try await app.auditEntries(tenant, "entity_type=users&entity_id=\(member.id)")
            #expect(users.count == 1)
            #expect((users.first?["after"] as? [String: Any])?.keys.contains("password_hash") == false)
            let keys = try await app.auditEntries(tenant, "entity_type=api_keys")
            #expect(!keys.isEmpty)
            #expect(keys.allSatisfy { ($0["after"] as? [String: Any])?.keys.contains("secret_hash") == false })
        }
    }

    @Test("pages walk the log newest first, each entry once")
    func pagination() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            var created: [String] = []
            for n in 1...5 {
                let account = try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey, json: ["name": "Firm \(n)"]).json()
                created.append(try #require(account["id"] as? String))
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await app.request(.get, "/api/v1/audit?entity_type=accounts&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: tenant.apiKey).json()
                let data = try #require(page["data"] as? [[String: Any]])
                #expect(data.count <= 2)
                seen += data.compactMap { $0["entity_id"] as? String }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == created.reversed())
        }
    }

    @Test("only owners and admins read it; the serving role cannot change it; another tenant sees none of it")
    func readOnlyAndPrivate() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let other = try await app.makeTenant()
            let contact = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "王芳"]).json()
            let contactID = try #require(contact["id"] as? String)

            let rep = try await app.apiKeyOfNewMember(tenant, role: .salesRep)
            let forbidden = try await app.request(.get, "/api/v1/audit", token: rep)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.errorCode == "forbidden_role")

            let database = app.services.database
            for statement in [
                "UPDATE audit_log SET action = 'delete'",
                "DELETE FROM audit_log",
                "TRUNCATE audit_log",
                "INSERT INTO audit_log (tenant_id, id, occurred_at, actor_credential, action, entity_type, entity_id) SELECT tenant_id, gen_random_uuid(), now(), 'system', 'insert', 'contacts', entity_id FROM audit_log",
            ] {
                do {
                    try await database.withTenant(tenant.id) { try await $0.query(PostgresQuery(unsafeSQL: statement)) }
                    Issue.record("the serving role could run: \(statement)")
                } catch let error as GuanxiError {
                    #expect(error.code == "database_permission_denied", "\(statement)")
                }
            }
            let kept = try await app.auditEntries(tenant, "entity_id=\(contactID)")
            #expect(kept.map { $0["action"] as? String } == ["insert"])

            #expect(try await app.auditEntries(other, "entity_type=contacts").isEmpty)
            #expect(try await app.auditEntries(other, "entity_id=\(contactID)").isEmpty)
        }
    }
}

extension TestApp {
    /// The audit entries of `tenant` that `query` selects (up to 200), newest first.
    func auditEntries(_ tenant: TestTenant, _ query: String) async throws -> [[String: Any]] {
        let response = try await request(.get, "/api/v1/audit?limit=200&\(query)", token: tenant.apiKey)
        #expect(response.status == .ok, "\(response.body.string)")
        return try #require(try response.json()["data"] as? [[String: Any]])
    }

    /// An API key of a new member of `tenant` with `role`.
    func apiKeyOfNewMember(_ tenant: TestTenant, role: MembershipRole) async throws -> String {
        let user = UserID()
        try await services.database.withTenant(tenant.id) { transaction in
            try await transaction.query("""
                INSERT INTO users (tenant_id, id, email, password_hash) VALUES (\(tenant.id.uuid), \(user.uuid), \("\(user)@example.com"), 'x')
                """)
            try await transaction.query("INSERT INTO memberships (tenant_id, user_id, role) VALUES (\(tenant.id.uuid), \(user.uuid), \(role.rawValue))")
        }
        return try await services.apiKeys.create(
            .init(tenant: tenant.id, user: user, role: role, tenantStatus: .active, tenantSlug: tenant.slug, locale: "en", timeZone: "UTC"),
            name: "member").text
    }
}
