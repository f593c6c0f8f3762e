import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import Tenancy

extension ServiceLevelPolicy: ResponseEncodable {}
extension BusinessHours: ResponseEncodable {}

/// `/api/v1/service/sla` and `/api/v1/service/business-hours`: the workspace's SLA targets,
/// escalation and business hours. Owners and admins only.
struct ServiceLevelsController {
    let serviceLevels: ServiceLevels
    let maxBodyBytes: Int

    static let administrators: Set<MembershipRole> = [.owner, .admin]

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("service/sla", use: policy)
        group.patch("service/sla", use: updatePolicy)
        group.get("service/business-hours", use: businessHours)
        group.patch("service/business-hours", use: updateBusinessHours)
    }

    @Sendable func policy(_ request: Request, context: TenantRequestContext) async throws -> ServiceLevelPolicy {
        try context.require(Self.administrators)
        return try await serviceLevels.policy(context.principal.tenant)
    }

    @Sendable func updatePolicy(_ request: Request, context: TenantRequestContext) async throws -> ServiceLevelPolicy {
        try context.require(Self.administrators)
        let patch = try await request.decodeBody(ServiceLevelPolicyPatch.self, maxBytes: maxBodyBytes)
        return try await serviceLevels.updatePolicy(context.principal.tenant, patch)
    }

    @Sendable func businessHours(_ request: Request, context: TenantRequestContext) async throws -> BusinessHours {
        try context.require(Self.administrators)
        return try await serviceLevels.businessHours(context.principal.tenant)
    }

    @Sendable func updateBusinessHours(_ request: Request, context: TenantRequestContext) async throws -> BusinessHours {
        try context.require(Self.administrators)
        let patch = try await request.decodeBody(BusinessHoursPatch.self, maxBytes: maxBodyBytes)
        return try await serviceLevels.updateBusinessHours(context.principal.tenant, patch)
    }
}
