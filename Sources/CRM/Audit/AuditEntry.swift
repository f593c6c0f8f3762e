import Foundation
import GuanxiCore

/// One recorded write to a workspace's data: who made it, when, to which record, and what changed.
/// Written only by the database's triggers (see `Migrations/0007_create_audit_webhooks.sql`).
public struct AuditEntry: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable { case insert, update, delete }

    public var id: AuditEntryID
    public var occurredAt: Date
    /// `nil` when no member was acting: a background job or the command line.
    public var actorUserID: UserID?
    /// `api_key`, `session`, or `system` when no member was acting.
    public var actorCredential: String
    public var action: Action
    /// The table written, e.g. `contacts`.
    public var entityType: String
    public var entityID: UUID
    /// The row before the write (`nil` for an insert); for an update, only the columns that changed.
    public var before: JSONValue?
    /// The row after the write (`nil` for a delete); for an update, only the columns that changed.
    public var after: JSONValue?

    enum CodingKeys: String, CodingKey {
        case id, action, before, after
        case occurredAt = "occurred_at"
        case actorUserID = "actor_user_id"
        case actorCredential = "actor_credential"
        case entityType = "entity_type"
        case entityID = "entity_id"
    }

    /// Every key is always present, `null` when empty.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(actorUserID, forKey: .actorUserID)
        try container.encode(actorCredential, forKey: .actorCredential)
        try container.encode(action, forKey: .action)
        try container.encode(entityType, forKey: .entityType)
        try container.encode(entityID.uuidString.lowercased(), forKey: .entityID)
        try container.encode(before, forKey: .before)
        try container.encode(after, forKey: .after)
    }
}

/// The filters of `GET /api/v1/audit`; every one optional, all of them applied together.
public struct AuditFilter: Sendable {
    /// Whose writes: a member, or the system (writes no member made).
    public enum Actor: Sendable, Equatable {
        case user(UserID)
        case system
    }

    public var entityType: String?
    public var entityID: UUID?
    public var actor: Actor?
    /// Entries at or after this time.
    public var from: Date?
    /// Entries before this time.
    public var to: Date?

    public init(entityType: String? = nil, entityID: UUID? = nil, actor: Actor? = nil, from: Date? = nil, to: Date? = nil) {
        self.entityType = entityType
        self.entityID = entityID
        self.actor = actor
        self.from = from
        self.to = to
    }
}
