import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// A workspace's webhook endpoints and their deliveries. Every method takes the tenant first; an
/// endpoint of another tenant answers `webhook_not_found`, exactly like a missing one. Events are
/// not made here: the database's triggers write them in the transaction of the change they describe
/// (see `emit_event` in `Migrations/0007_create_audit_webhooks.sql`), and `WebhookDispatcher` sends them.
public struct Webhooks: Sendable {
    let database: Database
    let urlPolicy: WebhookURLPolicy

    public init(database: Database, urlPolicy: WebhookURLPolicy = WebhookURLPolicy()) {
        self.database = database
        self.urlPolicy = urlPolicy
    }

    static let columns: ColumnList = "id, url, description, event_types, active, created_at, updated_at"
    typealias Row = (UUID, String, String?, [String], Bool, Date, Date)

    static func webhook(_ row: Row) -> Webhook {
        Webhook(id: WebhookID(row.0), url: row.1, description: row.2, eventTypes: row.3, active: row.4, createdAt: row.5, updatedAt: row.6)
    }

    /// A new signing secret; the prefix tells it apart from API keys in a person's notes.
    static func newSecret() -> String { "whsec_" + Secret.random() }

    /// Every event type an endpoint may subscribe to, sorted.
    public func eventTypes(_ tenant: TenantID) async throws -> [String] {
        try await database.withTenant(tenant) { transaction in
            try await transaction.rows("SELECT type FROM webhook_event_types ORDER BY type", as: String.self)
        }
    }

    /// Registers an endpoint, within the plan's `webhooks` limit (402 `quota_exceeded` beyond it).
    public func create(_ tenant: TenantID, _ input: NewWebhook) async throws -> WebhookWithSecret {
        let url = try urlPolicy.validate(input.url)
        let description = try Validate.text(input.description, field: "description", length: 1...200)
        let secret = Self.newSecret()
        let rows = try await database.withTenant(tenant) { transaction in
            let eventTypes = try await Self.validate(input.eventTypes, in: transaction)
            return try await transaction.rows("""
                INSERT INTO webhook_endpoints (tenant_id, id, url, description, event_types, secret, active)
                VALUES (\(tenant.uuid), \(WebhookID().uuid), \(url), \(description), \(eventTypes), \(secret), \(input.active ?? true))
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
        }
        return WebhookWithSecret(webhook: Self.webhook(rows[0]), secret: secret)
    }

    public func get(_ tenant: TenantID, _ id: WebhookID) async throws -> Webhook {
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("SELECT \(columns: Self.columns) FROM webhook_endpoints WHERE id = \(id.uuid)", as: Row.self)
        }
        guard let row = rows.first else { throw GuanxiError.notFound("webhook") }
        return Self.webhook(row)
    }

    /// A page of endpoints in creation order.
    public func list(_ tenant: TenantID, _ page: PageRequest) async throws -> Page<Webhook> {
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("""
                SELECT \(columns: Self.columns) FROM webhook_endpoints
                 WHERE id > \(page.after?.after ?? UUID.minimum) ORDER BY id LIMIT \(page.limit + 1)
                """, as: Row.self)
        }
        return Page(rows: rows.map(Self.webhook), limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    /// Applies the fields present in `patch`; only `description` can be cleared.
    public func update(_ tenant: TenantID, _ id: WebhookID, _ patch: WebhookPatch) async throws -> Webhook {
        let rows = try await database.withTenant(tenant) { transaction in
            let current = try await transaction.rows("SELECT \(columns: Self.columns) FROM webhook_endpoints WHERE id = \(id.uuid) FOR UPDATE",
                                                     as: Row.self)
            guard let row = current.first else { throw GuanxiError.notFound("webhook") }
            let webhook = Self.webhook(row)
            guard let url = patch.url.applied(to: webhook.url) else {
                throw GuanxiError.invalidField("url", "url cannot be removed; send a new url, or delete the webhook.")
            }
            guard let requestedTypes = patch.eventTypes.applied(to: webhook.eventTypes) else {
                throw GuanxiError.invalidField("event_types", "event_types cannot be removed; send the types to receive.")
            }
            guard let active = patch.active.applied(to: webhook.active) else {
                throw GuanxiError.invalidField("active", "active must be true or false.")
            }
            let validURL = try urlPolicy.validate(url)
            let description = try Validate.text(patch.description.applied(to: webhook.description), field: "description", length: 1...200)
            let eventTypes = try await Self.validate(requestedTypes, in: transaction)
            return try await transaction.rows("""
                UPDATE webhook_endpoints SET url = \(validURL), description = \(description), event_types = \(eventTypes),
                       active = \(active), updated_at = now()
                 WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
        }
        return Self.webhook(rows[0])
    }

    /// Removes the endpoint with its deliveries and their attempts.
    public func delete(_ tenant: TenantID, _ id: WebhookID) async throws {
        let deleted = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("DELETE FROM webhook_endpoints WHERE id = \(id.uuid) RETURNING id", as: UUID.self)
        }
        guard !deleted.isEmpty else { throw GuanxiError.notFound("webhook") }
    }

    /// Replaces the signing secret; deliveries from now on are signed with the new one only.
    public func rotateSecret(_ tenant: TenantID, _ id: WebhookID) async throws -> WebhookWithSecret {
        let secret = Self.newSecret()
        let rows = try await database.withTenant(tenant) { transaction in
            try await transaction.rows("""
                UPDATE webhook_endpoints SET secret = \(secret), updated_at = now() WHERE id = \(id.uuid)
                RETURNING \(columns: Self.columns)
                """, as: Row.self)
        }
        guard let row = rows.first else { throw GuanxiError.notFound("webhook") }
        return WebhookWithSecret(webhook: Self.webhook(row), secret: secret)
    }

