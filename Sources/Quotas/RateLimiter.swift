import Foundation
import GuanxiCore
import Synchronization

/// Per-tenant and per-key request limits in this process: a token bucket for the per-minute
/// limit (bursts up to the limit, refilled evenly) and a counter per tenant-local day.
public final class RateLimiter: Sendable {
    /// What one request learned: allowed or not, and what to tell the client in headers.
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var limit: Int
        public var remaining: Int
        /// Seconds until the bucket is full again (or, when refused, until a token is free).
        public var resetSeconds: Int
        /// Which limit refused the request: `per_minute` or `per_day`.
        public var exceeded: String?
    }

    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    struct DayCount {
        var day: String
        var count: Int
    }

    /// Buckets by tenant and by key, in one lock so a request takes from both or from neither.
    private let buckets = Mutex<(tenants: [TenantID: Bucket], keys: [String: Bucket])>(([:], [:]))
    private let days = Mutex<[TenantID: DayCount]>([:])

    public init() {}

    /// Takes one request from `tenant`'s bucket and from `key`'s (each `perMinute` deep), and from
    /// the tenant's day (`perDay`, days in `timeZone`). Nothing is taken when any of them is empty.
    public func admit(tenant: TenantID, key: String, perMinute: Int, perDay: Int, timeZone: String,
                      now: ContinuousClock.Instant = .now, date: Date = Date()) -> Decision {
        let rate = Double(perMinute) / 60
        let day = Self.dayString(date, timeZone: timeZone)
        let perDayUsed = days.withLock { days -> Int in
            let current = days[tenant]
            return current?.day == day ? current!.count : 0
        }
        let result = buckets.withLock { buckets -> (allowed: Bool, remaining: Double, wait: Double) in
            if buckets.keys.count > 200_000 { buckets.keys.removeAll() }
            func refilled(_ existing: Bucket?) -> Bucket {
                var bucket = existing ?? Bucket(tokens: Double(perMinute), updated: now)
                let elapsed = now - bucket.updated
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                bucket.tokens = min(Double(perMinute), bucket.tokens + seconds * rate)
                bucket.updated = now
                return bucket
            }
            var tenantBucket = refilled(buckets.tenants[tenant])
            var keyBucket = refilled(buckets.keys[key])
            let allowed = tenantBucket.tokens >= 1 && keyBucket.tokens >= 1 && perDayUsed < perDay
            if allowed {
                tenantBucket.tokens -= 1
                keyBucket.tokens -= 1
            }
            buckets.tenants[tenant] = tenantBucket
            buckets.keys[key] = keyBucket
            let remaining = min(tenantBucket.tokens, keyBucket.tokens)
            return (allowed, remaining, remaining >= 1 ? 0 : (1 - remaining) / rate)
        }
        if result.allowed {
            days.withLock { days in
                if days[tenant]?.day == day { days[tenant]!.count += 1 } else { days[tenant] = DayCount(day: day, count: 1) }
            }
        }
        let overDay = perDayUsed >= perDay
        let full = (Double(perMinute) - result.remaining) / rate
        return Decision(allowed: result.allowed, limit: perMinute, remaining: max(0, Int(result.remaining.rounded(.down))),
                        resetSeconds: Int((result.allowed ? full : (overDay ? Self.secondsToMidnight(date, timeZone: timeZone) : result.wait)).rounded(.up)),
                        exceeded: result.allowed ? nil : (overDay ? "per_day" : "per_minute"))
    }

    /// Requests counted today for `tenant` in this process.
    public func usedToday(_ tenant: TenantID, timeZone: String, date: Date = Date()) -> Int {
        let day = Self.dayString(date, timeZone: timeZone)
        return days.withLock { $0[tenant]?.day == day ? $0[tenant]!.count : 0 }
    }

    /// The date in `timeZone` as `YYYY-MM-DD`. Calendar arithmetic is slow for a per-request
    /// path, so each zone's answer is kept until its next local midnight.
    static func dayString(_ date: Date, timeZone: String) -> String {
        if let cached = localDays.withLock({ $0[timeZone] }), cached.from <= date, date < cached.until { return cached.day }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let day = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        let start = calendar.startOfDay(for: date)
        let end = calendar.date(byAdding: .day, value: 1, to: start) ?? date
        localDays.withLock { $0[timeZone] = LocalDay(day: day, from: start, until: end) }
        return day
    }

    struct LocalDay {
        var day: String
        var from: Date
        var until: Date
    }

    private static let localDays = Mutex<[String: LocalDay]>([:])

    static func secondsToMidnight(_ date: Date, timeZone: String) -> Double {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? .gmt
        let midnight = calendar.nextDate(after: date, matching: DateComponents(hour: 0, minute: 0, second: 0), matchingPolicy: .nextTime) ?? date
        return max(1, midnight.timeIntervalSince(date))
    }
}
