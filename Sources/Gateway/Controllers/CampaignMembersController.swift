import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

extension CampaignMember: ResponseEncodable {}
extension CampaignTouch: ResponseEncodable {}
extension AddedCampaignMembers: ResponseEncodable {}
extension AddedCampaignSegment: ResponseEncodable {}
extension RecordedCampaignTouches: ResponseEncodable {}

/// `/api/v1/campaigns/{id}/members` and `/touches`: whom a campaign targets and what each of them did.
struct CampaignMembersController {
    let members: CampaignMembers
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("campaigns/{id}/members", use: add)
        group.post("campaigns/{id}/members/segment", use: addSegment)
        group.get("campaigns/{id}/members", use: list)
        group.get("campaigns/{id}/members/{member_id}", use: get)
        group.delete("campaigns/{id}/members/{member_id}", use: remove)
        group.post("campaigns/{id}/members/{member_id}/touches", use: touch)
        group.get("campaigns/{id}/members/{member_id}/touches", use: touches)
        group.post("campaigns/{id}/touches", use: touchMany)
    }

    func campaignID(_ context: TenantRequestContext) throws -> CampaignID {
        try context.parameters.id("id", as: CampaignID.self, entity: "campaign")
    }

    func memberID(_ context: TenantRequestContext) throws -> CampaignMemberID {
        try context.parameters.id("member_id", as: CampaignMemberID.self, entity: "campaign_member")
    }

    @Sendable func add(_ request: Request, context: TenantRequestContext) async throws -> AddedCampaignMembers {
        let id = try campaignID(context)
        return try await members.add(context.principal, id, try await request.decodeBody(NewCampaignMembers.self, maxBytes: maxBodyBytes))
    }

    /// The segment is the query string of `GET /api/v1/contacts`: `q`, `account_id` and `cf.` filters.
    @Sendable func addSegment(_ request: Request, context: TenantRequestContext) async throws -> AddedCampaignSegment {
        let id = try campaignID(context)
        let segment = ContactFilter(q: request.filterText("q"), accountID: try request.filterID("account_id", as: AccountID.self),
                                    customFields: try request.customFieldFilter)
        return try await members.addSegment(context.principal, id, segment)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<CampaignMember> {
        let filter = CampaignMemberFilter(status: try request.filterValue("status", as: CampaignMember.Status.self))
        return ListResponse(try await members.list(context.principal, try campaignID(context), filter, try request.pageRequest))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> CampaignMember {
        try await members.get(context.principal, try campaignID(context), try memberID(context))
    }

    @Sendable func remove(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try await members.remove(context.principal, try campaignID(context), try memberID(context))
        return .noContent
    }

    @Sendable func touch(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<CampaignTouch> {
        let (campaign, member) = (try campaignID(context), try memberID(context))
        let input = try await request.decodeBody(NewCampaignTouch.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await members.touch(context.principal, campaign, member, input))
    }

    @Sendable func touches(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<CampaignTouch> {
        ListResponse(try await members.touches(context.principal, try campaignID(context), try memberID(context), try request.pageRequest))
    }

    @Sendable func touchMany(_ request: Request, context: TenantRequestContext) async throws -> RecordedCampaignTouches {
        let id = try campaignID(context)
        return try await members.touchMany(context.principal, id, try await request.decodeBody(NewCampaignTouches.self, maxBytes: maxBodyBytes))
    }
}
