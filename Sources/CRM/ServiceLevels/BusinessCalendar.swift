import Foundation
import GuanxiCore

/// A day of the week, numbered as ISO 8601 does (1 Monday … 7 Sunday), named in lower case in the API.
public enum Weekday: Int, CaseIterable, Sendable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    public var name: String { "\(self)" }

    public init?(name: String) {
        guard let day = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = day
    }
}

/// A calendar date without a time or zone, as a holiday is written: `2026-10-01`.
public struct LocalDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Any real Gregorian date; `nil` for text that is not `YYYY-MM-DD` or names no day (`2026-02-30`).
    public init?(_ text: String) {
        guard let match = text.wholeMatch(of: /(\d{4})-(\d{2})-(\d{2})/),
              let year = Int(match.1), let month = Int(match.2), let day = Int(match.3),
              DateComponents(calendar: LocalDate.gregorian, year: year, month: month, day: day).isValidDate
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static let gregorian = Calendar(identifier: .gregorian)
}

/// One opening period of a day, in minutes after local midnight: open from `opensMinute`
/// (inclusive) until `closesMinute` (exclusive; 1440 is midnight at the day's end).
public struct OpeningPeriod: Sendable, Equatable, Comparable {
    public let opensMinute: Int
    public let closesMinute: Int

    public init(opensMinute: Int, closesMinute: Int) {
        self.opensMinute = opensMinute
        self.closesMinute = closesMinute
    }

    public static func < (lhs: OpeningPeriod, rhs: OpeningPeriod) -> Bool { lhs.opensMinute < rhs.opensMinute }
}

/// When a business is open, in its own time zone: a weekly schedule and whole-day holidays.
/// SLA clocks run only while it is open. Business time is measured in real elapsed seconds inside
/// the open periods, each period's ends placed on the local calendar of its day, so a day on which
/// daylight saving time starts or ends is as long as the clocks on the wall say it is.
public struct BusinessCalendar: Sendable {
    public let timeZone: TimeZone
    public let weekly: [Weekday: [OpeningPeriod]]
    public let holidays: Set<LocalDate>
    private let calendar: Calendar

    /// Refuses a schedule that is never open: business time would never pass in it.
    public init(timeZone: TimeZone, weekly: [Weekday: [OpeningPeriod]], holidays: Set<LocalDate> = []) throws {
        guard weekly.values.contains(where: { !$0.isEmpty }) else {
            throw GuanxiError(.internalFailure, code: "internal_error", message: "The business hours have no opening period.")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        self.timeZone = timeZone
        self.weekly = weekly.mapValues { $0.sorted() }
        self.holidays = holidays
    }

    /// The moment at which `seconds` of business time have passed since `start`. With no time to
    /// add, that is `start` itself, open or not.
    public func adding(_ seconds: TimeInterval, to start: Date) -> Date {
        guard seconds > 0 else { return start }
        var remaining = seconds
        var day = localDate(of: start)
        // Ends: the schedule is open some day of every week, and holidays are finitely many.
        while true {
            for period in openPeriods(on: day) where period.upperBound > start {
                let from = max(period.lowerBound, start)
                let available = period.upperBound.timeIntervalSince(from)
                if remaining <= available { return from.addingTimeInterval(remaining) }
                remaining -= available
            }
            day = self.day(after: day)
        }
    }

    /// The business time between two moments; 0 when `end` is not after `start`.
    public func businessSeconds(from start: Date, to end: Date) -> TimeInterval {
        guard end > start else { return 0 }
        var total: TimeInterval = 0
        var day = localDate(of: start)
        let last = localDate(of: end)
        while day <= last {
            for period in openPeriods(on: day) {
                let from = max(period.lowerBound, start)
                let to = min(period.upperBound, end)
                if to > from { total += to.timeIntervalSince(from) }
            }
            day = self.day(after: day)
        }
        return total
    }

    /// The day's open periods as moments; none on a holiday.
    func openPeriods(on day: LocalDate) -> [Range<Date>] {
        guard !holidays.contains(day), let periods = weekly[weekday(of: day)] else { return [] }
        return periods.compactMap { period in
            guard let opens = moment(day, minute: period.opensMinute), let closes = moment(day, minute: period.closesMinute),
                  opens < closes  // a period inside the hour skipped when clocks go forward has no length
            else { return nil }
            return opens..<closes
        }
    }

    /// The moment a local wall-clock time happens. A time that does not exist (skipped when clocks
    /// go forward) moves forward by the gap; one that happens twice is taken the first time.
    private func moment(_ day: LocalDate, minute: Int) -> Date? {
        if minute == 1440 { return moment(self.day(after: day), minute: 0) }
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: minute / 60, minute: minute % 60))
    }

    func localDate(of date: Date) -> LocalDate {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return LocalDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    private func noon(of day: LocalDate) -> Date {
        calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12)) ?? Date(timeIntervalSince1970: 0)
    }

    private func day(after day: LocalDate) -> LocalDate {
        localDate(of: calendar.date(byAdding: .day, value: 1, to: noon(of: day)) ?? noon(of: day).addingTimeInterval(86_400))
    }

    private func weekday(of day: LocalDate) -> Weekday {
        // Foundation counts from Sunday = 1; ISO from Monday = 1.
        let sundayFirst = calendar.component(.weekday, from: noon(of: day))
        return Weekday(rawValue: (sundayFirst + 5) % 7 + 1) ?? .monday
    }
}
