import GuanxiCore
import Synchronization

/// At most `limit` attempts per key in a sliding `window`, counted in this process: sign-ins per
/// workspace and email, so passwords cannot be guessed quickly and bcrypt cannot be used to
/// exhaust the server; public form submissions per workspace and client address, so a script
/// cannot fill a workspace with leads.
final class AttemptThrottle: Sendable {
    let limit: Int
    let window: Duration
    /// The error for a refused attempt, given the whole seconds until one would pass.
    let refusal: @Sendable (_ retryAfterSeconds: Int64) -> GuanxiError
    private let attempts = Mutex<[String: [ContinuousClock.Instant]]>([:])

    init(limit: Int, window: Duration, refusal: @escaping @Sendable (_ retryAfterSeconds: Int64) -> GuanxiError) {
        self.limit = limit
        self.window = window
        self.refusal = refusal
    }

    /// 10 sign-in attempts per workspace and email in a minute.
    static func logins() -> AttemptThrottle {
        AttemptThrottle(limit: 10, window: .seconds(60)) { seconds in
            GuanxiError(.rateLimited, code: "too_many_login_attempts",
                        message: "Too many sign-in attempts; wait \(seconds) seconds and try again.",
                        details: ["retry_after_seconds": "\(seconds)"])
        }
    }

    /// Counts an attempt for `key`, or throws `refusal` when `limit` were made within `window`.
    func attempt(_ key: String) throws {
        let now = ContinuousClock.now
        let retryAfter: Duration? = attempts.withLock { attempts in
            if attempts.count > 100_000 { attempts.removeAll() }
            var recent = (attempts[key] ?? []).filter { now - $0 < window }
            defer { attempts[key] = recent }
            guard recent.count < limit else { return window - (now - recent[0]) }
            recent.append(now)
            return nil
        }
        if let retryAfter {
            throw refusal(max(1, retryAfter.components.seconds + 1))
        }
    }
}
