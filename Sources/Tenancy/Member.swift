import Foundation
import GuanxiCore

/// A user of the workspace with their role and, optionally, their team.
public struct Member: Sendable, Codable, Equatable {
    public var userID: UserID
    public var email: String
    public var name: String
    public var role: MembershipRole
    public var teamID: TeamID?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case email, name, role
        case userID = "user_id"
        case teamID = "team_id"
        case createdAt = "created_at"
    }

    /// `team_id` is `null` for a member of no team, never missing.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(userID, forKey: .userID)
        try container.encode(email, forKey: .email)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(teamID, forKey: .teamID)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

public struct NewMember: RequestPayload {
    public static let fields: Set<String> = ["email", "name", "password", "role", "team_id"]
    public var email: String
    public var name: String?
    public var password: String
    public var role: MembershipRole
    public var teamID: TeamID?

    public init(email: String, name: String? = nil, password: String, role: MembershipRole, teamID: TeamID? = nil) {
        self.email = email
        self.name = name
        self.password = password
        self.role = role
        self.teamID = teamID
    }

    enum CodingKeys: String, CodingKey {
        case email, name, password, role
        case teamID = "team_id"
    }
}

public struct MemberPatch: RequestPayload {
    public static let fields: Set<String> = ["name", "role", "team_id"]
    public var name: FieldPatch<String> = .keep
    public var role: FieldPatch<MembershipRole> = .keep
    public var teamID: FieldPatch<TeamID> = .keep

    public init(name: FieldPatch<String> = .keep, role: FieldPatch<MembershipRole> = .keep, teamID: FieldPatch<TeamID> = .keep) {
        self.name = name
        self.role = role
        self.teamID = teamID
    }

    enum CodingKeys: String, CodingKey {
        case name, role
        case teamID = "team_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        role = try container.decodePatch(MembershipRole.self, forKey: .role)
        teamID = try container.decodePatch(TeamID.self, forKey: .teamID)
    }
}

/// A group of members led by a manager, who sees the records its members own.
public struct Team: Sendable, Codable, Equatable {
    public var id: TeamID
    public var name: String
    public var managerID: UserID?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name
        case managerID = "manager_id"
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(managerID, forKey: .managerID)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

public struct NewTeam: RequestPayload {
    public static let fields: Set<String> = ["name", "manager_id"]
    public var name: String
    public var managerID: UserID?

    enum CodingKeys: String, CodingKey {
        case name
        case managerID = "manager_id"
    }
}

public struct TeamPatch: RequestPayload {
    public static let fields = NewTeam.fields
    public var name: FieldPatch<String> = .keep
    public var managerID: FieldPatch<UserID> = .keep

    enum CodingKeys: String, CodingKey {
        case name
        case managerID = "manager_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        managerID = try container.decodePatch(UserID.self, forKey: .managerID)
    }
}
