import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

extension CustomFieldDefinition: ResponseEncodable {}

/// `/api/v1/custom-fields`: the fields a workspace added to its accounts, contacts, leads, deals and
/// cases. Every member reads them, to know what to fill in; owners and admins define them.
struct CustomFieldsController {
    let definitions: CustomFieldDefinitions
    let maxBodyBytes: Int

    static let editors: Set<MembershipRole> = [.owner, .admin]

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("custom-fields", use: list)
        group.post("custom-fields", use: create)
        group.get("custom-fields/{id}", use: get)
        group.patch("custom-fields/{id}", use: update)
        group.delete("custom-fields/{id}", use: delete)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<CustomFieldDefinition> {
        let object = try request.filterValue("object", as: CustomFieldObject.self)
        return ListResponse(try await definitions.list(context.principal.tenant, object: object, try request.pageRequest))
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<CustomFieldDefinition> {
        try context.require(Self.editors)
        let input = try await request.decodeBody(NewCustomFieldDefinition.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await definitions.create(context.principal.tenant, input))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> CustomFieldDefinition {
        try await definitions.get(context.principal.tenant, try Self.id(context))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> CustomFieldDefinition {
        try context.require(Self.editors)
        let id = try Self.id(context)
        let patch = try await request.decodeBody(CustomFieldDefinitionPatch.self, maxBytes: maxBodyBytes)
        return try await definitions.update(context.principal.tenant, id, patch)
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try context.require(Self.editors)
        try await definitions.delete(context.principal.tenant, try Self.id(context))
        return .noContent
    }

    private static func id(_ context: TenantRequestContext) throws -> CustomFieldID {
        try context.parameters.id("id", as: CustomFieldID.self, entity: "custom_field")
    }
}

extension Request {
    /// The `cf.<key>` filters of a list of accounts, contacts, leads, deals or cases.
    var customFieldFilter: CustomFieldFilter {
        get throws { try CustomFieldFilter(parameters: uri.queryParameters.map { (String($0.key), String($0.value)) }) }
    }
}
