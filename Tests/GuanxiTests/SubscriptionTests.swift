import Database
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Quotas
import Subscriptions
import Testing

extension TestApp {
    /// Publishes a small plan with a unique code and returns the code.
    func publishPlan(contacts: Int = 5, perMinute: Int = 600, perKeyMinute: Int? = nil, perDay: Int = 10_000, concurrent: Int = 100,
                     rank: Int = 0, price: Int = 1000, code: String? = nil) async throws -> String {
        let code = code ?? "p" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let response = try await request(.post, "/ops/v1/plans", token: operatorToken, json: [
            "code": code, "name_en": "Tiny", "name_zh": "微型版", "currency": "CNY", "price_month_minor": price,
            "price_year_minor": price * 10, "included_seats": 1, "extra_seat_month_minor": 500, "rank": rank,
            "limits": ["contacts": contacts, "accounts": 10, "storage_mb": 10, "api_per_minute": perMinute,
                       "api_per_minute_per_key": perKeyMinute ?? perMinute, "api_per_day": perDay,
                       "concurrent_requests": concurrent, "webhooks": 0, "custom_fields": 0] as [String: Any],
        ])
        #expect(response.status == .created, "\(response.body.string)")
        return code
    }

    func makeTenant(plan: String) async throws -> TestTenant {
        let slug = "s" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let response = try await request(.post, "/ops/v1/tenants", token: operatorToken, json: [
            "name": "Planned Firm", "slug": slug, "admin_email": "owner@\(slug).example", "admin_password": "correct horse battery",
            "plan": plan, "time_zone": "Asia/Shanghai",
        ])
        #expect(response.status == .created, "\(response.body.string)")
        let tenant = try #require(try response.json()["tenant"] as? [String: Any])
        return TestTenant(id: try #require(TenantID(tenant["id"] as? String ?? "")), slug: slug,
                          apiKey: try #require(try response.json()["api_key"] as? String), adminEmail: "owner@\(slug).example",
                          adminPassword: "correct horse battery")
    }

    func subscription(_ tenant: TestTenant) async throws -> [String: Any] {
        try await request(.get, "/api/v1/subscription", token: tenant.apiKey).json()
    }

    @discardableResult
    func operate(_ tenant: TestTenant, _ action: String, json: [String: Any]? = nil) async throws -> TestResponse {
        try await request(.post, "/ops/v1/tenants/\(tenant.id)/subscription/\(action)", token: operatorToken, json: json)
    }
}

@Suite("Plans, subscriptions and quotas")
struct SubscriptionTests {
    @Test("a tenant created without a plan starts a trial of the entry plan, capped at 600 requests a minute")
    func trialOfEntryPlan() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let subscription = try await app.subscription(tenant)
            #expect(subscription["status"] as? String == "trialing")
            let plan = try #require(subscription["plan"] as? [String: Any])
            #expect(plan["code"] as? String == "free")
            #expect((plan["limits"] as? [String: Any])?["api_per_minute"] as? Int == 600)
            let trialEnd = try #require((subscription["trial_ends_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(abs(trialEnd.timeIntervalSinceNow - 14 * 86_400) < 120)
            let response = try await app.request(.get, "/api/v1/me", token: tenant.apiKey)
            // The headers report the limit that runs out first: one key's share, 300 of the 600.
            #expect((plan["limits"] as? [String: Any])?["api_per_minute_per_key"] as? Int == 300)
            #expect(response.headers[.init("X-RateLimit-Limit")!] == "300")

