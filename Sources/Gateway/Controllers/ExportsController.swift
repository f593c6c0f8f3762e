import CRM
import Foundation
import GuanxiCore
import HTTPTypes
import Hummingbird
import NIOCore
import Tenancy

/// `GET /api/v1/{contacts,accounts}/export.csv`: a list, with the list endpoint's filters, as a CSV
/// file streamed a page at a time.
struct ExportsController {
    let exports: Exports

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("contacts/export.csv", use: contacts)
        group.get("accounts/export.csv", use: accounts)
    }

    @Sendable func contacts(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var accountID: AccountID?
        if let text = query["account_id"] {
            guard let id = AccountID(String(text)) else {
                throw GuanxiError(.malformed, code: "invalid_filter", message: "account_id must be an id (UUID).")
            }
            accountID = id
        }
        let filter = ContactFilter(q: query["q"].map(String.init), accountID: accountID)
        return try await response(exports.contacts(context.principal.tenant, filter, encoding: try encoding(request)), named: "contacts")
    }

    @Sendable func accounts(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let q = request.uri.queryParameters["q"].map(String.init)
        return try await response(exports.accounts(context.principal.tenant, q: q, encoding: try encoding(request)), named: "accounts")
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
