import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/pipelines`: PipelinesController.

extension OpenAPI.ErrorCode {
    static let pipelineIsDefault = Self(409, "pipeline_is_default", "The default pipeline cannot be deleted; make another one the default first.")
    static let pipelineHasDeals = Self(409, "pipeline_has_deals", "Deals are in the pipeline; move or delete them first. `details.deals` counts them.")
    static let stageHasDeals = Self(409, "stage_has_deals", "Deals are in the stage; move them first. `details.deals` counts them.")
    static let stageRequired = Self(409, "stage_required",
                                    "The won and lost stages, and a pipeline's last open stage, cannot be deleted.")
}

extension OpenAPI.Area {
    private static let pipelineName = OpenAPI.Schema.string(length: 1...100)
    private static let stageName = OpenAPI.Schema.string(length: 1...100).described("Need not be unique.")
    private static let pipelineID = OpenAPI.Parameter.id("id", "The pipeline's id.")
    private static let stageID = OpenAPI.Parameter.id("stage_id", "The stage's id; a stage of another pipeline answers `stage_not_found`.")

    static let pipelines = OpenAPI.Area(
        tag: "Pipelines",
        description: "The stages deals move through: open stages in order, then one won and one lost stage. A workspace has exactly one "
            + "default pipeline, where deals start when no stage is named; it is made, named in the workspace's language, the first "
            + "time the workspace lists or creates pipelines or creates a deal without a stage. Every member reads them; only owners "
            + "and admins change them. Every change answers the whole pipeline, stages in order.",
        access: .workspace,
        schemas: [
            "Pipeline": .record([
                "id": .id,
                "name": .string(),
                "is_default": OpenAPI.Schema.boolean.described("Deals made without a stage start in this pipeline; exactly one is."),
                "stages": OpenAPI.Schema.array(of: .ref("Stage")).described("The open stages by position, then the won, then the lost stage."),
                "created_at": .time,
                "updated_at": .time,
            ]),
            "Stage": .record([
                "id": .id,
                "pipeline_id": .id,
                "name": .string(),
                "kind": OpenAPI.Schema.stageKind.described("The status of the deals in the stage."),
                "position": OpenAPI.Schema.integer(minimum: 1).described("1 for the first stage; won and lost come after every open one."),
                "win_probability_bp": OpenAPI.Schema.winProbabilityBP.described("Always 10000 for won and 0 for lost."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/api/v1/pipelines", id: "listPipelines", summary: "List the pipelines with their stages",
                success: .page(of: "Pipeline", "A page of pipelines, in creation order.")),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/pipelines", id: "createPipeline", summary: "Make a pipeline",
                description: "The open stages in the order given, then a won and a lost stage named in the workspace's language.",
                body: .body([
                    "name": pipelineName,
                    "stages": OpenAPI.Schema.array(of: .body([
                        "name": stageName,
                        "win_probability_bp": .winProbabilityBP,
                    ], required: ["name", "win_probability_bp"])).described("The open stages, in order: at least one."),
                    "is_default": OpenAPI.Schema.boolean.orNull
                        .described("`true` makes it the default pipeline, and the former default an ordinary one."),
                ], required: ["name", "stages"]),
                success: .created(.ref("Pipeline"), "The pipeline."),
                errors: [.forbiddenRole,
                         OpenAPI.ErrorCode(422, "invalid_field", "A `name` not of 1–100 characters, no `stages`, a stage's `name` or "
                             + "`win_probability_bp` out of range, a stage with a `position`, or a field of the wrong type; "
                             + "`details.field` names it, such as `stages.0.name`.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/pipelines/{id}", id: "getPipeline", summary: "Read a pipeline",
                parameters: [pipelineID],
                success: .ok(.ref("Pipeline"), "The pipeline."),
                errors: [.notFound("pipeline")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/pipelines/{id}", id: "updatePipeline", summary: "Rename a pipeline or make it the default",
                parameters: [pipelineID],
                body: .body([
                    "name": pipelineName.described("Cannot be cleared."),
                    "is_default": OpenAPI.Schema.boolean.described("`true` makes it the default, and the former default an ordinary "
                        + "pipeline. `false` on the default is refused: make another one the default instead."),
                ]),
                success: .ok(.ref("Pipeline"), "The pipeline."),
                errors: [.forbiddenRole, .notFound("pipeline")]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/pipelines/{id}", id: "deletePipeline", summary: "Delete a pipeline with its stages",
                parameters: [pipelineID],
                success: .noContent("Deleted."),
                errors: [.forbiddenRole, .notFound("pipeline"), .pipelineIsDefault, .pipelineHasDeals]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/pipelines/{id}/stages", id: "addStage", summary: "Add an open stage",
                description: "The stages after it move down.",
                parameters: [pipelineID],
                body: .body([
                    "name": stageName,
                    "win_probability_bp": .winProbabilityBP,
                    "position": OpenAPI.Schema.integer(minimum: 1).orNull
                        .described("Where among the open stages, 1 for the first; after the last open stage when left out."),
                ], required: ["name", "win_probability_bp"]),
                success: .created(.ref("Pipeline"), "The pipeline with the new stage."),
                errors: [.forbiddenRole, .notFound("pipeline")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/pipelines/{id}/stages/{stage_id}", id: "updateStage",
                summary: "Rename a stage or change its win probability",
                description: "A new probability holds at once for the deals in the stage and for the forecast. Won and lost stages may be "
                    + "renamed, but their probability stays.",
                parameters: [pipelineID, stageID],
                body: .body([
                    "name": stageName.described("Cannot be cleared."),
                    "win_probability_bp": OpenAPI.Schema.winProbabilityBP.described("An open stage's only. Cannot be cleared."),
                ]),
                success: .ok(.ref("Pipeline"), "The pipeline."),
                errors: [.forbiddenRole, .notFound("pipeline"), .notFound("stage")]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/pipelines/{id}/stages/{stage_id}", id: "deleteStage", summary: "Delete an open stage",
                description: "The stages after it move up. Its name stays in the history of the deals that passed through it.",
                parameters: [pipelineID, stageID],
                success: .noContent("Deleted."),
                errors: [.forbiddenRole, .notFound("pipeline"), .notFound("stage"), .stageRequired, .stageHasDeals]),
            OpenAPI.Operation(
                method: .put, path: "/api/v1/pipelines/{id}/stage-order", id: "reorderStages", summary: "Put the open stages in a new order",
                description: "Won and lost stay last.",
                parameters: [pipelineID],
                body: .body([
                    "stage_ids": OpenAPI.Schema.array(of: .id).described("Every open stage of the pipeline, once each, in the new order."),
                ], required: ["stage_ids"]),
                success: .ok(.ref("Pipeline"), "The pipeline."),
                errors: [.forbiddenRole, .notFound("pipeline")]),
        ])
}
