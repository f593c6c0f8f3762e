import Foundation
import GuanxiCore
import HTTPTypes

/// The OpenAPI 3.1 description of the tenant API, served at `GET /api/openapi.json`.
///
/// It is built from typed parts: each area of the API (`OpenAPI+Contacts.swift`, …) contributes an
/// `Area` with its operations and component schemas, and `OpenAPI.areas` (in `OpenAPIDocument.swift`)
/// lists the areas. Errors that follow from an operation's shape — the credential it needs, a request
/// body, a paginated answer — are added by the model, so an area names only its own codes.
enum OpenAPI {
    /// One part of the API: a tag, the operations under it, and the schemas they refer to.
    struct Area: Sendable {
        var tag: String
        var description: String
        /// Who may call the area's operations, and so what every one of them can answer.
        var access: Access
        /// Component schemas, referred to as `Schema.ref(name)`.
        var schemas: [String: Schema] = [:]
        var operations: [Operation]
    }

    /// The credential an operation takes, which decides its security requirement and the errors
    /// and headers that come with it.
    enum Access: Sendable {
        /// `/api/v1`: an API key, or a session cookie on the workspace's host. The workspace's
        /// status, subscription, rate limits and concurrency apply before the operation runs.
        case workspace
        /// `/auth/…`: no credential, on a workspace's own host, `<slug>.<base domain>`.
        case workspaceHost
        /// `/forms/{slug}/…`: no credential, on any host; the slug in the path names the workspace.
        case publicBySlug
        /// No credential and no database.
        case open
    }

    /// HTML pages for people that an operation answers besides or instead of JSON.
    enum Pages: Sendable {
        /// Every answer is JSON.
        case none
        /// The success is a page, and so is the error answer of each code named; other errors are JSON.
        case instead(errors: Set<String>)
        /// The body may also be a browser's form post (`application/x-www-form-urlencoded` or `multipart/form-data`, the
        /// same fields as text), which is answered with pages: the success and every refusal, with the status and code a JSON
        /// client would get.
        case forFormPosts
    }

    /// One method on one path.
    struct Operation: Sendable {
        var method: HTTPRequest.Method
        /// As in the router, with `{name}` for a path parameter: `/api/v1/contacts/{id}`.
        var path: String
        var id: String
        var summary: String
        var description: String?
        /// Path and query parameters; `limit` and `cursor` come with a `.page` answer.
        var parameters: [Parameter] = []
        /// The JSON body, if the operation reads one (`Schema.body`).
        var body: Schema?
        /// A body that is not JSON, such as an uploaded file, by media type. Unlike `body` it brings no
        /// errors of its own: the operation names those it answers.
        var upload: [String: Schema] = [:]
        var success: Success
        /// The codes this operation answers beyond those of its access, body and pagination.
        var errors: [ErrorCode] = []
        /// Whether, and which of, its answers are HTML pages for people.
        var pages: Pages = .none
    }

    /// A path or query parameter.
    struct Parameter: Sendable {
        enum Location: String, Sendable { case path, query }
        var name: String
        var location: Location
        var description: String
        var schema: Schema
        /// Path parameters always are; a query parameter is when the operation refuses a request without it.
        var required = false

        /// An id in the path; one that is not a UUID answers the entity's 404 like a missing one.
        static func id(_ name: String, _ description: String) -> Parameter {
            Parameter(name: name, location: .path, description: description, schema: .id)
        }

        static func query(_ name: String, _ schema: Schema, _ description: String) -> Parameter {
            Parameter(name: name, location: .query, description: description, schema: schema)
        }

        static func requiredQuery(_ name: String, _ schema: Schema, _ description: String) -> Parameter {
            Parameter(name: name, location: .query, description: description, schema: schema, required: true)
        }
    }

    /// The answer of an operation that succeeded.
    struct Success: Sendable {
        var status: Int
        var description: String
        var schema: Schema?
        /// The media type `schema` describes.
        var mediaType = OpenAPI.jsonMediaType
        /// The item schema's name when the answer is a page of a list.
        var pageItem: String?
        /// Headers beyond those every answer of the access carries, by name.
        var headers: [String: Header] = [:]
        /// Statuses besides `status` that the same answer comes with, each with when.
        var otherStatuses: [Int: String] = [:]

        static func ok(_ schema: Schema, _ description: String) -> Success {
            Success(status: 200, description: description, schema: schema)
        }

        static func created(_ schema: Schema, _ description: String) -> Success {
            Success(status: 201, description: description, schema: schema)
        }

        static func noContent(_ description: String) -> Success {
            Success(status: 204, description: description)
        }

        /// A file of `mediaType`, such as a CSV export.
        static func file(_ mediaType: String, _ description: String) -> Success {
            Success(status: 200, description: description, schema: .file(mediaType), mediaType: mediaType)
        }

        /// One page of a list of the component schema `item`: `{"data": [...], "next_cursor"}`,
        /// with the `limit` and `cursor` parameters and their 400s.
        static func page(of item: String, _ description: String) -> Success {
            Success(status: 200, description: description, schema: .ref(pageSchemaName(item)), pageItem: item)
        }

        func with(header name: String, _ header: Header) -> Success {
            var success = self
            success.headers[name] = header
            return success
        }

        /// The same answer, also with `status` when `description` says.
        func or(_ status: Int, _ description: String) -> Success {
            var success = self
            success.otherStatuses[status] = description
            return success
        }
    }

    /// A response header.
    struct Header: Sendable {
        var description: String
        var schema: Schema

        var json: JSONValue {
            .object(["description": .string(description), "schema": schema.json])
        }
    }

    /// One stable error code, with the status it is answered with.
    struct ErrorCode: Sendable, Hashable {
        var status: Int
        var code: String
        var meaning: String
        /// Whether the answer carries `Retry-After` (and `details.retry_after_seconds`).
        var retryAfter = false

        init(_ status: Int, _ code: String, _ meaning: String, retryAfter: Bool = false) {
            self.status = status
            self.code = code
            self.meaning = meaning
            self.retryAfter = retryAfter
        }
    }

    static func pageSchemaName(_ item: String) -> String { item + "Page" }

    static let jsonMediaType = "application/json"
    static let formMediaType = "application/x-www-form-urlencoded"
    static let htmlMediaType = "text/html"
    static let csvMediaType = "text/csv"
    static let multipartMediaType = "multipart/form-data"
}
