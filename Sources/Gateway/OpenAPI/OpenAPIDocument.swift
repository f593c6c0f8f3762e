import Foundation
import GuanxiCore
import HTTPTypes

extension OpenAPI {
    /// Every area of the API, in the order the document lists them. A new area is a file
    /// `OpenAPI+<Area>.swift` with `extension OpenAPI.Area { static let <area> = OpenAPI.Area(…) }`
    /// and one line here; `OpenAPITests` then holds it to the router in both directions.
    static let areas: [Area] = [
        .sessions,
        .workspace,
        .members,
        .recordAccess,
        .accounts,
        .contacts,
        .timeline,
        .search,
        .leads,
        .leadForm,
        .pipelines,
        .deals,
        .activities,
        .cases,
        .serviceLevels,
        .campaigns,
        .customFields,
        .imports,
        .invoices,
        .audit,
        .webhooks,
        .apiDescription,
    ]

    /// The document's bytes: encoded once, served as they are.
    static let encoded: Data = {
        do {
            return try JSONCoding.encoder.encode(document(areas))
        } catch {
            preconditionFailure("The OpenAPI document could not be encoded: \(error)")
        }
    }()

    static let introduction = """
        The tenant API of Guanxi, a hosted CRM: what a workspace's members and their programs call, on `/api/v1`, \
        signing in, on `/auth`, and each workspace's public lead form, on `/forms/{slug}`. The provider's operator API \
        (`/ops/v1`) and the health checks (`/healthz`, `/readyz`) are not described here.

        **Credentials.** `/api/v1` takes an API key (`Authorization: Bearer gx_…`) or the session cookie of \
        `POST /auth/login` on the workspace's own host, `<slug>.<base domain>`. `/auth` runs on that host only. \
        `/forms` takes no credential, on any host.

        **Errors** are `{"error": {"code", "message", "details"}}`; `code` is stable, and each answer lists the codes \
        it can hold. Rarely, besides those, a write answers 409 `concurrent_update` (two changes deadlocked: retry), a \
        value the database refuses though the server's own checks passed answers 409 `already_exists` or 422 \
        `invalid_reference` / `invalid_value`, and a set-up fault of the server answers 403 \
        `database_permission_denied`. A path or method no endpoint has answers 404 `route_not_found`.

        **Lists** answer `{"data": [...], "next_cursor"}` and take `limit` and `cursor`. **PATCH** bodies hold only \
        the fields to change: a field left out keeps its value, `null` clears it. Optional fields are always present \
        in answers, as `null` when empty. Times are ISO 8601 in UTC; ids are UUIDs (version 7).

        **Limits.** A workspace's subscription, rate limits and concurrent requests apply before an `/api/v1` \
        operation runs. Every `/api/v1` answer but 401 and 403 `tenant_suspended` carries `X-RateLimit-*` headers. \
        `GET /api/v1/limits` shows every quota.
        """

    /// The whole document as JSON.
    static func document(_ areas: [Area]) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        var schemas = commonSchemas.mapValues(\.json)
        for area in areas {
            for (name, schema) in area.schemas {
                precondition(schemas[name] == nil, "two areas define the schema \(name)")
                schemas[name] = schema.json
            }
            for operation in area.operations {
                let method = operation.method.rawValue.lowercased()
                precondition(paths[operation.path]?[method] == nil, "\(operation.method) \(operation.path) is described twice")
                paths[operation.path, default: [:]][method] = operation.json(tag: area.tag, access: area.access)
                if let item = operation.success.pageItem { schemas[pageSchemaName(item)] = pageSchema(of: item).json }
            }
        }
        return .object([
            "openapi": .string("3.1.0"),
            "info": .object([
                "title": .string("Guanxi tenant API"),
                "version": .string("v1"),
                "description": .string(introduction),
            ]),
            "servers": .array([.object([
                "url": .string("/"),
                "description": .string("The host this document was fetched from. Sign-in and session cookies need the workspace's own "
                    + "host, `<slug>.<base domain>`; API keys work on any."),
            ])]),
            "tags": .array(areas.map { .object(["name": .string($0.tag), "description": .string($0.description)]) }),
            "security": .array([.object(["apiKey": .array([])]), .object(["session": .array([])])]),
            "paths": .object(paths.mapValues(JSONValue.object)),
            "components": .object([
                "schemas": .object(schemas),
                "responses": .object(sharedErrorResponses),
                "parameters": .object(Dictionary(uniqueKeysWithValues: pageParameters.map { ($0.name, $0.json) })),
                "headers": .object(commonHeaders.mapValues(\.json)),
                "securitySchemes": securitySchemes,
            ]),
        ])
    }
}

extension OpenAPI.Parameter {
    var json: JSONValue {
        .object(["name": .string(name), "in": .string(location.rawValue), "required": .bool(location == .path || required),
                 "description": .string(description), "schema": schema.json])
    }
}

