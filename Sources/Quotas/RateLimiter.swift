import Foundation
import GuanxiCore
import Synchronization

/// Request limits in this process: token buckets for the per-minute limits (bursts up to the
/// limit, refilled evenly), one per tenant and one per credential (API key or session, so one
/// integration cannot use up its workspace's minute), and a counter per tenant-local day.
public final class RateLimiter: Sendable {
    /// What one request learned: allowed or not, and what to tell the client in headers.
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var limit: Int
        public var remaining: Int
        /// Seconds until the bucket is full again (or, when refused, until a token is free).
        public var resetSeconds: Int
        /// Which limit refused the request: `per_minute`, `per_key_minute` or `per_day`.
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

    /// Tenant and credential buckets under one lock, so a request takes from both or from neither.
    private let buckets = Mutex<(tenants: [TenantID: Bucket], credentials: [UUID: Bucket])>(([:], [:]))
    private let days = Mutex<[TenantID: DayCount]>([:])

    public init() {}

    /// Takes one request from `tenant`'s bucket (`perMinute` deep), from `credential`'s
    /// (`perKeyMinute` deep) and from the tenant's day (`perDay`, days in `timeZone`). Nothing is
    /// taken when any of them is empty, nor when `take` is false (a look at the buckets for the
    /// headers of a request refused for another reason). The headers report the tighter bucket.
    public func admit(tenant: TenantID, credential: UUID, perMinute: Int, perKeyMinute: Int, perDay: Int, timeZone: String,
                      take: Bool = true, now: ContinuousClock.Instant = .now, date: Date = Date()) -> Decision {
        let rate = Double(perMinute) / 60
        let day = Self.dayString(date, timeZone: timeZone)
        let perDayUsed = days.withLock { days -> Int in
            let current = days[tenant]
            return current?.day == day ? current!.count : 0
        }
        let result = buckets.withLock { buckets -> (allowed: Bool, limit: Int, remaining: Double, wait: Double, keyEmpty: Bool) in
            if buckets.credentials.count > 200_000 { buckets.credentials.removeAll() }
            var tenantBucket = Self.refilled(buckets.tenants[tenant], perMinute: perMinute, now: now)
            var keyBucket = Self.refilled(buckets.credentials[credential], perMinute: perKeyMinute, now: now)
            let allowed = tenantBucket.tokens >= 1 && keyBucket.tokens >= 1 && perDayUsed < perDay
            if allowed && take {
                tenantBucket.tokens -= 1
                keyBucket.tokens -= 1
            }
            buckets.tenants[tenant] = tenantBucket
            buckets.credentials[credential] = keyBucket
            // Report the bucket that will run out first, in requests and in time.
            let tenantWait = tenantBucket.tokens >= 1 ? 0 : (1 - tenantBucket.tokens) / rate
            let keyWait = keyBucket.tokens >= 1 ? 0 : (1 - keyBucket.tokens) / (Double(perKeyMinute) / 60)
            let keyTighter = keyBucket.tokens < tenantBucket.tokens
            return (allowed, keyTighter ? perKeyMinute : perMinute, min(tenantBucket.tokens, keyBucket.tokens),
                    max(tenantWait, keyWait), keyBucket.tokens < 1)
        }
        if result.allowed && take {
            days.withLock { days in
                if days[tenant]?.day == day { days[tenant]!.count += 1 } else { days[tenant] = DayCount(day: day, count: 1) }
            }
        }
        let overDay = perDayUsed >= perDay
        let full = (Double(result.limit) - result.remaining) / (Double(result.limit) / 60)
        return Decision(allowed: result.allowed, limit: result.limit, remaining: max(0, Int(result.remaining.rounded(.down))),
                        resetSeconds: Int((result.allowed ? full : (overDay ? Self.secondsToMidnight(date, timeZone: timeZone) : result.wait)).rounded(.up)),
                        exceeded: result.allowed ? nil : (overDay ? "per_day" : result.keyEmpty ? "per_key_minute" : "per_minute"))
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
        let bucket = buckets.withLock { Self.refilled($0.tenants[tenant], perMinute: perMinute, now: .now) }
        return max(0, perMinute - Int(bucket.tokens.rounded(.down)))
    }

    /// The same for one credential's share of the minute.
    public func usedThisMinute(credential: UUID, perKeyMinute: Int) -> Int {
        let bucket = buckets.withLock { Self.refilled($0.credentials[credential], perMinute: perKeyMinute, now: .now) }
        return max(0, perKeyMinute - Int(bucket.tokens.rounded(.down)))
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
