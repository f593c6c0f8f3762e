import Foundation
import GuanxiCore

/// One member's access to one record beyond what their role gives them.
public struct RecordShare: Sendable, Encodable, Equatable {
    public enum Access: String, Sendable, Codable, CaseIterable {
        /// See the record.
        case read
        /// See and change it, and share it further.
        case edit
    }

    public var id: RecordShareID
    public var entity: RecordKind
    public var entityID: UUID
    public var userID: UserID
    public var access: Access
    /// Who shared it; `null` when no member did (an import, the command line).
    public var createdBy: UserID?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, entity, access
        case entityID = "entity_id"
        case userID = "user_id"
        case createdBy = "created_by"
        case createdAt = "created_at"
    }

    /// Every field is present, `null` when empty.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(entity, forKey: .entity)
        try container.encode(entityID.uuidString.lowercased(), forKey: .entityID)
        try container.encode(userID, forKey: .userID)
        try container.encode(access, forKey: .access)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

/// `POST /api/v1/{records}/{id}/shares`.
public struct NewRecordShare: RequestPayload {
    public static let fields: Set<String> = ["user_id", "access"]
    public var userID: UserID
    public var access: String

    public init(userID: UserID, access: String) {
        self.userID = userID
        self.access = access
    }

    enum CodingKeys: String, CodingKey {
        case access
        case userID = "user_id"
    }
}

/// `POST /api/v1/members/{id}/reassign`: whom a member's records go to.
public struct RecordReassignment: RequestPayload {
    public static let fields: Set<String> = ["to_user_id"]
    public var toUserID: UserID

    public init(toUserID: UserID) { self.toUserID = toUserID }

    enum CodingKeys: String, CodingKey {
        case toUserID = "to_user_id"
    }
}

/// How many records of each kind a reassignment moved.
public struct ReassignedRecords: Sendable, Encodable, Equatable {
    public var accounts: Int
    public var contacts: Int
    public var leads: Int
    public var deals: Int
    public var activities: Int
    public var cases: Int
}
