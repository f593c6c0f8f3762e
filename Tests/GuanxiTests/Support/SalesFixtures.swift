import Foundation
import GuanxiCore
import HummingbirdTesting
import NIOCore
import Tenancy
import Testing

/// Helpers for the sales suites: tenants in a chosen zone, more members, creates that must succeed.
extension TestApp {
    /// A tenant in `zone`, made through the operator API like every other.
    func makeTenant(zone: String, locale: String = "en") async throws -> TestTenant {
        let slug = "z" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let password = "correct horse battery"
        let response = try await request(.post, "/ops/v1/tenants", token: operatorToken, json: [
            "name": "Zoned Firm", "slug": slug, "admin_email": "owner@\(slug).example", "admin_password": password,
            "time_zone": zone, "locale": locale,
        ])
        #expect(response.status == .created, "\(response.body.string)")
        let tenant = try #require(try response.json()["tenant"] as? [String: Any])
        return TestTenant(id: try #require(TenantID(tenant["id"] as? String ?? "")), slug: slug,
                          apiKey: try #require(try response.json()["api_key"] as? String), adminEmail: "owner@\(slug).example",
                          adminPassword: password)
    }

    /// A new member of `tenant` with seats to spare, and an API key acting as them.
    func makeMember(of tenant: TestTenant, role: MembershipRole = .salesRep) async throws -> (id: String, apiKey: String) {
        try await setSeats(tenant, 10)
        return try await addMember(to: tenant, role: role.rawValue)
    }

    /// The calling member's user id.
    func userID(_ tenant: TestTenant) async throws -> String {
        try #require(try await request(.get, "/api/v1/me", token: tenant.apiKey).json()["user_id"] as? String)
    }

    /// A POST that must answer 201 Created; the created object.
    func create(_ path: String, _ tenant: TestTenant, _ json: [String: Any]) async throws -> [String: Any] {
        let response = try await request(.post, path, token: tenant.apiKey, json: json)
        #expect(response.status == .created, "\(path): \(response.body.string)")
        return try response.json()
    }

    /// A browser's form post: `application/x-www-form-urlencoded`, no credentials.
    func postForm(_ path: String, _ form: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                 body: ByteBuffer(string: form))
    }

    /// The id of a POST that must answer 201 Created.
    func createID(_ path: String, _ tenant: TestTenant, _ json: [String: Any]) async throws -> String {
        try #require(try await create(path, tenant, json)["id"] as? String)
    }
}

extension TestResponse {
    /// The `data` of a list.
    var items: [[String: Any]] {
        ((try? json())?["data"] as? [[String: Any]]) ?? []
    }

    var errorField: String? {
        (((try? json())?["error"] as? [String: Any])?["details"] as? [String: String])?["field"]
    }
}
