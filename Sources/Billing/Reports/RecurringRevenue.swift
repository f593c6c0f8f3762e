import Foundation
import Subscriptions

/// Monthly recurring revenue from the subscriptions' histories: each tenant's MRR at the end of
/// each month (its local month), and the movements between consecutive month ends. Built so that
/// for every month and currency `opening + new + expansion + contraction + churn + reactivation =
/// closing` holds exactly (contraction and churn are negative).
struct RecurringRevenue {
    struct TenantHistory {
        var tenant: UUID
        var timeZone: String
        var timeline: SubscriptionTimeline
    }

    struct Movements {
        var opening: Int64 = 0, new: Int64 = 0, expansion: Int64 = 0, contraction: Int64 = 0, churn: Int64 = 0, reactivation: Int64 = 0
        var closing: Int64 = 0
        var openingTenants: Int64 = 0, closingTenants: Int64 = 0, newTenants: Int64 = 0, churnedTenants: Int64 = 0
    }

    struct Key: Hashable {
        var month: BillingMonth
        var currency: String
    }

    struct PlanKey: Hashable {
        var month: BillingMonth
        var currency: String
        var plan: String
    }

    var movements: [Key: Movements] = [:]
    /// Closing MRR and paying tenants by plan code.
    var byPlan: [PlanKey: (mrr: Int64, tenants: Int64)] = [:]

    init(histories: [TenantHistory], plans: [UUID: PricedPlan], from: BillingMonth, to: BillingMonth) {
        let months = from.through(to)
        var monthEnds: [String: [Date]] = [:]  // per zone: the end of from-1, from, …, to
        for history in histories {
            let ends = monthEnds[history.timeZone] ?? {
                let calendar = TenantCalendar(identifier: history.timeZone)
                let ends = ([from.previous] + months).map { calendar.start(of: $0.next) }
                monthEnds[history.timeZone] = ends
                return ends
            }()
            func value(of state: SubscriptionState) -> (currency: String, plan: String, amount: Int64)? {
                guard state.status.isBillable, let plan = plans[state.planID] else { return nil }
                let amount = plan.monthlyRecurring(seats: state.seats, cycle: state.cycle)
                return amount > 0 ? (plan.currency, plan.code, amount) : nil
            }
            func value(at instant: Date) -> (currency: String, plan: String, amount: Int64)? {
                history.timeline.hasStarted(before: instant) ? value(of: history.timeline.state(before: instant)) : nil
            }
            var previous = value(at: ends[0])
            for (offset, month) in months.enumerated() {
                let current = value(at: ends[offset + 1])
                if let current {
                    byPlan[PlanKey(month: month, currency: current.currency, plan: current.plan), default: (0, 0)].mrr += current.amount
                    byPlan[PlanKey(month: month, currency: current.currency, plan: current.plan), default: (0, 0)].tenants += 1
                }
                for currency in Set([previous?.currency, current?.currency].compactMap { $0 }) {
                    let before = previous?.currency == currency ? previous!.amount : 0
                    let after = current?.currency == currency ? current!.amount : 0
                    var m = movements[Key(month: month, currency: currency)] ?? Movements()
                    m.opening += before
                    m.closing += after
                    if before > 0 { m.openingTenants += 1 }
                    if after > 0 { m.closingTenants += 1 }
                    if before == 0 {
                        if history.timeline.hasBeen(before: ends[offset], { value(of: $0) != nil }) { m.reactivation += after } else { m.new += after; m.newTenants += 1 }
                    } else if after == 0 {
                        m.churn -= before
                        m.churnedTenants += 1
                    } else if after > before {
                        m.expansion += after - before
                    } else {
                        m.contraction += after - before
                    }
                    movements[Key(month: month, currency: currency)] = m
                }
                previous = current
            }
        }
    }
}
