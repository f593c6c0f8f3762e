import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

extension ServiceCase: ResponseEncodable {}
extension CaseEvent: ResponseEncodable {}

/// `/api/v1/cases`: the workspace's service cases, their responses, ratings and history.
struct CasesController {
    let cases: Cases
    let maxBodyBytes: Int

    /// Deleting a case deletes its history too; only these roles may.
    static let deleters: Set<MembershipRole> = [.owner, .admin]

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("cases", use: create)
        group.get("cases", use: list)
        group.get("cases/{id}", use: get)
        group.patch("cases/{id}", use: update)
        group.delete("cases/{id}", use: delete)
        group.post("cases/{id}/responses", use: respond)
        group.post("cases/{id}/satisfaction", use: rate)
        group.get("cases/{id}/history", use: history)
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<ServiceCase> {
        let input = try await request.decodeBody(NewCase.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await cases.create(context.principal, input))
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<ServiceCase> {
        ListResponse(try await cases.list(context.principal.tenant, try Self.filter(request, caller: context.principal.user),
                                          try request.pageRequest))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> ServiceCase {
        try await cases.get(context.principal.tenant, try Self.caseID(context))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> ServiceCase {
        let id = try Self.caseID(context)
        let patch = try await request.decodeBody(CasePatch.self, maxBytes: maxBodyBytes)
        return try await cases.update(context.principal, id, patch)
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try context.require(Self.deleters)
        try await cases.delete(context.principal.tenant, try Self.caseID(context))
        return .noContent
    }

    @Sendable func respond(_ request: Request, context: TenantRequestContext) async throws -> ServiceCase {
        let id = try Self.caseID(context)
        let response = try await request.decodeBody(CaseResponse.self, maxBytes: maxBodyBytes)
        return try await cases.respond(context.principal, id, response)
    }

    @Sendable func rate(_ request: Request, context: TenantRequestContext) async throws -> ServiceCase {
        let id = try Self.caseID(context)
        let rating = try await request.decodeBody(SatisfactionRating.self, maxBytes: maxBodyBytes)
        return try await cases.recordSatisfaction(context.principal, id, rating)
    }

    @Sendable func history(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<CaseEvent> {
        ListResponse(try await cases.history(context.principal.tenant, try Self.caseID(context), try request.pageRequest))
    }

    private static func caseID(_ context: TenantRequestContext) throws -> CaseID {
        try context.parameters.id("id", as: CaseID.self, entity: "case")
    }

    /// The list's query parameters, also the export's; anything that cannot be read is 400 `invalid_filter`.
    static func filter(_ request: Request, caller: UserID) throws -> CaseFilter {
        let query = request.uri.queryParameters
        func invalid(_ message: String) -> GuanxiError { GuanxiError(.malformed, code: "invalid_filter", message: message) }
        func values<Value: RawRepresentable & CaseIterable>(_ name: Substring, as type: Value.Type) throws -> [Value]?
        where Value.RawValue == String {
            guard let text = query[name] else { return nil }
            return try text.split(separator: ",", omittingEmptySubsequences: false).map {
                guard let value = Value(rawValue: String($0)) else {
                    throw invalid("\(name) takes one or more of \(Value.allCases.map(\.rawValue).joined(separator: ", ")), separated by commas.")
                }
                return value
            }
        }
        func flag(_ name: Substring) throws -> Bool? {
            switch query[name] {
            case nil: return nil
            case "true"?: return true
            case "false"?: return false
            default: throw invalid("\(name) must be true or false.")
            }
        }
        func id<Entity>(_ name: Substring, as type: Identifier<Entity>.Type) throws -> Identifier<Entity>? {
            guard let text = query[name] else { return nil }
            guard let id = Identifier<Entity>(String(text)) else { throw invalid("\(name) must be an id (UUID).") }
            return id
        }
        var filter = CaseFilter(statuses: try values("status", as: CaseStatus.self), priorities: try values("priority", as: CasePriority.self),
                                open: try flag("open"), breached: try flag("breached"), category: query["category"].map(String.init),
                                contactID: try id("contact_id", as: ContactID.self), accountID: try id("account_id", as: AccountID.self))
        switch query["assignee"] {
        case nil: break
        case "me"?: filter.assignee = .member(caller)
        case "none"?: filter.assignee = .unassigned
        case let text?:
            guard let user = UserID(String(text)) else { throw invalid("assignee must be me, none or a member's id (UUID).") }
            filter.assignee = .member(user)
        }
        if let text = query["number"] {
            guard let number = Int(text), number > 0 else { throw invalid("number must be a case number such as 1001.") }
            filter.number = number
        }
        filter.customFields = try request.customFieldFilter
        return filter
    }
}
