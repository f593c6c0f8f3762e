import Foundation
import GuanxiCore
import Subscriptions

/// A plan version's prices, as billing needs them.
public struct PricedPlan: Sendable, Equatable {
    public var id: UUID
    public var code: String
    public var nameEN: String
    public var nameZH: String
    public var currency: String
    public var priceMonthMinor: Int64
    public var priceYearMinor: Int64
    public var includedSeats: Int
    public var extraSeatMonthMinor: Int64

    public init(id: UUID, code: String, nameEN: String, nameZH: String, currency: String, priceMonthMinor: Int64,
                priceYearMinor: Int64, includedSeats: Int, extraSeatMonthMinor: Int64) {
        self.id = id
        self.code = code
        self.nameEN = nameEN
        self.nameZH = nameZH
        self.currency = currency
        self.priceMonthMinor = priceMonthMinor
        self.priceYearMinor = priceYearMinor
        self.includedSeats = includedSeats
        self.extraSeatMonthMinor = extraSeatMonthMinor
    }

    public func price(_ cycle: BillingCycle) -> Int64 { cycle == .monthly ? priceMonthMinor : priceYearMinor }

    /// One extra seat for one period: the catalog has a monthly seat price only, so a year is 12 of it.
    public func extraSeatPrice(_ cycle: BillingCycle) -> Int64 { cycle == .monthly ? extraSeatMonthMinor : 12 * extraSeatMonthMinor }

    public func extraSeats(_ seats: Int) -> Int { max(seats - includedSeats, 0) }

    /// Monthly recurring revenue of this plan with `seats`: a yearly price counts as a twelfth,
    /// rounded half away from zero.
    public func monthlyRecurring(seats: Int, cycle: BillingCycle) -> Int64 {
        let plan = cycle == .monthly ? priceMonthMinor : MinorUnits.divideRounded(priceYearMinor, by: 12)
        return plan + Int64(extraSeats(seats)) * extraSeatMonthMinor
    }
}

/// Overage pricing: API calls beyond a monthly allowance, charged per started block.
public struct MeteredPrice: Sendable, Equatable {
    public var includedAPICallsMonth: Int64
    public var block: Int64
    public var blockPriceMinor: Int64

    public init(includedAPICallsMonth: Int64, block: Int64, blockPriceMinor: Int64) {
        self.includedAPICallsMonth = includedAPICallsMonth
        self.block = block
        self.blockPriceMinor = blockPriceMinor
    }
}

/// A plan and seat count from a moment on, for proration.
public struct PlanChange: Sendable {
    public var at: Date
    public var plan: PricedPlan
    public var seats: Int

    public init(at: Date, plan: PricedPlan, seats: Int) {
        self.at = at
        self.plan = plan
        self.seats = seats
    }
}

/// The amounts of one invoice: lines in order, tax last, adding up to `total` exactly.
public struct InvoiceAmounts: Sendable, Equatable {
    public var currency: String
    public var lines: [InvoiceLine]
    public var subtotal: Int64
    public var taxRateBP: Int
    public var tax: Int64
    public var total: Int64
}

