import Foundation

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

extension BillingMonth {
    /// The month `instant` falls in, in UTC: the default month of a report and of the scheduled run
    /// (which also bills the month before, so a tenant ahead of UTC is never missed).
    public static func current(_ instant: Date = Date()) -> BillingMonth {
        let components = TenantCalendar(timeZone: .gmt).calendar.dateComponents([.year, .month], from: instant)
        return BillingMonth(year: components.year!, month: components.month!)
    }
}