            let detail = try await app.request(.get, "/ops/v1/tenants/\(tenant.id)/subscription", token: app.operatorToken).json()
            let events = try #require(detail["events"] as? [[String: Any]])
            #expect(events.first?["kind"] as? String == "started")
            #expect((events.first?["cause"] as? String)?.contains("trial") == true)
        }
    }

    @Test("50 simultaneous creates at the limit admit exactly up to the limit")
    func quotaUnderConcurrency() async throws {
        try await TestApp.run { app in
            let plan = try await app.publishPlan(contacts: 7)
            let tenant = try await app.makeTenant(plan: plan)
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let response = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "客户 \(index)"])
                        return (response.status, response.errorCode)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == .created }.count == 7)
            let refused = statuses.filter { $0.0 != .created }
            #expect(refused.count == 43, "\(statuses.count) \(Set(refused.map { "\($0.0.code) \($0.1 ?? "")" }))")
            #expect(refused.allSatisfy { $0.0.code == 402 && $0.1 == "quota_exceeded" }, "\(Set(refused.map { "\($0.0.code) \($0.1 ?? "")" }))")

            let page = try await app.request(.get, "/api/v1/contacts?limit=100", token: tenant.apiKey).json()
            #expect((page["data"] as? [Any])?.count == 7)
            let over = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "one more"])
            let details = (try over.json()["error"] as? [String: Any])?["details"] as? [String: String]
            #expect(details == ["quota": "contacts", "limit": "7", "used": "7"], "\(over.body.string)")

            // Deleting gives the quota back; the limits endpoint shows the exact use.
            let first = try #require((page["data"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await app.request(.delete, "/api/v1/contacts/\(first)", token: tenant.apiKey).status == .noContent)
            let limits = try await app.request(.get, "/api/v1/limits", token: tenant.apiKey).json()
            let contacts = try #require((limits["data"] as? [[String: Any]])?.first { $0["name"] as? String == "contacts" })
            #expect(contacts["limit"] as? Int == 7)
            #expect(contacts["used"] as? Int == 6)
            #expect(try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "fits again"]).status == .created)
        }
    }

    @Test("lifecycle: read-only keeps reads, locked and cancelled refuse all, reactivation restores; every step recorded")
    func lifecycle() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let contact = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "保留的客户"]).json()
            let id = try #require(contact["id"] as? String)

            #expect(try await app.operate(tenant, "activate").json()["status"] as? String == "active")
            #expect(try await app.operate(tenant, "past-due", json: ["cause": "invoice GX-1 unpaid 7 days"]).json()["status"] as? String == "past_due")
            #expect(try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey).status == .ok)

            #expect(try await app.operate(tenant, "read-only").json()["status"] as? String == "read_only")
            #expect(try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey).status == .ok)
            #expect(try await app.request(.get, "/api/v1/contacts", token: tenant.apiKey).status == .ok)
            let write = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "new"])
            #expect(write.status == .forbidden)
            #expect(write.errorCode == "subscription_read_only")
            #expect(write.headers[.init("X-RateLimit-Limit")!] != nil)  // refused or not, every answer shows the limits
            #expect(try await app.request(.delete, "/api/v1/contacts/\(id)", token: tenant.apiKey).errorCode == "subscription_read_only")

            #expect(try await app.operate(tenant, "lock").json()["status"] as? String == "locked")
            #expect(try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey).errorCode == "subscription_locked")

            let invalid = try await app.operate(tenant, "activate")
            #expect(invalid.status == .conflict)
            #expect(invalid.errorCode == "invalid_transition")

            #expect(try await app.operate(tenant, "reactivate").json()["status"] as? String == "active")
            #expect(try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey).status == .ok)

            #expect(try await app.operate(tenant, "cancel").json()["status"] as? String == "cancelled")
            #expect(try await app.request(.get, "/api/v1/me", token: tenant.apiKey).errorCode == "subscription_cancelled")
            #expect(try await app.operate(tenant, "reactivate").json()["status"] as? String == "active")
            #expect(try await app.request(.get, "/api/v1/contacts/\(id)", token: tenant.apiKey).json()["name"] as? String == "保留的客户")

            let detail = try await app.request(.get, "/ops/v1/tenants/\(tenant.id)/subscription", token: app.operatorToken).json()
            let moves = (detail["events"] as? [[String: Any]] ?? []).compactMap { event -> String? in
                guard let to = event["to_status"] as? String else { return nil }
                return "\(event["from_status"] as? String ?? "-")→\(to)"
            }
            #expect(moves == ["-→trialing", "trialing→active", "active→past_due", "past_due→read_only", "read_only→locked",
                              "locked→active", "active→cancelled", "cancelled→active"])
            #expect((detail["events"] as? [[String: Any]])?.contains { $0["cause"] as? String == "invoice GX-1 unpaid 7 days" } == true)
            #expect(try await app.operate(tenant, "explode").status == .notFound)
        }
    }

    @Test("upgrades apply at once; downgrades wait for the period end and are refused over the smaller plan's limits")
    func planChanges() async throws {
        try await TestApp.run { app in
            let small = try await app.publishPlan(contacts: 2, perMinute: 100, rank: 0)
            let large = try await app.publishPlan(contacts: 1000, perMinute: 900, rank: 5, price: 5000)
            let tenant = try await app.makeTenant(plan: small)

            let upgraded = try await app.operate(tenant, "plan", json: ["plan": large]).json()
            #expect((upgraded["plan"] as? [String: Any])?["code"] as? String == large)
            #expect(try await app.request(.get, "/api/v1/me", token: tenant.apiKey).headers[.init("X-RateLimit-Limit")!] == "900")
            #expect(try await app.operate(tenant, "plan", json: ["plan": large]).errorCode == "plan_unchanged")

            for index in 0..<3 {
                #expect(try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "c\(index)"]).status == .created)
            }
            let blocked = try await app.operate(tenant, "plan", json: ["plan": small])
            #expect(blocked.status == .conflict)
            #expect(blocked.errorCode == "downgrade_blocked")
            #expect((try blocked.json()["error"] as? [String: Any])?["details"] as? [String: String] == ["quota": "contacts", "limit": "2", "used": "3"])

            let contacts = try await app.request(.get, "/api/v1/contacts", token: tenant.apiKey).json()
            let id = try #require((contacts["data"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await app.request(.delete, "/api/v1/contacts/\(id)", token: tenant.apiKey).status == .noContent)
            let scheduled = try await app.operate(tenant, "plan", json: ["plan": small]).json()
            #expect((scheduled["plan"] as? [String: Any])?["code"] as? String == large)
            #expect((scheduled["scheduled_plan"] as? [String: Any])?["code"] as? String == small)

            // A workspace cannot move its own counters by writing them or by calling the quota function.
            await #expect(throws: GuanxiError.self) {
                try await app.services.database.withTenant(tenant.id) { try await $0.query("UPDATE record_counters SET used = 0") }
            }
            await #expect(throws: GuanxiError.self) {
                try await app.services.database.withTenant(tenant.id) { try await $0.query("SELECT consume_quota('contacts', -3)") }
            }

            // At the period's end the renewal moves it to the smaller plan and starts the next period.
            let end = try #require((scheduled["current_period_end"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            try await app.services.subscriptions.advance(now: end.addingTimeInterval(1))
            let renewed = try await app.subscription(tenant)
            #expect((renewed["plan"] as? [String: Any])?["code"] as? String == small)
            #expect(renewed["scheduled_plan"] is NSNull)
            #expect((renewed["current_period_start"] as? String) == (scheduled["current_period_end"] as? String))

            // What billing needs to prorate: each change with its plans and time, in order.
            let detail = try await app.request(.get, "/ops/v1/tenants/\(tenant.id)/subscription", token: app.operatorToken).json()
            let events = detail["events"] as? [[String: Any]] ?? []
            #expect(events.compactMap { $0["kind"] as? String } == ["started", "upgraded", "downgrade_scheduled", "downgraded", "renewed"])
            let upgrade = try #require(events.first { $0["kind"] as? String == "upgraded" })
            #expect(upgrade["to_plan_id"] as? String != nil && upgrade["from_plan_id"] as? String != nil)
            #expect(upgrade["occurred_at"] as? String != nil)
        }
    }

    @Test("a change of billing cycle waits for the period's end, then counts periods from there")
    func billingCycle() async throws {
        try await TestApp.run { app in
            let plan = try await app.publishPlan()
            let tenant = try await app.makeTenant(plan: plan)
            let before = try await app.subscription(tenant)
            #expect(before["billing_cycle"] as? String == "monthly")
            let scheduled = try await app.operate(tenant, "billing-cycle", json: ["billing_cycle": "yearly"]).json()
            #expect(scheduled["billing_cycle"] as? String == "monthly")
            #expect(scheduled["scheduled_billing_cycle"] as? String == "yearly")
            #expect(try await app.operate(tenant, "billing-cycle", json: ["billing_cycle": "yearly"]).errorCode == "billing_cycle_unchanged")
            #expect(try await app.operate(tenant, "billing-cycle", json: ["billing_cycle": "weekly"]).status == .unprocessableContent)

            let end = try #require((before["current_period_end"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            try await app.services.subscriptions.advance(now: end.addingTimeInterval(1))
            let after = try await app.subscription(tenant)
            #expect(after["billing_cycle"] as? String == "yearly")
            #expect(after["scheduled_billing_cycle"] is NSNull)
            #expect(after["anchored_at"] as? String == before["current_period_end"] as? String)
            let start = try #require((after["current_period_start"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            let newEnd = try #require((after["current_period_end"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(start == end)
            #expect((365 * 86_400.0...366 * 86_400.0).contains(newEnd.timeIntervalSince(start)))
        }
    }

    @Test("plans are versioned: a new version does not change existing subscribers")
    func planVersions() async throws {
        try await TestApp.run { app in
            let code = try await app.publishPlan(price: 1000)
            let early = try await app.makeTenant(plan: code)
            _ = try await app.publishPlan(price: 2000, code: code)
            let late = try await app.makeTenant(plan: code)
            let earlyPlan = try #require(try await app.subscription(early)["plan"] as? [String: Any])
            let latePlan = try #require(try await app.subscription(late)["plan"] as? [String: Any])
            #expect(earlyPlan["version"] as? Int == 1)
            #expect(earlyPlan["price_month_minor"] as? Int == 1000)
            #expect(latePlan["version"] as? Int == 2)
            #expect(latePlan["price_month_minor"] as? Int == 2000)
            let catalog = try await app.request(.get, "/ops/v1/plans", token: app.operatorToken).json()
            let listed = (catalog["data"] as? [[String: Any]] ?? []).filter { $0["code"] as? String == code }
            #expect(listed.count == 1)
            #expect(listed.first?["version"] as? Int == 2)
            #expect(try await app.request(.post, "/ops/v1/plans", token: app.operatorToken, json: ["code": "Bad Code"]).status == .unprocessableContent)
            let unknown = try await app.request(.post, "/ops/v1/tenants", token: app.operatorToken, json: [
                "name": "X", "slug": "nopl\(UInt16.random(in: 0...9999))", "admin_email": "x@example.com",
                "admin_password": "long enough password", "plan": "no_such_plan",
            ])
            #expect(unknown.errorCode == "plan_not_found")
        }
    }

    @Test("seats: bought seats never fall below the members")
    func seats() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            #expect(try await app.operate(tenant, "seats", json: ["seats": 5]).json()["seats"] as? Int == 5)
            #expect(try await app.operate(tenant, "seats", json: ["seats": 0]).status == .unprocessableContent)
            #expect(try await app.operate(tenant, "seats", json: ["seats": "many"]).status == .unprocessableContent)
            #expect(try await app.operate(tenant, "seats", json: ["seats": 1]).json()["seats"] as? Int == 1)
            #expect(try await app.operate(tenant, "seats", json: ["seats": 2]).json()["seats"] as? Int == 2)
            try await app.services.database.withTenant(tenant.id) { transaction in
                let user = UUID()
                try await transaction.query("INSERT INTO users (tenant_id, id, email, password_hash) VALUES (\(tenant.id.uuid), \(user), 'agent@example.com', 'x')")
                try await transaction.query("INSERT INTO memberships (tenant_id, user_id, role) VALUES (\(tenant.id.uuid), \(user), 'support_agent')")
            }
            let below = try await app.operate(tenant, "seats", json: ["seats": 1])
            #expect(below.status == .conflict)
            #expect(below.errorCode == "seats_below_members")
            #expect(try await app.operate(tenant, "seats", json: ["seats": 2]).json()["seats"] as? Int == 2)
            let limits = try await app.request(.get, "/api/v1/limits", token: tenant.apiKey).json()
            let seats = (limits["data"] as? [[String: Any]])?.first { $0["name"] as? String == "seats" }
            #expect(seats?["limit"] as? Int == 2)
            #expect(seats?["used"] as? Int == 2)
        }
    }

    @Test("rate limits: headers on every response, 429 with Retry-After past the limit, per tenant")
    func rateLimits() async throws {
        try await TestApp.run { app in
            let plan = try await app.publishPlan(perMinute: 5)
            let tenant = try await app.makeTenant(plan: plan)
            let other = try await app.makeTenant(plan: plan)
            var remaining: [String] = []
            for _ in 0..<5 {
                let response = try await app.request(.get, "/api/v1/me", token: tenant.apiKey)
                #expect(response.status == .ok)
                #expect(response.headers[.init("X-RateLimit-Limit")!] == "5")
                remaining.append(response.headers[.init("X-RateLimit-Remaining")!] ?? "")
            }
            #expect(remaining == ["4", "3", "2", "1", "0"])
            let limited = try await app.request(.get, "/api/v1/me", token: tenant.apiKey)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "rate_limited")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(limited.headers[.init("X-RateLimit-Remaining")!] == "0")
            // Another tenant on the same plan is unaffected.
            #expect(try await app.request(.get, "/api/v1/me", token: other.apiKey).status == .ok)
        }
    }

    @Test("one API key cannot use up its workspace's minute: other keys keep working")
    func perKeyLimits() async throws {
        try await TestApp.run { app in
            let plan = try await app.publishPlan(perMinute: 10, perKeyMinute: 3)
            let tenant = try await app.makeTenant(plan: plan)
            let second = try #require(try await app.request(.post, "/api/v1/api-keys", token: tenant.apiKey, json: ["name": "sync"])
                .json()["api_key"] as? String)
            for _ in 0..<2 {
                let response = try await app.request(.get, "/api/v1/me", token: tenant.apiKey)
                #expect(response.status == .ok)
                #expect(response.headers[.init("X-RateLimit-Limit")!] == "3")
            }
            let limited = try await app.request(.get, "/api/v1/me", token: tenant.apiKey)
            #expect(limited.status == .tooManyRequests)
            // Three a minute frees one request every 20 s; how much of that is left depends on the clock.
            let details = (try limited.json()["error"] as? [String: Any])?["details"] as? [String: String]
            #expect(details?["limit"] == "per_key_minute")
            #expect((1...20).contains(Int(details?["retry_after_seconds"] ?? "") ?? 0))
            #expect(try await app.request(.get, "/api/v1/me", token: second).status == .ok)
            let limits = try await app.request(.get, "/api/v1/limits", token: second).json()
            let perKey = (limits["data"] as? [[String: Any]])?.first { $0["name"] as? String == "api_requests_per_minute_per_key" }
            #expect(perKey?["limit"] as? Int == 3)
            #expect(try await app.request(.post, "/ops/v1/plans", token: app.operatorToken, json: [
                "code": "toobig", "name_en": "X", "name_zh": "X", "currency": "CNY", "price_month_minor": 0, "price_year_minor": 0,
                "included_seats": 1, "extra_seat_month_minor": 0, "rank": 0,
                "limits": ["api_per_minute": 10, "api_per_minute_per_key": 11, "api_per_day": 100, "concurrent_requests": 1] as [String: Any],
            ]).status == .unprocessableContent)
        }
    }

    @Test("a tenant sees only its own subscription and usage; operator endpoints refuse tenant keys")
    func subscriptionIsolation() async throws {
        try await TestApp.run { app in
            let a = try await app.makeTenant()
            let b = try await app.makeTenant()
            #expect(try await app.subscription(a)["tenant_id"] as? String == a.id.description)
            #expect(try await app.subscription(b)["tenant_id"] as? String == b.id.description)
            for (method, path) in [(HTTPRequest.Method.get, "/ops/v1/tenants/\(a.id)/subscription"), (.post, "/ops/v1/tenants/\(a.id)/subscription/lock"),
                                   (.post, "/ops/v1/tenants/\(a.id)/subscription/plan"), (.get, "/ops/v1/plans")] {
                #expect(try await app.request(method, path, token: b.apiKey).status == .unauthorized, "\(path)")
            }
            #expect(try await app.request(.get, "/ops/v1/tenants/\(UUID())/subscription", token: app.operatorToken).errorCode == "subscription_not_found")

            _ = try await app.request(.get, "/api/v1/me", token: a.apiKey)
            try await app.services.usage.flush()
            let db = app.services.database
            let own = try await db.withTenant(a.id) {
                try await $0.rows("SELECT tenant_id, api_calls, active_seats FROM usage_daily", as: (UUID, Int, Int).self)
            }
            #expect(own.count == 1)
            #expect(own.allSatisfy { $0.0 == a.id.uuid && $0.1 >= 1 && $0.2 == 1 })
            let seenByB = try await db.withTenant(b.id) { try await $0.rows("SELECT tenant_id FROM usage_daily", as: UUID.self) }
            #expect(!seenByB.contains(a.id.uuid))
            let foreignSubscription = try await db.withTenant(b.id) {
                try await $0.rows("SELECT tenant_id FROM subscriptions WHERE tenant_id = \(a.id.uuid)", as: UUID.self)
            }
            #expect(foreignSubscription.isEmpty)
            // The workspace may read its subscription but never change it.
            await #expect(throws: GuanxiError.self) {
                try await db.withTenant(a.id) { try await $0.query("UPDATE subscriptions SET seats = 99") }
            }
        }
    }
}

