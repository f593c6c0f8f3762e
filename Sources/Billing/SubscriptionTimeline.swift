import Database
import Foundation
import PostgresNIO
import GuanxiCore
import Subscriptions

/// What a subscription was at one moment, as far as money is concerned.
struct SubscriptionState: Sendable, Equatable {
    var planID: UUID
    var seats: Int
    var status: Subscription.Status
    var cycle: BillingCycle
}

/// A subscription's history replayed from `subscription_events`: the state at any moment. Both
/// invoicing (proration) and the revenue reports read the past through it, so they agree.
struct SubscriptionTimeline: Sendable {
    /// One recorded event, reduced to what changes money.
    struct Event: Sendable {
        var at: Date
        var kind: String
        var toStatus: String?
        var toPlanID: UUID?
        var seats: Int?
    }

    /// The state before the first event, and each event's resulting state in order.
    let initial: SubscriptionState
    /// When the initial state began: the `started` event, or `nil` when the history has none.
    let startedAt: Date?
    let changes: [(at: Date, state: SubscriptionState)]

    /// `current` is the subscription as it is now; `events` its history, oldest first.
    /// Seat counts after an upgrade follow the rule of `Subscriptions.changePlan` (raised to the
    /// new plan's included seats). A change of billing cycle flips between the two cycles, so the
    /// cycle before the first one is the current cycle flipped once per change.
    init(current: SubscriptionState, events: [Event], includedSeats: (UUID) -> Int) {
        let cycleChanges = events.filter { $0.kind == "billing_cycle_changed" }.count
        var state = current
        if cycleChanges % 2 == 1 { state.cycle = state.cycle.other }
        let started = events.first { $0.kind == "started" }
        if let started, let plan = started.toPlanID, let seats = started.seats {
            state.planID = plan
            state.seats = seats
            state.status = started.toStatus.flatMap(Subscription.Status.init(rawValue:)) ?? state.status
        }
        // Without a `started` event (subscriptions that predate the history) the current plan,
        // seats and status stand for the whole past.
        initial = state
        startedAt = started?.at
        var changes: [(at: Date, state: SubscriptionState)] = []
        for event in events {
            switch event.kind {
            case "upgraded":
                guard let plan = event.toPlanID else { continue }
                state.planID = plan
                state.seats = max(state.seats, includedSeats(plan))
            case "downgraded":
                guard let plan = event.toPlanID else { continue }
                state.planID = plan
            case "seats_changed":
                guard let seats = event.seats else { continue }
                state.seats = seats
            case "status_changed":
                guard let status = event.toStatus.flatMap(Subscription.Status.init(rawValue:)) else { continue }
                state.status = status
            case "billing_cycle_changed":
                state.cycle = state.cycle.other
            default:
                continue
            }
            changes.append((event.at, state))
        }
        self.changes = changes
    }

    /// The state in force at `instant`: after every change made at or before it.
    func state(at instant: Date) -> SubscriptionState {
        changes.last { $0.at <= instant }?.state ?? initial
    }

    /// Whether the subscription had started before `instant` (always, when its start is not recorded).
    func hasStarted(before instant: Date) -> Bool { (startedAt ?? .distantPast) < instant }

    /// The state just before `instant` (what a period ending at `instant` ended with).
    func state(before instant: Date) -> SubscriptionState {
        changes.last { $0.at < instant }?.state ?? initial
    }

    /// Whether the subscription was in a state matching `predicate` at any moment before `instant`.
    func hasBeen(before instant: Date, _ predicate: (SubscriptionState) -> Bool) -> Bool {
        ((startedAt ?? .distantPast) < instant && predicate(initial)) || changes.contains { $0.at < instant && predicate($0.state) }
    }

    /// The changes strictly inside `(start, end)`, in order.
    func changes(between start: Date, and end: Date) -> [(at: Date, state: SubscriptionState)] {
        changes.filter { $0.at > start && $0.at < end }
    }
}

extension BillingCycle {
    var other: BillingCycle { self == .monthly ? .yearly : .monthly }
}

extension Subscription.Status {
    /// The statuses a subscription is billed and counted in recurring revenue for: it has a paid
    /// plan that is not cancelled (a trial has no price yet).
    var isBillable: Bool { [.active, .pastDue, .readOnly, .locked].contains(self) }
}

extension SubscriptionTimeline {
    /// The recorded events of `tenants` (every tenant when `nil`), oldest first, in one query.
    static func events(of tenants: [UUID]?, in host: Transaction) async throws -> [UUID: [Event]] {
        var events: [UUID: [Event]] = [:]
        for row in try await host.query("""
            SELECT tenant_id, occurred_at, kind, to_status, to_plan_id, seats FROM subscription_events
             WHERE \(tenants)::uuid[] IS NULL OR tenant_id = ANY(\(tenants))
             ORDER BY tenant_id, id
            """) {
            var r = RowReader(row)
            let tenant = try r.next(UUID.self)
            events[tenant, default: []].append(Event(at: try r.next(Date.self), kind: try r.next(String.self), toStatus: try r.next(String?.self),
                                                     toPlanID: try r.next(UUID?.self), seats: try r.next(Int?.self)))
        }
        return events
    }
}
