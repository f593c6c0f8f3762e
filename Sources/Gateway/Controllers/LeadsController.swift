import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

extension Lead: ResponseEncodable {}
extension LeadConversion: ResponseEncodable {}

/// `/api/v1/leads`: people who may become customers, and their conversion.
struct LeadsController {
    let leads: Leads
    let maxBodyBytes: Int

    /// Support agents work cases, not sales: they neither capture nor convert leads.
    static let sellers: Set<MembershipRole> = [.owner, .admin, .manager, .salesRep]

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("leads", use: create)
        group.get("leads", use: list)
        group.get("leads/{id}", use: get)
        group.patch("leads/{id}", use: update)
        group.delete("leads/{id}", use: delete)
        group.post("leads/{id}/convert", use: convert)
    }

    func id(_ context: TenantRequestContext) throws -> LeadID {
        try context.parameters.id("id", as: LeadID.self, entity: "lead")
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<Lead> {
        try context.require(Self.sellers)
        let input = try await request.decodeBody(NewLead.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await leads.create(context.principal, input))
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Lead> {
        ListResponse(try await leads.list(context.principal, try Self.filter(request), try request.pageRequest))
    }

    /// The list's filters, also the export's.
    static func filter(_ request: Request) throws -> LeadFilter {
        LeadFilter(status: try request.filterValue("status", as: Lead.Status.self), source: request.filterText("source"),
                   ownerID: try request.filterID("owner_id", as: UserID.self), q: request.filterText("q"),
                   customFields: try request.customFieldFilter)
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Lead {
        try await leads.get(context.principal, try id(context))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Lead {
        let id = try id(context)
        return try await leads.update(context.principal, id, try await request.decodeBody(LeadPatch.self, maxBytes: maxBodyBytes))
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try await leads.delete(context.principal, try id(context))
        return .noContent
    }

    @Sendable func convert(_ request: Request, context: TenantRequestContext) async throws -> LeadConversion {
        try context.require(Self.sellers)
        let id = try id(context)
        let input = try await request.decodeBody(LeadConversionRequest.self, maxBytes: maxBodyBytes)
        return try await leads.convert(context.principal, id, input)
    }
}