extension OpenAPI.Operation {
    /// Every error code this operation can answer, grouped by status: those of its access, its
    /// body and its pagination, then its own. Its own meaning of a code wins over the general one.
    func errorsByStatus(access: OpenAPI.Access) -> [Int: [OpenAPI.ErrorCode]] {
        var all = access.errors(for: method)
        if body != nil { all += [.malformedJSON, .payloadTooLarge, .unknownField, .invalidField] }
        if success.pageItem != nil { all += [.invalidLimit, .invalidCursor] }
        var byStatus: [Int: [OpenAPI.ErrorCode]] = [:]
        for error in all + errors {
            var group = byStatus[error.status, default: []]
            if let index = group.firstIndex(where: { $0.code == error.code }) {
                group[index] = error
            } else {
                group.append(error)
            }
            byStatus[error.status] = group
        }
        return byStatus
    }

    func json(tag: String, access: OpenAPI.Access) -> JSONValue {
        var parameters = self.parameters.map(\.json)
        if success.pageItem != nil {
            parameters += OpenAPI.pageParameters.map { .object(["$ref": .string("#/components/parameters/\($0.name)")]) }
        }
        var responses: [String: JSONValue] = [:]
        for (status, description) in success.otherStatuses.merging([success.status: success.description], uniquingKeysWith: { $1 }) {
            responses[String(status)] = successJSON(description, access: access)
        }
        for (status, codes) in errorsByStatus(access: access) {
            let response = Self.errorJSON(status: status, codes: codes, access: access, pages: pages)
            let shared = OpenAPI.sharedErrorResponses.first { $0.value == response }?.key
            responses[String(status)] = shared.map { .object(["$ref": .string("#/components/responses/\($0)")]) } ?? response
        }
        var operation: [String: JSONValue] = [
            "operationId": .string(id),
            "summary": .string(summary),
            "tags": .array([.string(tag)]),
            "responses": .object(responses),
        ]
        if let description { operation["description"] = .string(description) }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        var content = upload.mapValues { JSONValue.object(["schema": $0.json]) }
        if let body {
            content[OpenAPI.jsonMediaType] = .object(["schema": body.json])
            if case .forFormPosts = pages {
                for mediaType in [OpenAPI.formMediaType, OpenAPI.multipartMediaType] {
                    content[mediaType] = .object(["schema": body.asFormPost.json])
                }
            }
        }
        if !content.isEmpty { operation["requestBody"] = .object(["required": .bool(true), "content": .object(content)]) }
        if let security = access.security { operation["security"] = security }
        return .object(operation)
    }

    /// The success answer, with the description of the status it is for.
    func successJSON(_ description: String, access: OpenAPI.Access) -> JSONValue {
        var headers = Dictionary(uniqueKeysWithValues: access.headers.map { ($0, Self.headerReference($0)) })
        for (name, header) in success.headers { headers[name] = header.json }
        var response: [String: JSONValue] = ["description": .string(description), "headers": .object(headers)]
        var content: [String: JSONValue] = [:]
        if let schema = success.schema { content[success.mediaType] = .object(["schema": schema.json]) }
        if pages.answersSuccessWithPage { content[OpenAPI.htmlMediaType] = .object(["schema": OpenAPI.Schema.htmlPage.json]) }
        if !content.isEmpty { response["content"] = .object(content) }
        return .object(response)
    }

    static func errorJSON(status: Int, codes: [OpenAPI.ErrorCode], access: OpenAPI.Access, pages: OpenAPI.Pages = .none) -> JSONValue {
        var names = status == 401 ? [OpenAPI.requestIDHeader, "WWW-Authenticate"] : access.headers
        if codes.contains(where: \.retryAfter) { names.append("Retry-After") }
        let description = codes.map { "`\($0.code)`: \($0.meaning)" }.joined(separator: "\n\n")
        var content: [String: JSONValue] = [:]
        if !codes.allSatisfy(pages.answersWithPageOnly) {
            content[OpenAPI.jsonMediaType] = .object(["schema": OpenAPI.errorSchema(codes: codes.map(\.code)).json])
        }
        if codes.contains(where: pages.answersWithPage) {
            content[OpenAPI.htmlMediaType] = .object(["schema": OpenAPI.Schema.htmlPage.described(
                "An HTML page that says what went wrong and shows the code, in the workspace's language (English or Simplified "
                    + "Chinese), or in both when the refusal came before the workspace was known.").json])
        }
        return .object([
            "description": .string(description),
            "headers": .object(Dictionary(uniqueKeysWithValues: names.map { ($0, headerReference($0)) })),
            "content": .object(content),
        ])
    }

    static func headerReference(_ name: String) -> JSONValue {
        .object(["$ref": .string("#/components/headers/\(name)")])
    }
}

extension OpenAPI.Pages {
    var answersSuccessWithPage: Bool {
        if case .none = self { return false }
        return true
    }

    /// Whether the error answer of `error` may be a page.
    func answersWithPage(_ error: OpenAPI.ErrorCode) -> Bool {
        switch self {
        case .none: false
        case .instead(let codes): codes.contains(error.code)
        case .forFormPosts: true
        }
    }

    /// Whether the error answer of `error` is always a page, never JSON.
    func answersWithPageOnly(_ error: OpenAPI.ErrorCode) -> Bool {
        if case .instead(let codes) = self { return codes.contains(error.code) }
        return false
    }
}
