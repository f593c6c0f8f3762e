import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

/// `/api/v1/accounts/{id}/timeline` and `/api/v1/contacts/{id}/timeline`: the 360° view.
struct TimelineController {
    let timeline: Timeline

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("accounts/{id}/timeline", use: account)
        group.get("contacts/{id}/timeline", use: contact)
    }

    @Sendable func account(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<TimelineItem> {
        let id = try context.parameters.id("id", as: AccountID.self, entity: "account")
        return ListResponse(try await timeline.items(context.principal, .account(id), try request.pageRequest))
    }

    @Sendable func contact(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<TimelineItem> {
        let id = try context.parameters.id("id", as: ContactID.self, entity: "contact")
        return ListResponse(try await timeline.items(context.principal, .contact(id), try request.pageRequest))
    }
}
