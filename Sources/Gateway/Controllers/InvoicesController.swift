import Billing
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import Tenancy

extension Invoice: ResponseEncodable {}

/// `/api/v1/invoices`: the workspace's issued invoices and credit notes, as JSON and as a
/// printable page in the workspace's language.
struct InvoicesController {
    let invoices: Invoices

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("invoices", use: list)
        group.get("invoices/{id}", use: get)
        group.get("invoices/{id}/html", use: page)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<Invoice> {
        ListResponse(try await invoices.list(context.principal.tenant, try request.pageRequest))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Invoice {
        try await invoices.get(context.principal.tenant, try context.parameters.id("id", as: InvoiceID.self, entity: "invoice"))
    }

    @Sendable func page(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let document = try await invoices.document(context.principal.tenant, try context.parameters.id("id", as: InvoiceID.self, entity: "invoice"))
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: document.html())))
    }
}
