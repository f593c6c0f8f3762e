import Foundation
import GuanxiCore
import Synchronization

/// Recently checked credentials, so the hot path spends its one database round trip on data,
/// not on the key. Entries live `timeToLive` at most; revoking a key or suspending a tenant
/// through this process drops its entries at once, and other processes within the time to live.
public final class CredentialCache<Principal: Sendable>: Sendable {
    struct Entry {
        var principal: Principal
        var tenant: TenantID?
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[Data: Entry]>([:])
    public let timeToLive: Duration
    let capacity: Int

    public init(timeToLive: Duration = .seconds(5), capacity: Int = 50_000) {
        self.timeToLive = timeToLive
        self.capacity = capacity
    }

    public func principal(for digest: Data) -> Principal? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[digest] else { return nil }
            if entry.expires <= now {
                entries[digest] = nil
                return nil
            }
            return entry.principal
        }
    }

    public func store(_ principal: Principal, tenant: TenantID?, for digest: Data) {
        guard timeToLive > .zero else { return }
        let entry = Entry(principal: principal, tenant: tenant, expires: .now + timeToLive)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[digest] = entry
        }
    }

    public func remove(_ digest: Data) {
        _ = entries.withLock { $0.removeValue(forKey: digest) }
    }

    public func removeAll(of tenant: TenantID) {
        entries.withLock { entries in entries = entries.filter { $0.value.tenant != tenant } }
    }
}
