import AsyncHTTPClient
import Database
import Foundation
import GuanxiCore
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO

/// Sends due webhook deliveries of every tenant. Each attempt is one POST of the event, signed with
/// the endpoint's secret and logged with its outcome; a failed one is retried after 1 minute, then
/// 5 minutes, 30 minutes, 2 hours and 12 hours, and after the sixth the delivery is `failed`. Several
/// servers may run this at once: a claimed delivery is locked while it is claimed (`SKIP LOCKED`) and
/// leased until its attempt is recorded, so each attempt is made by one server. Delivery is at least
/// once: a server stopped between the POST and its record repeats the POST when the lease ends.
public struct WebhookDispatcher: Sendable {
    /// The wait after each failed attempt; one more failure than there are delays ends the delivery.
    public static let retryDelays: [TimeInterval] = [60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600]

    let database: Database
    let client: HTTPClient
    let logger: Logger
    /// How long one POST may take, connection included (a refused connection is retried until then).
    let timeout: TimeAmount
    /// Deliveries claimed, and sent concurrently, at a time.
    let batchSize = 20
    /// How long a claim keeps other servers off a delivery: longer than an attempt can take.
    let lease: TimeInterval = 120

    public init(database: Database, client: HTTPClient, logger: Logger, timeout: TimeAmount = .seconds(10)) {
        self.database = database
        self.client = client
        self.logger = logger
        self.timeout = timeout
    }

    /// An HTTP client fit for calling tenants' endpoints: redirects are not followed (the URL checked
    /// at registration is the only one called) and every phase has a timeout.
    public static func makeHTTPClient() -> HTTPClient {
        let configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(10), read: .seconds(10)))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Attempts every delivery due at `now`, in batches, and returns how many it attempted. Times
    /// recorded and scheduled count from `now`, so a caller controls the clock.
    @discardableResult
    public func deliverDue(now: Date = Date()) async throws -> Int {
        var attempted = 0
        while true {
            let batch = try await claim(now: now)
            await withTaskGroup(of: Void.self) { group in
                for delivery in batch {
                    group.addTask { await attempt(delivery, now: now) }
                }
            }
            attempted += batch.count
            if batch.count < batchSize { return attempted }
        }
    }

    struct Claimed: Sendable {
        var tenant: UUID
        var id: UUID
        var attemptCount: Int
        var url: String
        var secret: String
        var eventType: String
        var body: String
    }

    /// Leases up to `batchSize` due deliveries of active endpoints, oldest due first, with the body to send.
    func claim(now: Date) async throws -> [Claimed] {
        let rows = try await database.withHost { host in
            try await host.rows("""
                UPDATE webhook_deliveries d SET next_attempt_at = \(now.addingTimeInterval(lease))
                  FROM webhook_endpoints ep, webhook_events e
                 WHERE (d.tenant_id, d.id) IN (
                        SELECT due.tenant_id, due.id FROM webhook_deliveries due
                          JOIN webhook_endpoints endpoint ON endpoint.tenant_id = due.tenant_id AND endpoint.id = due.endpoint_id
                         WHERE due.status = 'pending' AND due.next_attempt_at <= \(now) AND endpoint.active
                         ORDER BY due.next_attempt_at LIMIT \(batchSize)
                           FOR UPDATE OF due SKIP LOCKED)
                   AND ep.tenant_id = d.tenant_id AND ep.id = d.endpoint_id
                   AND e.tenant_id = d.tenant_id AND e.id = d.event_id
                RETURNING d.tenant_id, d.id, d.attempt_count, ep.url, ep.secret, e.type,
                          jsonb_build_object('id', e.id, 'type', e.type,
                                             'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                             'tenant_id', e.tenant_id, 'data', e.data)::text
                """, as: (UUID, UUID, Int, String, String, String, String).self)
        }
        return rows.map { Claimed(tenant: $0.0, id: $0.1, attemptCount: $0.2, url: $0.3, secret: $0.4, eventType: $0.5, body: $0.6) }
    }

    /// POSTs one delivery and records the outcome; a failure to record leaves the lease to expire,
    /// and the delivery is tried again then.
    func attempt(_ delivery: Claimed, now: Date) async {
        let started = ContinuousClock.now
        var statusCode: Int?
        var error: String?
        do {
            statusCode = try await post(delivery, now: now)
        } catch let failure {
            error = String(String(describing: failure).prefix(500))
        }
        let elapsed = ContinuousClock.now - started
        let durationMS = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let attemptNumber = delivery.attemptCount + 1
        let status: WebhookDelivery.Status
        var nextAttempt: Date?
        if let statusCode, (200..<300).contains(statusCode) {
            status = .succeeded
        } else if attemptNumber <= Self.retryDelays.count {
            status = .pending
            nextAttempt = now.addingTimeInterval(Self.retryDelays[attemptNumber - 1])
        } else {
            status = .failed
        }
        do {
            try await database.withHost { host in
                try await host.query("""
                    WITH attempt AS (
                        INSERT INTO webhook_attempts (tenant_id, id, delivery_id, attempted_at, status_code, error, duration_ms)
                        VALUES (\(delivery.tenant), \(UUID.version7()), \(delivery.id), \(now), \(statusCode), \(error), \(durationMS)))
                    UPDATE webhook_deliveries SET attempt_count = \(attemptNumber), status = \(status.rawValue),
                           next_attempt_at = \(nextAttempt), last_attempt_at = \(now)
                     WHERE tenant_id = \(delivery.tenant) AND id = \(delivery.id)
                    """)
            }
        } catch let failure {
            logger.warning("webhook attempt not recorded", metadata: ["delivery_id": "\(delivery.id)", "error": "\(failure)"])
        }
    }

    /// The endpoint's HTTP status; throws when no answer came.
    func post(_ delivery: Claimed, now: Date) async throws -> Int {
        let timestamp = Int(now.timeIntervalSince1970)
        let body = Data(delivery.body.utf8)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Guanxi-Webhooks/1")
        request.headers.add(name: "X-Guanxi-Event", value: delivery.eventType)
        request.headers.add(name: "X-Guanxi-Delivery", value: delivery.id.uuidString.lowercased())
        request.headers.add(name: "X-Guanxi-Timestamp", value: String(timestamp))
        request.headers.add(name: "X-Guanxi-Signature", value: WebhookSignature.sign(body: body, timestamp: timestamp, secret: delivery.secret))
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: timeout)
        // Read (a bounded part of) the answer so the connection can serve the next delivery.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}
