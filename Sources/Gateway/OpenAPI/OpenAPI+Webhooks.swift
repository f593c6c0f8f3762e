import GuanxiCore
import HTTPTypes

// `/api/v1/webhooks` and `/api/v1/webhook-event-types`: WebhooksController.

extension OpenAPI.ErrorCode {
    static let unknownEventType = Self(422, "unknown_event_type",
                                       "An entry of `event_types` is not a registered type, nor `<entity>.*` of an entity that has "
                                           + "some; `details.event_type` names it.")
    static let webhookInactive = Self(409, "webhook_inactive", "The webhook is inactive; set `active` to `true` before redelivering to it.")
}

extension OpenAPI.Area {
    /// A webhook's fields as every answer shows them.
    private static let webhookProperties: [String: OpenAPI.Schema] = [
        "id": .id,
        "url": .string(),
        "description": OpenAPI.Schema.string().orNull,
        "event_types": .array(of: .string()),
        "active": OpenAPI.Schema.boolean.described("An inactive webhook gets no new events."),
        "created_at": .time,
        "updated_at": .time,
    ]

    private static let url = OpenAPI.Schema.string(length: 1...2000, format: "uri")
        .described("An absolute `https` URL without a user name or password, not on the server's own machine.")
    private static let eventTypes = OpenAPI.Schema.array(of: .string(), count: 1...50)
        .described("Types from `GET /api/v1/webhook-event-types`, or `<entity>.*` for all of one entity's (`contact.*`). Repeats are dropped.")
    private static let webhookDescription = OpenAPI.Schema.string(length: 1...200).orNull
    private static let webhookID = OpenAPI.Parameter.id("id", "The webhook's id.")

    /// The 422 `invalid_field` of a create or a change.
    private static let invalidWebhookField = OpenAPI.ErrorCode(
        422, "invalid_field", "A bad `url`, 0 or more than 50 `event_types`, a `description` over 200 characters, a `null` where "
            + "not allowed, or a field of the wrong type; `details.field` names it.")

    static let webhooks = OpenAPI.Area(
        tag: "Webhooks",
        description: "HTTPS endpoints that receive the workspace's changes as signed events, with their deliveries. Owners and admins only.",
        access: .workspace,
        schemas: [
            "Webhook": .record(webhookProperties),
            "WebhookWithSecret": .record(webhookProperties.merging([
                "secret": OpenAPI.Schema.string().described("The signing secret, `whsec_…`; shown only when made or rotated."),
            ]) { $1 }),
            "WebhookEventTypes": .record(["data": .array(of: .string())]),
            "WebhookAttempt": .record([
                "attempted_at": .time,
                "status_code": OpenAPI.Schema.integer().orNull.described("The endpoint's HTTP status; `null` when no answer came."),
                "error": OpenAPI.Schema.string().orNull.described("Why no answer came (refused, timed out); `null` otherwise."),
                "duration_ms": .integer(minimum: 0),
            ]),
            "WebhookDelivery": .record([
                "id": .id,
                "event_id": OpenAPI.Schema.id.described("The same for every delivery of one event: keep it to ignore repeats."),
                "event_type": .string(),
                "status": .oneOf(["pending", "succeeded", "failed"]),
                "attempt_count": .integer(minimum: 0),
                "next_attempt_at": OpenAPI.Schema.time.orNull.described("`null` once the delivery succeeded or failed for good."),
                "created_at": .time,
                "attempts": OpenAPI.Schema.array(of: .ref("WebhookAttempt")).described("Oldest first."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/api/v1/webhook-event-types", id: "listWebhookEventTypes",
                summary: "Every event type a webhook may subscribe to",
                success: .ok(.ref("WebhookEventTypes"), "The types, sorted."),
                errors: [.forbiddenRole]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/webhooks", id: "createWebhook", summary: "Register a webhook",
                body: .body([
                    "url": url,
                    "event_types": eventTypes,
                    "description": webhookDescription,
                    "active": OpenAPI.Schema.boolean.orNull.defaulting(to: .bool(true)),
                ], required: ["url", "event_types"]),
                success: .created(.ref("WebhookWithSecret"), "The webhook and its signing secret, shown only here."),
                errors: [.forbiddenRole, .quotaExceeded("webhooks"), invalidWebhookField, .unknownEventType]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/webhooks", id: "listWebhooks", summary: "List the webhooks",
                success: .page(of: "Webhook", "A page of webhooks, in creation order."),
                errors: [.forbiddenRole]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/webhooks/{id}", id: "getWebhook", summary: "Read a webhook",
                parameters: [webhookID],
                success: .ok(.ref("Webhook"), "The webhook, without its secret."),
                errors: [.forbiddenRole, .notFound("webhook")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/webhooks/{id}", id: "updateWebhook", summary: "Change a webhook",
                description: "Only `description` can be cleared with `null`.",
                parameters: [webhookID],
                body: .body(["url": url, "event_types": eventTypes, "description": webhookDescription, "active": .boolean]),
                success: .ok(.ref("Webhook"), "The webhook."),
                errors: [.forbiddenRole, .notFound("webhook"), invalidWebhookField, .unknownEventType]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/webhooks/{id}", id: "deleteWebhook", summary: "Delete a webhook",
                description: "Its deliveries and their log go with it.",
                parameters: [webhookID],
                success: .noContent("Deleted."),
                errors: [.forbiddenRole, .notFound("webhook")]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/webhooks/{id}/rotate-secret", id: "rotateWebhookSecret", summary: "Replace a webhook's secret",
                description: "Deliveries are signed with the new secret from now on; the old one stops at once.",
                parameters: [webhookID],
                success: .ok(.ref("WebhookWithSecret"), "The webhook and its new secret, shown only here."),
                errors: [.forbiddenRole, .notFound("webhook")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/webhooks/{id}/deliveries", id: "listWebhookDeliveries",
                summary: "List a webhook's deliveries with their attempts",
                parameters: [webhookID],
                success: .page(of: "WebhookDelivery", "A page of deliveries, newest first."),
                errors: [.forbiddenRole, .notFound("webhook")]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", id: "redeliverWebhookDelivery",
                summary: "Send a delivery's event again",
                description: "A new delivery of the same event, due at once, with a new round of attempts.",
                parameters: [webhookID, .id("delivery_id", "The delivery's id.")],
                success: .created(.ref("WebhookDelivery"), "The new delivery."),
                errors: [.forbiddenRole, .notFound("webhook"), .notFound("webhook_delivery"), .webhookInactive]),
        ])
}