/// Computes an invoice for one billing period. Pure: every input is passed in, so the rules can
/// be tested with hand-computed amounts.
///
/// Rules (also in Docs/Billing.md):
/// - The plan and its extra seats as they were at the start of the period are charged in full.
/// - Each change of plan or seats during the period credits what was paid for the rest of the
///   period and charges the new plan or seats for it, by the day: `price × days left / days in
///   period`, days counted as local calendar dates in the tenant's time zone, the day of the change
///   counting as a day of the new state. A change on the period's first day counts as made at its
///   start (no proration); one on its last day, after the period's local start time, leaves no day.
/// - Overage: API calls beyond the allowance (monthly allowance × months in the period) in started
///   blocks, at the metered price of the plan in force at the end of the period.
/// - Each line is rounded half away from zero on its own; tax is the rate applied once to the sum
///   of the lines (the subtotal), rounded the same way, and is itself the last line.
public enum InvoiceCalculator {
    public static func amounts(periodStart: Date, periodEnd: Date, timeZone: TimeZone, cycle: BillingCycle, start: PlanChange,
                               changes: [PlanChange], apiCalls: Int64, metered: MeteredPrice?, taxRateBP: Int) -> InvoiceAmounts {
        let calendar = TenantCalendar(timeZone: timeZone)
        let daysInPeriod = Int64(calendar.days(from: periodStart, to: periodEnd))
        var state = start
        var pending: [PlanChange] = []
        for change in changes.sorted(by: { $0.at < $1.at }) where change.at < periodEnd {
            if calendar.days(from: periodStart, to: change.at) == 0 { state = change } else { pending.append(change) }
        }
        let first = calendar.dateString(periodStart)
        let last = calendar.dateString(periodEnd.addingTimeInterval(-1))
        var lines: [InvoiceLine] = []
        let plan = state.plan
        lines.append(InvoiceLine(
            kind: .plan, descriptionEN: "\(plan.nameEN) plan (\(cycle.rawValue)), \(first) – \(last)",
            descriptionZH: "\(plan.nameZH)（\(cycle.labelZH)），\(first) 至 \(last)",
            quantity: 1, unitAmountMinor: plan.price(cycle), amountMinor: plan.price(cycle)))
        let extra = Int64(plan.extraSeats(state.seats))
        if extra > 0 {
            lines.append(InvoiceLine(
                kind: .extraSeats, descriptionEN: "Extra seats beyond the \(plan.includedSeats) included, \(first) – \(last)",
                descriptionZH: "超出所含 \(plan.includedSeats) 个席位的额外席位，\(first) 至 \(last)",
                quantity: extra, unitAmountMinor: plan.extraSeatPrice(cycle), amountMinor: extra * plan.extraSeatPrice(cycle)))
        }
        for change in pending {
            let daysLeft = Int64(calendar.days(from: change.at, to: periodEnd))
            defer { state = change }
            guard daysLeft > 0 else { continue }
            let from = calendar.dateString(change.at)
            let share = "\(daysLeft) of \(daysInPeriod) days from \(from)"
            let shareZH = "自 \(from) 起 \(daysInPeriod) 天中的 \(daysLeft) 天"
            func prorated(_ kind: InvoiceLine.Kind, _ en: String, _ zh: String, _ price: Int64) {
                let amount = MinorUnits.divideRounded(price * daysLeft, by: daysInPeriod)
                lines.append(InvoiceLine(kind: kind, descriptionEN: en, descriptionZH: zh, quantity: daysLeft, unitAmountMinor: price,
                                         amountMinor: kind == .prorationCredit ? -amount : amount))
            }
            if change.plan.id != state.plan.id {
                let old = state.plan, new = change.plan
                prorated(.prorationCredit, "Unused \(old.nameEN) plan, \(share)", "\(old.nameZH)未用部分，\(shareZH)", old.price(cycle))
                prorated(.prorationCharge, "\(new.nameEN) plan, \(share)", "\(new.nameZH)，\(shareZH)", new.price(cycle))
            }
            let oldSeats = state.plan.extraSeats(state.seats), newSeats = change.plan.extraSeats(change.seats)
            let oldSeatPrice = Int64(oldSeats) * state.plan.extraSeatPrice(cycle)
            let newSeatPrice = Int64(newSeats) * change.plan.extraSeatPrice(cycle)
            if oldSeatPrice != newSeatPrice {
                if oldSeatPrice > 0 {
                    prorated(.prorationCredit, "Unused \(oldSeats) extra seats, \(share)", "未用的 \(oldSeats) 个额外席位，\(shareZH)", oldSeatPrice)
                }
                if newSeatPrice > 0 {
                    prorated(.prorationCharge, "\(newSeats) extra seats, \(share)", "\(newSeats) 个额外席位，\(shareZH)", newSeatPrice)
                }
            }
        }
        if let metered {
            let allowance = metered.includedAPICallsMonth * Int64(cycle == .monthly ? 1 : 12)
            let over = apiCalls - allowance
            if over > 0 && metered.blockPriceMinor > 0 {
                let blocks = (over + metered.block - 1) / metered.block
                lines.append(InvoiceLine(
                    kind: .overage,
                    descriptionEN: "API calls over the \(allowance) included: \(over) calls, in blocks of \(metered.block)",
                    descriptionZH: "超出所含 \(allowance) 次的 API 调用：\(over) 次，每 \(metered.block) 次计一档",
                    quantity: blocks, unitAmountMinor: metered.blockPriceMinor, amountMinor: blocks * metered.blockPriceMinor))
            }
        }
        return withTax(lines, currency: start.plan.currency, taxRateBP: taxRateBP)
    }

    /// Adds the tax line: the rate applied once to the subtotal, rounded half away from zero.
    static func withTax(_ lines: [InvoiceLine], currency: String, taxRateBP: Int) -> InvoiceAmounts {
        let subtotal = lines.reduce(0) { $0 + $1.amountMinor }
        let tax = MinorUnits.share(of: subtotal, basisPoints: taxRateBP)
        let rate = "\(taxRateBP / 100).\(String(format: "%02d", taxRateBP % 100)) %"
        let taxLine = InvoiceLine(kind: .tax, descriptionEN: "Tax at \(rate)", descriptionZH: "税率 \(rate)", quantity: 1,
                                  unitAmountMinor: tax, amountMinor: tax)
        return InvoiceAmounts(currency: currency, lines: lines + [taxLine], subtotal: subtotal, taxRateBP: taxRateBP, tax: tax,
                              total: subtotal + tax)
    }
}

extension BillingCycle {
    var labelZH: String { self == .monthly ? "月付" : "年付" }
}
