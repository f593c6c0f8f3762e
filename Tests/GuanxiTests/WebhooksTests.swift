import AsyncHTTPClient
import CRM
import Crypto
import Foundation
import HTTPTypes
import GuanxiCore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Tenancy
import Testing

/// Webhooks end to end: endpoints through the API, events written by the database's triggers,
/// deliveries POSTed by `WebhookDispatcher` to a real HTTP server on 127.0.0.1. Serialized, because
/// `deliverDue` sends every tenant's due deliveries and these tests move its clock hours ahead.
@Suite("Webhooks", .serialized)
struct WebhooksTests {
    @Test("an endpoint is made with a secret shown once, listed, changed, rotated and deleted; bad input and the plan's limit are refused")
    func endpointLifecycle() async throws {
        try await TestApp.run { app in
            let tenant = try await app.makeTenant()
            let types = try await app.request(.get, "/api/v1/webhook-event-types", token: tenant.apiKey).json()
            let known = try #require(types["data"] as? [String])
            for type in ["contact.created", "contact.updated", "contact.deleted", "account.created", "account.deleted"] {
                #expect(known.contains(type))
            }

            let created = try await app.request(.post, "/api/v1/webhooks", token: tenant.apiKey, json: [
                "url": "https://hooks.example.com/guanxi", "event_types": ["contact.created", "account.*", "contact.created"],
                "description": "CRM sync",
            ])
            #expect(created.status == .created, "\(created.body.string)")
            let webhook = try created.json()
            let id = try #require(webhook["id"] as? String)
            let secret = try #require(webhook["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect(webhook["event_types"] as? [String] == ["contact.created", "account.*"])
            #expect(webhook["active"] as? Bool == true)

            let read = try await app.request(.get, "/api/v1/webhooks/\(id)", token: tenant.apiKey).json()
            #expect(read["secret"] == nil)
            #expect(read["description"] as? String == "CRM sync")
            let list = try await app.request(.get, "/api/v1/webhooks", token: tenant.apiKey).json()
            let listed = try #require(list["data"] as? [[String: Any]])
            #expect(listed.map { $0["id"] as? String } == [id])
            #expect(listed[0]["secret"] == nil)

            let patched = try await app.request(.patch, "/api/v1/webhooks/\(id)", token: tenant.apiKey,
                                                json: ["active": false, "event_types": ["contact.*"], "description": NSNull()])
            #expect(patched.status == .ok, "\(patched.body.string)")
            #expect(try patched.json()["active"] as? Bool == false)
            #expect(try patched.json()["event_types"] as? [String] == ["contact.*"])
            #expect(try patched.json()["description"] is NSNull)
            let cleared = try await app.request(.patch, "/api/v1/webhooks/\(id)", token: tenant.apiKey, json: ["url": NSNull()])
            #expect(cleared.errorCode == "invalid_field")

            let rotated = try await app.request(.post, "/api/v1/webhooks/\(id)/rotate-secret", token: tenant.apiKey).json()
            let newSecret = try #require(rotated["secret"] as? String)
            #expect(newSecret != secret && newSecret.hasPrefix("whsec_"))

            let refusals: [([String: Any], String, String?)] = [
                (["url": "http://hooks.example.com/x", "event_types": ["contact.created"]], "invalid_field", "url"),
                (["url": "not a url", "event_types": ["contact.created"]], "invalid_field", "url"),
                (["url": "https://user:pw@hooks.example.com/x", "event_types": ["contact.created"]], "invalid_field", "url"),
                (["url": "https://hooks.example.com/x", "event_types": []], "invalid_field", "event_types"),
                (["url": "https://hooks.example.com/x", "event_types": ["contact.exploded"]], "unknown_event_type", "event_types"),
                (["url": "https://hooks.example.com/x", "event_types": ["nothing.*"]], "unknown_event_type", "event_types"),
                (["url": "https://hooks.example.com/x", "event_types": ["contact.created"], "secret": "mine"], "unknown_field", "secret"),
            ]
            for (body, code, field) in refusals {
                let response = try await app.request(.post, "/api/v1/webhooks", token: tenant.apiKey, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.errorCode == code, "\(body)")
                #expect(((try response.json()["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String == field)
            }
            // The entry plan allows one endpoint.
            let second = try await app.request(.post, "/api/v1/webhooks", token: tenant.apiKey,
                                               json: ["url": "https://hooks.example.com/second", "event_types": ["contact.created"]])
            #expect(second.status.code == 402)
            #expect(second.errorCode == "quota_exceeded")
            #expect(((try second.json()["error"] as? [String: Any])?["details"] as? [String: String]) == ["quota": "webhooks", "limit": "1", "used": "1"])
            let limits = try #require(try await app.request(.get, "/api/v1/limits", token: tenant.apiKey).json()["data"] as? [[String: Any]])
            #expect(limits.first { $0["name"] as? String == "webhooks" }?["used"] as? Int == 1)

            let rep = try await app.apiKeyOfNewMember(tenant, role: .salesRep)
            #expect(try await app.request(.get, "/api/v1/webhooks", token: rep).errorCode == "forbidden_role")
            #expect(try await app.request(.post, "/api/v1/webhooks", token: rep,
                                          json: ["url": "https://hooks.example.com/x", "event_types": ["contact.created"]]).errorCode == "forbidden_role")

