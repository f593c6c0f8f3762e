import Billing
import Database
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// Billing tests build a subscription's past directly in the database, as the superuser (past
/// row-level security): periods, plan and seat changes at chosen instants, usage per day. Each
/// suite works in its own years, so its runs and dunning never meet another suite's invoices.
enum BillingHistory {
    static let starter = UUID(uuidString: "01930000-0000-7000-8000-000000000002")!
    static let growth = UUID(uuidString: "01930000-0000-7000-8000-000000000003")!

    struct Event {
        var at: Date
        var kind: String
        var toPlan: UUID? = nil
        var seats: Int? = nil
        var toStatus: String? = nil
    }

    static func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    /// Runs one statement as the superuser.
    @discardableResult
    static func superuser(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let database = try await TestDatabase.shared.value
        return try await withClient(database.superuser) { client in
            var rows: [PostgresRow] = []
            for try await row in try await client.query(query) { rows.append(row) }
            return rows
        }
    }
}

extension TestApp {
    /// A tenant subscribed to Starter, through the operator API.
    func billedTenant(name: String = "Billed Firm", timeZone: String = "UTC", locale: String = "en") async throws -> TestTenant {
        let slug = "b" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let response = try await request(.post, "/ops/v1/tenants", token: operatorToken, json: [
            "name": name, "slug": slug, "admin_email": "owner@\(slug).example", "admin_password": "correct horse battery",
            "plan": "starter", "time_zone": timeZone, "locale": locale,
        ])
        #expect(response.status == .created, "\(response.body.string)")
        let tenant = try #require(try response.json()["tenant"] as? [String: Any])
        return TestTenant(id: try #require(TenantID(tenant["id"] as? String ?? "")), slug: slug,
                          apiKey: try #require(try response.json()["api_key"] as? String), adminEmail: "owner@\(slug).example",
                          adminPassword: "correct horse battery")
    }

    /// Replaces the tenant's subscription history: started at `start` (anchored at `anchor`, by
    /// default the start) on `plan` with `seats` and `status`, then `events`; the subscription row
    /// ends in the state the events lead to.
    func writeHistory(_ tenant: TenantID, start: Date, anchor: Date? = nil, plan: UUID, seats: Int, status: String = "active",
                      cycle: String = "monthly", events: [BillingHistory.Event] = []) async throws {
        var (currentPlan, currentSeats, currentStatus) = (plan, seats, status)
        for event in events {
            if let plan = event.toPlan { currentPlan = plan }
            if let seats = event.seats { currentSeats = seats }
            if let status = event.toStatus { currentStatus = status }
        }
        let anchor = anchor ?? start
        try await BillingHistory.superuser("DELETE FROM subscription_events WHERE tenant_id = \(tenant.uuid)")
        try await BillingHistory.superuser("""
            UPDATE subscriptions SET plan_id = \(currentPlan), seats = \(currentSeats), status = \(currentStatus), billing_cycle = \(cycle),
                   started_at = \(start), anchored_at = \(anchor), trial_ends_at = NULL, current_period_start = \(anchor),
                   current_period_end = \(anchor.addingTimeInterval(86_400 * 28)), scheduled_plan_id = NULL, scheduled_billing_cycle = NULL
             WHERE tenant_id = \(tenant.uuid)
            """)
        let all = [BillingHistory.Event(at: start, kind: "started", toPlan: plan, seats: seats, toStatus: status)] + events
        for event in all {
            try await BillingHistory.superuser("""
                INSERT INTO subscription_events (tenant_id, id, occurred_at, kind, to_status, to_plan_id, seats, cause, actor)
                VALUES (\(tenant.uuid), \(UUID.version7()), \(event.at), \(event.kind), \(event.toStatus), \(event.toPlan), \(event.seats),
                        'test history', 'test')
                """)
        }
    }

    /// Sets `api_calls` (and the record counts) of one tenant-local day.
    func writeUsage(_ tenant: TenantID, day: String, calls: Int64, contacts: Int64 = 0, accounts: Int64 = 0, members: Int = 1) async throws {
        try await BillingHistory.superuser("""
            INSERT INTO usage_daily (tenant_id, day, api_calls, contacts, accounts, active_seats)
            VALUES (\(tenant.uuid), \(day)::date, \(calls), \(contacts), \(accounts), \(members))
            ON CONFLICT (tenant_id, day) DO UPDATE SET api_calls = excluded.api_calls, contacts = excluded.contacts,
                   accounts = excluded.accounts, active_seats = excluded.active_seats
            """)
    }

    /// The tenant's invoices as the operator API lists them (newest first).
    func operatorInvoices(_ tenant: TenantID) async throws -> [[String: Any]] {
        let response = try await request(.get, "/ops/v1/invoices?tenant_id=\(tenant)&limit=200", token: operatorToken)
        #expect(response.status == .ok, "\(response.body.string)")
        return try response.json()["data"] as? [[String: Any]] ?? []
    }
}

extension Dictionary where Key == String, Value == Any {
    /// An integer field of a decoded JSON object.
    func int(_ key: String) -> Int64? { (self[key] as? NSNumber)?.int64Value }
}
