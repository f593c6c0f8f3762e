import Database
import Foundation
import GuanxiCore
import Logging
import PostgresNIO
import Tenancy

/// Finds SLA clocks past their due time in every workspace, flags them and escalates their cases.
///
/// The host scope only reads which workspaces have such clocks; each workspace's cases are then
/// changed in its own scope. The statement that finds a breach is the one that sets
/// `first_response_breached_at` or `resolution_breached_at` (to the due time that passed), so the
/// flag is set once, by one sweep, however many servers sweep at the same time.
public struct CaseBreachMonitor: Sendable {
    let database: Database
    let serviceLevels: ServiceLevels

    public init(database: Database, serviceLevels: ServiceLevels) {
        self.database = database
        self.serviceLevels = serviceLevels
    }

    /// Flags and escalates every breach due at `now` or earlier; returns how many were flagged. A
    /// workspace that fails is logged and left for the next sweep; the others go on.
    @discardableResult
    public func sweep(now: Date = Date()) async throws -> Int {
        let tenants = try await database.withHost { host in
            try await host.rows("""
                SELECT DISTINCT tenant_id FROM cases
                 WHERE (first_responded_at IS NULL AND first_response_breached_at IS NULL
                        AND status IN ('new', 'open', 'waiting_on_customer') AND first_response_due_at <= \(now))
                    OR (resolution_breached_at IS NULL AND resolution_due_at <= \(now))
                """, as: UUID.self)
        }
        var breaches = 0
        for tenant in tenants.map(TenantID.init) {
            do {
                breaches += try await sweep(tenant, now: now)
            } catch {
                database.logger.warning("SLA breach sweep failed for a workspace",
                                        metadata: ["tenant_id": "\(tenant)", "error": "\(error)"])
            }
        }
        return breaches
    }

    /// One workspace's breaches, in one transaction: flag, escalate, record.
    func sweep(_ tenant: TenantID, now: Date) async throws -> Int {
        try await database.withTenant(tenant) { transaction in
            let settings = try await serviceLevels.settings(in: transaction)
            var breaches = 0
            for clock in SLAClock.allCases {
                for breached in try await flagBreaches(of: clock, at: now, in: transaction) {
                    try await escalate(breached, clock: clock, settings: settings, tenant: tenant, at: now, in: transaction)
                    breaches += 1
                }
            }
            return breaches
        }
    }

    private struct Breached {
        var id: CaseID
        var priority: CasePriority
        var assigneeID: UserID?
    }

    /// The detecting statement: sets the clock's breach time on every case whose clock ran out.
    private func flagBreaches(of clock: SLAClock, at now: Date, in transaction: Transaction) async throws -> [Breached] {
        let rows = switch clock {
        case .firstResponse:
            try await transaction.rows("""
                UPDATE cases SET first_response_breached_at = first_response_due_at, updated_at = \(now)
                 WHERE first_responded_at IS NULL AND first_response_breached_at IS NULL
                   AND status IN ('new', 'open', 'waiting_on_customer') AND first_response_due_at <= \(now)
                RETURNING id, priority, assignee_id
                """, as: (UUID, String, UUID?).self)
        case .resolution:
            try await transaction.rows("""
                UPDATE cases SET resolution_breached_at = resolution_due_at, updated_at = \(now)
                 WHERE resolution_breached_at IS NULL AND resolution_due_at <= \(now)
                RETURNING id, priority, assignee_id
                """, as: (UUID, String, UUID?).self)
        }
        return rows.map { Breached(id: CaseID($0.0), priority: CasePriority(rawValue: $0.1) ?? .urgent, assigneeID: $0.2.map(UserID.init)) }
    }

    /// Raises the priority one step (if the workspace escalates priorities) and hands the case to
    /// the escalation assignee (if there is one), and records the breach, the escalation and each
    /// change in the history, with no member as the actor.
    private func escalate(_ breached: Breached, clock: SLAClock, settings: ServiceLevels.Settings, tenant: TenantID, at now: Date,
                          in transaction: Transaction) async throws {
        let priority = settings.escalatePriority ? breached.priority.raised : breached.priority
        let assignee = settings.escalationAssigneeID ?? breached.assigneeID
        var history = [Cases.HistoryEntry.breach(clock), Cases.HistoryEntry(.escalated, to: clock.rawValue, actor: nil)]
        if priority != breached.priority {
            history.append(Cases.HistoryEntry(.priorityChanged, from: breached.priority.rawValue, to: priority.rawValue, actor: nil))
        }
        if assignee != breached.assigneeID {
            history.append(Cases.HistoryEntry(.assigneeChanged, from: breached.assigneeID?.description, to: assignee?.description, actor: nil))
        }
        if priority != breached.priority || assignee != breached.assigneeID {
            try await transaction.query("""
                UPDATE cases SET priority = \(priority.rawValue), assignee_id = \(assignee?.uuid), updated_at = \(now)
                 WHERE id = \(breached.id.uuid)
                """)
        }
        try await Cases.record(history, of: breached.id, tenant: tenant, at: now, in: transaction)
    }
}
