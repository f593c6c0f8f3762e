import Database
import Foundation
import PostgresNIO

/// Every plan version's prices and the metered prices, read once per run or report.
struct BillingCatalog {
    var plans: [UUID: PricedPlan]
    /// By plan code.
    var metered: [String: MeteredPrice]

    static func load(in host: Transaction) async throws -> BillingCatalog {
        let plans = try await host.rows("""
            SELECT id, code, name_en, name_zh, currency, price_month_minor, price_year_minor, included_seats, extra_seat_month_minor FROM plans
            """, as: (UUID, String, String, String, String, Int64, Int64, Int, Int64).self)
        let metered = try await host.rows("""
            SELECT plan_code, included_api_calls_month, api_calls_block, block_price_minor FROM metered_prices
            """, as: (String, Int64, Int, Int64).self)
        return BillingCatalog(
            plans: Dictionary(uniqueKeysWithValues: plans.map {
                ($0.0, PricedPlan(id: $0.0, code: $0.1, nameEN: $0.2, nameZH: $0.3, currency: $0.4, priceMonthMinor: $0.5,
                                  priceYearMinor: $0.6, includedSeats: $0.7, extraSeatMonthMinor: $0.8))
            }),
            metered: Dictionary(uniqueKeysWithValues: metered.map {
                ($0.0, MeteredPrice(includedAPICallsMonth: $0.1, block: Int64($0.2), blockPriceMinor: $0.3))
            }))
    }
}
