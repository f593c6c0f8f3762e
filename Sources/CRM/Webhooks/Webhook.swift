import Foundation
import GuanxiCore

/// An endpoint a workspace registered to receive its events. The signing secret is not part of it:
/// it is shown once, in `WebhookWithSecret`, when made or rotated.
public struct Webhook: Sendable, Codable, Equatable {
    public var id: WebhookID
    public var url: String
    public var description: String?
    /// Exact types (`contact.created`) or one entity's every type (`contact.*`).
    public var eventTypes: [String]
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, url, description, active
        case eventTypes = "event_types"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// `description` is `null` when empty, never missing.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(url, forKey: .url)
        try container.encode(description, forKey: .description)
        try container.encode(eventTypes, forKey: .eventTypes)
        try container.encode(active, forKey: .active)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// A webhook with its signing secret: the answer to creating one or rotating its secret, the only
/// times the secret is shown.
public struct WebhookWithSecret: Sendable, Encodable {
    public var webhook: Webhook
    public var secret: String

    enum CodingKeys: String, CodingKey { case secret }

    /// The webhook's fields and `secret`, side by side in one object.
    public func encode(to encoder: any Encoder) throws {
        try webhook.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(secret, forKey: .secret)
    }
}

public struct NewWebhook: RequestPayload {
    public static let fields: Set<String> = ["url", "description", "event_types", "active"]
    public var url: String
    public var description: String?
    public var eventTypes: [String]
    public var active: Bool?

    public init(url: String, description: String? = nil, eventTypes: [String], active: Bool? = nil) {
        self.url = url
        self.description = description
        self.eventTypes = eventTypes
        self.active = active
    }

    enum CodingKeys: String, CodingKey {
        case url, description, active
        case eventTypes = "event_types"
    }
}

public struct WebhookPatch: RequestPayload {
    public static let fields = NewWebhook.fields
    public var url: FieldPatch<String> = .keep
    public var description: FieldPatch<String> = .keep
    public var eventTypes: FieldPatch<[String]> = .keep
    public var active: FieldPatch<Bool> = .keep

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NewWebhook.CodingKeys.self)
        url = try container.decodePatch(String.self, forKey: .url)
        description = try container.decodePatch(String.self, forKey: .description)
        eventTypes = try container.decodePatch([String].self, forKey: .eventTypes)
        active = try container.decodePatch(Bool.self, forKey: .active)
    }
}

/// One event sent, or still to be sent, to one endpoint, with every attempt so far.
public struct WebhookDelivery: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case pending, succeeded, failed }

    public var id: WebhookDeliveryID
    public var eventID: WebhookEventID
    public var eventType: String
    public var status: Status
    public var attemptCount: Int
    /// When the next attempt is due; `nil` once the delivery succeeded or failed for good.
    public var nextAttemptAt: Date?
    public var createdAt: Date
    /// Oldest first.
    public var attempts: [WebhookAttempt]

    enum CodingKeys: String, CodingKey {
        case id, status, attempts
        case eventID = "event_id"
        case eventType = "event_type"
        case attemptCount = "attempt_count"
        case nextAttemptAt = "next_attempt_at"
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(eventID, forKey: .eventID)
        try container.encode(eventType, forKey: .eventType)
        try container.encode(status, forKey: .status)
        try container.encode(attemptCount, forKey: .attemptCount)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(attempts, forKey: .attempts)
    }
}

/// One POST of a delivery: the endpoint's HTTP status, or why there was none, and how long it took.
public struct WebhookAttempt: Sendable, Codable, Equatable {
    public var attemptedAt: Date
    /// `nil` when no HTTP answer came (connection refused, timed out).
    public var statusCode: Int?
    public var error: String?
    public var durationMS: Int

    enum CodingKeys: String, CodingKey {
        case error
        case attemptedAt = "attempted_at"
        case statusCode = "status_code"
        case durationMS = "duration_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(attemptedAt, forKey: .attemptedAt)
        try container.encode(statusCode, forKey: .statusCode)
        try container.encode(error, forKey: .error)
        try container.encode(durationMS, forKey: .durationMS)
    }
}
