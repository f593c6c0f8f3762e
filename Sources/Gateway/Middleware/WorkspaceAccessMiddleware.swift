import Logging
import Foundation
import GuanxiCore
import HTTPTypes
import Hummingbird
import Quotas
import Tenancy

/// What a workspace's subscription and plan allow, applied to every tenant request after
/// authentication: the subscription's state (read-only refuses writes, locked and cancelled
/// refuse everything), the per-minute and per-day rate limits, and the concurrent-request share.
/// Every response, refused or not, carries the rate-limit headers.
///
/// A refusal is answered after `refusalDelay` (the shortest Retry-After it carries): a client that
/// ignores `Retry-After` and retries at once would otherwise have its refusals cost the server as
/// much TLS and HTTP work as real requests, taking the cores other workspaces need. Holding the
/// refusal costs only a timer.
struct WorkspaceAccessMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let rateLimiter: RateLimiter
    let concurrency: ConcurrencyLimiter
    let usage: UsageMeter
    var refusalDelay: Duration = .seconds(1)

    static let limitHeader = HTTPField.Name("X-RateLimit-Limit")!
    static let remainingHeader = HTTPField.Name("X-RateLimit-Remaining")!
    static let resetHeader = HTTPField.Name("X-RateLimit-Reset")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let principal = context.tenantPrincipal else { return try await next(request, context) }
        // A workspace its subscription shuts out spends no rate limit.
        let shutOut: GuanxiError?
        do {
            try Self.checkSubscription(principal, method: request.method)
            shutOut = nil
        } catch let error as GuanxiError {
            shutOut = error
        }
        let decision = rateLimiter.admit(tenant: principal.tenant, credential: principal.credential,
                                         perMinute: principal.limits.perMinute, perKeyMinute: principal.limits.perKeyMinute,
                                         perDay: principal.limits.perDay, timeZone: principal.timeZone, take: shutOut == nil)
        var response: Response
        do {
            if let shutOut { throw shutOut }
            guard decision.allowed else {
                let message = switch decision.exceeded {
                case "per_day":
                    "Your plan allows \(principal.limits.perDay) API requests a day; try again tomorrow or move to a larger plan."
                case "per_key_minute":
                    "Your plan allows one API key \(principal.limits.perKeyMinute) requests a minute; slow down, or spread the work over keys."
                default:
                    "Your plan allows \(principal.limits.perMinute) API requests a minute; slow down and retry."
                }
                throw GuanxiError(.rateLimited, code: "rate_limited", message: message,
                                  details: ["retry_after_seconds": "\(max(1, decision.resetSeconds))", "limit": decision.exceeded ?? ""])
            }
            guard concurrency.enter(principal.tenant, limit: principal.limits.concurrent) else {
                throw GuanxiError(.unavailable, code: "tenant_busy",
                                  message: "This workspace already has \(principal.limits.concurrent) requests in progress; retry in a moment.",
                                  details: ["retry_after_seconds": "1"])
            }
            defer { concurrency.leave(principal.tenant) }
            usage.recordCall(principal.tenant, timeZone: principal.timeZone)
            response = try await next(request, context)
        } catch let error as GuanxiError where error.code == "rate_limited" || error.code == "tenant_busy" {
            try await Task.sleep(for: refusalDelay)
            response = ErrorMiddleware.response(error)
        } catch {
            response = ErrorMiddleware.response(for: error, logger: context.logger)
        }
        response.headers[Self.limitHeader] = String(decision.limit)
        response.headers[Self.remainingHeader] = String(decision.remaining)
        response.headers[Self.resetHeader] = String(decision.resetSeconds)
        return response
    }

    static func checkSubscription(_ principal: TenantPrincipal, method: HTTPRequest.Method) throws {
        switch principal.subscriptionStatus {
        case "read_only" where ![.get, .head, .options].contains(method):
            throw GuanxiError(.forbidden, code: "subscription_read_only",
                              message: "This workspace is suspended to read-only: you can read and export, not change. Settle the account to resume.")
        case "locked":
            throw GuanxiError(.forbidden, code: "subscription_locked",
                              message: "This workspace is locked for non-payment; its data is kept. Contact your provider to reactivate it.")
        case "cancelled":
            throw GuanxiError(.forbidden, code: "subscription_cancelled",
                              message: "This workspace's subscription is cancelled; contact your provider to reactivate it.")
        default:
            return
        }
    }
}
