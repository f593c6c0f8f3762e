import GuanxiCore
import Synchronization

/// Fair sharing: each tenant may have at most its plan's number of requests in flight in this
/// process. Excess is refused at once (503 with Retry-After) instead of queueing without bound,
/// so one tenant's flood cannot take every database connection from the others.
public final class ConcurrencyLimiter: Sendable {
    private let inFlight = Mutex<[TenantID: Int]>([:])

    public init() {}

    /// Takes a slot for `tenant`, or returns false when it already has `limit` requests running.
    public func enter(_ tenant: TenantID, limit: Int) -> Bool {
        inFlight.withLock { inFlight in
            let current = inFlight[tenant, default: 0]
            guard current < limit else { return false }
            inFlight[tenant] = current + 1
            return true
        }
    }

    public func inFlight(_ tenant: TenantID) -> Int {
        inFlight.withLock { $0[tenant, default: 0] }
    }

    public func leave(_ tenant: TenantID) {
        inFlight.withLock { inFlight in
            let current = inFlight[tenant, default: 1] - 1
            inFlight[tenant] = current > 0 ? current : nil
        }
    }
}
