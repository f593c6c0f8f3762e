import CRM
import Foundation
import GuanxiCore
import HTTPTypes
import Hummingbird
import NIOCore
import Tenancy

/// `GET /api/v1/{contacts,accounts,leads,deals,cases,activities}/export.csv`: a list, with the list
/// endpoint's filters (read by that endpoint's controller), as a CSV file streamed a page at a time.
struct ExportsController {
    let exports: Exports

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("contacts/export.csv", use: contacts)
        group.get("accounts/export.csv", use: accounts)
        group.get("leads/export.csv", use: leads)
        group.get("deals/export.csv", use: deals)
        group.get("cases/export.csv", use: cases)
        group.get("activities/export.csv", use: activities)
    }

    @Sendable func contacts(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let filter = try ContactsController.filter(request)
        return try await response(exports.contacts(context.principal.tenant, filter, encoding: try encoding(request)), named: "contacts")
    }

    @Sendable func accounts(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let export = try await exports.accounts(context.principal.tenant, q: request.filterText("q"), customFields: try request.customFieldFilter,
                                                encoding: try encoding(request))
        return try await response(export, named: "accounts")
    }

    @Sendable func leads(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let filter = try LeadsController.filter(request)
        return try await response(exports.leads(context.principal, filter, encoding: try encoding(request)), named: "leads")
    }

    @Sendable func deals(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let filter = try DealsController.filter(request)
        return try await response(exports.deals(context.principal, filter, encoding: try encoding(request)), named: "deals")
    }

    @Sendable func cases(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let filter = try CasesController.filter(request, caller: context.principal.user)
        return try await response(exports.cases(context.principal.tenant, filter, encoding: try encoding(request)), named: "cases")
    }

    @Sendable func activities(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let filter = try ActivitiesController.filter(request)
        return try await response(exports.activities(context.principal, filter, encoding: try encoding(request)), named: "activities")
    }

    private func encoding(_ request: Request) throws -> ExportEncoding {
        guard let text = request.uri.queryParameters["encoding"] else { return .utf8 }
        guard let encoding = ExportEncoding(rawValue: String(text).lowercased()) else {
            throw GuanxiError(.malformed, code: "invalid_parameter", message: "encoding must be utf-8 or gb18030.",
                              details: ["parameter": "encoding"])
        }
        return encoding
    }

    /// The first part is read before the response starts, so a failure there is still an error
    /// response; later parts stream as they are read.
    private func response(_ export: CSVExport, named name: String) async throws -> Response {
        var export = export
        let first = try await export.next() ?? []
        let headers: HTTPFields = [
            .contentType: "text/csv; charset=\(export.encoding.charset)",
            .contentDisposition: "attachment; filename=\"\(name).csv\"",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { [export] writer in
            var export = export
            try await writer.write(ByteBuffer(bytes: first))
            while let part = try await export.next() {
                try await writer.write(ByteBuffer(bytes: part))
            }
            try await writer.finish(nil)
        })
    }
}
