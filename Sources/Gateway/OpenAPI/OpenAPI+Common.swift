import Foundation
import GuanxiCore
import HTTPTypes

// What every area shares: the error shape and the codes any endpoint may answer, the list
// envelope and its parameters, the credentials, and the headers of every answer.

extension OpenAPI.ErrorCode {
    // A request body, read strictly before anything is written.
    static let malformedJSON = Self(400, "malformed_json", "The body is not a JSON object.")
    static let payloadTooLarge = Self(413, "payload_too_large", "The body is larger than 1 MiB.")
    static let unknownField = Self(422, "unknown_field", "The body has a key this endpoint does not take; `details.field` names it.")
    static let invalidField = Self(422, "invalid_field",
                                   "A field is missing, of the wrong type, `null` where not allowed, or breaks a rule; `details.field` names it.")

    // A page of a list.
    static let invalidLimit = Self(400, "invalid_limit", "`limit` is not a whole number from 1 to 200.")
    static let invalidCursor = Self(400, "invalid_cursor", "`cursor` is not one the server issued.")
    /// A filter parameter of a list that is not valid; `meaning` names the parameters.
    static func invalidFilter(_ meaning: String) -> Self { Self(400, "invalid_filter", meaning) }

    // Every `/api/v1` call, before the operation runs.
    static let authenticationRequired = Self(401, "authentication_required",
                                             "No API key, and no session cookie for this workspace's host.")
    static let invalidAPIKey = Self(401, "invalid_api_key", "The API key is malformed, unknown or revoked.")
    static let invalidSession = Self(401, "invalid_session",
                                     "The session cookie is unknown, expired, ended, or belongs to another workspace.")
    static let tenantSuspended = Self(403, "tenant_suspended", "The workspace is suspended; its data is kept.")
    static let subscriptionReadOnly = Self(403, "subscription_read_only",
                                           "The subscription is `read_only`: reads are served, this write is not.")
    static let subscriptionLocked = Self(403, "subscription_locked", "The subscription is `locked`; nothing is served, the data is kept.")
    static let subscriptionCancelled = Self(403, "subscription_cancelled",
                                            "The subscription is `cancelled`; nothing is served, the data is kept.")
    static let rateLimited = Self(429, "rate_limited",
                                  "The plan's requests a minute (`details.limit` `per_minute`), the calling key's or session's share of "
                                      + "the minute (`per_key_minute`) or the requests a day (`per_day`) are used up. Sent one second "
                                      + "after the request.", retryAfter: true)
    static let tenantBusy = Self(503, "tenant_busy",
                                 "The workspace already has its plan's number of requests in progress on this server. Sent one second "
                                     + "after the request.", retryAfter: true)

    // Any endpoint that reaches the database.
    static let databaseUnavailable = Self(503, "database_unavailable", "PostgreSQL could not be reached; try again shortly.")
    static let internalError = Self(500, "internal_error", "Anything unexpected; logged with the request id, answered without details.")

    // Shared by several areas.
    static let forbiddenRole = Self(403, "forbidden_role", "The member's role may not do this; only `owner` and `admin` may.")

    /// A create past a limit of the plan or subscription; `quota` is the value of `details.quota`.
    static func quotaExceeded(_ quota: String) -> Self {
        Self(402, "quota_exceeded", "The plan's `\(quota)` limit is reached; `details`: `quota` (`\(quota)`), `limit`, `used`. Nothing is written.")
    }

    /// No `entity` with the id in the path in this workspace: missing, another workspace's, or not a UUID.
    static func notFound(_ entity: String) -> Self {
        Self(404, "\(entity)_not_found",
             "No \(entity.replacingOccurrences(of: "_", with: " ")) with that id in this workspace (missing, another workspace's, or not a UUID).")
    }
}

extension OpenAPI.Access {
    /// The codes every operation with this access can answer, whatever it does.
    func errors(for method: HTTPRequest.Method) -> [OpenAPI.ErrorCode] {
        switch self {
        case .workspace:
            let writes: [OpenAPI.ErrorCode] = [.get, .head, .options].contains(method) ? [] : [.subscriptionReadOnly]
            return [.authenticationRequired, .invalidAPIKey, .invalidSession, .tenantSuspended] + writes
                + [.subscriptionLocked, .subscriptionCancelled, .rateLimited, .tenantBusy, .databaseUnavailable, .internalError]
        case .workspaceHost, .publicBySlug:
            return [.databaseUnavailable, .internalError]
        case .open:
            return []
        }
    }

    /// The security requirement, when it differs from the document's (an API key or a session).
    var security: JSONValue? {
        self == .workspace ? nil : .array([])
    }

    /// The response headers of every answer with this access, but `401`s, by component name.
    var headers: [String] {
        self == .workspace ? [OpenAPI.requestIDHeader] + OpenAPI.rateLimitHeaders : [OpenAPI.requestIDHeader]
    }
}