    // MARK: Deliveries

    typealias DeliveryRow = (UUID, UUID, String, String, Int, Date?, Date)
    typealias AttemptRow = (UUID, Date, Int?, String?, Int)

    /// A page of the endpoint's deliveries, newest first, each with its attempts.
    public func deliveries(_ tenant: TenantID, _ id: WebhookID, _ page: PageRequest) async throws -> Page<WebhookDelivery> {
        let (rows, attempts) = try await database.withTenant(tenant) { transaction -> ([DeliveryRow], [AttemptRow]) in
            let rows = try await transaction.rows("""
                SELECT d.id, d.event_id, e.type, d.status, d.attempt_count, d.next_attempt_at, d.created_at
                  FROM webhook_deliveries d JOIN webhook_events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
                 WHERE d.endpoint_id = \(id.uuid) AND (\(page.after?.after)::uuid IS NULL OR d.id < \(page.after?.after))
                 ORDER BY d.id DESC LIMIT \(page.limit + 1)
                """, as: DeliveryRow.self)
            if rows.isEmpty {
                // An empty page of an endpoint that does not exist here is a 404, not an empty list.
                try await Self.requireEndpoint(id, in: transaction)
                return (rows, [])
            }
            let attempts = try await transaction.rows("""
                SELECT delivery_id, attempted_at, status_code, error, duration_ms FROM webhook_attempts
                 WHERE delivery_id = ANY(\(rows.map(\.0))) ORDER BY id
                """, as: AttemptRow.self)
            return (rows, attempts)
        }
        var attemptsByDelivery: [UUID: [WebhookAttempt]] = [:]
        for attempt in attempts {
            attemptsByDelivery[attempt.0, default: []].append(
                WebhookAttempt(attemptedAt: attempt.1, statusCode: attempt.2, error: attempt.3, durationMS: attempt.4))
        }
        let deliveries = try rows.map { try Self.delivery($0, attempts: attemptsByDelivery[$0.0] ?? []) }
        return Page(rows: deliveries, limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    /// Sends a delivery's event to its endpoint again, as a new delivery with its own attempts; the
    /// event id stays the same, so a receiver can tell it already has the event.
    public func redeliver(_ tenant: TenantID, _ id: WebhookID, _ delivery: WebhookDeliveryID) async throws -> WebhookDelivery {
        let rows = try await database.withTenant(tenant) { transaction in
            let endpoint = try await transaction.rows("SELECT active FROM webhook_endpoints WHERE id = \(id.uuid)", as: Bool.self)
            guard let active = endpoint.first else { throw GuanxiError.notFound("webhook") }
            guard active else {
                throw GuanxiError(.conflict, code: "webhook_inactive",
                                  message: "This webhook is inactive; set active to true before redelivering to it.")
            }
            return try await transaction.rows("""
                INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, next_attempt_at, created_at)
                SELECT tenant_id, \(WebhookDeliveryID().uuid), endpoint_id, event_id, now(), now()
                  FROM webhook_deliveries WHERE id = \(delivery.uuid) AND endpoint_id = \(id.uuid)
                RETURNING id, event_id,
                          (SELECT e.type FROM webhook_events e WHERE e.tenant_id = webhook_deliveries.tenant_id AND e.id = webhook_deliveries.event_id),
                          status, attempt_count, next_attempt_at, created_at
                """, as: DeliveryRow.self)
        }
        guard let row = rows.first else { throw GuanxiError.notFound("webhook_delivery") }
        return try Self.delivery(row, attempts: [])
    }

    static func requireEndpoint(_ id: WebhookID, in transaction: Transaction) async throws {
        let found = try await transaction.rows("SELECT id FROM webhook_endpoints WHERE id = \(id.uuid)", as: UUID.self)
        guard !found.isEmpty else { throw GuanxiError.notFound("webhook") }
    }

    static func delivery(_ row: DeliveryRow, attempts: [WebhookAttempt]) throws -> WebhookDelivery {
        guard let status = WebhookDelivery.Status(rawValue: row.3) else {
            throw GuanxiError(.internalFailure, code: "internal_error", message: "A webhook delivery has an unknown status.")
        }
        return WebhookDelivery(id: WebhookDeliveryID(row.0), eventID: WebhookEventID(row.1), eventType: row.2, status: status,
                               attemptCount: row.4, nextAttemptAt: row.5, createdAt: row.6, attempts: attempts)
    }

    /// The requested event types, without repeats, each a registered type or `<entity>.*` for an
    /// entity that has registered types; else 422 `unknown_event_type`.
    static func validate(_ requested: [String], in transaction: Transaction) async throws -> [String] {
        guard (1...50).contains(requested.count) else {
            throw GuanxiError.invalidField("event_types", "event_types must list 1 to 50 event types, such as [\"contact.created\", \"account.*\"].")
        }
        let known: Set<String> = Set(try await transaction.rows("SELECT type FROM webhook_event_types", as: String.self))
        var accepted: [String] = []
        for type in requested {
            let entityPrefix = type.hasSuffix(".*") ? String(type.dropLast()) : nil  // "contact.*" → "contact."
            let isKnown = known.contains(type) || entityPrefix.map { prefix in known.contains { $0.hasPrefix(prefix) } } == true
            guard isKnown else {
                throw GuanxiError(.invalid, code: "unknown_event_type",
                                  message: "\(type) is not an event type; GET /api/v1/webhook-event-types lists them, and <entity>.* takes all of one entity's.",
                                  details: ["field": "event_types", "event_type": type])
            }
            if !accepted.contains(type) { accepted.append(type) }
        }
        return accepted
    }
}
