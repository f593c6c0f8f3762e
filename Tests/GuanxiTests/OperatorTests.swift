import Hummingbird
import Foundation
import GuanxiCore
import HummingbirdTesting
import Testing

@Suite("Operator API and credentials")
struct OperatorTests {
    @Test("provision, list, show; a taken slug is a conflict; bad input is refused whole")
    func provisioning() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant(name: "明远贸易", locale: "zh-CN")
            let shown = try await app.request(.get, "/ops/v1/tenants/\(tenant.id)", token: app.operatorToken)
            #expect(shown.status == .ok)
            #expect(try shown.json()["name"] as? String == "明远贸易")
            #expect(try shown.json()["status"] as? String == "active")
            #expect(try await app.request(.get, "/ops/v1/tenants/\(UUID())", token: app.operatorToken).errorCode == "tenant_not_found")
            #expect(try await app.request(.get, "/ops/v1/tenants/nonsense", token: app.operatorToken).status == .notFound)

            // The first key works at once and belongs to the tenant's owner.
            let me = try await app.request(.get, "/api/v1/me", token: tenant.apiKey).json()
            #expect(me["tenant_id"] as? String == tenant.id.description)
            #expect(me["role"] as? String == "owner")
            #expect(me["locale"] as? String == "zh-CN")

            let duplicate = try await app.request(.post, "/ops/v1/tenants", token: app.operatorToken, json: [
                "name": "Other", "slug": tenant.slug, "admin_email": "x@example.com", "admin_password": "long enough password",
            ])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "slug_taken")

            for (body, field) in [
                (["name": "X", "slug": "Bad Slug!", "admin_email": "x@example.com", "admin_password": "long enough password"], "slug"),
                (["name": "X", "slug": "okslug\(UInt16.random(in: 0...9999))", "admin_email": "nope", "admin_password": "long enough password"], "admin_email"),
                (["name": "X", "slug": "okslug\(UInt16.random(in: 0...9999))", "admin_email": "x@example.com", "admin_password": "short"], "admin_password"),
            ] {
                let response = try await app.request(.post, "/ops/v1/tenants", token: app.operatorToken, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect((try response.json()["error"] as? [String: Any])?["details"] as? [String: String] == ["field": field])
            }
            let badZone = try await app.request(.post, "/ops/v1/tenants", token: app.operatorToken, json: [
                "name": "X", "slug": "zone\(UInt16.random(in: 0...9999))", "admin_email": "x@example.com",
                "admin_password": "long enough password", "time_zone": "Mars/Olympus",
            ])
            #expect(badZone.status == .unprocessableContent)

            // Listing pages through every tenant, the new one included.
            var ids: [String] = []
            var cursor: String?
            repeat {
                let page = try await app.request(.get, "/ops/v1/tenants?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                                 token: app.operatorToken).json()
                ids += (page["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(ids.contains(tenant.id.description))
            #expect(Set(ids).count == ids.count)
        }
    }

    @Test("a suspended tenant gets 403 tenant_suspended on every call and keeps its data")
    func suspension() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let other = try await app.makeTenant()
            let contact = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "Kept"]).json()
            let id = try #require(contact["id"] as? String)

            let suspended = try await app.request(.post, "/ops/v1/tenants/\(tenant.id)/suspend", token: app.operatorToken)
            #expect(try suspended.json()["status"] as? String == "suspended")
            for (method, path) in [(HTTPRequest.Method.get, "/api/v1/contacts"), (.get, "/api/v1/contacts/\(id)"),
                                   (.post, "/api/v1/contacts"), (.delete, "/api/v1/contacts/\(id)"), (.get, "/api/v1/me")] {
                let response = try await app.request(method, path, token: tenant.apiKey, json: method == .post ? ["name": "x"] : nil)
                #expect(response.status == .forbidden, "\(method) \(path)")
                #expect(response.errorCode == "tenant_suspended")
            }
            #expect(try await app.request(.get, "/api/v1/contacts", token: other.apiKey).status == .ok)

            let resumed = try await app.request(.post, "/ops/v1/tenants/\(tenant.id)/resume", token: app.operatorToken)
            #expect(try resumed.json()["status"] as? String == "active")
            let back = try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey)
            #expect(back.status == .ok)
            #expect(try back.json()["name"] as? String == "Kept")
            #expect(try await app.request(.post, "/ops/v1/tenants/\(UUID())/suspend", token: app.operatorToken).status == .notFound)
        }
    }

    @Test("operator endpoints refuse tenant keys, tenant endpoints refuse operator tokens")
    func credentialsDoNotCross() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            for path in ["/ops/v1/tenants", "/ops/v1/tenants/\(tenant.id)"] {
                let response = try await app.request(.get, path, token: tenant.apiKey)
                #expect(response.status == .unauthorized)
                #expect(response.errorCode == "invalid_operator_token")
            }
            let suspend = try await app.request(.post, "/ops/v1/tenants/\(tenant.id)/suspend", token: tenant.apiKey)
            #expect(suspend.status == .unauthorized)
            let asOperator = try await app.request(.get, "/api/v1/contacts", token: app.operatorToken)
            #expect(asOperator.status == .unauthorized)
            #expect(asOperator.errorCode == "invalid_api_key")
            #expect(try await app.request(.get, "/ops/v1/tenants").errorCode == "operator_authentication_required")
            #expect(try await app.request(.get, "/api/v1/contacts").errorCode == "authentication_required")
            #expect(try await app.request(.get, "/api/v1/contacts", token: "gx_garbage").errorCode == "invalid_api_key")
        }
    }

    @Test("API keys: created once, listed without secrets, revoked at once; members below admin may not manage them")
    func apiKeys() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let created = try await app.request(.post, "/api/v1/api-keys", token: tenant.apiKey, json: ["name": "Zapier"])
            #expect(created.status == .created)
            let key = try #require(try created.json()["api_key"] as? String)
            #expect(try await app.request(.get, "/api/v1/me", token: key).status == .ok)
            let listed = try await app.request(.get, "/api/v1/api-keys", token: tenant.apiKey)
            #expect(!listed.body.string.contains(String(key.suffix(20))))
            let summary = try #require((try listed.json()["data"] as? [[String: Any]])?.first { $0["name"] as? String == "Zapier" })
            let revoke = try await app.request(.delete, "/api/v1/api-keys/\(summary["id"] as? String ?? "")", token: tenant.apiKey)
            #expect(revoke.status == .noContent)
            #expect(try await app.request(.get, "/api/v1/me", token: key).errorCode == "invalid_api_key")

            // A sales rep's key may read contacts but not manage keys.
            let repKey = try await app.services.database.withTenant(tenant.id) { transaction -> String in
                let user = UserID()
                try await transaction.query("INSERT INTO users (tenant_id, id, email, password_hash) VALUES (\(tenant.id.uuid), \(user.uuid), 'rep@example.com', 'x')")
                try await transaction.query("INSERT INTO memberships (tenant_id, user_id, role) VALUES (\(tenant.id.uuid), \(user.uuid), 'sales_rep')")
                return user.description
            }
            let rep = try await app.services.apiKeys.create(
                .init(tenant: tenant.id, user: UserID(repKey)!, role: .salesRep, tenantStatus: .active, tenantSlug: tenant.slug,
                      locale: "en", timeZone: "UTC"), name: "rep")
            #expect(try await app.request(.get, "/api/v1/contacts", token: rep.text).status == .ok)
            let forbidden = try await app.request(.post, "/api/v1/api-keys", token: rep.text, json: ["name": "mine"])
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.errorCode == "forbidden_role")
        }
    }
}
