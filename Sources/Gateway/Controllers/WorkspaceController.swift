import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

extension APIKeys.Summary: ResponseEncodable {}

/// `/api/v1/me` and `/api/v1/api-keys`: who is calling, and the workspace's keys.
struct WorkspaceController {
    let apiKeys: APIKeys
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("me", use: me)
        group.post("api-keys", use: createKey)
        group.get("api-keys", use: listKeys)
        group.delete("api-keys/{id}", use: revokeKey)
    }

    struct Me: ResponseEncodable {
        var tenant_id: TenantID
        var tenant_slug: String
        var user_id: UserID
        var role: MembershipRole
        var locale: String
        var time_zone: String
    }

    @Sendable func me(_ request: Request, context: TenantRequestContext) async throws -> Me {
        let p = context.principal
        return Me(tenant_id: p.tenant, tenant_slug: p.tenantSlug, user_id: p.user, role: p.role, locale: p.locale, time_zone: p.timeZone)
    }

    struct NewKey: RequestPayload {
        static let fields: Set<String> = ["name", "user_id"]
        var name: String
        /// The member the key acts as; the caller when left out.
        var user_id: UserID?
    }

    struct CreatedKey: ResponseEncodable {
        var api_key: String
        var name: String
    }

    static let keyManagers: Set<MembershipRole> = [.owner, .admin]

    @Sendable func createKey(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<CreatedKey> {
        try context.require(Self.keyManagers)
        let input = try await request.decodeBody(NewKey.self, maxBytes: maxBodyBytes)
        let key = try await apiKeys.create(context.principal, name: input.name, for: input.user_id)
        return EditedResponse(status: .created, response: CreatedKey(api_key: key.text, name: input.name))
    }

    @Sendable func listKeys(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<APIKeys.Summary> {
        try context.require(Self.keyManagers)
        return ListResponse(try await apiKeys.list(context.principal, try request.pageRequest))
    }

    @Sendable func revokeKey(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try context.require(Self.keyManagers)
        try await apiKeys.revoke(context.principal, try context.parameters.id("id", as: APIKeyID.self, entity: "api_key"))
        return .noContent
    }
}
