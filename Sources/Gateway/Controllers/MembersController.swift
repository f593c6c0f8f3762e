import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

extension Member: ResponseEncodable {}
extension Team: ResponseEncodable {}

/// `/api/v1/members` and `/api/v1/teams`: who works in the workspace, in which role and team.
/// Everyone may read them (to assign work); only owners and admins change them.
struct MembersController {
    let members: Members
    let maxBodyBytes: Int

    static let administrators: Set<MembershipRole> = [.owner, .admin]

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("members", use: list)
        group.post("members", use: add)
        group.get("members/{id}", use: get)
        group.patch("members/{id}", use: update)
        group.delete("members/{id}", use: remove)
        group.get("teams", use: listTeams)
        group.post("teams", use: createTeam)
        group.get("teams/{id}", use: getTeam)
        group.patch("teams/{id}", use: updateTeam)
        group.delete("teams/{id}", use: deleteTeam)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Member> {
        var team: TeamID?
        if let text = request.uri.queryParameters["team_id"] {
            guard let id = TeamID(String(text)) else {
                throw GuanxiError(.malformed, code: "invalid_filter", message: "team_id must be an id (UUID).")
            }
            team = id
        }
        return ListResponse(try await members.list(context.principal.tenant, team: team, try request.pageRequest))
    }

    @Sendable func add(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<Member> {
        try context.require(Self.administrators)
        let input = try await request.decodeBody(NewMember.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await members.add(context.principal, input))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Member {
        try await members.get(context.principal.tenant, try context.parameters.id("id", as: UserID.self, entity: "member"))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Member {
        try context.require(Self.administrators)
        let id = try context.parameters.id("id", as: UserID.self, entity: "member")
        let patch = try await request.decodeBody(MemberPatch.self, maxBytes: maxBodyBytes)
        return try await members.update(context.principal, id, patch)
    }

    @Sendable func remove(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try context.require(Self.administrators)
        try await members.remove(context.principal, try context.parameters.id("id", as: UserID.self, entity: "member"))
        return .noContent
    }

    @Sendable func listTeams(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Team> {
        ListResponse(try await members.teams(context.principal.tenant, try request.pageRequest))
    }

    @Sendable func createTeam(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<Team> {
        try context.require(Self.administrators)
        let input = try await request.decodeBody(NewTeam.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await members.createTeam(context.principal.tenant, input))
    }

    @Sendable func getTeam(_ request: Request, context: TenantRequestContext) async throws -> Team {
        try await members.team(context.principal.tenant, try context.parameters.id("id", as: TeamID.self, entity: "team"))
    }

    @Sendable func updateTeam(_ request: Request, context: TenantRequestContext) async throws -> Team {
        try context.require(Self.administrators)
        let id = try context.parameters.id("id", as: TeamID.self, entity: "team")
        let patch = try await request.decodeBody(TeamPatch.self, maxBytes: maxBodyBytes)
        return try await members.updateTeam(context.principal.tenant, id, patch)
    }

    @Sendable func deleteTeam(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try context.require(Self.administrators)
        try await members.deleteTeam(context.principal.tenant, try context.parameters.id("id", as: TeamID.self, entity: "team"))
        return .noContent
    }
}
