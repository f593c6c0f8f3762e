import Database
import Foundation
import GuanxiCore

extension ContactFilter {
    /// The filter as a condition on `contacts`: what `GET /api/v1/contacts` lists, and what a
    /// campaign's segment adds (`CampaignMembers.addSegment`), so the two always agree. Only the
    /// filters given become SQL.
    func condition(in transaction: Transaction) async throws -> SQLCondition {
        var conditions: [SQLCondition] = []
        if let accountID { conditions.append("account_id = \(accountID.uuid)") }
        conditions.append(try TextSearch.condition(q, matching: .contact))
        conditions.append(try await customFields.condition(for: .contact, in: transaction))
        return .all(conditions)
    }
}
