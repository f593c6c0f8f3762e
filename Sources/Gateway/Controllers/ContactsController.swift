import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

/// A contact as the API answers it, written by hand: it is the answer of the hottest read,
/// `GET /api/v1/contacts/{id}`, and JSONEncoder took 8 % of that request's time (Docs/Performance.md).
/// The bytes are JSONCoding.encoder's for the same contact (a test compares them), so a field added
/// to `Contact` is added to `json` too, in key order; `field(_:encoding:)` writes any Encodable value.
extension Contact: ResponseGenerator {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try json.response()
    }

    var json: JSONObjectWriter {
        get throws {
            var json = JSONObjectWriter()
            json.field("account_id", accountID)
            try json.field("created_at", createdAt)
            if customFields.values.isEmpty {
                json.field("custom_fields", json: "{}")  // most contacts: no JSONEncoder needed
            } else {
                try json.field("custom_fields", encoding: customFields)
            }
            json.field("email", email)
            json.field("id", id)
            json.field("name", name)
            json.field("owner_id", ownerID)
            json.field("phone", phone)
            json.field("title", title)
            try json.field("updated_at", updatedAt)
            return json
        }
    }
}

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
