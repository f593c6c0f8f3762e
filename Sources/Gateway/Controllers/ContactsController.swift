import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

extension Contact: ResponseEncodable {}

/// `/api/v1/contacts`: people of the workspace.
struct ContactsController {
    let contacts: Contacts
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("contacts", use: create)
        group.get("contacts", use: list)
        group.get("contacts/{id}", use: get)
        group.patch("contacts/{id}", use: update)
        group.delete("contacts/{id}", use: delete)
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<Contact> {
        let input = try await request.decodeBody(NewContact.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await contacts.create(context.principal.tenant, input))
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Contact> {
        ListResponse(try await contacts.list(context.principal.tenant, try Self.filter(request), try request.pageRequest))
    }

    /// The list's filters, also the export's.
    static func filter(_ request: Request) throws -> ContactFilter {
        ContactFilter(q: request.filterText("q"), accountID: try request.filterID("account_id", as: AccountID.self),
                      customFields: try request.customFieldFilter)
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Contact {
        try await contacts.get(context.principal.tenant, try context.parameters.id("id", as: ContactID.self, entity: "contact"))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Contact {
        let id = try context.parameters.id("id", as: ContactID.self, entity: "contact")
        let patch = try await request.decodeBody(ContactPatch.self, maxBytes: maxBodyBytes)
        return try await contacts.update(context.principal.tenant, id, patch)
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try await contacts.delete(context.principal.tenant, try context.parameters.id("id", as: ContactID.self, entity: "contact"))
        return .noContent
    }
}
