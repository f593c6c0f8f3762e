import CRM
import Foundation
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Records of every module in the audit log and in webhook events, among them `case.breached`,
/// `deal.stage_changed` and `lead.converted`.
@Suite("Records in the audit log and webhooks")
struct RecordEventsTests {
    @Test("a case's create is audited; a late resolution emits case.breached to a subscribed webhook")
    func breachEvent() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let webhook = try await app.request(.post, "/api/v1/webhooks", token: tenant.apiKey, json: [
                "url": "http://127.0.0.1:9/hooks", "event_types": ["case.breached", "case.created"],
            ])
            #expect(webhook.status == .created, "\(webhook.body.string)")
            let webhookID = try #require(try webhook.json()["id"] as? String)

            let owner = try await ServiceDesk.owner(app, of: tenant)
            let opened = ServiceDesk.time("2026-03-02T09:00:00Z")  // a Monday, business hours in UTC
            let serviceCase = try await app.services.cases.create(owner, NewCase(subject: "Invoice wrong", priority: .urgent, channel: .email),
                                                                  now: opened)
            let dueAt = try #require(serviceCase.clocks.resolutionDueAt)
            var resolve = CasePatch()
            resolve.status = .set("resolved")
            _ = try await app.services.cases.update(owner, serviceCase.id, resolve, now: dueAt.addingTimeInterval(3600))

            let deliveries = try await app.request(.get, "/api/v1/webhooks/\(webhookID)/deliveries", token: tenant.apiKey).json()
            let types = (deliveries["data"] as? [[String: Any]])?.compactMap { $0["event_type"] as? String }
            #expect(types?.sorted() == ["case.breached", "case.created"])

            let audit = try await app.request(.get, "/api/v1/audit?entity_type=cases&entity_id=\(serviceCase.id)", token: tenant.apiKey).json()
            let actions = (audit["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String }
            #expect(actions?.contains("insert") == true)
            #expect(actions?.contains("update") == true)
            #expect(try await app.request(.delete, "/api/v1/webhooks/\(webhookID)", token: tenant.apiKey).status == .noContent)
        }
    }

    @Test("a deal's move emits deal.stage_changed, a lead's conversion lead.converted; both are audited")
    func salesEvents() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let webhook = try await app.createID("/api/v1/webhooks", tenant, [
                "url": "http://127.0.0.1:9/hooks", "event_types": ["deal.stage_changed", "lead.converted"],
            ])
            let deal = try await app.createID("/api/v1/deals", tenant, ["name": "Tea order", "amount_minor": 100_000, "currency": "CNY"])
            let stages = try await app.request(.get, "/api/v1/pipelines", token: tenant.apiKey).json()
            let pipeline = try #require((stages["data"] as? [[String: Any]])?.first)
            let second = try #require((pipeline["stages"] as? [[String: Any]])?.dropFirst().first?["id"] as? String)
            #expect(try await app.request(.post, "/api/v1/deals/\(deal)/move", token: tenant.apiKey, json: ["stage_id": second]).status == .ok)

            let lead = try await app.createID("/api/v1/leads", tenant, ["name": "赵敏", "company": "明教贸易", "status": "qualified"])
            let converted = try await app.request(.post, "/api/v1/leads/\(lead)/convert", token: tenant.apiKey, json: [:])
            #expect(converted.status == .ok || converted.status == .created, "\(converted.body.string)")

            let deliveries = try await app.request(.get, "/api/v1/webhooks/\(webhook)/deliveries", token: tenant.apiKey).json()
            let types = (deliveries["data"] as? [[String: Any]])?.compactMap { $0["event_type"] as? String }
            #expect(types?.sorted() == ["deal.stage_changed", "lead.converted"])
            for (table, id) in [("deals", deal), ("leads", lead)] {
                let audit = try await app.request(.get, "/api/v1/audit?entity_type=\(table)&entity_id=\(id)", token: tenant.apiKey).json()
                #expect((audit["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String }.contains("update") == true)
            }
            #expect(try await app.request(.delete, "/api/v1/webhooks/\(webhook)", token: tenant.apiKey).status == .noContent)
        }
    }
}
