import Foundation
import GuanxiCore

/// A sales pipeline: open stages in the order a deal moves through them, then a won and a lost stage.
public struct Pipeline: Sendable, Codable, Equatable {
    public var id: PipelineID
    public var name: String
    /// Deals created without a stage start in this pipeline's first open stage. Exactly one per workspace.
    public var isDefault: Bool
    /// Open stages by position, then the won stage, then the lost stage.
    public var stages: [Stage]
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, stages
        case isDefault = "is_default"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// A step of a pipeline. A deal's status is its stage's kind.
public struct Stage: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case open, won, lost
    }

    public var id: StageID
    public var pipelineID: PipelineID
    public var name: String
    public var kind: Kind
    /// 1 for the first stage; the won and lost stages come after every open one.
    public var position: Int
    /// The chance that a deal in this stage is won, in basis points: 0–10000 is 0–100 %. Won is
    /// always 10000 and lost always 0.
    public var winProbabilityBP: Int

    enum CodingKeys: String, CodingKey {
        case id, name, kind, position
        case pipelineID = "pipeline_id"
        case winProbabilityBP = "win_probability_bp"
    }
}

public struct NewPipeline: RequestPayload {
    public static let fields: Set<String> = ["name", "stages", "is_default"]
    public var name: String
    /// The open stages, in order; the won and lost stages are added after them.
    public var stages: [NewStage]
    public var isDefault: Bool?

    public init(name: String, stages: [NewStage], isDefault: Bool? = nil) {
        self.name = name
        self.stages = stages
        self.isDefault = isDefault
    }

    enum CodingKeys: String, CodingKey {
        case name, stages
        case isDefault = "is_default"
    }
}

/// An open stage to add.
public struct NewStage: RequestPayload {
    public static let fields: Set<String> = ["name", "win_probability_bp", "position"]
    public var name: String
    public var winProbabilityBP: Int
    /// Where among the open stages, 1 for the first; after the last open stage when left out.
    public var position: Int?

    public init(name: String, winProbabilityBP: Int, position: Int? = nil) {
        self.name = name
        self.winProbabilityBP = winProbabilityBP
        self.position = position
    }

    enum CodingKeys: String, CodingKey {
        case name, position
        case winProbabilityBP = "win_probability_bp"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(Self.fields)  // also nested in a new pipeline's `stages`
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        winProbabilityBP = try container.decode(Int.self, forKey: .winProbabilityBP)
        position = try container.decodeIfPresent(Int.self, forKey: .position)
    }
}

public struct PipelinePatch: RequestPayload {
    public static let fields: Set<String> = ["name", "is_default"]
    public var name: FieldPatch<String> = .keep
    /// `true` makes this the default pipeline (and the former default an ordinary one).
    public var isDefault: FieldPatch<Bool> = .keep

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NewPipeline.CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        isDefault = try container.decodePatch(Bool.self, forKey: .isDefault)
    }
}

public struct StagePatch: RequestPayload {
    public static let fields: Set<String> = ["name", "win_probability_bp"]
    public var name: FieldPatch<String> = .keep
    public var winProbabilityBP: FieldPatch<Int> = .keep

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NewStage.CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        winProbabilityBP = try container.decodePatch(Int.self, forKey: .winProbabilityBP)
    }
}

/// The open stages of a pipeline in their new order: every one of them, each once.
public struct StageOrder: RequestPayload {
    public static let fields: Set<String> = ["stage_ids"]
    public var stageIDs: [StageID]

    public init(stageIDs: [StageID]) { self.stageIDs = stageIDs }

    enum CodingKeys: String, CodingKey {
        case stageIDs = "stage_ids"
    }
}
