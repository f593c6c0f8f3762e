import Hummingbird
import Foundation
import GuanxiCore
import HummingbirdTesting
import Testing

/// DESIGN.md's promise, endpoint by endpoint: another tenant's id answers 404 exactly like a
/// missing one, and changes nothing.
@Suite("Isolation: every endpoint that takes an id")
struct IsolationTests {
    @Test("contacts and accounts of another tenant answer 404 and stay unchanged")
    func crossTenantRecords() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let account = try await app.request(.post, "/api/v1/accounts", token: owner.apiKey, json: ["name": "华为供应商"]).json()
            let accountID = try #require(account["id"] as? String)
            let contact = try await app.request(.post, "/api/v1/contacts", token: owner.apiKey,
                                                json: ["name": "李娜", "email": "li.na@example.cn", "account_id": accountID]).json()
            let contactID = try #require(contact["id"] as? String)

            for (path, original) in [("/api/v1/contacts/\(contactID)", contact), ("/api/v1/accounts/\(accountID)", account)] {
                let entity = path.contains("contacts") ? "contact" : "account"
                let get = try await app.request(.get, path, token: intruder.apiKey)
                #expect(get.status == .notFound)
                #expect(get.errorCode == "\(entity)_not_found")
                let patch = try await app.request(.patch, path, token: intruder.apiKey, json: ["name": "hijacked"])
                #expect(patch.status == .notFound)
                #expect(patch.errorCode == "\(entity)_not_found")
                let delete = try await app.request(.delete, path, token: intruder.apiKey)
                #expect(delete.status == .notFound)
                #expect(delete.errorCode == "\(entity)_not_found")
                // A foreign id looks exactly like one that never existed.
                let missing = try await app.request(.get, path.replacingOccurrences(of: path.split(separator: "/").last!, with: UUID().uuidString.lowercased()),
                                                    token: intruder.apiKey)
                #expect(missing.status == .notFound)
                #expect(missing.body.string == get.body.string)
                // The owner still sees the record as it was.
                let after = try await app.request(.get, path, token: owner.apiKey)
                #expect(after.status == .ok)
                #expect(try after.json()["name"] as? String == original["name"] as? String)
                #expect(try after.json()["updated_at"] as? String == original["updated_at"] as? String)
            }

            // Foreign records are invisible in lists and searches too.
            let list = try await app.request(.get, "/api/v1/contacts?q=李娜", token: intruder.apiKey).json()
            #expect((list["data"] as? [Any])?.isEmpty == true)

            // Linking to another tenant's account is refused, and nothing is written.
            let smuggled = try await app.request(.post, "/api/v1/contacts", token: intruder.apiKey,
                                                 json: ["name": "Eve", "account_id": accountID])
            #expect(smuggled.status == .unprocessableContent)
            #expect(smuggled.errorCode == "unknown_account")
            let intruderContacts = try await app.request(.get, "/api/v1/contacts", token: intruder.apiKey).json()
            #expect((intruderContacts["data"] as? [Any])?.isEmpty == true)
            let ownContact = try await app.request(.post, "/api/v1/contacts", token: intruder.apiKey, json: ["name": "Eve"]).json()
            let relink = try await app.request(.patch, "/api/v1/contacts/\(ownContact["id"] as? String ?? "")", token: intruder.apiKey,
                                               json: ["account_id": accountID])
            #expect(relink.status == .unprocessableContent)
        }
    }

    @Test("API keys of another tenant cannot be revoked")
    func crossTenantAPIKeys() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let keys = try await app.request(.get, "/api/v1/api-keys", token: owner.apiKey).json()
            let keyID = try #require(((keys["data"] as? [[String: Any]])?.first)?["id"] as? String)
            let revoke = try await app.request(.delete, "/api/v1/api-keys/\(keyID)", token: intruder.apiKey)
            #expect(revoke.status == .notFound)
            #expect(revoke.errorCode == "api_key_not_found")
            #expect(try await app.request(.get, "/api/v1/me", token: owner.apiKey).status == .ok)
        }
    }

    @Test("a key whose text names another tenant is refused")
    func forgedTenantInKey() async throws {
        try await TestApp.run { app in
            let a = try await app.makeTenant()
            let b = try await app.makeTenant()
            let secret = try #require(a.apiKey.split(separator: "_", maxSplits: 2).last)
            let forged = "gx_\(b.id.description.replacingOccurrences(of: "-", with: ""))_\(secret)"
            let response = try await app.request(.get, "/api/v1/contacts", token: forged)
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "invalid_api_key")
        }
    }
}
