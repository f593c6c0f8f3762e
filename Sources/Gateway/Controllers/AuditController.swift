import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

extension AuditEntry: ResponseEncodable {}

/// `/api/v1/audit`: who changed what and when, for the workspace's owners and admins.
struct AuditController {
    let auditLog: AuditLog

    static let readers: Set<MembershipRole> = [.owner, .admin]

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("audit", use: list)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<AuditEntry> {
        try context.require(Self.readers)
        let query = request.uri.queryParameters
        var filter = AuditFilter()
        if let text = query["entity_type"].map(String.init) {
            guard text.wholeMatch(of: /[a-z][a-z0-9_]{0,62}/) != nil else {
                throw Self.invalidFilter("entity_type must be the name of a table, such as contacts.")
            }
            filter.entityType = text
        }
        if let text = query["entity_id"].map(String.init) {
            guard let id = UUID(uuidString: text) else { throw Self.invalidFilter("entity_id must be an id (UUID).") }
            filter.entityID = id
        }
        if let text = query["actor"].map(String.init) {
            if text == "system" {
                filter.actor = .system
            } else if let user = UserID(text) {
                filter.actor = .user(user)
            } else {
                throw Self.invalidFilter("actor must be a member's user id (UUID), or system.")
            }
        }
        filter.from = try query["from"].map { try Self.time(String($0), name: "from") }
        filter.to = try query["to"].map { try Self.time(String($0), name: "to") }
        return ListResponse(try await auditLog.list(context.principal.tenant, filter, try request.pageRequest))
    }

    /// An ISO 8601 time with a zone, with or without fractions of a second.
    static func time(_ text: String, name: String) throws -> Date {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        throw invalidFilter("\(name) must be an ISO 8601 time with a zone, such as 2026-11-29T18:10:07Z.")
    }

    static func invalidFilter(_ message: String) -> GuanxiError {
        GuanxiError(.malformed, code: "invalid_filter", message: message)
    }
}
