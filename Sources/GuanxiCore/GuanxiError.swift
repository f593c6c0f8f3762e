import Foundation

/// An error a client can act on: a stable machine-readable `code`, a sentence for people,
/// and the kind of failure, which the gateway maps to an HTTP status.
public struct GuanxiError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case malformed          // 400
        case unauthenticated    // 401
        case forbidden          // 403
        case notFound           // 404
        case conflict           // 409
        case quotaExceeded      // 402: the plan's limit, not a malformed request
        case payloadTooLarge    // 413
        case invalid            // 422
        case rateLimited        // 429
        case unavailable        // 503
        case internalFailure    // 500
    }

    public var kind: Kind
    public var code: String
    public var message: String
    public var details: [String: String]

    public init(_ kind: Kind, code: String, message: String, details: [String: String] = [:]) {
        self.kind = kind
        self.code = code
        self.message = message
        self.details = details
    }
}

extension GuanxiError {
    public static func notFound(_ entity: String) -> GuanxiError {
        GuanxiError(.notFound, code: "\(entity)_not_found", message: "No \(entity.replacingOccurrences(of: "_", with: " ")) with that id exists here.")
    }

    public static func invalidField(_ field: String, _ message: String) -> GuanxiError {
        GuanxiError(.invalid, code: "invalid_field", message: message, details: ["field": field])
    }

    public static let tenantSuspended = GuanxiError(
        .forbidden, code: "tenant_suspended",
        message: "This workspace is suspended. Its data is kept; contact your provider to resume it.")
}
