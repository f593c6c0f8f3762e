import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

extension Pipeline: ResponseEncodable {}

/// `/api/v1/pipelines`: the workspace's pipelines and their stages. Stage changes answer the
/// whole pipeline, so the client sees the stages' new order. Every member reads them (to move
/// deals); only owners and admins change them.
struct PipelinesController {
    let pipelines: Pipelines
    let maxBodyBytes: Int

    static let administrators: Set<MembershipRole> = [.owner, .admin]

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("pipelines", use: list)
        group.post("pipelines", use: create)
        group.get("pipelines/{id}", use: get)
        group.patch("pipelines/{id}", use: update)
        group.delete("pipelines/{id}", use: delete)
        group.post("pipelines/{id}/stages", use: addStage)
        group.patch("pipelines/{id}/stages/{stage_id}", use: updateStage)
        group.delete("pipelines/{id}/stages/{stage_id}", use: deleteStage)
        group.put("pipelines/{id}/stage-order", use: reorder)
    }

    func id(_ context: TenantRequestContext) throws -> PipelineID {
        try context.parameters.id("id", as: PipelineID.self, entity: "pipeline")
    }

    func stageID(_ context: TenantRequestContext) throws -> StageID {
        try context.parameters.id("stage_id", as: StageID.self, entity: "stage")
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Pipeline> {
        ListResponse(try await pipelines.list(context.principal, try request.pageRequest))
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<Pipeline> {
        try context.require(Self.administrators)
        let input = try await request.decodeBody(NewPipeline.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await pipelines.create(context.principal, input))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Pipeline {
        try await pipelines.get(context.principal, try id(context))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Pipeline {
        try context.require(Self.administrators)
        let id = try id(context)
        return try await pipelines.update(context.principal, id, try await request.decodeBody(PipelinePatch.self, maxBytes: maxBodyBytes))
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try context.require(Self.administrators)
        try await pipelines.delete(context.principal, try id(context))
        return .noContent
    }

    @Sendable func addStage(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<Pipeline> {
        try context.require(Self.administrators)
        let id = try id(context)
        let input = try await request.decodeBody(NewStage.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await pipelines.addStage(context.principal, id, input))
    }

    @Sendable func updateStage(_ request: Request, context: TenantRequestContext) async throws -> Pipeline {
        try context.require(Self.administrators)
        let (id, stageID) = (try id(context), try stageID(context))
        let patch = try await request.decodeBody(StagePatch.self, maxBytes: maxBodyBytes)
        return try await pipelines.updateStage(context.principal, id, stageID, patch)
    }

    @Sendable func deleteStage(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try context.require(Self.administrators)
        try await pipelines.deleteStage(context.principal, try id(context), try stageID(context))
        return .noContent
    }

    @Sendable func reorder(_ request: Request, context: TenantRequestContext) async throws -> Pipeline {
        try context.require(Self.administrators)
        let id = try id(context)
        return try await pipelines.reorder(context.principal, id, try await request.decodeBody(StageOrder.self, maxBytes: maxBodyBytes))
    }
}