@Suite("Limiters")
struct LimiterTests {
    @Test("the per-day limit counts in the tenant's day, and refusals spend nothing")
    func perDay() {
        let limiter = RateLimiter()
        let tenant = TenantID()
        let key = UUID()
        let noon = try! Date("2026-11-29T04:00:00Z", strategy: .iso8601)  // 12:00 in Shanghai
        #expect(limiter.admit(tenant: tenant, credential: key, perMinute: 100, perKeyMinute: 100, perDay: 2, timeZone: "Asia/Shanghai", date: noon).allowed)
        #expect(limiter.admit(tenant: tenant, credential: key, perMinute: 100, perKeyMinute: 100, perDay: 2, timeZone: "Asia/Shanghai", date: noon).allowed)
        let refused = limiter.admit(tenant: tenant, credential: key, perMinute: 100, perKeyMinute: 100, perDay: 2, timeZone: "Asia/Shanghai", date: noon)
        #expect(!refused.allowed)
        #expect(refused.exceeded == "per_day")
        #expect(refused.resetSeconds == 12 * 3600)  // until midnight in Shanghai
        #expect(limiter.usedToday(tenant, timeZone: "Asia/Shanghai", date: noon) == 2)
        // 16:00 UTC is already the next day in Shanghai.
        let nextDay = try! Date("2026-11-29T16:00:00Z", strategy: .iso8601)
        #expect(limiter.admit(tenant: tenant, credential: key, perMinute: 100, perKeyMinute: 100, perDay: 2, timeZone: "Asia/Shanghai", date: nextDay).allowed)
    }

