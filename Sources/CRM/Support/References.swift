import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// Checks that ids named in a request body are records of the calling workspace, with a 422 that
/// names the field, before anything is written. (The tenant-scoped foreign keys would refuse them
/// too, but only with the generic `invalid_reference`.) Rows are share-locked against deletion
/// until the writing transaction ends.
enum References {
    /// A member of the workspace (an owner or assignee): 422 `unknown_user` otherwise.
    static func requireUser(_ id: UserID?, field: String, in transaction: Transaction) async throws {
        guard let id else { return }
        let found = try await transaction.rows("SELECT id FROM users WHERE id = \(id.uuid) FOR KEY SHARE", as: UUID.self)
        if found.isEmpty { throw unknown("user", field: field) }
    }

    /// Contacts of the workspace: 422 `unknown_contact` naming the field if any is not.
    static func requireContacts(_ ids: [ContactID], field: String, in transaction: Transaction) async throws {
        let wanted = Set(ids.map(\.uuid))
        guard !wanted.isEmpty else { return }
        let found = try await transaction.rows("""
            SELECT id FROM contacts WHERE id = ANY(\(Array(wanted))) FOR KEY SHARE
            """, as: UUID.self)
        if Set(found) != wanted { throw unknown("contact", field: field) }
    }

    static func requireLead(_ id: LeadID?, field: String, in transaction: Transaction) async throws {
        guard let id else { return }
        let found = try await transaction.rows("SELECT id FROM leads WHERE id = \(id.uuid) FOR KEY SHARE", as: UUID.self)
        if found.isEmpty { throw unknown("lead", field: field) }
    }

    /// Leads of the workspace: 422 `unknown_lead` naming the field if any is not.
    static func requireLeads(_ ids: [LeadID], field: String, in transaction: Transaction) async throws {
        let wanted = Set(ids.map(\.uuid))
        guard !wanted.isEmpty else { return }
        let found = try await transaction.rows("""
            SELECT id FROM leads WHERE id = ANY(\(Array(wanted))) FOR KEY SHARE
            """, as: UUID.self)
        if Set(found) != wanted { throw unknown("lead", field: field) }
    }

    static func requireCampaign(_ id: CampaignID?, field: String, in transaction: Transaction) async throws {
        guard let id else { return }
        let found = try await transaction.rows("SELECT id FROM campaigns WHERE id = \(id.uuid) FOR KEY SHARE", as: UUID.self)
        if found.isEmpty { throw unknown("campaign", field: field) }
    }

    static func requireDeal(_ id: DealID?, field: String, in transaction: Transaction) async throws {
        guard let id else { return }
        let found = try await transaction.rows("SELECT id FROM deals WHERE id = \(id.uuid) FOR KEY SHARE", as: UUID.self)
        if found.isEmpty { throw unknown("deal", field: field) }
    }

    static func requireCase(_ id: CaseID?, field: String, in transaction: Transaction) async throws {
        guard let id else { return }
        let found = try await transaction.rows("SELECT id FROM cases WHERE id = \(id.uuid) FOR KEY SHARE", as: UUID.self)
        if found.isEmpty { throw unknown("case", field: field) }
    }

    /// `unknown_<entity>`: the body names a record this workspace does not have.
    static func unknown(_ entity: String, field: String) -> GuanxiError {
        GuanxiError(.invalid, code: "unknown_\(entity)", message: "\(field) names no \(entity) in this workspace.",
                    details: ["field": field])
    }
}

extension Decoder {
    /// Refuses keys outside `allowed` in a nested object of a request body (the gateway checks
    /// only the top level), with the same `unknown_field` and a dotted path such as `deal.amout`.
    func rejectUnknownKeys(_ allowed: Set<String>) throws {
        let container = try self.container(keyedBy: AnyKey.self)
        if let unknown = container.allKeys.map(\.stringValue).filter({ !allowed.contains($0) }).sorted().first {
            let path = (codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } + [unknown]).joined(separator: ".")
            throw GuanxiError(.invalid, code: "unknown_field",
                              message: "\(path) is not a field here; allowed: \(allowed.sorted().joined(separator: ", ")).",
                              details: ["field": path])
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
