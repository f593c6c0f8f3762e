import Logging
import Foundation
import GuanxiCore
import Hummingbird
import Quotas
import Subscriptions
import Tenancy

extension Subscription: ResponseEncodable {}

/// `/api/v1/subscription` and `/api/v1/limits`: what the workspace rents and how much it uses.
struct SubscriptionController {
    let subscriptions: Subscriptions
    let limits: Limits

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("subscription", use: subscription)
        group.get("limits", use: limitsReport)
    }

    @Sendable func subscription(_ request: Request, context: TenantRequestContext) async throws -> Subscription {
        try await subscriptions.current(context.principal.tenant)
    }

    struct LimitsResponse: ResponseEncodable {
        var data: [QuotaUse]
    }

    @Sendable func limitsReport(_ request: Request, context: TenantRequestContext) async throws -> LimitsResponse {
        LimitsResponse(data: try await limits.report(context.principal))
    }
}
