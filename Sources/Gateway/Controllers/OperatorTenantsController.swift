import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

extension Tenant: ResponseEncodable {}

/// `/ops/v1/tenants`: the provider provisions, lists, suspends and resumes workspaces.
struct OperatorTenantsController {
    let tenants: TenantDirectory
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.post("tenants", use: create)
        group.get("tenants", use: list)
        group.get("tenants/{id}", use: get)
        group.post("tenants/{id}/suspend", use: suspend)
        group.post("tenants/{id}/resume", use: resume)
    }

    struct Provisioned: ResponseEncodable {
        var tenant: Tenant
        var api_key: String
    }

    @Sendable func create(_ request: Request, context: OperatorRequestContext) async throws -> EditedResponse<Provisioned> {
        let input = try await request.decodeBody(TenantDirectory.NewTenant.self, maxBytes: maxBodyBytes)
        let (tenant, key) = try await tenants.provision(input)
        context.logger.info("tenant provisioned", metadata: ["tenant_id": "\(tenant.id)", "slug": "\(tenant.slug)"])
        return EditedResponse(status: .created, response: Provisioned(tenant: tenant, api_key: key.text))
    }

    @Sendable func list(_ request: Request, context: OperatorRequestContext) async throws -> ListResponse<Tenant> {
        ListResponse(try await tenants.list(try request.pageRequest))
    }

    @Sendable func get(_ request: Request, context: OperatorRequestContext) async throws -> Tenant {
        try await tenants.find(try context.parameters.id("id", as: TenantID.self, entity: "tenant"))
    }

    @Sendable func suspend(_ request: Request, context: OperatorRequestContext) async throws -> Tenant {
        let tenant = try await tenants.setStatus(try context.parameters.id("id", as: TenantID.self, entity: "tenant"), .suspended)
        context.logger.notice("tenant suspended", metadata: ["tenant_id": "\(tenant.id)"])
        return tenant
    }

    @Sendable func resume(_ request: Request, context: OperatorRequestContext) async throws -> Tenant {
        let tenant = try await tenants.setStatus(try context.parameters.id("id", as: TenantID.self, entity: "tenant"), .active)
        context.logger.notice("tenant resumed", metadata: ["tenant_id": "\(tenant.id)"])
        return tenant
    }
}