            // Changes to endpoints are audited, without the secret.
            let audited = try await app.auditEntries(tenant, "entity_type=webhook_endpoints")
            #expect(audited.map { $0["action"] as? String } == ["update", "update", "insert"])
            for entry in audited {
                #expect((entry["after"] as? [String: Any])?["secret"] == nil)
                #expect((entry["before"] as? [String: Any])?["secret"] == nil)
            }
            #expect((audited[2]["after"] as? [String: Any])?["url"] as? String == "https://hooks.example.com/guanxi")

            #expect(try await app.request(.delete, "/api/v1/webhooks/\(id)", token: tenant.apiKey).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/webhooks/\(id)", token: tenant.apiKey).errorCode == "webhook_not_found")
        }
    }

    @Test("deliveries are signed, carry the event, and reach only the subscribing tenant's endpoint")
    func signedDeliveries() async throws {
        try await TestApp.run { app in
            try await WebhookReceiver.serve { receiver in
                let a = try await app.makeTenant()
                let b = try await app.makeTenant()
                let (hookA, secretA) = try await makeWebhook(app, a, url: receiver.url("a"), types: ["contact.*"])
                _ = try await makeWebhook(app, b, url: receiver.url("b"), types: ["contact.created"])

                let contact = try await app.request(.post, "/api/v1/contacts", token: a.apiKey,
                                                    json: ["name": "王芳", "phone": "+86 139-0000-0000"]).json()
                let contactID = try #require(contact["id"] as? String)
                _ = try await app.request(.post, "/api/v1/accounts", token: a.apiKey, json: ["name": "Not subscribed"])
                _ = try await app.request(.post, "/api/v1/contacts", token: b.apiKey, json: ["name": "Only B's"])
                #expect(try await app.request(.patch, "/api/v1/contacts/\(contactID)", token: a.apiKey, json: ["title": "总监"]).status == .ok)
                #expect(try await app.request(.delete, "/api/v1/contacts/\(contactID)", token: a.apiKey).status == .noContent)

                try await withDispatcher(app) { try await $0.deliverDue(now: Date()) }
                let received = try await receiver.waitFor(count: 4)
                let toA = received.filter { $0.path == "/a" }
                let toB = received.filter { $0.path == "/b" }
                #expect(toA.count == 3)
                #expect(toB.count == 1)
                #expect(try toB.allSatisfy { try $0.json()["tenant_id"] as? String == b.id.description })

                let events = try toA.map { try $0.json() }.sorted { ($0["id"] as? String ?? "") < ($1["id"] as? String ?? "") }
                #expect(events.map { $0["type"] as? String } == ["contact.created", "contact.updated", "contact.deleted"])
                for (request, event) in zip(toA, try toA.map { try $0.json() }) {
                    #expect(event["tenant_id"] as? String == a.id.description)
                    #expect(request.headers[HTTPField.Name("X-Guanxi-Event")!] == event["type"] as? String)
                    let timestamp = try #require(request.headers[HTTPField.Name("X-Guanxi-Timestamp")!])
                    var signed = Data("\(timestamp).".utf8)
                    signed.append(request.body)
                    let expected = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secretA.utf8)))
                    #expect(request.headers[HTTPField.Name("X-Guanxi-Signature")!] == "sha256=" + expected.map { String(format: "%02x", $0) }.joined())
                    #expect(request.headers[.contentType] == "application/json")
                }
                let created = events[0]
                let data = try #require(created["data"] as? [String: Any])
                #expect(data["id"] as? String == contactID)
                #expect(data["name"] as? String == "王芳")
                #expect(data["tenant_id"] == nil)
                #expect(data["phone_digits"] == nil)
                #expect((events[1]["data"] as? [String: Any])?["title"] as? String == "总监")
                #expect((events[2]["data"] as? [String: Any])?["name"] as? String == "王芳")
                #expect(created["occurred_at"] is String)

                let deliveries = try await deliveryLog(app, a, hookA)
                #expect(deliveries.map { $0["event_type"] as? String } == ["contact.deleted", "contact.updated", "contact.created"])
                for delivery in deliveries {
                    #expect(delivery["status"] as? String == "succeeded")
                    #expect(delivery["attempt_count"] as? Int == 1)
                    #expect(delivery["next_attempt_at"] is NSNull)
                    let attempts = try #require(delivery["attempts"] as? [[String: Any]])
                    #expect(attempts.count == 1)
                    #expect(attempts.first?["status_code"] as? Int == 200)
                    #expect(attempts.first?["error"] is NSNull)
                    #expect((attempts.first?["duration_ms"] as? Int ?? -1) >= 0)
                }
                let sentIDs = Set(toA.compactMap { $0.headers[HTTPField.Name("X-Guanxi-Delivery")!] })
                #expect(sentIDs == Set(deliveries.compactMap { $0["id"] as? String }))

                try await deleteWebhooks(app, [(a, hookA)])
                try await deleteWebhooks(app, [(b, try await onlyWebhook(app, b))])
            }
        }
    }

    @Test("a failed delivery is retried after 1 and 5 minutes…, given up after the sixth failure, and can be redelivered")
    func retriesWithBackOff() async throws {
        try await TestApp.run { app in
            try await WebhookReceiver.serve { receiver in
                let tenant = try await app.makeTenant()
                let (hook, _) = try await makeWebhook(app, tenant, url: receiver.url("hook"), types: ["contact.created", "contact.updated"])
                try await withDispatcher(app) { dispatcher in
                    // One 500, then success at the first retry, not before it is due.
                    receiver.answer(.internalServerError)
                    let contact = try await app.request(.post, "/api/v1/contacts", token: tenant.apiKey, json: ["name": "Retry Me"]).json()
                    let start = Date()
                    try await dispatcher.deliverDue(now: start)
                    _ = try await receiver.waitFor(count: 1)
                    var log = try await deliveryLog(app, tenant, hook)
                    #expect(log.first?["status"] as? String == "pending")
                    #expect(log.first?["attempt_count"] as? Int == 1)
                    let nextAttempt = try #require(isoTime(log.first?["next_attempt_at"]))
                    #expect(abs(nextAttempt.timeIntervalSince(start) - 60) < 2)
                    try await dispatcher.deliverDue(now: start.addingTimeInterval(30))
                    #expect(receiver.received.count == 1)
                    try await dispatcher.deliverDue(now: start.addingTimeInterval(61))
                    _ = try await receiver.waitFor(count: 2)
                    log = try await deliveryLog(app, tenant, hook)
                    #expect(log.first?["status"] as? String == "succeeded")
                    #expect((log.first?["attempts"] as? [[String: Any]])?.map { $0["status_code"] as? Int } == [500, 200])

                    // Always 500: attempts after 1 minute, 5, 30, 2 hours and 12 hours, then failed.
                    receiver.answerAlways(.internalServerError)
                    let id = try #require(contact["id"] as? String)
                    #expect(try await app.request(.patch, "/api/v1/contacts/\(id)", token: tenant.apiKey, json: ["title": "x"]).status == .ok)
                    var now = Date()
                    try await dispatcher.deliverDue(now: now)
                    _ = try await receiver.waitFor(count: 3)
                    for (attempt, delay) in WebhookDispatcher.retryDelays.enumerated() {
                        try await dispatcher.deliverDue(now: now.addingTimeInterval(delay - 1))
                        #expect(receiver.received.count == 3 + attempt, "no attempt before the back-off of \(delay) s")
                        now = now.addingTimeInterval(delay + 1)
                        try await dispatcher.deliverDue(now: now)
                        _ = try await receiver.waitFor(count: 4 + attempt)
                    }
                    try await dispatcher.deliverDue(now: now.addingTimeInterval(7 * 86400))
                    #expect(receiver.received.count == 8)
                    log = try await deliveryLog(app, tenant, hook)
                    let failed = try #require(log.first)
                    #expect(failed["event_type"] as? String == "contact.updated")
                    #expect(failed["status"] as? String == "failed")
                    #expect(failed["attempt_count"] as? Int == 6)
                    #expect(failed["next_attempt_at"] is NSNull)
                    #expect((failed["attempts"] as? [[String: Any]])?.map { $0["status_code"] as? Int } == Array(repeating: 500, count: 6))

                    // A redelivery is a new delivery of the same event.
                    receiver.answerAlways(.ok)
                    let failedID = try #require(failed["id"] as? String)
                    let redelivery = try await app.request(.post, "/api/v1/webhooks/\(hook)/deliveries/\(failedID)/redeliver", token: tenant.apiKey)
                    #expect(redelivery.status == .created, "\(redelivery.body.string)")
                    #expect(try redelivery.json()["status"] as? String == "pending")
                    #expect(try redelivery.json()["event_id"] as? String == failed["event_id"] as? String)
                    try await dispatcher.deliverDue(now: Date())
                    let all = try await receiver.waitFor(count: 9)
                    #expect(try all[8].json()["id"] as? String == failed["event_id"] as? String)
                    #expect(all[8].headers[HTTPField.Name("X-Guanxi-Delivery")!] == (try redelivery.json()["id"] as? String))
                    log = try await deliveryLog(app, tenant, hook)
                    #expect(log.map { $0["status"] as? String } == ["succeeded", "failed", "succeeded"])
                }
                try await deleteWebhooks(app, [(tenant, hook)])
            }
        }
    }

    @Test("a write succeeds while its endpoint is down; the failed attempt is logged; inactive endpoints get nothing")
    func endpointDown() async throws {
        try await TestApp.run { app in
            // A port that was just listening and no longer is.
            let deadURL = try await WebhookReceiver.serve { $0.url("gone") }
            let tenant = try await app.makeTenant()
            let (hook, _) = try await makeWebhook(app, tenant, url: deadURL, types: ["account.*"])
            let account = try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey, json: ["name": "Still Saved"])
            #expect(account.status == .created)
            let start = Date()
            try await withDispatcher(app, timeout: .seconds(1)) { try await $0.deliverDue(now: start) }
            let accountID = try #require(try account.json()["id"] as? String)
            #expect(try await app.request(.get, "/api/v1/accounts/\(accountID)", token: tenant.apiKey).status == .ok)
            let log = try await deliveryLog(app, tenant, hook)
            #expect(log.count == 1)
            #expect(log.first?["status"] as? String == "pending")
            let attempt = try #require((log.first?["attempts"] as? [[String: Any]])?.first)
            #expect(attempt["status_code"] is NSNull)
            #expect((attempt["error"] as? String)?.isEmpty == false)

            // An inactive endpoint gets no new events and cannot be redelivered to.
            _ = try await app.request(.patch, "/api/v1/webhooks/\(hook)", token: tenant.apiKey, json: ["active": false])
            #expect(try await app.request(.post, "/api/v1/accounts", token: tenant.apiKey, json: ["name": "Quiet"]).status == .created)
            #expect(try await deliveryLog(app, tenant, hook).count == 1)
            let deliveryID = try #require(log.first?["id"] as? String)
            let refused = try await app.request(.post, "/api/v1/webhooks/\(hook)/deliveries/\(deliveryID)/redeliver", token: tenant.apiKey)
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "webhook_inactive")
            try await deleteWebhooks(app, [(tenant, hook)])
        }
    }

    @Test("another tenant's webhook and delivery ids answer 404 like missing ones and change nothing")
    func crossTenantIDs() async throws {
        try await TestApp.run { app in
            let deadURL = try await WebhookReceiver.serve { $0.url("gone") }
            let owner = try await app.makeTenant()
            let intruder = try await app.makeTenant()
            let (hook, _) = try await makeWebhook(app, owner, url: deadURL, types: ["contact.created"])
            let (ownHook, _) = try await makeWebhook(app, intruder, url: deadURL, types: ["contact.created"])
            _ = try await app.request(.post, "/api/v1/contacts", token: owner.apiKey, json: ["name": "Owner's"])
            let deliveryID = try #require(try await deliveryLog(app, owner, hook).first?["id"] as? String)
            let original = try await app.request(.get, "/api/v1/webhooks/\(hook)", token: owner.apiKey).json()
            let missing = UUID().uuidString.lowercased()

            let requests: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.get, "/api/v1/webhooks/{id}", nil),
                (.patch, "/api/v1/webhooks/{id}", ["url": "https://evil.example.com/steal"]),
                (.post, "/api/v1/webhooks/{id}/rotate-secret", nil),
                (.get, "/api/v1/webhooks/{id}/deliveries", nil),
                (.post, "/api/v1/webhooks/{id}/deliveries/\(deliveryID)/redeliver", nil),
                (.delete, "/api/v1/webhooks/{id}", nil),
            ]
            for (method, path, body) in requests {
                let foreign = try await app.request(method, path.replacingOccurrences(of: "{id}", with: hook), token: intruder.apiKey, json: body)
                let absent = try await app.request(method, path.replacingOccurrences(of: "{id}", with: missing), token: intruder.apiKey, json: body)
                #expect(foreign.status == .notFound, "\(method) \(path)")
                #expect(foreign.errorCode == "webhook_not_found", "\(method) \(path)")
                #expect(foreign.body.string == absent.body.string, "\(method) \(path)")
            }
            // The intruder's own webhook with the owner's delivery id, and with a delivery id that never existed.
            let foreignDelivery = try await app.request(.post, "/api/v1/webhooks/\(ownHook)/deliveries/\(deliveryID)/redeliver", token: intruder.apiKey)
            let absentDelivery = try await app.request(.post, "/api/v1/webhooks/\(ownHook)/deliveries/\(missing)/redeliver", token: intruder.apiKey)
            #expect(foreignDelivery.status == .notFound)
            #expect(foreignDelivery.errorCode == "webhook_delivery_not_found")
            #expect(foreignDelivery.body.string == absentDelivery.body.string)

            let after = try await app.request(.get, "/api/v1/webhooks/\(hook)", token: owner.apiKey).json()
            #expect(after["url"] as? String == original["url"] as? String)
            #expect(after["updated_at"] as? String == original["updated_at"] as? String)
            #expect(try await deliveryLog(app, owner, hook).count == 1)
            let intruderList = try await app.request(.get, "/api/v1/webhooks", token: intruder.apiKey).json()
            #expect((intruderList["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [ownHook])
            try await deleteWebhooks(app, [(owner, hook), (intruder, ownHook)])
        }
    }
}

