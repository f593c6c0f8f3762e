import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// What a campaign reached and what it brought: its members by status, how many responded, the
/// deals it sourced, and what each response and each unit of cost returned. Amounts are in the
/// campaign's currency; won deals in other currencies are listed apart, never added to it.
public struct CampaignReport: Sendable, Encodable, Equatable {
    public var campaignID: CampaignID
    public var currency: String
    /// Every member, whatever their status.
    public var members: Int
    /// The members in each status now, every status present (0 when none).
    public var membersByStatus: [CampaignMember.Status: Int]
    /// Members who responded at some point, even if they unsubscribed afterwards.
    public var responses: Int
    /// `responses` out of `members` in basis points, halves rounded up; `nil` without members.
    public var responseRateBP: Int?
    public var deals: SourcedDeals
    public var budgetMinor: Int64?
    public var actualCostMinor: Int64?
    /// The actual cost divided by the responses, halves rounded up; `nil` without both.
    public var costPerResponseMinor: Int64?
    /// (won − actual cost) / actual cost in basis points, halves rounded away from zero; `nil`
    /// without an actual cost above 0.
    public var roiBP: Int64?

    /// The deals whose `campaign_id` is the campaign, as far as the caller sees deals (Docs/Access.md).
    public struct SourcedDeals: Sendable, Encodable, Equatable {
        public var count: Int
        public var open: Int
        public var won: Int
        public var lost: Int
        /// The won deals' amounts in the campaign's currency.
        public var wonAmountMinor: Int64
        /// Won deals without an amount.
        public var wonWithoutAmount: Int
        /// Won deals in other currencies, one entry per currency, alphabetical.
        public var wonInOtherCurrencies: [CurrencyTotal]

        enum CodingKeys: String, CodingKey {
            case count, open, won, lost
            case wonAmountMinor = "won_amount_minor"
            case wonWithoutAmount = "won_without_amount"
            case wonInOtherCurrencies = "won_in_other_currencies"
        }
    }

    public struct CurrencyTotal: Sendable, Encodable, Equatable {
        public var currency: String
        public var won: Int
        public var wonAmountMinor: Int64

        enum CodingKeys: String, CodingKey {
            case currency, won
            case wonAmountMinor = "won_amount_minor"
        }
    }

    enum CodingKeys: String, CodingKey {
        case currency, members, responses, deals
        case campaignID = "campaign_id"
        case membersByStatus = "members_by_status"
        case responseRateBP = "response_rate_bp"
        case budgetMinor = "budget_minor"
        case actualCostMinor = "actual_cost_minor"
        case costPerResponseMinor = "cost_per_response_minor"
        case roiBP = "roi_bp"
    }

    /// Every field is present, `null` when it cannot be computed; `members_by_status` an object keyed by status.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(campaignID, forKey: .campaignID)
        try container.encode(currency, forKey: .currency)
        try container.encode(members, forKey: .members)
        try container.encode(Dictionary(uniqueKeysWithValues: membersByStatus.map { ($0.key.rawValue, $0.value) }), forKey: .membersByStatus)
        try container.encode(responses, forKey: .responses)
        try container.encode(responseRateBP, forKey: .responseRateBP)
        try container.encode(deals, forKey: .deals)
        try container.encode(budgetMinor, forKey: .budgetMinor)
        try container.encode(actualCostMinor, forKey: .actualCostMinor)
        try container.encode(costPerResponseMinor, forKey: .costPerResponseMinor)
        try container.encode(roiBP, forKey: .roiBP)
    }
}

extension CampaignReport {
    /// The figures that follow from the counts: rates and ratios in whole numbers, never floating point.
    init(campaign: Campaign, membersByStatus counted: [CampaignMember.Status: Int], responses: Int, deals: SourcedDeals) {
        var byStatus = Dictionary(uniqueKeysWithValues: CampaignMember.Status.allCases.map { ($0, 0) })
        byStatus.merge(counted) { $1 }
        let members = byStatus.values.reduce(0, +)
        let cost = campaign.actualCost?.amountMinor
        self.init(campaignID: campaign.id, currency: campaign.currency, members: members, membersByStatus: byStatus,
                  responses: responses,
                  responseRateBP: members > 0 ? Int(Self.divided(Int128(responses) * 10_000, by: Int128(members))) : nil,
                  deals: deals, budgetMinor: campaign.budget?.amountMinor, actualCostMinor: cost,
                  costPerResponseMinor: cost.flatMap { cost in responses > 0 ? Int64(Self.divided(Int128(cost), by: Int128(responses))) : nil },
                  roiBP: cost.flatMap { cost in
                      cost > 0 ? Int64(exactly: Self.divided((Int128(deals.wonAmountMinor) - Int128(cost)) * 10_000, by: Int128(cost))) : nil
                  })
    }

    /// `dividend / divisor` (divisor above 0) rounded to the nearest whole number, halves away from zero.
    static func divided(_ dividend: Int128, by divisor: Int128) -> Int128 {
        // (2a ± b) / 2b truncates towards zero, which is a / b rounded with halves away from zero
        (dividend * 2 + (dividend >= 0 ? divisor : -divisor)) / (divisor * 2)
    }
}

extension Campaigns {
    /// The campaign's report, read in one transaction so its figures agree with each other.
    public func report(_ principal: TenantPrincipal, _ id: CampaignID) async throws -> CampaignReport {
        try await database.withTenant(principal.tenant) { transaction in
            let campaign = try await Self.read(id, in: transaction)
            let statuses = try await transaction.rows("""
                SELECT status, count(*) FROM campaign_members WHERE campaign_id = \(id.uuid) GROUP BY status
                """, as: (String, Int).self)
            let responses = try await transaction.rows("""
                SELECT count(DISTINCT t.member_id) FROM campaign_touches t
                  JOIN campaign_members m ON m.tenant_id = t.tenant_id AND m.id = t.member_id
                 WHERE m.campaign_id = \(id.uuid) AND t.to_status = 'responded'
                """, as: Int.self)[0]
            let deals = try await transaction.rows("""
                SELECT status, currency, count(*), coalesce(sum(amount_minor), 0)::bigint
                  FROM deal_details WHERE campaign_id = \(id.uuid)
                 GROUP BY status, currency ORDER BY currency NULLS FIRST
                """, as: (String, String?, Int, Int64).self)
            var sourced = CampaignReport.SourcedDeals(count: 0, open: 0, won: 0, lost: 0, wonAmountMinor: 0, wonWithoutAmount: 0,
                                                      wonInOtherCurrencies: [])
            for (status, currency, count, amount) in deals {
                sourced.count += count
                switch Stage.Kind(rawValue: status) {
                case .open?: sourced.open += count
                case .lost?: sourced.lost += count
                case .won?:
                    sourced.won += count
                    if currency == nil {
                        sourced.wonWithoutAmount += count
                    } else if currency == campaign.currency {
                        sourced.wonAmountMinor += amount
                    } else if let currency {
                        sourced.wonInOtherCurrencies.append(CampaignReport.CurrencyTotal(currency: currency, won: count, wonAmountMinor: amount))
                    }
                case nil: break
                }
            }
            let byStatus = Dictionary(uniqueKeysWithValues: statuses.compactMap { row in CampaignMember.Status(rawValue: row.0).map { ($0, row.1) } })
            return CampaignReport(campaign: campaign, membersByStatus: byStatus, responses: responses, deals: sourced)
        }
    }
}
