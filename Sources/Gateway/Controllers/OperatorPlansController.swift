import Tenancy
import Logging
import Foundation
import GuanxiCore
import Hummingbird
import Subscriptions

extension Plan: ResponseEncodable {}

/// `/ops/v1/plans`: the catalog; publishing a plan again makes a new version.
struct OperatorPlansController {
    let plans: PlanCatalog
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get("plans", use: list)
        group.post("plans", use: publish)
    }

    struct PlanList: ResponseEncodable {
        var data: [Plan]
    }

    @Sendable func list(_ request: Request, context: OperatorRequestContext) async throws -> PlanList {
        PlanList(data: try await plans.current())
    }

    @Sendable func publish(_ request: Request, context: OperatorRequestContext) async throws -> EditedResponse<Plan> {
        let definition = try await request.decodeBody(PlanDefinition.self, maxBytes: maxBodyBytes)
        let plan = try await plans.publish(definition)
        context.logger.notice("plan published", metadata: ["plan": "\(plan.code)", "version": "\(plan.version)"])
        return EditedResponse(status: .created, response: plan)
    }
}
