import Foundation

/// The one rounding rule of billing: integer division rounded half away from zero, so a credit
/// and the charge it mirrors round to the same magnitude.
enum MinorUnits {
    static func divideRounded(_ numerator: Int64, by denominator: Int64) -> Int64 {
        precondition(denominator > 0, "denominators are day counts, months or 10000")
        let quotient = numerator / denominator
        let remainder = numerator % denominator
        guard 2 * abs(remainder) >= denominator else { return quotient }
        return numerator < 0 ? quotient - 1 : quotient + 1
    }

    /// `amount × basisPoints / 10000`, rounded half away from zero.
    static func share(of amount: Int64, basisPoints: Int) -> Int64 {
        divideRounded(amount * Int64(basisPoints), by: 10_000)
    }
}

/// Calendar arithmetic in one tenant's time zone.
struct TenantCalendar {
    let calendar: Calendar

    init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    init(identifier: String) { self.init(timeZone: TimeZone(identifier: identifier) ?? .gmt) }

    /// Whole calendar days from the local date of `from` to the local date of `to`.
    func days(from: Date, to: Date) -> Int {
        calendar.dateComponents([.day], from: calendar.startOfDay(for: from), to: calendar.startOfDay(for: to)).day ?? 0
    }

    /// The local date of `instant` as `YYYY-MM-DD`.
    func dateString(_ instant: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// The first instant of `month` here.
    func start(of month: BillingMonth) -> Date {
        calendar.date(from: DateComponents(year: month.year, month: month.month, day: 1))!
    }
}

extension UUID {
    /// Sorts after every other id: the start of a newest-first keyset-paginated list.
    static let maximum = UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
}
