import Foundation
import GuanxiCore

/// When a workspace's service desk is open: the time zone, the weekly schedule and the holidays,
/// as `/api/v1/service/business-hours` shows them.
public struct BusinessHours: Sendable, Equatable, Encodable {
    /// The zone the schedule is read in.
    public var timeZone: String
    /// True while the schedule follows the workspace's own time zone (no zone of its own is set).
    public var usesWorkspaceTimeZone: Bool
    public var weekly: [Weekday: [OpeningPeriod]]
    public var holidays: [Holiday]

    /// Monday to Friday, 09:00 to 18:00: what a workspace starts with.
    public static let standardWeek: [Weekday: [OpeningPeriod]] = Dictionary(
        uniqueKeysWithValues: [Weekday.monday, .tuesday, .wednesday, .thursday, .friday].map {
            ($0, [OpeningPeriod(opensMinute: 9 * 60, closesMinute: 18 * 60)])
        })

    enum CodingKeys: String, CodingKey {
        case timeZone = "time_zone"
        case usesWorkspaceTimeZone = "uses_workspace_time_zone"
        case weekly, holidays
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(timeZone, forKey: .timeZone)
        try container.encode(usesWorkspaceTimeZone, forKey: .usesWorkspaceTimeZone)
        // Every weekday is present; a closed one has no periods.
        let week = Dictionary(uniqueKeysWithValues: Weekday.allCases.map { day in
            (day.name, (weekly[day] ?? []).map { ["opens": ClockTime.text($0.opensMinute), "closes": ClockTime.text($0.closesMinute)] })
        })
        try container.encode(week, forKey: .weekly)
        try container.encode(holidays, forKey: .holidays)
    }
}

/// A whole local day on which the business is closed.
public struct Holiday: Sendable, Equatable, Encodable {
    public var date: LocalDate
    public var name: String

    public init(date: LocalDate, name: String) {
        self.date = date
        self.name = name
    }

    enum CodingKeys: String, CodingKey { case date, name }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(date.description, forKey: .date)
        try container.encode(name, forKey: .name)
    }
}

/// `PATCH /api/v1/service/business-hours`. `weekly` replaces the whole week (a weekday left out is
/// closed), `holidays` replaces every holiday, `time_zone` sets the zone or, with `null`, goes
/// back to the workspace's own. A field left out keeps its value.
public struct BusinessHoursPatch: RequestPayload {
    public static let fields: Set<String> = ["time_zone", "weekly", "holidays"]
    public var timeZone: FieldPatch<String>
    public var weekly: [String: [PeriodInput]]?
    public var holidays: [HolidayInput]?

    public struct PeriodInput: Decodable, Sendable {
        var opens: String
        var closes: String

        enum CodingKeys: String, CodingKey { case opens, closes }

        public init(from decoder: any Decoder) throws {
            try StrictObject.requireKnownKeys(decoder, ["opens", "closes"])
            let container = try decoder.container(keyedBy: CodingKeys.self)
            opens = try container.decode(String.self, forKey: .opens)
            closes = try container.decode(String.self, forKey: .closes)
        }
    }

    public struct HolidayInput: Decodable, Sendable {
        var date: String
        var name: String?

        enum CodingKeys: String, CodingKey { case date, name }

        public init(from decoder: any Decoder) throws {
            try StrictObject.requireKnownKeys(decoder, ["date", "name"])
            let container = try decoder.container(keyedBy: CodingKeys.self)
            date = try container.decode(String.self, forKey: .date)
            name = try container.decodeIfPresent(String.self, forKey: .name)
        }
    }

    enum CodingKeys: String, CodingKey {
        case timeZone = "time_zone"
        case weekly, holidays
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timeZone = try container.decodePatch(String.self, forKey: .timeZone)
        weekly = try container.decodeIfPresent([String: [PeriodInput]].self, forKey: .weekly)
        holidays = try container.decodeIfPresent([HolidayInput].self, forKey: .holidays)
    }

