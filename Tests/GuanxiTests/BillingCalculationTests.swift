import Billing
import Foundation
import Subscriptions
import Testing

/// Invoice amounts computed by hand: proration by the day in the tenant's zone, month ends, leap
/// years, zones east and west of UTC, overage, tax and rounding. No database: the calculator is pure.
@Suite("Billing: invoice amounts and proration")
struct BillingCalculationTests {
    static let starter = PricedPlan(id: UUID(uuidString: "01930000-0000-7000-8000-000000000002")!, code: "starter", nameEN: "Starter",
                                    nameZH: "入门版", currency: "CNY", priceMonthMinor: 9900, priceYearMinor: 99000, includedSeats: 3,
                                    extraSeatMonthMinor: 3900)
    static let growth = PricedPlan(id: UUID(uuidString: "01930000-0000-7000-8000-000000000003")!, code: "growth", nameEN: "Growth",
                                   nameZH: "成长版", currency: "CNY", priceMonthMinor: 29900, priceYearMinor: 299000, includedSeats: 10,
                                   extraSeatMonthMinor: 2900)
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!

    func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    func amounts(_ start: String, _ end: String, zone: TimeZone, cycle: BillingCycle = .monthly, from plan: PricedPlan, seats: Int,
                 changes: [(String, PricedPlan, Int)] = [], calls: Int64 = 0, metered: MeteredPrice? = nil, taxBP: Int = 0) -> InvoiceAmounts {
        let amounts = InvoiceCalculator.amounts(
            periodStart: date(start), periodEnd: date(end), timeZone: zone, cycle: cycle,
            start: PlanChange(at: date(start), plan: plan, seats: seats),
            changes: changes.map { PlanChange(at: date($0.0), plan: $0.1, seats: $0.2) }, apiCalls: calls, metered: metered, taxRateBP: taxBP)
        #expect(amounts.lines.reduce(0) { $0 + $1.amountMinor } == amounts.total, "the lines add up to the total")
        #expect(amounts.subtotal + amounts.tax == amounts.total)
        #expect(amounts.lines.last?.kind == .tax && amounts.lines.last?.amountMinor == amounts.tax)
        return amounts
    }

    @Test("an upgrade on 16 March in Shanghai: 16 of 31 days credited and charged, tax once on the subtotal")
    func upgradeEastOfUTC() {
        // Period 1 Mar 09:00 – 1 Apr 09:00 Shanghai; upgrade 16 Mar 10:00 Shanghai (02:00 UTC).
        let result = amounts("2026-03-01T01:00:00Z", "2026-04-01T01:00:00Z", zone: Self.shanghai, from: Self.starter, seats: 3,
                             changes: [("2026-03-16T02:00:00Z", Self.growth, 10)], taxBP: 600)
        // 9900 × 16 / 31 = 5109.68 → 5110; 29900 × 16 / 31 = 15432.26 → 15432; tax 6 % of 20222 = 1213.32 → 1213.
        #expect(result.lines.map(\.amountMinor) == [9900, -5110, 15432, 1213])
        #expect(result.lines.map(\.kind) == [.plan, .prorationCredit, .prorationCharge, .tax])
        #expect(result.lines[1].quantity == 16 && result.lines[1].unitAmountMinor == 9900)
        #expect(result.subtotal == 20222 && result.total == 21435)
    }

    @Test("the same instant west of UTC is a day earlier there: 17 of 31 days")
    func upgradeWestOfUTC() {
        // Period 1 Mar 09:00 PST – 1 Apr 09:00 PDT; 16 Mar 02:00 UTC is 15 Mar 19:00 in Los Angeles.
        let result = amounts("2026-03-01T17:00:00Z", "2026-04-01T16:00:00Z", zone: Self.losAngeles, from: Self.starter, seats: 3,
                             changes: [("2026-03-16T02:00:00Z", Self.growth, 10)])
        // 9900 × 17 / 31 = 5429.03 → 5429; 29900 × 17 / 31 = 16396.77 → 16397.
        #expect(result.lines.map(\.amountMinor) == [9900, -5429, 16397, 0])
        #expect(result.total == 20868)
    }

    @Test("a seat change in February counts 29 days in a leap year and 28 otherwise")
    func leapYearSeats() {
        // 3 → 5 seats on Starter (2 extra at 3900) on 15 February, UTC.
        let leap = amounts("2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z", zone: .gmt, from: Self.starter, seats: 3,
                           changes: [("2028-02-15T12:00:00Z", Self.starter, 5)])
        // 7800 × 15 / 29 = 4034.48 → 4034
        #expect(leap.lines.map(\.amountMinor) == [9900, 4034, 0])
        #expect(leap.lines[1].quantity == 15)
        let common = amounts("2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z", zone: .gmt, from: Self.starter, seats: 3,
                             changes: [("2027-02-15T12:00:00Z", Self.starter, 5)])
        // 7800 × 14 / 28 = 3900 exactly
        #expect(common.lines.map(\.amountMinor) == [9900, 3900, 0])
    }

