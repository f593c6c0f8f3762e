import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

extension Deal: ResponseEncodable {}
extension DealStageChange: ResponseEncodable {}
extension Forecast: ResponseEncodable {}

/// `/api/v1/deals`: opportunities, their moves through the pipeline, and the forecast.
struct DealsController {
    let deals: Deals
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("deals", use: create)
        group.get("deals", use: list)
        group.get("deals/forecast", use: forecast)
        group.get("deals/{id}", use: get)
        group.patch("deals/{id}", use: update)
        group.delete("deals/{id}", use: delete)
        group.post("deals/{id}/move", use: move)
        group.get("deals/{id}/history", use: history)
    }

    func id(_ context: TenantRequestContext) throws -> DealID {
        try context.parameters.id("id", as: DealID.self, entity: "deal")
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<Deal> {
        try context.require(LeadsController.sellers)
        let input = try await request.decodeBody(NewDeal.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await deals.create(context.principal, input))
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Deal> {
        ListResponse(try await deals.list(context.principal, try Self.filter(request), try request.pageRequest))
    }

    /// The list's filters, also the export's.
    static func filter(_ request: Request) throws -> DealFilter {
        DealFilter(status: try request.filterValue("status", as: Stage.Kind.self),
                   stageID: try request.filterID("stage_id", as: StageID.self),
                   pipelineID: try request.filterID("pipeline_id", as: PipelineID.self),
                   ownerID: try request.filterID("owner_id", as: UserID.self),
                   accountID: try request.filterID("account_id", as: AccountID.self),
                   contactID: try request.filterID("contact_id", as: ContactID.self), q: request.filterText("q"),
                   customFields: try request.customFieldFilter,
                   campaignID: try request.filterID("campaign_id", as: CampaignID.self))
    }

    /// `?from=2026-01&to=2026-06`, both months included; optional `owner_id` and `pipeline_id`.
    @Sendable func forecast(_ request: Request, context: TenantRequestContext) async throws -> Forecast {
        func month(_ name: String) throws -> CalendarMonth {
            guard let month = request.filterText(name).flatMap(CalendarMonth.init) else {
                throw request.invalidFilter(name, "\(name) is required, a month written YYYY-MM such as 2026-01.")
            }
            return month
        }
        let forecast = try ForecastRequest(from: try month("from"), to: try month("to"),
                                           ownerID: try request.filterID("owner_id", as: UserID.self),
                                           pipelineID: try request.filterID("pipeline_id", as: PipelineID.self))
        return try await deals.forecast(context.principal, forecast)
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Deal {
        try await deals.get(context.principal, try id(context))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Deal {
        let id = try id(context)
        return try await deals.update(context.principal, id, try await request.decodeBody(DealPatch.self, maxBytes: maxBodyBytes))
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try await deals.delete(context.principal, try id(context))
        return .noContent
    }

    @Sendable func move(_ request: Request, context: TenantRequestContext) async throws -> Deal {
        let id = try id(context)
        return try await deals.move(context.principal, id, try await request.decodeBody(DealMove.self, maxBytes: maxBodyBytes))
    }

    @Sendable func history(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<DealStageChange> {
        ListResponse(try await deals.history(context.principal, try id(context), try request.pageRequest))
    }
}
