import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// The workspace's pipelines and their stages. A workspace gets its default pipeline the first
/// time it lists pipelines or creates a deal without naming a stage (`defaultPipeline(_:in:)`):
/// tenants made before sales existed get one the same way as new ones, and provisioning a tenant
/// does not depend on the sales side.
public struct Pipelines: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static let pipelineColumns: ColumnList = "id, name, is_default, created_at, updated_at"
    typealias PipelineRow = (UUID, String, Bool, Date, Date)
    static let stageColumns: ColumnList = "id, pipeline_id, name, kind, position, win_probability_bp"
    typealias StageRow = (UUID, UUID, String, String, Int, Int)

    static func stage(_ row: StageRow) -> Stage {
        Stage(id: StageID(row.0), pipelineID: PipelineID(row.1), name: row.2, kind: Stage.Kind(rawValue: row.3) ?? .open,
              position: row.4, winProbabilityBP: row.5)
    }

    // MARK: The default pipeline

    /// The default pipeline's names and probabilities (basis points), in the workspace's language.
    struct Template {
        var pipeline: String
        var openStages: [(name: String, winProbabilityBP: Int)]
        var won: String
        var lost: String

        init(locale: String) {
            if locale == "zh-CN" {
                pipeline = "销售"
                openStages = [("资格确认", 1000), ("需求分析", 2500), ("方案报价", 5000), ("商务谈判", 7500)]
                won = "赢单"
                lost = "输单"
            } else {
                pipeline = "Sales"
                openStages = [("Qualification", 1000), ("Needs analysis", 2500), ("Proposal", 5000), ("Negotiation", 7500)]
                won = "Won"
                lost = "Lost"
            }
        }

        static func of(_ transaction: Transaction) async throws -> Template {
            Template(locale: try await transaction.rows("SELECT locale FROM tenants", as: String.self).first ?? "en")
        }
    }

    /// The workspace's default pipeline, made now if the workspace has no pipeline yet. Two
    /// requests doing this at once make one: the second waits on the unique index, then reads it.
    static func defaultPipeline(_ tenant: TenantID, in transaction: Transaction) async throws -> PipelineID {
        if let id = try await transaction.rows("SELECT id FROM pipelines WHERE is_default", as: UUID.self).first {
            return PipelineID(id)
        }
        let template = try await Template.of(transaction)
        let id = PipelineID()
        let inserted = try await transaction.rows("""
            INSERT INTO pipelines (tenant_id, id, name, is_default) VALUES (\(tenant.uuid), \(id.uuid), \(template.pipeline), true)
            ON CONFLICT (tenant_id) WHERE is_default DO NOTHING
            RETURNING id
            """, as: UUID.self)
        guard !inserted.isEmpty else {
            return PipelineID(try await transaction.rows("SELECT id FROM pipelines WHERE is_default", as: UUID.self)[0])
        }
        try await insertStages(tenant, pipeline: id, open: template.openStages, won: template.won, lost: template.lost, in: transaction)
        return id
    }

    /// Open stages at positions 1…n, then won at n+1 and lost at n+2.
    static func insertStages(_ tenant: TenantID, pipeline: PipelineID, open: [(name: String, winProbabilityBP: Int)],
                             won: String, lost: String, in transaction: Transaction) async throws {
        let names = open.map(\.name) + [won, lost]
        let kinds = Array(repeating: Stage.Kind.open.rawValue, count: open.count) + [Stage.Kind.won.rawValue, Stage.Kind.lost.rawValue]
        let probabilities = open.map(\.winProbabilityBP) + [10_000, 0]
        let ids = names.map { _ in StageID().uuid }
        try await transaction.query("""
            INSERT INTO pipeline_stages (tenant_id, id, pipeline_id, name, kind, position, win_probability_bp)
            SELECT \(tenant.uuid), s.id, \(pipeline.uuid), s.name, s.kind, s.position, s.probability
              FROM unnest(\(ids)::uuid[], \(names)::text[], \(kinds)::text[], \(probabilities)::int[])
                   WITH ORDINALITY AS s (id, name, kind, probability, position)
            """)
    }

    // MARK: Reading

    /// Pipelines with their stages, in the order of `rows`.
    static func pipelines(_ rows: [PipelineRow], in transaction: Transaction) async throws -> [Pipeline] {
        let stageRows = try await transaction.rows("""
            SELECT \(columns: stageColumns) FROM pipeline_stages WHERE pipeline_id = ANY(\(rows.map { $0.0 })) ORDER BY position
            """, as: StageRow.self)
        let stages = Dictionary(grouping: stageRows.map(stage), by: \.pipelineID)
        return rows.map { row in
            Pipeline(id: PipelineID(row.0), name: row.1, isDefault: row.2, stages: stages[PipelineID(row.0)] ?? [],
                     createdAt: row.3, updatedAt: row.4)
        }
    }

    static func pipeline(_ id: PipelineID, lock: Bool = false, in transaction: Transaction) async throws -> Pipeline {
        let rows = lock
            ? try await transaction.rows("SELECT \(columns: pipelineColumns) FROM pipelines WHERE id = \(id.uuid) FOR UPDATE", as: PipelineRow.self)
            : try await transaction.rows("SELECT \(columns: pipelineColumns) FROM pipelines WHERE id = \(id.uuid)", as: PipelineRow.self)
        guard !rows.isEmpty else { throw GuanxiError.notFound("pipeline") }
        return try await pipelines(rows, in: transaction)[0]
    }

    /// A stage of any pipeline of the workspace, for a deal to go to: 422 `unknown_stage` otherwise.
    static func stage(_ id: StageID, field: String, in transaction: Transaction) async throws -> Stage {
        let rows = try await transaction.rows("SELECT \(columns: stageColumns) FROM pipeline_stages WHERE id = \(id.uuid)", as: StageRow.self)
        guard let row = rows.first else { throw References.unknown("stage", field: field) }
        return stage(row)
    }

    /// The first open stage of a pipeline: where its new deals start.
    static func firstOpenStage(of pipeline: PipelineID, in transaction: Transaction) async throws -> Stage {
        let rows = try await transaction.rows("""
            SELECT \(columns: stageColumns) FROM pipeline_stages WHERE pipeline_id = \(pipeline.uuid) AND kind = 'open'
             ORDER BY position LIMIT 1
            """, as: StageRow.self)
        return stage(rows[0])  // a pipeline always keeps an open stage: the last one cannot be deleted
    }

    /// Every pipeline, in creation order, with its stages; the default one is made if there is none.
    public func list(_ principal: TenantPrincipal, _ page: PageRequest) async throws -> Page<Pipeline> {
        let rows = try await database.withTenant(principal.tenant) { transaction in
            _ = try await Self.defaultPipeline(principal.tenant, in: transaction)
            let rows = try await transaction.rows("""
                SELECT \(columns: Self.pipelineColumns) FROM pipelines
                 WHERE id > \(page.after?.after ?? UUID.minimum)
                 ORDER BY id LIMIT \(page.limit + 1)
                """, as: PipelineRow.self)
            return try await Self.pipelines(rows, in: transaction)
        }
        return Page(rows: rows, limit: page.limit) { Cursor(after: $0.id.uuid) }
    }

    public func get(_ principal: TenantPrincipal, _ id: PipelineID) async throws -> Pipeline {
        try await database.withTenant(principal.tenant) { try await Self.pipeline(id, in: $0) }
    }

    // MARK: Changing pipelines

    public func create(_ principal: TenantPrincipal, _ input: NewPipeline) async throws -> Pipeline {
        let name = try Self.pipelineName(input.name)
        guard !input.stages.isEmpty else {
            throw GuanxiError.invalidField("stages", "stages must hold at least one open stage; won and lost are added after them.")
        }
        let stages = try input.stages.enumerated().map { index, stage in
            guard stage.position == nil else {
                throw GuanxiError.invalidField("stages.\(index).position", "A new pipeline's stages take the order of the list; leave position out.")
            }
            return (name: try Self.stageName(stage.name, field: "stages.\(index).name"),
                    winProbabilityBP: try Self.probability(stage.winProbabilityBP, field: "stages.\(index).win_probability_bp"))
        }
        let id = PipelineID()
        return try await database.withTenant(principal.tenant) { transaction in
            _ = try await Self.defaultPipeline(principal.tenant, in: transaction)
            if input.isDefault == true {
                try await transaction.query("UPDATE pipelines SET is_default = false, updated_at = now() WHERE is_default")
            }
            try await transaction.query("""
                INSERT INTO pipelines (tenant_id, id, name, is_default) VALUES (\(principal.tenant.uuid), \(id.uuid), \(name), \(input.isDefault == true))
                """)
            let template = try await Template.of(transaction)
            try await Self.insertStages(principal.tenant, pipeline: id, open: stages, won: template.won, lost: template.lost, in: transaction)
            return try await Self.pipeline(id, in: transaction)
        }
    }

    /// Renames a pipeline, or makes it the default one.
    public func update(_ principal: TenantPrincipal, _ id: PipelineID, _ patch: PipelinePatch) async throws -> Pipeline {
        try await database.withTenant(principal.tenant) { transaction in
            let current = try await Self.pipeline(id, lock: true, in: transaction)
            guard let rawName = patch.name.applied(to: current.name) else {
                throw GuanxiError.invalidField("name", "name cannot be removed; send a new name instead.")
            }
            let name = try Self.pipelineName(rawName)
            switch patch.isDefault {
            case .keep:
                break
            case .set(true) where current.isDefault, .set(false) where !current.isDefault:
                break
            case .set(true):
                try await transaction.query("UPDATE pipelines SET is_default = false, updated_at = now() WHERE is_default")
            case .set, .clear:
                throw GuanxiError.invalidField("is_default", "A workspace always has a default pipeline; make another one the default instead.")
            }
            try await transaction.query("""
                UPDATE pipelines SET name = \(name), is_default = \(patch.isDefault.applied(to: current.isDefault) ?? true), updated_at = now()
                 WHERE id = \(id.uuid)
                """)
            return try await Self.pipeline(id, in: transaction)
        }
    }

    /// Deletes a pipeline with its stages; refused for the default pipeline and while it holds deals.
    public func delete(_ principal: TenantPrincipal, _ id: PipelineID) async throws {
        try await database.withTenant(principal.tenant) { transaction in
            let pipeline = try await Self.pipeline(id, lock: true, in: transaction)
            if pipeline.isDefault {
                throw GuanxiError(.conflict, code: "pipeline_is_default",
                                  message: "This is the default pipeline; make another pipeline the default before deleting it.")
            }
            let deals = try await transaction.rows("SELECT count(*) FROM deals WHERE pipeline_id = \(id.uuid)", as: Int.self)[0]
            if deals > 0 {
                throw GuanxiError(.conflict, code: "pipeline_has_deals",
                                  message: "\(deals) deals are in this pipeline; move or delete them first.", details: ["deals": "\(deals)"])
            }
            try await transaction.query("DELETE FROM pipelines WHERE id = \(id.uuid)")
        }
    }

    // MARK: Changing stages

    /// Adds an open stage at `position` among the open stages (after the last one by default).
    public func addStage(_ principal: TenantPrincipal, _ pipelineID: PipelineID, _ input: NewStage) async throws -> Pipeline {
        let name = try Self.stageName(input.name, field: "name")
        let probability = try Self.probability(input.winProbabilityBP, field: "win_probability_bp")
        return try await database.withTenant(principal.tenant) { transaction in
            let pipeline = try await Self.pipeline(pipelineID, lock: true, in: transaction)
            let openCount = pipeline.stages.filter { $0.kind == .open }.count
            let position = input.position ?? openCount + 1
            guard (1...openCount + 1).contains(position) else {
                throw GuanxiError.invalidField("position", "position must be from 1 to \(openCount + 1), among the open stages.")
            }
            try await transaction.query("""
                UPDATE pipeline_stages SET position = position + 1 WHERE pipeline_id = \(pipelineID.uuid) AND position >= \(position)
                """)
            try await transaction.query("""
                INSERT INTO pipeline_stages (tenant_id, id, pipeline_id, name, kind, position, win_probability_bp)
                VALUES (\(principal.tenant.uuid), \(StageID().uuid), \(pipelineID.uuid), \(name), 'open', \(position), \(probability))
                """)
            try await Self.touch(pipelineID, in: transaction)
            return try await Self.pipeline(pipelineID, in: transaction)
        }
    }

    /// Renames a stage or changes its probability (an open stage's only: won is 10000, lost 0).
    public func updateStage(_ principal: TenantPrincipal, _ pipelineID: PipelineID, _ stageID: StageID,
                            _ patch: StagePatch) async throws -> Pipeline {
        try await database.withTenant(principal.tenant) { transaction in
            let stage = try await Self.stage(stageID, of: pipelineID, in: transaction)
            guard let rawName = patch.name.applied(to: stage.name) else {
                throw GuanxiError.invalidField("name", "name cannot be removed; send a new name instead.")
            }
            guard let rawProbability = patch.winProbabilityBP.applied(to: stage.winProbabilityBP) else {
                throw GuanxiError.invalidField("win_probability_bp", "win_probability_bp cannot be removed; send 0 to 10000.")
            }
            let probability = try Self.probability(rawProbability, field: "win_probability_bp")
            if stage.kind != .open && probability != stage.winProbabilityBP {
                throw GuanxiError.invalidField("win_probability_bp", "A won stage's probability is always 10000 and a lost stage's always 0.")
            }
            try await transaction.query("""
                UPDATE pipeline_stages SET name = \(try Self.stageName(rawName, field: "name")), win_probability_bp = \(probability),
                       updated_at = now()
                 WHERE id = \(stageID.uuid)
                """)
            try await Self.touch(pipelineID, in: transaction)
            return try await Self.pipeline(pipelineID, in: transaction)
        }
    }

    /// Deletes an open stage that holds no deals; the stages after it move up. Its name stays in
    /// the history of the deals that passed through it.
    public func deleteStage(_ principal: TenantPrincipal, _ pipelineID: PipelineID, _ stageID: StageID) async throws {
        try await database.withTenant(principal.tenant) { transaction in
            let pipeline = try await Self.pipeline(pipelineID, lock: true, in: transaction)
            guard let stage = pipeline.stages.first(where: { $0.id == stageID }) else { throw GuanxiError.notFound("stage") }
            guard stage.kind == .open else {
                throw GuanxiError(.conflict, code: "stage_required", message: "Every pipeline keeps its won and lost stages; rename them instead.")
            }
            guard pipeline.stages.filter({ $0.kind == .open }).count > 1 else {
                throw GuanxiError(.conflict, code: "stage_required", message: "A pipeline keeps at least one open stage; add another before deleting this one.")
            }
            let deals = try await transaction.rows("SELECT count(*) FROM deals WHERE stage_id = \(stageID.uuid)", as: Int.self)[0]
            if deals > 0 {
                throw GuanxiError(.conflict, code: "stage_has_deals",
                                  message: "\(deals) deals are in this stage; move them to another stage first.", details: ["deals": "\(deals)"])
            }
            try await transaction.query("DELETE FROM pipeline_stages WHERE id = \(stageID.uuid)")
            try await transaction.query("""
                UPDATE pipeline_stages SET position = position - 1 WHERE pipeline_id = \(pipelineID.uuid) AND position > \(stage.position)
                """)
            try await Self.touch(pipelineID, in: transaction)
        }
    }

    /// Puts the open stages in the given order; won and lost stay after them.
    public func reorder(_ principal: TenantPrincipal, _ pipelineID: PipelineID, _ order: StageOrder) async throws -> Pipeline {
        try await database.withTenant(principal.tenant) { transaction in
            let pipeline = try await Self.pipeline(pipelineID, lock: true, in: transaction)
            let open = pipeline.stages.filter { $0.kind == .open }.map(\.id)
            guard order.stageIDs.count == open.count, Set(order.stageIDs) == Set(open) else {
                throw GuanxiError.invalidField("stage_ids", "stage_ids must list each of this pipeline's \(open.count) open stages once, in the new order.")
            }
            try await transaction.query("""
                UPDATE pipeline_stages SET position = o.position, updated_at = now()
                  FROM unnest(\(order.stageIDs.map(\.uuid))::uuid[]) WITH ORDINALITY AS o (id, position)
                 WHERE pipeline_stages.id = o.id
                """)
            try await Self.touch(pipelineID, in: transaction)
            return try await Self.pipeline(pipelineID, in: transaction)
        }
    }

    // MARK: Helpers

    /// A stage of this pipeline, its pipeline locked: `stage_not_found` for another pipeline's.
    static func stage(_ id: StageID, of pipeline: PipelineID, in transaction: Transaction) async throws -> Stage {
        guard let stage = try await Self.pipeline(pipeline, lock: true, in: transaction).stages.first(where: { $0.id == id }) else {
            throw GuanxiError.notFound("stage")
        }
        return stage
    }

    static func touch(_ pipeline: PipelineID, in transaction: Transaction) async throws {
        try await transaction.query("UPDATE pipelines SET updated_at = now() WHERE id = \(pipeline.uuid)")
    }

    static func pipelineName(_ name: String) throws -> String {
        try Validate.text(name, field: "name", length: 1...100, required: true)!
    }

    static func stageName(_ name: String, field: String) throws -> String {
        try Validate.text(name, field: field, length: 1...100, required: true)!
    }

    static func probability(_ value: Int, field: String) throws -> Int {
        guard (0...10_000).contains(value) else {
            throw GuanxiError.invalidField(field, "\(field) is in basis points: 0 to 10000 (10000 is 100 %).")
        }
        return value
    }
}