extension OpenAPI {
    static let requestIDHeader = "X-Request-ID"
    static let rateLimitHeaders = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]

    /// `#/components/headers`.
    static let commonHeaders: [String: Header] = [
        requestIDHeader: Header(
            description: "The request's id, also in every log line of the request: the client's `X-Request-ID` when it sent one of at "
                + "most 64 ASCII letters, digits and hyphens, else the server's own.", schema: .string()),
        "X-RateLimit-Limit": Header(
            description: "The size of the bucket that runs out first: the workspace's requests a minute, or the calling API key's or "
                + "session's share of it. On every `/api/v1` answer but 401 and 403 `tenant_suspended`.", schema: .integer(minimum: 0)),
        "X-RateLimit-Remaining": Header(
            description: "The whole requests left in that bucket. On every `/api/v1` answer but 401 and 403 `tenant_suspended`.",
            schema: .integer(minimum: 0)),
        "X-RateLimit-Reset": Header(
            description: "Seconds until that bucket is full again; on a 429, seconds until a request can pass. On every `/api/v1` answer "
                + "but 401 and 403 `tenant_suspended`.", schema: .integer(minimum: 0)),
        "Retry-After": Header(description: "Seconds to wait before retrying; also in `details.retry_after_seconds`.",
                              schema: .integer(minimum: 1)),
        "WWW-Authenticate": Header(description: "Always `Bearer`.", schema: .oneOf(["Bearer"])),
    ]

    /// `#/components/schemas` that no area owns.
    static let commonSchemas: [String: Schema] = [
        "Error": .record([
            "error": .record([
                "code": Schema.string().described("Stable: programs may rely on it. Each answer lists the codes it can hold."),
                "message": Schema.string().described("For people; may change."),
                "details": Schema.map(of: .string())
                    .described("Strings that help act on the error, such as `field` or `retry_after_seconds`; often empty."),
            ]),
        ]).described("Every error answer: `{\"error\": {\"code\", \"message\", \"details\"}}`."),
    ]

    /// `#/components/responses`: error answers that many `/api/v1` operations give alike. An
    /// operation's error answer equal to one of these refers to it instead of repeating it.
    static let sharedErrorResponses: [String: JSONValue] = {
        let shared: [(name: String, status: Int, codes: [ErrorCode])] = [
            ("MalformedJSON", 400, [.malformedJSON]),
            ("InvalidPage", 400, [.invalidLimit, .invalidCursor]),
            ("Unauthenticated", 401, [.authenticationRequired, .invalidAPIKey, .invalidSession]),
            ("WorkspaceShutOut", 403, [.tenantSuspended, .subscriptionLocked, .subscriptionCancelled]),
            ("WorkspaceShutOutOfWrites", 403, [.tenantSuspended, .subscriptionReadOnly, .subscriptionLocked, .subscriptionCancelled]),
            ("PayloadTooLarge", 413, [.payloadTooLarge]),
            ("InvalidBody", 422, [.unknownField, .invalidField]),
            ("RateLimited", 429, [.rateLimited]),
            ("InternalError", 500, [.internalError]),
            ("Unavailable", 503, [.tenantBusy, .databaseUnavailable]),
        ]
        return Dictionary(uniqueKeysWithValues: shared.map {
            ($0.name, Operation.errorJSON(status: $0.status, codes: $0.codes, access: .workspace))
        })
    }()

    /// An error answer holding one of `codes`.
    static func errorSchema(codes: [String]) -> Schema {
        Schema(["allOf": .array([
            Schema.ref("Error").json,
            .object(["properties": .object(["error": .object(["properties": .object(["code": Schema.oneOf(codes).json])])])]),
        ])])
    }

    /// A page of a list of the component schema `item`.
    static func pageSchema(of item: String) -> Schema {
        .record([
            "data": .array(of: .ref(item)),
            "next_cursor": Schema.string().orNull
                .described("Pass as `cursor` for the next page; `null` on the last page. Opaque: do not build one."),
        ]).described("One page of a list, in a stable order.")
    }

    /// `#/components/parameters`, added to every operation that answers a page.
    static let pageParameters: [Parameter] = [
        .query("limit", Schema.integer(minimum: 1, maximum: 200).defaulting(to: .integer(50)),
               "Items on the page: 1 to 200, default 50; anything else answers 400 `invalid_limit`."),
        .query("cursor", .string(),
               "The `next_cursor` of the previous page; leave out for the first page. One the server did not issue answers 400 `invalid_cursor`."),
    ]

    /// `#/components/securitySchemes`.
    static let securitySchemes: JSONValue = .object([
        "apiKey": .object([
            "type": .string("http"), "scheme": .string("bearer"), "bearerFormat": .string("gx_…"),
            "description": .string("An API key, `Authorization: Bearer gx_…`. It acts as one member of one workspace, with that member's "
                + "role, on any host."),
        ]),
        "session": .object([
            "type": .string("apiKey"), "in": .string("cookie"), "name": .string(SessionController.cookieName),
            "description": .string("The session cookie set by `POST /auth/login`, accepted only on the workspace's own host, "
                + "`<slug>.<base domain>`, and only when the request has no `Authorization: Bearer` header."),
        ]),
    ])
}
