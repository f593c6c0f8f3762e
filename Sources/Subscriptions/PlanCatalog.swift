import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// The provider's plans. Reading is open to every scope; publishing is host work.
public struct PlanCatalog: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns: ColumnList = """
        id, code, version, name_en, name_zh, currency, price_month_minor, price_year_minor, included_seats, \
        extra_seat_month_minor, max_contacts, max_accounts, max_storage_mb, api_per_minute, api_per_minute_per_key, \
        api_per_day, max_concurrent_requests, max_webhooks, max_custom_fields, features, rank, is_entry
        """

    static func plan(_ row: PostgresRow) throws -> Plan {
        let (id, code, version, nameEN, nameZH, currency, month, year, seats, extraSeat, contacts, accounts, storage,
             perMinute, perKey, perDay, concurrent, webhooks, customFields, features, rank, isEntry) = try row.decode(
            (UUID, String, Int, String, String, String, Int64, Int64, Int, Int64, Int?, Int?, Int?, Int, Int, Int, Int, Int?, Int?,
             [String], Int, Bool).self)
        return Plan(id: id, code: code, version: version, nameEN: nameEN, nameZH: nameZH, currency: currency,
                    priceMonthMinor: month, priceYearMinor: year, includedSeats: seats, extraSeatMonthMinor: extraSeat,
                    limits: PlanLimits(contacts: contacts, accounts: accounts, storageMB: storage, apiPerMinute: perMinute,
                                       apiPerMinutePerKey: perKey, apiPerDay: perDay, concurrentRequests: concurrent, webhooks: webhooks,
                                       customFields: customFields),
                    features: features, rank: rank, isEntry: isEntry)
    }

    static func plans(_ rows: [PostgresRow]) throws -> [Plan] {
        try rows.map(plan)
    }

    /// The current version of every plan that is on sale, smallest first.
    public func current(in transaction: Transaction) async throws -> [Plan] {
        try Self.plans(try await transaction.query("""
            SELECT DISTINCT ON (code) \(columns: Self.columns) FROM plans WHERE NOT retired ORDER BY code, version DESC
            """)).sorted { ($0.rank, $0.code) < ($1.rank, $1.code) }
    }

    public func current() async throws -> [Plan] {
        try await database.withHost { try await current(in: $0) }
    }

    /// The current version of `code`, or `plan_not_found`.
    public func current(code: String, in transaction: Transaction) async throws -> Plan {
        let plans = try Self.plans(try await transaction.query("""
            SELECT \(columns: Self.columns) FROM plans WHERE code = \(code) AND NOT retired ORDER BY version DESC LIMIT 1
            """))
        guard let plan = plans.first else {
            throw GuanxiError(.invalid, code: "plan_not_found", message: "No plan on sale has the code \(code).", details: ["field": "plan"])
        }
        return plan
    }

    public func plan(id: UUID, in transaction: Transaction) async throws -> Plan {
        let plans = try Self.plans(try await transaction.query("SELECT \(columns: Self.columns) FROM plans WHERE id = \(id)"))
        guard let plan = plans.first else { throw GuanxiError.notFound("plan") }
        return plan
    }

    /// Publishes `definition` as version 1 of a new code, or as the next version of an existing
    /// one. Existing subscribers stay on the version they hold.
    public func publish(_ definition: PlanDefinition) async throws -> Plan {
        guard definition.code.wholeMatch(of: /[a-z][a-z0-9_]{1,30}/) != nil else {
            throw GuanxiError.invalidField("code", "code must be 2 to 31 lowercase letters, digits or underscores, starting with a letter.")
        }
        guard definition.currency.wholeMatch(of: /[A-Z]{3}/) != nil else {
            throw GuanxiError.invalidField("currency", "currency must be an ISO 4217 code such as CNY or USD.")
        }
        guard definition.priceMonthMinor >= 0, definition.priceYearMinor >= 0, definition.extraSeatMonthMinor >= 0 else {
            throw GuanxiError.invalidField("price_month_minor", "Prices are whole minor units (fen, cents) and cannot be negative.")
        }
        guard definition.includedSeats >= 1 else { throw GuanxiError.invalidField("included_seats", "included_seats must be at least 1.") }
        let limits = definition.limits
        guard limits.apiPerMinute >= 1, (1...limits.apiPerMinute).contains(limits.apiPerMinutePerKey),
              limits.apiPerDay >= limits.apiPerMinute, limits.concurrentRequests >= 1,
              [limits.contacts, limits.accounts, limits.storageMB, limits.webhooks, limits.customFields].allSatisfy({ ($0 ?? 0) >= 0 })
        else {
            throw GuanxiError.invalidField("limits", "Limits must be positive, api_per_minute_per_key at most api_per_minute, and api_per_day at least api_per_minute.")
        }
        let name = try Validate.text(definition.nameEN, field: "name_en", length: 1...100, required: true)!
        let nameZH = try Validate.text(definition.nameZH, field: "name_zh", length: 1...100, required: true)!
        return try await database.withHost { host in
            // Lock the code's versions so two publications cannot both take the next number.
            try await host.query("SELECT pg_advisory_xact_lock(hashtext(\(definition.code)))")
            return try Self.plans(try await host.query("""
                INSERT INTO plans (id, code, version, name_en, name_zh, currency, price_month_minor, price_year_minor,
                                   included_seats, extra_seat_month_minor, max_contacts, max_accounts, max_storage_mb,
                                   api_per_minute, api_per_minute_per_key, api_per_day, max_concurrent_requests, max_webhooks,
                                   max_custom_fields,
                                   features, rank, is_entry)
                SELECT \(UUID.version7()), \(definition.code), coalesce(max(version), 0) + 1, \(name), \(nameZH), \(definition.currency),
                       \(definition.priceMonthMinor), \(definition.priceYearMinor), \(definition.includedSeats),
                       \(definition.extraSeatMonthMinor), \(limits.contacts), \(limits.accounts), \(limits.storageMB),
                       \(limits.apiPerMinute), \(limits.apiPerMinutePerKey), \(limits.apiPerDay), \(limits.concurrentRequests), \(limits.webhooks),
                       \(limits.customFields), \(definition.features ?? []), \(definition.rank),
                       coalesce(bool_or(is_entry), false)
                  FROM plans WHERE code = \(definition.code)
                RETURNING \(columns: Self.columns)
                """))[0]
        }
    }
}
