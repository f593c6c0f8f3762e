import Foundation

/// One of a case's two SLA clocks, as named in its history and in `case.breached`.
public enum SLAClock: String, Sendable, CaseIterable {
    case firstResponse = "first_response"
    case resolution
}

/// A case's two SLA clocks, counted in business time from the moment the case was opened.
///
/// The first-response clock runs until a member records a response (or the case is resolved or
/// closed without one). The resolution clock runs while the case is `new` or `open`; while it
/// stands still the business seconds that were left are kept in `resolutionSecondsLeft`, and
/// `resolutionDueAt` is `nil` until it runs again. A clock is breached at its due time; the
/// breach is recorded by the monitor's sweep, or by whatever stops the clock first.
public struct SLAClocks: Sendable, Equatable {
    public var firstResponseTargetMinutes: Int
    public var firstResponseDueAt: Date
    public var firstRespondedAt: Date?
    public var firstResponseBreachedAt: Date?
    public var resolutionTargetMinutes: Int
    public var resolutionDueAt: Date?
    public var resolutionSecondsLeft: Int?
    public var resolutionBreachedAt: Date?

    public init(firstResponseTargetMinutes: Int, firstResponseDueAt: Date, firstRespondedAt: Date? = nil,
                firstResponseBreachedAt: Date? = nil, resolutionTargetMinutes: Int, resolutionDueAt: Date?,
                resolutionSecondsLeft: Int? = nil, resolutionBreachedAt: Date? = nil) {
        self.firstResponseTargetMinutes = firstResponseTargetMinutes
        self.firstResponseDueAt = firstResponseDueAt
        self.firstRespondedAt = firstRespondedAt
        self.firstResponseBreachedAt = firstResponseBreachedAt
        self.resolutionTargetMinutes = resolutionTargetMinutes
        self.resolutionDueAt = resolutionDueAt
        self.resolutionSecondsLeft = resolutionSecondsLeft
        self.resolutionBreachedAt = resolutionBreachedAt
    }

    /// Both clocks started at `now` with `target`.
    init(starting target: SLATarget, at now: Date, in calendar: BusinessCalendar) {
        self.init(firstResponseTargetMinutes: target.firstResponseMinutes,
                  firstResponseDueAt: calendar.adding(TimeInterval(target.firstResponseMinutes * 60), to: now),
                  resolutionTargetMinutes: target.resolutionMinutes,
                  resolutionDueAt: calendar.adding(TimeInterval(target.resolutionMinutes * 60), to: now))
    }

    /// Records a member's response; only the first one stops the clock. Returns the clock if it
    /// was already past due and not yet flagged.
    mutating func recordResponse(at now: Date) -> [SLAClock] {
        guard firstRespondedAt == nil else { return [] }
        let breached = stopFirstResponse(at: now)
        firstRespondedAt = now
        return breached
    }

    /// The first-response clock stops (a response, or the case resolved or closed without one):
    /// a due time already passed is flagged now, as the sweep would have.
    mutating func stopFirstResponse(at now: Date) -> [SLAClock] {
        guard firstRespondedAt == nil, firstResponseBreachedAt == nil, firstResponseDueAt <= now else { return [] }
        firstResponseBreachedAt = firstResponseDueAt
        return [.firstResponse]
    }

    /// The resolution clock stands still from `now`, keeping the business time it had left.
    mutating func stopResolution(at now: Date, in calendar: BusinessCalendar) -> [SLAClock] {
        guard let due = resolutionDueAt else { return [] }
        var breached: [SLAClock] = []
        if resolutionBreachedAt == nil && due <= now {
            resolutionBreachedAt = due
            breached.append(.resolution)
        }
        resolutionSecondsLeft = Int(calendar.businessSeconds(from: now, to: due).rounded())
        resolutionDueAt = nil
        return breached
    }

    /// The resolution clock runs again from `now` with the business time it had left.
    mutating func resumeResolution(at now: Date, in calendar: BusinessCalendar) {
        guard let left = resolutionSecondsLeft else { return }
        resolutionDueAt = calendar.adding(TimeInterval(left), to: now)
        resolutionSecondsLeft = nil
    }

    /// Holds the case to `target` from now on (its priority changed): each clock that is neither
    /// stopped by a response, breached nor already due keeps the business time it has used and gets
    /// the rest of the new target.
    mutating func retarget(_ target: SLATarget, at now: Date, in calendar: BusinessCalendar) {
        if firstRespondedAt == nil, firstResponseBreachedAt == nil, firstResponseDueAt > now {
            let left = Self.left(of: target.firstResponseMinutes, after: firstResponseTargetMinutes,
                                 had: calendar.businessSeconds(from: now, to: firstResponseDueAt))
            firstResponseDueAt = calendar.adding(left, to: now)
        }
        if resolutionBreachedAt == nil {
            if let due = resolutionDueAt, due > now {
                let left = Self.left(of: target.resolutionMinutes, after: resolutionTargetMinutes,
                                     had: calendar.businessSeconds(from: now, to: due))
                resolutionDueAt = calendar.adding(left, to: now)
            } else if let secondsLeft = resolutionSecondsLeft {
                resolutionSecondsLeft = Int(Self.left(of: target.resolutionMinutes, after: resolutionTargetMinutes,
                                                      had: TimeInterval(secondsLeft)).rounded())
            }
        }
        firstResponseTargetMinutes = target.firstResponseMinutes
        resolutionTargetMinutes = target.resolutionMinutes
    }

    /// The business seconds left of a new target of `newMinutes`, when the old one of `oldMinutes`
    /// had `had` seconds left: the time used so far counts against the new target too.
    private static func left(of newMinutes: Int, after oldMinutes: Int, had: TimeInterval) -> TimeInterval {
        let used = max(0, TimeInterval(oldMinutes * 60) - had)
        return max(0, TimeInterval(newMinutes * 60) - used)
    }
}
