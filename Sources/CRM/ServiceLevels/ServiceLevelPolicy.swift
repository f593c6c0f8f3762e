import Foundation
import GuanxiCore

/// The business time a case of one priority may take until its first response and until it is resolved.
public struct SLATarget: Sendable, Equatable, Encodable {
    public var firstResponseMinutes: Int
    public var resolutionMinutes: Int

    public init(firstResponseMinutes: Int, resolutionMinutes: Int) {
        self.firstResponseMinutes = firstResponseMinutes
        self.resolutionMinutes = resolutionMinutes
    }

    enum CodingKeys: String, CodingKey {
        case firstResponseMinutes = "first_response_minutes"
        case resolutionMinutes = "resolution_minutes"
    }

    /// Targets at most a year of minutes, and a resolution no sooner than the first response.
    static let minutes = 1...525_600
}

/// A workspace's SLA policy: the targets per priority, and what happens to a case that misses one.
public struct ServiceLevelPolicy: Sendable, Equatable, Encodable {
    public var targets: [CasePriority: SLATarget]
    /// The owner, admin or manager a case is reassigned to when it breaches; `nil` keeps the assignee.
    public var escalationAssigneeID: UserID?
    /// Whether a breach raises the case's priority one step.
    public var escalatePriority: Bool

    /// What a workspace starts with, in minutes of business time (a business day of the standard
    /// hours is 540 minutes).
    public static let standardTargets: [CasePriority: SLATarget] = [
        .urgent: SLATarget(firstResponseMinutes: 30, resolutionMinutes: 240),
        .high: SLATarget(firstResponseMinutes: 60, resolutionMinutes: 540),
        .normal: SLATarget(firstResponseMinutes: 240, resolutionMinutes: 1620),
        .low: SLATarget(firstResponseMinutes: 480, resolutionMinutes: 2700),
    ]

    enum CodingKeys: String, CodingKey {
        case targets
        case escalationAssigneeID = "escalation_assignee_id"
        case escalatePriority = "escalate_priority"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Dictionary(uniqueKeysWithValues: targets.map { ($0.key.rawValue, $0.value) }), forKey: .targets)
        try container.encode(escalationAssigneeID, forKey: .escalationAssigneeID)
        try container.encode(escalatePriority, forKey: .escalatePriority)
    }
}

/// `PATCH /api/v1/service/sla`: the priorities named in `targets` get new targets (both numbers),
/// the others keep theirs; `escalation_assignee_id` set or cleared with `null`.
public struct ServiceLevelPolicyPatch: RequestPayload {
    public static let fields: Set<String> = ["targets", "escalation_assignee_id", "escalate_priority"]
    public var targets: [String: TargetInput]
    public var escalationAssigneeID: FieldPatch<UserID>
    public var escalatePriority: Bool?

    public struct TargetInput: Decodable, Sendable {
        var firstResponseMinutes: Int
        var resolutionMinutes: Int

        public init(from decoder: any Decoder) throws {
            try StrictObject.requireKnownKeys(decoder, ["first_response_minutes", "resolution_minutes"])
            let container = try decoder.container(keyedBy: SLATarget.CodingKeys.self)
            firstResponseMinutes = try container.decode(Int.self, forKey: .firstResponseMinutes)
            resolutionMinutes = try container.decode(Int.self, forKey: .resolutionMinutes)
        }
    }

    enum CodingKeys: String, CodingKey {
        case targets
        case escalationAssigneeID = "escalation_assignee_id"
        case escalatePriority = "escalate_priority"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        targets = try container.decodeIfPresent([String: TargetInput].self, forKey: .targets) ?? [:]
        escalationAssigneeID = try container.decodePatch(UserID.self, forKey: .escalationAssigneeID)
        escalatePriority = try container.decodeIfPresent(Bool.self, forKey: .escalatePriority)
    }

    /// The targets to change, each checked: whole minutes within a year, resolution no sooner than first response.
    func validatedTargets() throws -> [CasePriority: SLATarget] {
        var result: [CasePriority: SLATarget] = [:]
        for (name, input) in targets {
            guard let priority = CasePriority(rawValue: name) else {
                throw GuanxiError(.invalid, code: "unknown_field",
                                  message: "targets.\(name) is not a priority; use \(CasePriority.allCases.map(\.rawValue).joined(separator: ", ")).",
                                  details: ["field": "targets.\(name)"])
            }
            for (field, value) in [("first_response_minutes", input.firstResponseMinutes), ("resolution_minutes", input.resolutionMinutes)]
            where !SLATarget.minutes.contains(value) {
                throw GuanxiError.invalidField("targets.\(name).\(field)", "targets.\(name).\(field) must be from 1 to 525600 minutes (a year).")
            }
            guard input.resolutionMinutes >= input.firstResponseMinutes else {
                throw GuanxiError.invalidField("targets.\(name).resolution_minutes",
                                               "targets.\(name).resolution_minutes must not be less than first_response_minutes.")
            }
            result[priority] = SLATarget(firstResponseMinutes: input.firstResponseMinutes, resolutionMinutes: input.resolutionMinutes)
        }
        return result
    }
}

/// Nested objects of a body are read as strictly as the top level: a key the object does not
/// have is `unknown_field`, named by its path (`weekly.monday.0.open`).
enum StrictObject {
    static func requireKnownKeys(_ decoder: any Decoder, _ allowed: Set<String>) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        guard let unknown = container.allKeys.map(\.stringValue).filter({ !allowed.contains($0) }).sorted().first else { return }
        let path = (decoder.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } + [unknown]).joined(separator: ".")
        throw GuanxiError(.invalid, code: "unknown_field",
                          message: "\(path) is not a field here; allowed: \(allowed.sorted().joined(separator: ", ")).",
                          details: ["field": path])
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