// MARK: - Helpers

/// Registers a webhook and returns its id and secret.
private func makeWebhook(_ app: TestApp, _ tenant: TestTenant, url: String, types: [String]) async throws -> (id: String, secret: String) {
    let response = try await app.request(.post, "/api/v1/webhooks", token: tenant.apiKey, json: ["url": url, "event_types": types])
    #expect(response.status == .created, "\(response.body.string)")
    let webhook = try response.json()
    return (try #require(webhook["id"] as? String), try #require(webhook["secret"] as? String))
}

private func onlyWebhook(_ app: TestApp, _ tenant: TestTenant) async throws -> String {
    let list = try await app.request(.get, "/api/v1/webhooks", token: tenant.apiKey).json()
    return try #require((list["data"] as? [[String: Any]])?.first?["id"] as? String)
}

/// Removes the tests' endpoints, so later `deliverDue` calls do not try them.
private func deleteWebhooks(_ app: TestApp, _ webhooks: [(TestTenant, String)]) async throws {
    for (tenant, id) in webhooks {
        #expect(try await app.request(.delete, "/api/v1/webhooks/\(id)", token: tenant.apiKey).status == .noContent)
    }
}

/// The endpoint's deliveries, newest first, as the API shows them.
private func deliveryLog(_ app: TestApp, _ tenant: TestTenant, _ webhook: String) async throws -> [[String: Any]] {
    let response = try await app.request(.get, "/api/v1/webhooks/\(webhook)/deliveries?limit=200", token: tenant.apiKey)
    #expect(response.status == .ok, "\(response.body.string)")
    return try #require(try response.json()["data"] as? [[String: Any]])
}

/// Runs `body` with a dispatcher over the test's database and its own HTTP client.
private func withDispatcher(_ app: TestApp, timeout: TimeAmount = .seconds(10), _ body: (WebhookDispatcher) async throws -> Void) async throws {
    let client = WebhookDispatcher.makeHTTPClient()
    do {
        try await body(WebhookDispatcher(database: app.services.database, client: client, logger: TestDatabase.logger, timeout: timeout))
    } catch {
        try await client.shutdown()
        throw error
    }
    try await client.shutdown()
}

private func isoTime(_ value: Any?) -> Date? {
    (value as? String).flatMap { try? Date($0, strategy: .iso8601) }
}

/// An HTTP server on 127.0.0.1 that keeps every request it receives and answers with the statuses
/// it is told: the queued ones first, then the standing one.
private final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let path: String
        let headers: HTTPFields
        let body: Data

        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        }
    }

    private struct Answers {
        var queued: [HTTPResponse.Status] = []
        var standing: HTTPResponse.Status = .ok
    }

    private let requests = Mutex<[Received]>([])
    private let answers = Mutex(Answers())
    private let port = Mutex(0)

    private init() {}

    func url(_ path: String) -> String { "http://127.0.0.1:\(port.withLock { $0 })/\(path)" }

    var received: [Received] { requests.withLock { $0 } }

    /// The next answers, in order, before the standing one.
    func answer(_ statuses: HTTPResponse.Status...) { answers.withLock { $0.queued = statuses } }

    func answerAlways(_ status: HTTPResponse.Status) { answers.withLock { $0 = Answers(queued: [], standing: status) } }

    /// The requests once there are `count` of them; fails after 10 seconds.
    func waitFor(count: Int) async throws -> [Received] {
        for _ in 0..<200 {
            let received = self.received
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("expected \(count) webhook requests, received \(received.count)")
        return received
    }

    fileprivate func record(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        requests.withLock { $0.append(Received(path: request.uri.path, headers: request.headers, body: Data(body.readableBytesView))) }
        let status = answers.withLock { answers in answers.queued.isEmpty ? answers.standing : answers.queued.removeFirst() }
        return Response(status: status)
    }

    /// Serves on a free port of 127.0.0.1 for the duration of `body`.
    static func serve<Result: Sendable>(_ body: @Sendable (WebhookReceiver) async throws -> Result) async throws -> Result {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let receiver = WebhookReceiver()
        let router = Router()
        router.post("{path}") { request, _ in try await receiver.record(request) }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) },
                                      logger: TestDatabase.logger)
        let services = ServiceGroup(configuration: .init(services: [application], logger: TestDatabase.logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            receiver.port.withLock { $0 = port }
            do {
                let result = try await body(receiver)
                await services.triggerGracefulShutdown()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }
}
