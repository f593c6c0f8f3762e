import Foundation
import GuanxiCore
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import Tenancy

/// Turns every error into DESIGN.md's shape, `{"error": {"code", "message", "details"}}`, with a
/// stable code. Unknown errors are logged with the request id and answered 500 without details.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: error, logger: context.logger)
        }
    }

    /// The response for any error; failures on our side are logged with the request's metadata.
    static func response(for error: any Error, logger: Logger) -> Response {
        let mapped = guanxiError(error)
        if mapped.kind == .internalFailure || mapped.kind == .unavailable && mapped.code != "tenant_busy" {
            logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        return response(mapped)
    }

    static func guanxiError(_ error: any Error) -> GuanxiError {
        switch error {
        case let error as GuanxiError:
            return error
        case let error as DecodingError:
            return GuanxiError(decoding: error)
        case let error as any HTTPResponseError:
            switch error.status {
            case .notFound:
                return GuanxiError(.notFound, code: "route_not_found", message: "No endpoint answers this method and path; see Docs/API.md.")
            case .contentTooLarge:
                return GuanxiError(.payloadTooLarge, code: "payload_too_large", message: "The request body is too large.")
            case let status where status.code < 500:
                return GuanxiError(.malformed, code: "bad_request", message: status.reasonPhrase)
            default:
                return GuanxiError(.internalFailure, code: "internal_error", message: "Something went wrong on our side.")
            }
        default:
            return GuanxiError(.internalFailure, code: "internal_error", message: "Something went wrong on our side.")
        }
    }

    static func status(of kind: GuanxiError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .malformed: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .quotaExceeded: HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required")
        case .payloadTooLarge: .contentTooLarge
        case .invalid: .unprocessableContent
        case .rateLimited: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .internalFailure: .internalServerError
        }
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var details: [String: String]
        }
        var error: Detail
    }

    static func response(_ error: GuanxiError) -> Response {
        let data = (try? JSONCoding.encoder.encode(Body(error: .init(code: error.code, message: error.message, details: error.details)))) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if error.kind == .unauthenticated { headers[.wwwAuthenticate] = "Bearer" }
        if let retry = error.details["retry_after_seconds"] { headers[.retryAfter] = retry }
        return Response(status: status(of: error.kind), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
