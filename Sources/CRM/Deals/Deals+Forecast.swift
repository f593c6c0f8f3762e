import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// The months and filters of a forecast.
public struct ForecastRequest: Sendable {
    public static let longestRange = 36

    public var from: CalendarMonth
    public var to: CalendarMonth
    public var ownerID: UserID?
    public var pipelineID: PipelineID?

    /// `from` to `to`, both included, at most `longestRange` months.
    public init(from: CalendarMonth, to: CalendarMonth, ownerID: UserID? = nil, pipelineID: PipelineID? = nil) throws {
        guard from <= to else {
            throw GuanxiError(.malformed, code: "invalid_filter", message: "from must not be after to.", details: ["field": "from"])
        }
        guard from.months(to: to) < Self.longestRange, to.next != nil else {
            throw GuanxiError(.malformed, code: "invalid_filter", message: "A forecast covers at most \(Self.longestRange) months.",
                              details: ["field": "to"])
        }
        self.from = from
        self.to = to
        self.ownerID = ownerID
        self.pipelineID = pipelineID
    }
}

/// Expected revenue: each deal's amount weighted by its stage's win probability, summed by month
/// and by owner, one line per currency (amounts in different currencies are never added).
public struct Forecast: Sendable, Encodable {
    public var from: String
    public var to: String
    /// The workspace's zone, in which won deals are placed in the month they were won.
    public var timeZone: String
    public var byMonthAndOwner: [ForecastLine]
    public var byMonth: [ForecastLine]
    public var byOwner: [ForecastLine]
    public var totals: [ForecastLine]

    enum CodingKeys: String, CodingKey {
        case from, to, totals
        case timeZone = "time_zone"
        case byMonthAndOwner = "by_month_and_owner"
        case byMonth = "by_month"
        case byOwner = "by_owner"
    }
}

/// One sum of a forecast; `month` and `owner_id` are left out of the lines that add them all up.
public struct ForecastLine: Sendable, Encodable, Equatable {
    public var month: String?
    public var ownerID: UserID?
    public var currency: String
    public var dealCount: Int
    public var amountMinor: Int64
    /// Σ(amount_minor × win_probability_bp) / 10000 over the line's deals, computed exactly and
    /// rounded once, to the nearest minor unit with halves up.
    public var weightedMinor: Int64

    enum CodingKeys: String, CodingKey {
        case month, currency
        case ownerID = "owner_id"
        case dealCount = "deal_count"
        case amountMinor = "amount_minor"
        case weightedMinor = "weighted_minor"
    }
}

extension Deals {
    /// Open deals by the month of their expected close date and won deals by the month they were
    /// won (in the workspace's zone), each weighted by its stage's probability (won: 100 %). Lost
    /// deals, deals without an amount and open deals without an expected close date are left out.
    public func forecast(_ principal: TenantPrincipal, _ request: ForecastRequest) async throws -> Forecast {
        let start = request.from.firstDay
        let end = request.to.next!.firstDay
        let (zone, rows) = try await database.withTenant(principal.tenant) { transaction in
            let zone = try await transaction.rows("SELECT time_zone FROM tenants", as: String.self).first ?? "UTC"
            let rows = try await transaction.rows("""
                WITH forecast_deals AS (
                    SELECT d.owner_id, d.currency, d.amount_minor, s.win_probability_bp,
                           CASE s.kind WHEN 'won' THEN (d.closed_at AT TIME ZONE \(zone))::date ELSE d.expected_close_date END AS day
                      FROM deals d
                      JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id
                     WHERE s.kind <> 'lost' AND d.amount_minor IS NOT NULL
                       AND (\(request.ownerID?.uuid)::uuid IS NULL OR d.owner_id = \(request.ownerID?.uuid))
                       AND (\(request.pipelineID?.uuid)::uuid IS NULL OR d.pipeline_id = \(request.pipelineID?.uuid))
                ), in_range AS (
                    SELECT to_char(day, 'YYYY-MM') AS month, owner_id, currency, amount_minor, win_probability_bp
                      FROM forecast_deals WHERE day >= \(start) AND day < \(end)
                )
                SELECT month, owner_id, currency, GROUPING(month) = 1, GROUPING(owner_id) = 1, count(*),
                       sum(amount_minor)::bigint, round(sum(amount_minor::numeric * win_probability_bp) / 10000)::bigint
                  FROM in_range
                 GROUP BY GROUPING SETS ((month, owner_id, currency), (month, currency), (owner_id, currency), (currency))
                 ORDER BY month, owner_id, currency
                """, as: (String?, UUID?, String, Bool, Bool, Int, Int64, Int64).self)
            return (zone, rows)
        }
        var forecast = Forecast(from: request.from.description, to: request.to.description, timeZone: zone,
                                byMonthAndOwner: [], byMonth: [], byOwner: [], totals: [])
        for (month, owner, currency, allMonths, allOwners, count, amount, weighted) in rows {
            let line = ForecastLine(month: month, ownerID: owner.map(UserID.init), currency: currency, dealCount: count,
                                    amountMinor: amount, weightedMinor: weighted)
            switch (allMonths, allOwners) {
            case (false, false): forecast.byMonthAndOwner.append(line)
            case (false, true): forecast.byMonth.append(line)
            case (true, false): forecast.byOwner.append(line)
            case (true, true): forecast.totals.append(line)
            }
        }
        return forecast
    }
}