    @Test("a downgrade with seats kept: plan credit and charge, and the seats the smaller plan does not include")
    func downgradeMidPeriod() {
        // April (30 days), UTC; Growth with 10 seats moves to Starter on 21 April: 10 days left.
        let result = amounts("2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z", zone: .gmt, from: Self.growth, seats: 10,
                             changes: [("2026-04-21T08:00:00Z", Self.starter, 10)], taxBP: 1000)
        // 29900 × 10/30 = 9966.67 → 9967 credited; 9900 × 10/30 = 3300; 7 extra seats × 3900 = 27300 × 10/30 = 9100.
        #expect(result.lines.map(\.amountMinor) == [29900, -9967, 3300, 9100, 3233])
        #expect(result.lines.map(\.kind) == [.plan, .prorationCredit, .prorationCharge, .prorationCharge, .tax])
        #expect(result.subtotal == 32333 && result.total == 35566)
    }

    @Test("seats going down credit the extra seats no longer held; a change on the first day is no proration")
    func seatsDownAndFirstDay() {
        // Starter with 6 seats (3 extra); on the first day (later that day) 7 seats; on 11 March (21 of 31 days left) 4 seats.
        let result = amounts("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", zone: .gmt, from: Self.starter, seats: 6,
                             changes: [("2026-03-01T15:00:00Z", Self.starter, 7), ("2026-03-11T09:00:00Z", Self.starter, 4)])
        // Start counts 4 extra seats (15600); credit 15600 × 21/31 = 10567.74 → 10568; charge 1 × 3900 × 21/31 = 2641.94 → 2642.
        #expect(result.lines.map(\.amountMinor) == [9900, 15600, -10568, 2642, 0])
        #expect(result.lines[1].quantity == 4)
    }

    @Test("month ends: a period anchored on 31 January ends on 29 February in a leap year, then 31 March")
    func monthEndPeriods() {
        let anchor = date("2028-01-31T01:00:00Z")  // 09:00 Shanghai
        let february = BillingRun.period(endingIn: BillingMonth("2028-02")!, anchor: anchor, cycle: .monthly, timeZone: Self.shanghai)
        #expect(february?.start == anchor && february?.end == date("2028-02-29T01:00:00Z"))
        let march = BillingRun.period(endingIn: BillingMonth("2028-03")!, anchor: anchor, cycle: .monthly, timeZone: Self.shanghai)
        #expect(march?.start == date("2028-02-29T01:00:00Z") && march?.end == date("2028-03-31T01:00:00Z"))
        // A period ending at local midnight on the 1st belongs to the month before it.
        let firsts = BillingRun.period(endingIn: BillingMonth("2026-03")!, anchor: date("2026-01-01T08:00:00Z"), cycle: .monthly,
                                       timeZone: Self.losAngeles)
        #expect(firsts?.start == date("2026-03-01T08:00:00Z") && firsts?.end == date("2026-04-01T07:00:00Z"))
        // A yearly period ends in one month of twelve; none ends before the anchor.
        #expect(BillingRun.period(endingIn: BillingMonth("2027-05")!, anchor: date("2026-06-10T00:00:00Z"), cycle: .yearly, timeZone: .gmt) == nil)
        #expect(BillingRun.period(endingIn: BillingMonth("2027-06")!, anchor: date("2026-06-10T00:00:00Z"), cycle: .yearly, timeZone: .gmt)?.end
                == date("2027-06-10T00:00:00Z"))
        #expect(BillingRun.period(endingIn: BillingMonth("2026-05")!, anchor: date("2026-06-10T00:00:00Z"), cycle: .monthly, timeZone: .gmt) == nil)
    }

    @Test("yearly: extra seats at twelve months' price, allowance twelve months, overage in started blocks")
    func yearlyWithOverage() {
        let metered = MeteredPrice(includedAPICallsMonth: 100_000, block: 1000, blockPriceMinor: 80)
        let result = amounts("2026-01-10T00:00:00Z", "2027-01-10T00:00:00Z", zone: .gmt, cycle: .yearly, from: Self.growth, seats: 12,
                             calls: 1_234_567, metered: metered, taxBP: 600)
        // 2 extra × 2900 × 12 = 69600; 1,234,567 − 1,200,000 = 34,567 calls → 35 blocks × 80 = 2800.
        #expect(result.lines.map(\.amountMinor) == [299000, 69600, 2800, 22284])
        #expect(result.lines[2].quantity == 35)
        // tax 6 % of 371400 = 22284
        #expect(result.total == 393684)
    }

    @Test("rounding is half away from zero, per line and for tax")
    func roundingHalfAwayFromZero() {
        let tiny = PricedPlan(id: UUID(), code: "tiny", nameEN: "Tiny", nameZH: "微型", currency: "CNY", priceMonthMinor: 25, priceYearMinor: 0,
                              includedSeats: 1, extraSeatMonthMinor: 0)
        // 2 % of 25 = 0.5 → 1
        #expect(amounts("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z", zone: .gmt, from: tiny, seats: 1, taxBP: 200).tax == 1)
        // 30-day June, change on 16 June: 15 days; 25 × 15 / 30 = 12.5 → 13 credited (−13) and charged.
        let other = PricedPlan(id: UUID(), code: "other", nameEN: "Other", nameZH: "其他", currency: "CNY", priceMonthMinor: 25, priceYearMinor: 0,
                               includedSeats: 1, extraSeatMonthMinor: 0)
        let result = amounts("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z", zone: .gmt, from: tiny, seats: 1,
                             changes: [("2026-06-16T00:00:00Z", other, 1)])
        #expect(result.lines.map(\.amountMinor) == [25, -13, 13, 0])
    }
}
