import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

extension RecordShare: ResponseEncodable {}
extension ReassignedRecords: ResponseEncodable {}

/// `/api/v1/{accounts|contacts|leads|deals|cases}/{id}/shares`: who else may read or change a record,
/// managed by whoever may change it; and `/api/v1/members/{id}/reassign`, which moves a member's
/// records to another, for owners and admins (Docs/Access.md).
struct RecordSharesController {
    let shares: RecordShares
    let maxBodyBytes: Int

    static let administrators: Set<MembershipRole> = [.owner, .admin]

    /// The kinds of record that can be shared, with their paths; an activity follows its owner and
    /// assignee only.
    static let shareable: [(kind: RecordKind, path: String)] = [(.account, "accounts"), (.contact, "contacts"), (.lead, "leads"),
                                                                (.deal, "deals"), (.serviceCase, "cases")]

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        for (kind, path) in Self.shareable {
            group.post("\(path)/{id}/shares") { request, context in try await share(kind, request, context) }
            group.get("\(path)/{id}/shares") { request, context in try await list(kind, request, context) }
            group.delete("\(path)/{id}/shares/{user_id}") { request, context in try await revoke(kind, request, context) }
        }
        group.post("members/{id}/reassign", use: reassign)
    }

    func recordID(_ kind: RecordKind, _ context: TenantRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw GuanxiError.notFound(kind.rawValue) }
        return id
    }

    func share(_ kind: RecordKind, _ request: Request, _ context: TenantRequestContext) async throws -> EditedResponse<RecordShare> {
        let id = try recordID(kind, context)
        let input = try await request.decodeBody(NewRecordShare.self, maxBytes: maxBodyBytes)
        let (share, created) = try await shares.share(context.principal, kind, id, input)
        return EditedResponse(status: created ? .created : .ok, response: share)
    }

    func list(_ kind: RecordKind, _ request: Request, _ context: TenantRequestContext) async throws -> ListResponse<RecordShare> {
        ListResponse(try await shares.list(context.principal, kind, try recordID(kind, context), try request.pageRequest))
    }

    func revoke(_ kind: RecordKind, _ request: Request, _ context: TenantRequestContext) async throws -> HTTPResponse.Status {
        let id = try recordID(kind, context)
        let user = try context.parameters.id("user_id", as: UserID.self, entity: "share")
        try await shares.revoke(context.principal, kind, id, from: user)
        return .noContent
    }

    @Sendable func reassign(_ request: Request, context: TenantRequestContext) async throws -> ReassignedRecords {
        try context.require(Self.administrators)
        let from = try context.parameters.id("id", as: UserID.self, entity: "member")
        let input = try await request.decodeBody(RecordReassignment.self, maxBytes: maxBodyBytes)
        return try await shares.reassign(context.principal, from: from, input)
    }
}