    /// The zone to set (`.set`), to drop (`.clear`) or to keep, checked against the IANA names.
    func validatedTimeZone() throws -> FieldPatch<String> {
        guard case .set(let name) = timeZone else { return timeZone }
        guard TimeZone(identifier: name) != nil else {
            throw GuanxiError.invalidField("time_zone", "time_zone must be an IANA zone such as Asia/Shanghai or America/New_York.")
        }
        return .set(name)
    }

    /// The new week, if one was sent: valid times, periods of a day apart from each other, open some time in the week.
    func validatedWeek() throws -> [Weekday: [OpeningPeriod]]? {
        guard let weekly else { return nil }
        var week: [Weekday: [OpeningPeriod]] = [:]
        for (name, inputs) in weekly {
            guard let day = Weekday(name: name) else {
                throw GuanxiError(.invalid, code: "unknown_field",
                                  message: "weekly.\(name) is not a weekday; use \(Weekday.allCases.map(\.name).joined(separator: ", ")).",
                                  details: ["field": "weekly.\(name)"])
            }
            guard inputs.count <= 6 else { throw GuanxiError.invalidField("weekly.\(name)", "weekly.\(name) may have at most 6 opening periods.") }
            var periods: [OpeningPeriod] = []
            for (index, input) in inputs.enumerated() {
                let path = "weekly.\(name).\(index)"
                let opens = try ClockTime.minute(input.opens, field: "\(path).opens", allowing: 0...1439)
                let closes = try ClockTime.minute(input.closes, field: "\(path).closes", allowing: 1...1440)
                guard opens < closes else { throw GuanxiError.invalidField("\(path).closes", "\(path).closes must be later than opens.") }
                periods.append(OpeningPeriod(opensMinute: opens, closesMinute: closes))
            }
            periods.sort()
            for (earlier, later) in zip(periods, periods.dropFirst()) where later.opensMinute < earlier.closesMinute {
                throw GuanxiError.invalidField("weekly.\(name)", "The opening periods of weekly.\(name) overlap; list each time once.")
            }
            week[day] = periods
        }
        guard week.values.contains(where: { !$0.isEmpty }) else {
            throw GuanxiError.invalidField("weekly", "weekly must open at least once a week, or SLA clocks would never run.")
        }
        return week
    }

    /// The new holidays, if sent: real dates, each once, at most 1000, names up to 100 characters.
    func validatedHolidays() throws -> [Holiday]? {
        guard let holidays else { return nil }
        guard holidays.count <= 1000 else { throw GuanxiError.invalidField("holidays", "holidays may list at most 1000 days.") }
        var seen: Set<LocalDate> = []
        return try holidays.enumerated().map { index, input in
            guard let date = LocalDate(input.date) else {
                throw GuanxiError.invalidField("holidays.\(index).date", "holidays.\(index).date must be a date such as 2026-10-01.")
            }
            guard seen.insert(date).inserted else {
                throw GuanxiError.invalidField("holidays.\(index).date", "\(date) is listed twice in holidays.")
            }
            let name = try Validate.text(input.name, field: "holidays.\(index).name", length: 1...100) ?? ""
            return Holiday(date: date, name: name)
        }.sorted { $0.date < $1.date }
    }
}

/// Times of day as the API writes them, `HH:MM` in 24 hours; `24:00` is the end of the day.
enum ClockTime {
    static func text(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }

    static func minute(_ text: String, field: String, allowing range: ClosedRange<Int>) throws -> Int {
        guard let match = text.wholeMatch(of: /(\d{2}):(\d{2})/), let hour = Int(match.1), let minute = Int(match.2),
              minute < 60, range.contains(hour * 60 + minute)
        else {
            throw GuanxiError.invalidField(field, "\(field) must be a time from \(Self.text(range.lowerBound)) to \(Self.text(range.upperBound)), written HH:MM.")
        }
        return hour * 60 + minute
    }
}
