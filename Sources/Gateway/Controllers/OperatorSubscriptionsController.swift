import Tenancy
import Logging
import Foundation
import GuanxiCore
import Hummingbird
import Subscriptions

/// `/ops/v1/tenants/{id}/subscription`: an operator reads a subscription with its history and
/// changes its plan, seats and lifecycle state.
struct OperatorSubscriptionsController {
    let subscriptions: Subscriptions
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get("tenants/{id}/subscription", use: show)
        group.post("tenants/{id}/subscription/plan", use: changePlan)
        group.post("tenants/{id}/subscription/seats", use: setSeats)
        group.post("tenants/{id}/subscription/billing-cycle", use: setBillingCycle)
        group.post("tenants/{id}/subscription/{transition}", use: transition)
    }

    struct Detail: ResponseEncodable {
        var subscription: Subscription
        var events: [SubscriptionEvent]
    }

    struct PlanChange: RequestPayload {
        static let fields: Set<String> = ["plan"]
        var plan: String
    }

    struct SeatChange: RequestPayload {
        static let fields: Set<String> = ["seats"]
        var seats: Int
    }

    struct CycleChange: RequestPayload {
        static let fields: Set<String> = ["billing_cycle"]
        var billing_cycle: BillingCycle
    }

    struct Cause: RequestPayload {
        static let fields: Set<String> = ["cause"]
        var cause: String?
    }

    func tenant(_ context: OperatorRequestContext) throws -> TenantID {
        try context.parameters.id("id", as: TenantID.self, entity: "subscription")
    }

    @Sendable func show(_ request: Request, context: OperatorRequestContext) async throws -> Detail {
        let (subscription, events) = try await subscriptions.forOperator(try tenant(context))
        return Detail(subscription: subscription, events: events)
    }

    @Sendable func changePlan(_ request: Request, context: OperatorRequestContext) async throws -> Subscription {
        let change = try await request.decodeBody(PlanChange.self, maxBytes: maxBodyBytes)
        return try await subscriptions.changePlan(try tenant(context), to: change.plan, actor: "operator:\(context.principal.name)")
    }

    @Sendable func setSeats(_ request: Request, context: OperatorRequestContext) async throws -> Subscription {
        let change = try await request.decodeBody(SeatChange.self, maxBytes: maxBodyBytes)
        return try await subscriptions.setSeats(try tenant(context), to: change.seats, actor: "operator:\(context.principal.name)")
    }

    @Sendable func setBillingCycle(_ request: Request, context: OperatorRequestContext) async throws -> Subscription {
        let change = try await request.decodeBody(CycleChange.self, maxBytes: maxBodyBytes)
        return try await subscriptions.setBillingCycle(try tenant(context), to: change.billing_cycle, actor: "operator:\(context.principal.name)")
    }

    @Sendable func transition(_ request: Request, context: OperatorRequestContext) async throws -> Subscription {
        let name = context.parameters.get("transition") ?? ""
        guard let transition = SubscriptionTransition(rawValue: name) else {
            throw GuanxiError(.notFound, code: "route_not_found",
                              message: "Subscription actions are plan, seats, billing-cycle, \(SubscriptionTransition.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let hasBody = (request.headers[.contentLength].flatMap(Int.init) ?? 0) > 0
        let cause = hasBody ? try await request.decodeBody(Cause.self, maxBytes: maxBodyBytes).cause : nil
        return try await subscriptions.apply(transition, to: try tenant(context), cause: cause ?? "by operator",
                                             actor: "operator:\(context.principal.name)")
    }
}
