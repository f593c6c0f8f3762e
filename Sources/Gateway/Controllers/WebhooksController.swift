import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

extension Webhook: ResponseEncodable {}
extension WebhookWithSecret: ResponseEncodable {}
extension WebhookDelivery: ResponseEncodable {}

/// `/api/v1/webhooks` and `/api/v1/webhook-event-types`: the workspace's webhook endpoints, their
/// deliveries, and the events they can receive. For owners and admins only.
struct WebhooksController {
    let webhooks: Webhooks
    let maxBodyBytes: Int

    static let managers: Set<MembershipRole> = [.owner, .admin]

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("webhook-event-types", use: eventTypes)
        group.post("webhooks", use: create)
        group.get("webhooks", use: list)
        group.get("webhooks/{id}", use: get)
        group.patch("webhooks/{id}", use: update)
        group.delete("webhooks/{id}", use: delete)
        group.post("webhooks/{id}/rotate-secret", use: rotateSecret)
        group.get("webhooks/{id}/deliveries", use: deliveries)
        group.post("webhooks/{id}/deliveries/{delivery_id}/redeliver", use: redeliver)
    }

    struct EventTypes: ResponseEncodable {
        var data: [String]
    }

    @Sendable func eventTypes(_ request: Request, context: TenantRequestContext) async throws -> EventTypes {
        try context.require(Self.managers)
        return EventTypes(data: try await webhooks.eventTypes(context.principal.tenant))
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<WebhookWithSecret> {
        try context.require(Self.managers)
        let input = try await request.decodeBody(NewWebhook.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await webhooks.create(context.principal.tenant, input))
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Webhook> {
        try context.require(Self.managers)
        return ListResponse(try await webhooks.list(context.principal.tenant, try request.pageRequest))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Webhook {
        try context.require(Self.managers)
        return try await webhooks.get(context.principal.tenant, try Self.webhookID(context))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Webhook {
        try context.require(Self.managers)
        let id = try Self.webhookID(context)
        let patch = try await request.decodeBody(WebhookPatch.self, maxBytes: maxBodyBytes)
        return try await webhooks.update(context.principal.tenant, id, patch)
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try context.require(Self.managers)
        try await webhooks.delete(context.principal.tenant, try Self.webhookID(context))
        return .noContent
    }

    @Sendable func rotateSecret(_ request: Request, context: TenantRequestContext) async throws -> WebhookWithSecret {
        try context.require(Self.managers)
        return try await webhooks.rotateSecret(context.principal.tenant, try Self.webhookID(context))
    }

    @Sendable func deliveries(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<WebhookDelivery> {
        try context.require(Self.managers)
        return ListResponse(try await webhooks.deliveries(context.principal.tenant, try Self.webhookID(context), try request.pageRequest))
    }

    @Sendable func redeliver(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<WebhookDelivery> {
        try context.require(Self.managers)
        let id = try Self.webhookID(context)
        let delivery = try context.parameters.id("delivery_id", as: WebhookDeliveryID.self, entity: "webhook_delivery")
        return EditedResponse(status: .created, response: try await webhooks.redeliver(context.principal.tenant, id, delivery))
    }

    static func webhookID(_ context: TenantRequestContext) throws -> WebhookID {
        try context.parameters.id("id", as: WebhookID.self, entity: "webhook")
    }
}
