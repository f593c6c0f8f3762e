import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Members and teams")
struct MembersTests {
    @Test("an admin adds members within the seats; they sign in with their own role")
    func addWithinSeats() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()  // the entry plan has two seats: the owner and one more
            let rep = try await app.addMember(to: tenant, role: "sales_rep")
            let me = try await app.request(.get, "/api/v1/me", token: rep.apiKey).json()
            #expect(me["role"] as? String == "sales_rep")
            #expect(me["user_id"] as? String == rep.id)

            let third = try await app.request(.post, "/api/v1/members", token: tenant.apiKey, json: [
                "email": "third@example.com", "password": "long enough password", "role": "support_agent",
            ])
            #expect(third.status.code == 402)
            #expect(third.errorCode == "quota_exceeded")
            let details = try #require(try third.json()["error"] as? [String: Any])["details"] as? [String: String]
            #expect(details?["quota"] == "seats")
            // Nothing of the refused member was written.
            let list = try await app.request(.get, "/api/v1/members", token: tenant.apiKey).json()
            #expect((list["data"] as? [[String: Any]])?.count == 2)

            try await app.setSeats(tenant, 3)
            let retried = try await app.request(.post, "/api/v1/members", token: tenant.apiKey, json: [
                "email": "third@example.com", "password": "long enough password", "role": "support_agent",
            ])
            #expect(retried.status == .created)
            let duplicate = try await app.request(.post, "/api/v1/members", token: tenant.apiKey, json: [
                "email": "THIRD@example.com", "password": "long enough password", "role": "support_agent",
            ])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "member_exists")
        }
    }

    @Test("only owners and admins change members; only an owner touches an owner; the last owner stays")
    func roleRules() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            try await app.setSeats(tenant, 5)
            let rep = try await app.addMember(to: tenant, role: "sales_rep")
            let admin = try await app.addMember(to: tenant, role: "admin")

            let byRep = try await app.request(.post, "/api/v1/members", token: rep.apiKey, json: [
                "email": "x@example.com", "password": "long enough password", "role": "sales_rep",
            ])
            #expect(byRep.status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/members", token: rep.apiKey).status == .ok)

            let makeOwner = try await app.request(.patch, "/api/v1/members/\(rep.id)", token: admin.apiKey, json: ["role": "owner"])
            #expect(makeOwner.status == .forbidden)
            #expect(makeOwner.errorCode == "owner_required")

            let owner = try #require((try await app.request(.get, "/api/v1/me", token: tenant.apiKey).json())["user_id"] as? String)
            let demoteLast = try await app.request(.patch, "/api/v1/members/\(owner)", token: tenant.apiKey, json: ["role": "admin"])
            #expect(demoteLast.status == .conflict)
            #expect(demoteLast.errorCode == "last_owner")

            let promoted = try await app.request(.patch, "/api/v1/members/\(rep.id)", token: tenant.apiKey, json: ["role": "manager"])
            #expect(try promoted.json()["role"] as? String == "manager")
            // The new role holds at once for the member's own key.
            #expect(try await app.request(.get, "/api/v1/me", token: rep.apiKey).json()["role"] as? String == "manager")

            let badRole = try await app.request(.patch, "/api/v1/members/\(rep.id)", token: tenant.apiKey, json: ["role": "king"])
            #expect(badRole.status == .unprocessableContent)

            // A removed member's keys stop working; the seat is free again.
            #expect(try await app.request(.delete, "/api/v1/members/\(rep.id)", token: admin.apiKey).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/me", token: rep.apiKey).status == .unauthorized)
            #expect(try await app.request(.get, "/api/v1/members/\(rep.id)", token: tenant.apiKey).errorCode == "member_not_found")
        }
    }

    @Test("teams: a manager leads a team, members join it, names are unique, deleting keeps the members")
    func teams() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            try await app.setSeats(tenant, 5)
            let manager = try await app.addMember(to: tenant, role: "manager")
            let team = try await app.request(.post, "/api/v1/teams", token: tenant.apiKey,
                                             json: ["name": "华东销售", "manager_id": manager.id])
            #expect(team.status == .created)
            let teamID = try #require(try team.json()["id"] as? String)
            let rep = try await app.addMember(to: tenant, role: "sales_rep", teamID: teamID)
            let inTeam = try await app.request(.get, "/api/v1/members?team_id=\(teamID)", token: tenant.apiKey).json()
            #expect((inTeam["data"] as? [[String: Any]])?.map { $0["user_id"] as? String } == [rep.id])

            let clash = try await app.request(.post, "/api/v1/teams", token: tenant.apiKey, json: ["name": "华东销售"])
            #expect(clash.errorCode == "team_exists")
            let noManager = try await app.request(.post, "/api/v1/teams", token: tenant.apiKey,
                                                  json: ["name": "West", "manager_id": UUID().uuidString])
            #expect(noManager.status == .unprocessableContent)
            let noTeam = try await app.request(.patch, "/api/v1/members/\(rep.id)", token: tenant.apiKey,
                                               json: ["team_id": UUID().uuidString])
            #expect(noTeam.status == .unprocessableContent)

            #expect(try await app.request(.delete, "/api/v1/teams/\(teamID)", token: tenant.apiKey).status == .noContent)
            let after = try await app.request(.get, "/api/v1/members/\(rep.id)", token: tenant.apiKey).json()
            #expect(after["team_id"] is NSNull)
        }
    }

    @Test("another tenant's members and teams answer 404 and stay unchanged")
    func isolation() async throws {
        try await TestApp.run { app in
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let rep = try await app.addMember(to: owner, role: "sales_rep")
            let team = try await app.request(.post, "/api/v1/teams", token: owner.apiKey, json: ["name": "North"]).json()
            let teamID = try #require(team["id"] as? String)

            for (path, entity) in [("/api/v1/members/\(rep.id)", "member"), ("/api/v1/teams/\(teamID)", "team")] {
                #expect(try await app.request(.get, path, token: intruder.apiKey).errorCode == "\(entity)_not_found")
                let patch = try await app.request(.patch, path, token: intruder.apiKey, json: ["name": "hijacked"])
                #expect(patch.errorCode == "\(entity)_not_found")
                #expect(try await app.request(.delete, path, token: intruder.apiKey).errorCode == "\(entity)_not_found")
                #expect(try await app.request(.get, path, token: owner.apiKey).json()["name"] as? String != "hijacked")
            }
            let foreignKey = try await app.request(.post, "/api/v1/api-keys", token: intruder.apiKey,
                                                   json: ["name": "stolen", "user_id": rep.id])
            #expect(foreignKey.status == .unprocessableContent)
            let foreignTeam = try await app.request(.post, "/api/v1/members", token: intruder.apiKey, json: [
                "email": "x@example.com", "password": "long enough password", "role": "sales_rep", "team_id": teamID,
            ])
            #expect(foreignTeam.status == .unprocessableContent)
            #expect(try await app.request(.get, "/api/v1/me", token: rep.apiKey).status == .ok)
        }
    }
}
