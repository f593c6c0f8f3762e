import Foundation
import GuanxiCore
import Synchronization

/// Per-tenant request limits in this process: a token bucket for the per-minute limit (bursts up
/// to the limit, refilled evenly) and a counter per tenant-local day.
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

    private let buckets = Mutex<[TenantID: Bucket]>([:])
    private let days = Mutex<[TenantID: DayCount]>([:])

    public init() {}

    /// Takes one request from `tenant`'s bucket (`perMinute` deep) and from its day (`perDay`, days
    /// in `timeZone`). Nothing is taken when either is empty.
    public func admit(tenant: TenantID, perMinute: Int, perDay: Int, timeZone: String,
                      now: ContinuousClock.Instant = .now, date: Date = Date()) -> Decision {
        let rate = Double(perMinute) / 60
        let day = Self.dayString(date, timeZone: timeZone)
        let perDayUsed = days.withLock { days -> Int in
            let current = days[tenant]
            return current?.day == day ? current!.count : 0
        }
        let result = buckets.withLock { buckets -> (allowed: Bool, remaining: Double, wait: Double) in
            var bucket = Self.refilled(buckets[tenant], perMinute: perMinute, now: now)
            let allowed = bucket.tokens >= 1 && perDayUsed < perDay
            if allowed { bucket.tokens -= 1 }
            buckets[tenant] = bucket
            return (allowed, bucket.tokens, bucket.tokens >= 1 ? 0 : (1 - bucket.tokens) / rate)
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

    static func refilled(_ existing: Bucket?, perMinute: Int, now: ContinuousClock.Instant) -> Bucket {
        var bucket = existing ?? Bucket(tokens: Double(perMinute), updated: now)
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(Double(perMinute), bucket.tokens + seconds * Double(perMinute) / 60)
        bucket.updated = now
        return bucket
    }

    /// Requests of the last minute's budget in use now: the per-minute limit less what the bucket holds.
    public func usedThisMinute(_ tenant: TenantID, perMinute: Int) -> Int {
        let bucket = buckets.withLock { Self.refilled($0[tenant], perMinute: perMinute, now: .now) }
        return max(0, perMinute - Int(bucket.tokens.rounded(.down)))
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
