import Billing
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import Tenancy

extension Payment: ResponseEncodable {}
extension BillingProfile: ResponseEncodable {}
extension BillingRun.Summary: ResponseEncodable {}

/// `/ops/v1/invoices`, `/ops/v1/billing/runs`, `/ops/v1/dunning` and a tenant's billing profile:
/// the provider's finance work on invoices across tenants.
struct OperatorBillingController {
    let invoices: Invoices
    let billingRun: BillingRun
    let dunning: Dunning
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.post("billing/runs", use: run)
        group.get("invoices", use: list)
        group.get("invoices/{id}", use: get)
        group.post("invoices/{id}/issue", use: issue)
        group.post("invoices/{id}/void", use: void)
        group.get("invoices/{id}/payments", use: payments)
        group.post("invoices/{id}/payments", use: recordPayment)
        group.post("invoices/{id}/credit-notes", use: creditNote)
        group.get("dunning", use: dunningEvents)
        group.get("tenants/{id}/billing-profile", use: profile)
        group.put("tenants/{id}/billing-profile", use: setProfile)
    }

    struct RunRequest: RequestPayload {
        static let fields: Set<String> = ["period", "issue", "tenant_id"]
        var period: String
        var issue: Bool?
        var tenant_id: TenantID?
    }

    struct PaymentList: ResponseEncodable {
        var data: [Payment]
    }

    func invoiceID(_ context: OperatorRequestContext) throws -> InvoiceID {
        try context.parameters.id("id", as: InvoiceID.self, entity: "invoice")
    }

    /// A `tenant_id` query filter, when given.
    func tenantFilter(_ request: Request) throws -> TenantID? {
        guard let text = request.uri.queryParameters["tenant_id"] else { return nil }
        guard let id = TenantID(String(text)) else {
            throw GuanxiError(.malformed, code: "invalid_filter", message: "tenant_id must be an id (UUID).")
        }
        return id
    }

    @Sendable func run(_ request: Request, context: OperatorRequestContext) async throws -> BillingRun.Summary {
        let input = try await request.decodeBody(RunRequest.self, maxBytes: maxBodyBytes)
        let period = try BillingMonth.parse(input.period, field: "period")
        let summary = try await billingRun.run(period: period, issue: input.issue ?? true, tenants: input.tenant_id.map { [$0] })
        context.logger.notice("billing run", metadata: ["period": "\(period)", "created": "\(summary.created)", "operator": "\(context.principal.name)"])
        return summary
    }

    @Sendable func list(_ request: Request, context: OperatorRequestContext) async throws -> ListResponse<Invoice> {
        var status: Invoice.Status?
        if let text = request.uri.queryParameters["status"] {
            guard let parsed = Invoice.Status(rawValue: String(text)) else {
                throw GuanxiError(.malformed, code: "invalid_filter", message: "status must be draft, issued, paid or void.")
            }
            status = parsed
        }
        return ListResponse(try await invoices.listForOperator(tenant: try tenantFilter(request), status: status, try request.pageRequest))
    }

    @Sendable func get(_ request: Request, context: OperatorRequestContext) async throws -> Invoice {
        try await invoices.forOperator(try invoiceID(context))
    }

    @Sendable func issue(_ request: Request, context: OperatorRequestContext) async throws -> Invoice {
        try await invoices.issue(try invoiceID(context))
    }

    @Sendable func void(_ request: Request, context: OperatorRequestContext) async throws -> Invoice {
        try await invoices.void(try invoiceID(context))
    }

    @Sendable func payments(_ request: Request, context: OperatorRequestContext) async throws -> PaymentList {
        PaymentList(data: try await invoices.payments(try invoiceID(context)))
    }

    @Sendable func recordPayment(_ request: Request, context: OperatorRequestContext) async throws -> EditedResponse<Invoice> {
        let id = try invoiceID(context)
        let input = try await request.decodeBody(PaymentInput.self, maxBytes: maxBodyBytes)
        let invoice = try await invoices.recordPayment(id, input, recordedBy: "operator:\(context.principal.name)")
        return EditedResponse(status: .created, response: invoice)
    }

    @Sendable func creditNote(_ request: Request, context: OperatorRequestContext) async throws -> EditedResponse<Invoice> {
        let id = try invoiceID(context)
        let input = try await request.decodeBody(CreditNoteInput.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await invoices.creditNote(against: id, input))
    }

    @Sendable func dunningEvents(_ request: Request, context: OperatorRequestContext) async throws -> ListResponse<DunningEvent> {
        ListResponse(try await dunning.events(tenant: try tenantFilter(request), try request.pageRequest))
    }

    @Sendable func profile(_ request: Request, context: OperatorRequestContext) async throws -> BillingProfile {
        try await invoices.profile(try context.parameters.id("id", as: TenantID.self, entity: "tenant"))
    }

    @Sendable func setProfile(_ request: Request, context: OperatorRequestContext) async throws -> BillingProfile {
        let tenant = try context.parameters.id("id", as: TenantID.self, entity: "tenant")
        let input = try await request.decodeBody(BillingProfileInput.self, maxBytes: maxBodyBytes)
        return try await invoices.setProfile(tenant, input)
    }
}
