import Database
import Foundation
import GuanxiCore
import PostgresNIO
import Tenancy

/// A workspace's service settings: SLA targets per priority, escalation, business hours in a time
/// zone, and holidays. A workspace gets the standard set the first time its service desk is used
/// (`settings(in:)`), so every workspace, old or new, has its own rows to change.
public struct ServiceLevels: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// The roles that may take over escalated cases.
    public static let escalationRoles: Set<MembershipRole> = [.owner, .admin, .manager]

    /// The settings a case needs, read in the case's own transaction.
    struct Settings {
        var timeZone: TimeZone
        var timeZoneName: String
        var usesWorkspaceTimeZone: Bool
        var escalationAssigneeID: UserID?
        var escalatePriority: Bool
    }

    // MARK: Reading and changing, for the API

    public func policy(_ tenant: TenantID) async throws -> ServiceLevelPolicy {
        try await database.withTenant(tenant) { transaction in
            try await policy(settings: try await settings(in: transaction), in: transaction)
        }
    }

    /// Changes the targets named in `patch` and the escalation, all or nothing. Cases already
    /// open keep the targets they were opened with.
    public func updatePolicy(_ tenant: TenantID, _ patch: ServiceLevelPolicyPatch) async throws -> ServiceLevelPolicy {
        let targets = try patch.validatedTargets()
        return try await database.withTenant(tenant) { transaction in
            var settings = try await settings(in: transaction)
            if case .set(let assignee) = patch.escalationAssigneeID {
                try await Self.requireEscalationAssignee(assignee, in: transaction)
            }
            settings.escalationAssigneeID = patch.escalationAssigneeID.applied(to: settings.escalationAssigneeID)
            settings.escalatePriority = patch.escalatePriority ?? settings.escalatePriority
            try await transaction.query("""
                UPDATE service_settings SET escalation_assignee_id = \(settings.escalationAssigneeID?.uuid),
                       escalate_priority = \(settings.escalatePriority), updated_at = now()
                """)
            try await Self.upsert(targets, in: transaction)
            return try await policy(settings: settings, in: transaction)
        }
    }

    public func businessHours(_ tenant: TenantID) async throws -> BusinessHours {
        try await database.withTenant(tenant) { transaction in
            try await businessHours(settings: try await settings(in: transaction), in: transaction)
        }
    }

    /// Replaces the parts of the business hours that `patch` holds, all or nothing. Due times
    /// already set stay; clocks that start, resume or are re-targeted from now on use the new hours.
    public func updateBusinessHours(_ tenant: TenantID, _ patch: BusinessHoursPatch) async throws -> BusinessHours {
        let timeZone = try patch.validatedTimeZone()
        let week = try patch.validatedWeek()
        let holidays = try patch.validatedHolidays()
        return try await database.withTenant(tenant) { transaction in
            var settings = try await settings(in: transaction)
            switch timeZone {
            case .keep:
                break
            case .set, .clear:
                try await transaction.query("UPDATE service_settings SET time_zone = \(timeZone.applied(to: nil)), updated_at = now()")
                settings = try await self.settings(in: transaction)
            }
            if let week {
                try await transaction.query("DELETE FROM business_hours")
                try await Self.insert(week, in: transaction)
            }
            if let holidays {
                try await transaction.query("DELETE FROM business_holidays")
                try await transaction.query("""
                    INSERT INTO business_holidays (tenant_id, day, name)
                    SELECT current_setting('app.tenant_id')::uuid, day::date, name
                      FROM unnest(\(holidays.map(\.date.description))::text[], \(holidays.map(\.name))::text[]) AS h (day, name)
                    """)
            }
            return try await businessHours(settings: settings, in: transaction)
        }
    }

    // MARK: For cases, inside their transactions

    /// The workspace's settings, made with the standard set first if it has none yet.
    func settings(in transaction: Transaction) async throws -> Settings {
        let rows = try await transaction.rows("""
            SELECT t.time_zone, s.time_zone, s.escalation_assignee_id, s.escalate_priority
              FROM tenants t LEFT JOIN service_settings s ON s.tenant_id = t.id
            """, as: (String, String?, UUID?, Bool?).self)
        guard let row = rows.first else { throw GuanxiError.notFound("tenant") }
        guard let escalatePriority = row.3 else {
            try await createStandardSettings(in: transaction)
            return try await settings(in: transaction)
        }
        let name = row.1 ?? row.0
        return Settings(timeZone: TimeZone(identifier: name) ?? .gmt, timeZoneName: name, usesWorkspaceTimeZone: row.1 == nil, escalationAssigneeID: row.2.map(UserID.init),
                        escalatePriority: escalatePriority)
    }

    /// The target for one priority.
    func target(for priority: CasePriority, in transaction: Transaction) async throws -> SLATarget {
        let rows = try await transaction.rows("""
            SELECT first_response_minutes, resolution_minutes FROM sla_targets WHERE priority = \(priority.rawValue)
            """, as: (Int, Int).self)
        guard let row = rows.first else {
            throw GuanxiError(.internalFailure, code: "internal_error", message: "No SLA target for \(priority.rawValue).")
        }
        return SLATarget(firstResponseMinutes: row.0, resolutionMinutes: row.1)
    }

    /// The business calendar for clocks that start or move at `now` or later (holidays before
    /// then no longer matter).
    func calendar(_ settings: Settings, from now: Date, in transaction: Transaction) async throws -> BusinessCalendar {
        // A day before `now` in UTC is before `now`'s local day in every zone.
        let earliest = LocalDate.utc(now.addingTimeInterval(-86_400))
        let holidays = try await transaction.rows("""
            SELECT day::text FROM business_holidays WHERE day >= \(earliest.description)::date
            """, as: String.self)
        return try BusinessCalendar(timeZone: settings.timeZone, weekly: try await week(in: transaction),
                                    holidays: Set(holidays.compactMap(LocalDate.init)))
    }

    // MARK: Private

    private func createStandardSettings(in transaction: Transaction) async throws {
        let created = try await transaction.rows("""
            INSERT INTO service_settings (tenant_id) VALUES (current_setting('app.tenant_id')::uuid)
            ON CONFLICT (tenant_id) DO NOTHING RETURNING tenant_id
            """, as: UUID.self)
        // Another transaction made them at the same moment: theirs are as good.
        guard !created.isEmpty else { return }
        try await Self.upsert(ServiceLevelPolicy.standardTargets, in: transaction)
        try await Self.insert(BusinessHours.standardWeek, in: transaction)
    }

    private func policy(settings: Settings, in transaction: Transaction) async throws -> ServiceLevelPolicy {
        let rows = try await transaction.rows("SELECT priority, first_response_minutes, resolution_minutes FROM sla_targets",
                                              as: (String, Int, Int).self)
        var targets: [CasePriority: SLATarget] = [:]
        for (priority, firstResponse, resolution) in rows {
            if let priority = CasePriority(rawValue: priority) {
                targets[priority] = SLATarget(firstResponseMinutes: firstResponse, resolutionMinutes: resolution)
            }
        }
        return ServiceLevelPolicy(targets: targets, escalationAssigneeID: settings.escalationAssigneeID,
                                  escalatePriority: settings.escalatePriority)
    }

    private func businessHours(settings: Settings, in transaction: Transaction) async throws -> BusinessHours {
        let holidays = try await transaction.rows("SELECT day::text, name FROM business_holidays ORDER BY day", as: (String, String).self)
        return BusinessHours(timeZone: settings.timeZoneName, usesWorkspaceTimeZone: settings.usesWorkspaceTimeZone,
                             weekly: try await week(in: transaction),
                             holidays: holidays.compactMap { day, name in LocalDate(day).map { Holiday(date: $0, name: name) } })
    }

    private func week(in transaction: Transaction) async throws -> [Weekday: [OpeningPeriod]] {
        let rows = try await transaction.rows("SELECT weekday, opens_minute, closes_minute FROM business_hours ORDER BY weekday, opens_minute",
                                              as: (Int, Int, Int).self)
        var week: [Weekday: [OpeningPeriod]] = [:]
        for (weekday, opens, closes) in rows {
            if let day = Weekday(rawValue: weekday) { week[day, default: []].append(OpeningPeriod(opensMinute: opens, closesMinute: closes)) }
        }
        return week
    }

    private static func upsert(_ targets: [CasePriority: SLATarget], in transaction: Transaction) async throws {
        guard !targets.isEmpty else { return }
        let entries = targets.sorted { $0.key.rawValue < $1.key.rawValue }
        try await transaction.query("""
            INSERT INTO sla_targets (tenant_id, priority, first_response_minutes, resolution_minutes)
            SELECT current_setting('app.tenant_id')::uuid, priority, first_response, resolution
              FROM unnest(\(entries.map(\.key.rawValue))::text[], \(entries.map(\.value.firstResponseMinutes))::int[],
                          \(entries.map(\.value.resolutionMinutes))::int[]) AS t (priority, first_response, resolution)
            ON CONFLICT (tenant_id, priority) DO UPDATE
               SET first_response_minutes = excluded.first_response_minutes, resolution_minutes = excluded.resolution_minutes
            """)
    }

    private static func insert(_ week: [Weekday: [OpeningPeriod]], in transaction: Transaction) async throws {
        let periods = week.flatMap { day, periods in periods.map { (day.rawValue, $0) } }
        try await transaction.query("""
            INSERT INTO business_hours (tenant_id, weekday, opens_minute, closes_minute)
            SELECT current_setting('app.tenant_id')::uuid, weekday, opens, closes
              FROM unnest(\(periods.map(\.0))::int[], \(periods.map(\.1.opensMinute))::int[], \(periods.map(\.1.closesMinute))::int[])
                   AS p (weekday, opens, closes)
            """)
    }

    /// An escalation assignee must be a member who manages: an owner, admin or manager.
    private static func requireEscalationAssignee(_ user: UserID, in transaction: Transaction) async throws {
        let roles = try await transaction.rows("SELECT role FROM memberships WHERE user_id = \(user.uuid)", as: String.self)
        guard let role = roles.first.flatMap(MembershipRole.init(rawValue:)) else {
            throw Cases.unknownAssignee(field: "escalation_assignee_id")
        }
        guard escalationRoles.contains(role) else {
            throw GuanxiError.invalidField("escalation_assignee_id",
                                           "escalation_assignee_id must be an owner, admin or manager; this member is a \(role.rawValue).")
        }
    }
}

extension LocalDate {
    /// The date in UTC at `date`.
    static func utc(_ date: Date) -> LocalDate {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: .gmt, from: date)
        return LocalDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }
}
