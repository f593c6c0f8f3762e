import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import NIOCore
import Tenancy

extension ImportJob: ResponseEncodable {}
extension ImportRowError: ResponseEncodable {}

/// `/api/v1/imports`: CSV files uploaded, previewed, mapped and committed into contacts, accounts or leads.
struct ImportsController {
    let imports: Imports
    let maxBodyBytes: Int
    var maxUploadBytes = Imports.maxUploadBytes

    /// The roles that may import a kind of record, where not every member may: leads are created by
    /// those who may create a lead one at a time.
    static let importers: [String: Set<MembershipRole>] = ["leads": LeadsController.sellers]

    /// 403 `forbidden_role` when the member's role may not import `object`.
    static func requireMayImport(_ object: String?, _ context: TenantRequestContext) throws {
        if let object, let roles = importers[object] { try context.require(roles) }
    }

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("imports", use: create)
        group.get("imports/{id}", use: get)
        group.get("imports/{id}/errors", use: errors)
        group.patch("imports/{id}", use: update)
        group.post("imports/{id}/commit", use: commit)
    }

    /// The file is the raw body (`text/csv`) or the `file` part of a `multipart/form-data` body;
    /// `object`, `dedupe` and `file_name` come from the query or from form fields of those names.
    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> EditedResponse<ImportJob> {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxUploadBytes)
        } catch {
            throw GuanxiError(.payloadTooLarge, code: "payload_too_large",
                              message: "The file is larger than \(maxUploadBytes >> 20) MiB; split it and import the parts.")
        }
        let bytes = Array(body.readableBytesView)
        let query = request.uri.queryParameters
        var fields: [String: String] = [:]
        for name in ["object", "dedupe", "file_name"] { fields[name] = query[Substring(name)].map(String.init) }
        let file: [UInt8]
        let contentType = request.headers[.contentType] ?? ""
        if let boundary = MultipartForm.boundary(ofContentType: contentType) {
            guard let form = MultipartForm(bytes, boundary: boundary), let part = form.part(named: "file") else {
                throw GuanxiError(.malformed, code: "invalid_upload",
                                  message: "The multipart body has no part named file; send the CSV file as the form field file.")
            }
            for name in ["object", "dedupe"] {
                if let value = form.part(named: name) { fields[name] = String(decoding: value.body, as: UTF8.self) }
            }
            fields["file_name"] = part.fileName ?? fields["file_name"]
            file = Array(part.body)
        } else if ["text/csv", "application/csv", "application/vnd.ms-excel", "text/plain"]
                    .contains(contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            file = bytes
        } else {
            throw GuanxiError(.malformed, code: "invalid_upload",
                              message: "Send the file as Content-Type: text/csv, or as the field file of a multipart/form-data form.")
        }
        try Self.requireMayImport(fields["object"], context)
        let job = try await imports.create(context.principal.tenant, by: context.principal.user, object: fields["object"],
                                           dedupe: fields["dedupe"], fileName: fields["file_name"], bytes: file)
        return EditedResponse(status: .created, response: job)
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> ImportJob {
        try await imports.get(context.principal.tenant, try context.parameters.id("id", as: ImportID.self, entity: "import"))
    }

    @Sendable func errors(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<ImportRowError> {
        let id = try context.parameters.id("id", as: ImportID.self, entity: "import")
        return ListResponse(try await imports.errors(context.principal.tenant, id, try request.pageRequest))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> ImportJob {
        let id = try context.parameters.id("id", as: ImportID.self, entity: "import")
        let patch = try await request.decodeBody(ImportPatch.self, maxBytes: maxBodyBytes)
        return try await imports.update(context.principal.tenant, id, patch)
    }

    @Sendable func commit(_ request: Request, context: TenantRequestContext) async throws -> ImportJob {
        let id = try context.parameters.id("id", as: ImportID.self, entity: "import")
        return try await imports.commit(context.principal.tenant, id) { try Self.requireMayImport($0, context) }
    }
}
