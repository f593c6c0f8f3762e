import Foundation
import GuanxiCore
import Synchronization

/// Values remembered for a short time, keyed by bytes and grouped by tenant: recently checked
/// credentials (so the hot path spends its one database round trip on data, not on the key) and
/// host-to-tenant mappings. Entries live `timeToLive` at most; revoking a key or suspending a
/// tenant through this process drops that tenant's entries at once, other processes' entries
/// expire within the time to live.
public final class ExpiringCache<Value: Sendable>: Sendable {
    struct Entry {
        var value: Value
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

    public func value(for key: Data) -> Value? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            if entry.expires <= now {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    public func store(_ value: Value, tenant: TenantID?, for key: Data) {
        guard timeToLive > .zero else { return }
        let entry = Entry(value: value, tenant: tenant, expires: .now + timeToLive)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
        }
    }

    public func remove(_ key: Data) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    public func removeAll(of tenant: TenantID) {
        entries.withLock { entries in entries = entries.filter { $0.value.tenant != tenant } }
    }
}
