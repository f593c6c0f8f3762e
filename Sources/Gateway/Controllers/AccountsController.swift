import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

extension Account: ResponseEncodable {}

/// `/api/v1/accounts`: companies of the workspace.
struct AccountsController {
    let accounts: Accounts
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("accounts", use: create)
        group.get("accounts", use: list)
        group.get("accounts/{id}", use: get)
        group.patch("accounts/{id}", use: update)
        group.delete("accounts/{id}", use: delete)
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<Account> {
        let input = try await request.decodeBody(NewAccount.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await accounts.create(context.principal.tenant, input))
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Account> {
        ListResponse(try await accounts.list(context.principal.tenant, q: request.filterText("q"),
                                             customFields: try request.customFieldFilter, try request.pageRequest))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Account {
        try await accounts.get(context.principal.tenant, try context.parameters.id("id", as: AccountID.self, entity: "account"))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Account {
        let id = try context.parameters.id("id", as: AccountID.self, entity: "account")
        let patch = try await request.decodeBody(AccountPatch.self, maxBytes: maxBodyBytes)
        return try await accounts.update(context.principal.tenant, id, patch)
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> HTTPResponse.Status {
        try await accounts.delete(context.principal.tenant, try context.parameters.id("id", as: AccountID.self, entity: "account"))
        return .noContent
    }
}
