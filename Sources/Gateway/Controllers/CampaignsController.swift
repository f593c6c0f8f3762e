import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

extension Campaign: ResponseEncodable {}
extension CampaignReport: ResponseEncodable {}

/// `/api/v1/campaigns`: marketing campaigns and their reports.
struct CampaignsController {
    let campaigns: Campaigns
    let maxBodyBytes: Int

    /// Support agents work cases: they read campaigns but do not run them.
    static let marketers: Set<MembershipRole> = [.owner, .admin, .manager, .salesRep]

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("campaigns", use: create)
        group.get("campaigns", use: list)
        group.get("campaigns/{id}", use: get)
        group.patch("campaigns/{id}", use: update)
        group.delete("campaigns/{id}", use: delete)
        group.get("campaigns/{id}/report", use: report)
    }

    func id(_ context: TenantRequestContext) throws -> CampaignID {
        try context.parameters.id("id", as: CampaignID.self, entity: "campaign")
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<Campaign> {
        try context.require(Self.marketers)
        let input = try await request.decodeBody(NewCampaign.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await campaigns.create(context.principal, input))
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Campaign> {
        let filter = CampaignFilter(status: try request.filterValue("status", as: Campaign.Status.self),
                                    channel: try request.filterValue("channel", as: Campaign.Channel.self),
                                    ownerID: try request.filterID("owner_id", as: UserID.self), q: request.filterText("q"))
        return ListResponse(try await campaigns.list(context.principal, filter, try request.pageRequest))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Campaign {
        try await campaigns.get(context.principal, try id(context))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Campaign {
        let id = try id(context)
        return try await campaigns.update(context.principal, id, try await request.decodeBody(CampaignPatch.self, maxBytes: maxBodyBytes))
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try await campaigns.delete(context.principal, try id(context))
        return .noContent
    }

    @Sendable func report(_ request: Request, context: TenantRequestContext) async throws -> CampaignReport {
        try await campaigns.report(context.principal, try id(context))
    }
}
