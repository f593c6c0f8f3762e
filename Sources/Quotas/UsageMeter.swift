import Database
import Foundation
import GuanxiCore
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Counts API calls per tenant and tenant-local day in memory and writes them to `usage_daily`
/// in batches, with each tenant's record counts and seats alongside: no database round trip per
/// request. Runs as a service; flushes every `interval` and once more on shutdown.
public final class UsageMeter: Service, Sendable {
    struct Key: Hashable {
        var tenant: TenantID
        var day: String
    }

    private let pending = Mutex<[Key: Int]>([:])
    let database: Database
    let interval: Duration

    public init(database: Database, interval: Duration = .seconds(10)) {
        self.database = database
        self.interval = interval
    }

    public func recordCall(_ tenant: TenantID, timeZone: String, date: Date = Date()) {
        let key = Key(tenant: tenant, day: RateLimiter.dayString(date, timeZone: timeZone))
        pending.withLock { $0[key, default: 0] += 1 }
    }

    /// Writes what was counted since the last flush, in one host transaction.
    public func flush() async throws {
        let batch = pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await database.withHost { host in
                for (key, calls) in batch.sorted(by: { ($0.key.tenant.description, $0.key.day) < ($1.key.tenant.description, $1.key.day) }) {
                    // in the tenant's own scope, so its members and counters are visible
                    try await host.actAs(key.tenant).query("""
                        INSERT INTO usage_daily (tenant_id, day, api_calls, contacts, accounts, active_seats)
                        SELECT \(key.tenant.uuid), \(key.day)::date, \(calls),
                               coalesce((SELECT used FROM record_counters WHERE tenant_id = \(key.tenant.uuid) AND kind = 'contacts'), 0),
                               coalesce((SELECT used FROM record_counters WHERE tenant_id = \(key.tenant.uuid) AND kind = 'accounts'), 0),
                               (SELECT count(*) FROM memberships WHERE tenant_id = \(key.tenant.uuid))
                        ON CONFLICT (tenant_id, day) DO UPDATE SET api_calls = usage_daily.api_calls + excluded.api_calls,
                               contacts = excluded.contacts, accounts = excluded.accounts, active_seats = excluded.active_seats
                        """)
                }
            }
        } catch {
            // Keep the counts for the next flush rather than lose them.
            pending.withLock { pending in for (key, calls) in batch { pending[key, default: 0] += calls } }
            throw error
        }
    }

    public func run() async throws {
        let flushes = AsyncStream<Void> { continuation in
            let task = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield()
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        for await _ in flushes.cancelOnGracefulShutdown() {
            do { try await flush() } catch { database.logger.warning("usage flush failed", metadata: ["error": "\(error)"]) }
        }
        try await flush()
    }
}
