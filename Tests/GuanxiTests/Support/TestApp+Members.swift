import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Tenancy
import Testing

extension TestApp {
    /// Adds a member with `role` through the API and returns their user id and an API key acting as them.
    func addMember(to tenant: TestTenant, role: String, teamID: String? = nil) async throws -> (id: String, apiKey: String) {
        var body: [String: Any] = ["email": "\(role).\(UUID().uuidString.prefix(8))@\(tenant.slug).example",
                                   "password": "long enough password", "role": role, "name": role]
        if let teamID { body["team_id"] = teamID }
        let member = try await request(.post, "/api/v1/members", token: tenant.apiKey, json: body)
        #expect(member.status == .created, "\(member.body.string)")
        let id = try #require(try member.json()["user_id"] as? String)
        let key = try await request(.post, "/api/v1/api-keys", token: tenant.apiKey, json: ["name": "\(role) key", "user_id": id])
        #expect(key.status == .created, "\(key.body.string)")
        return (id, try #require(try key.json()["api_key"] as? String))
    }

    func setSeats(_ tenant: TestTenant, _ seats: Int) async throws {
        let response = try await request(.post, "/ops/v1/tenants/\(tenant.id)/subscription/seats", token: operatorToken,
                                         json: ["seats": seats])
        #expect(response.status == .ok, "\(response.body.string)")
    }
}
