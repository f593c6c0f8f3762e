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

/// A calendar month, `YYYY-MM`: what a billing run and the reports are asked for.
public struct BillingMonth: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) {
        self.year = year + (month - 1).floorDivided(by: 12)
        self.month = (month - 1).floorModulo(12) + 1
    }

    /// Parses `YYYY-MM`; `nil` for anything else.
    public init?(_ text: String) {
        guard let match = text.wholeMatch(of: /(\d{4})-(\d{2})/), let year = Int(match.1), let month = Int(match.2),
              (1...12).contains(month), (2000...2999).contains(year) else { return nil }
        self.init(year: year, month: month)
    }

    /// `YYYY-MM` or the error a client can act on, naming `field`.
    public static func parse(_ text: String?, field: String) throws -> BillingMonth {
        guard let text, let month = BillingMonth(text) else {
            throw BillingError.invalidMonth(field)
        }
        return month
    }

    public var next: BillingMonth { BillingMonth(year: year, month: month + 1) }
    public var previous: BillingMonth { BillingMonth(year: year, month: month - 1) }
    public var description: String { String(format: "%04d-%02d", year, month) }

    /// Months from `self` to `other`, inclusive of both.
    public func through(_ other: BillingMonth) -> [BillingMonth] {
        var months: [BillingMonth] = []
        var month = self
        while month <= other { months.append(month); month = month.next }
        return months
    }

    public static func < (a: BillingMonth, b: BillingMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let month = BillingMonth(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM"))
        }
        self = month
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Int {
    fileprivate func floorDivided(by divisor: Int) -> Int { (self - floorModulo(divisor)) / divisor }
    fileprivate func floorModulo(_ divisor: Int) -> Int { ((self % divisor) + divisor) % divisor }
}

extension UUID {
    /// Sorts after every other id: the start of a newest-first keyset-paginated list.
    static let maximum = UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
}

extension BillingMonth {
    /// The month `instant` falls in, in UTC: the default month of a report and of the scheduled run
    /// (which also bills the month before, so a tenant ahead of UTC is never missed).
    public static func current(_ instant: Date = Date()) -> BillingMonth {
        let components = TenantCalendar(timeZone: .gmt).calendar.dateComponents([.year, .month], from: instant)
        return BillingMonth(year: components.year!, month: components.month!)
    }
}
