import Foundation

/// Billing periods are anchored on the subscription's start, in the tenant's time zone: a
/// subscription started on 31 January in Shanghai renews on 29 February (or 28), 31 March, …
/// always at the start time's local clock reading.
public enum BillingCycle: String, Sendable, Codable, CaseIterable {
    case monthly, yearly

    var months: Int { self == .monthly ? 1 : 12 }
}

public enum BillingPeriod {
    /// The period containing `instant` for a subscription anchored at `anchor`.
    public static func containing(_ instant: Date, anchor: Date, cycle: BillingCycle, timeZone: TimeZone) -> (start: Date, end: Date) {
        var index = 0
        while boundary(anchor: anchor, periods: index + 1, cycle: cycle, timeZone: timeZone) <= instant { index += 1 }
        return (boundary(anchor: anchor, periods: index, cycle: cycle, timeZone: timeZone),
                boundary(anchor: anchor, periods: index + 1, cycle: cycle, timeZone: timeZone))
    }

    /// The start of period number `periods` (0 is the anchor itself). Each boundary is computed
    /// from the anchor, not from the previous boundary, so a month end never drifts (31 Jan →
    /// 29 Feb → 31 Mar).
    public static func boundary(anchor: Date, periods: Int, cycle: BillingCycle, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(byAdding: .month, value: periods * cycle.months, to: anchor) ?? anchor
    }
}