    @Test("a tenant gets at most its share of concurrent requests; others are not affected")
    func concurrency() {
        let limiter = ConcurrencyLimiter()
        let busy = TenantID()
        let quiet = TenantID()
        #expect((0..<4).allSatisfy { _ in limiter.enter(busy, limit: 4) })
        #expect(!limiter.enter(busy, limit: 4))
        #expect(limiter.enter(quiet, limit: 4))
        limiter.leave(busy)
        #expect(limiter.inFlight(busy) == 3)
        #expect(limiter.enter(busy, limit: 4))
    }
}

@Suite("Billing periods in the tenant's time zone")
struct BillingPeriodTests {
    func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("month ends do not drift, leap years count, and the zone decides the local date")
    func monthEnds() {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        // 31 January 2028 09:00 in Shanghai (01:00 UTC): the next periods start 29 Feb, 31 Mar, 30 Apr.
        let anchor = date("2028-01-31T01:00:00Z")
        let boundaries = (1...3).map { BillingPeriod.boundary(anchor: anchor, periods: $0, cycle: .monthly, timeZone: shanghai) }
        #expect(boundaries == [date("2028-02-29T01:00:00Z"), date("2028-03-31T01:00:00Z"), date("2028-04-30T01:00:00Z")])
        // 31 Jan 20:00 in Los Angeles is 1 Feb in UTC: the local date is what anchors it.
        let losAngeles = TimeZone(identifier: "America/Los_Angeles")!
        let westAnchor = date("2027-02-01T04:00:00Z")
        #expect(BillingPeriod.boundary(anchor: westAnchor, periods: 1, cycle: .monthly, timeZone: losAngeles) == date("2027-03-01T04:00:00Z"))
        #expect(BillingPeriod.boundary(anchor: westAnchor, periods: 1, cycle: .monthly, timeZone: .gmt) == date("2027-03-01T04:00:00Z"))
        let period = BillingPeriod.containing(date("2027-03-15T00:00:00Z"), anchor: westAnchor, cycle: .monthly, timeZone: losAngeles)
        // 28 Feb 20:00 local is 1 Mar UTC; the period holding 15 Mar runs from 28 Feb local (29 Feb does not exist in 2027).
        #expect(period.start == date("2027-03-01T04:00:00Z"))
        #expect(period.end == date("2027-04-01T03:00:00Z"))  // 31 Mar 20:00 PDT (summer time began 14 Mar)
        let yearly = BillingPeriod.boundary(anchor: date("2028-02-29T04:00:00Z"), periods: 1, cycle: .yearly, timeZone: .gmt)
        #expect(yearly == date("2029-02-28T04:00:00Z"))
    }
}
