import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

extension Activity: ResponseEncodable {}

/// `/api/v1/activities` (tasks, calls, meetings, emails, notes) and `/api/v1/tasks/mine`.
struct ActivitiesController {
    let activities: Activities
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("activities", use: create)
        group.get("activities", use: list)
        group.get("activities/{id}", use: get)
        group.patch("activities/{id}", use: update)
        group.delete("activities/{id}", use: delete)
        group.get("tasks/mine", use: myTasks)
    }

    func id(_ context: TenantRequestContext) throws -> ActivityID {
        try context.parameters.id("id", as: ActivityID.self, entity: "activity")
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<Activity> {
        let input = try await request.decodeBody(NewActivity.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await activities.create(context.principal, input))
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Activity> {
        ListResponse(try await activities.list(context.principal, try Self.filter(request), try request.pageRequest))
    }

    /// The list's filters, also the export's.
    static func filter(_ request: Request) throws -> ActivityFilter {
        let attachments = ActivityAttachments(accountID: try request.filterID("account_id", as: AccountID.self),
                                              contactID: try request.filterID("contact_id", as: ContactID.self),
                                              leadID: try request.filterID("lead_id", as: LeadID.self),
                                              dealID: try request.filterID("deal_id", as: DealID.self),
                                              caseID: try request.filterID("case_id", as: CaseID.self))
        return ActivityFilter(kind: try request.filterValue("kind", as: Activity.Kind.self), attachments: attachments,
                              ownerID: try request.filterID("owner_id", as: UserID.self),
                              assigneeID: try request.filterID("assignee_id", as: UserID.self),
                              done: try request.filterBool("done"), due: try request.filterValue("due", as: TaskDue.self))
    }

    /// The calling member's open tasks, soonest due first; `?due=today|overdue|upcoming` in the
    /// workspace's time zone.
    @Sendable func myTasks(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Activity> {
        let filter = ActivityFilter.openTasks(of: context.principal.user, due: try request.filterValue("due", as: TaskDue.self))
        return ListResponse(try await activities.list(context.principal, filter, try request.pageRequest))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Activity {
        try await activities.get(context.principal, try id(context))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Activity {
        let id = try id(context)
        return try await activities.update(context.principal, id, try await request.decodeBody(ActivityPatch.self, maxBytes: maxBodyBytes))
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try await activities.delete(context.principal, try id(context))
        return .noContent
    }
}
