import AsyncHTTPClient
import Database
import Foundation
import Logging
import ServiceLifecycle

/// Runs `WebhookDispatcher` every `interval` for as long as the server runs. On graceful shutdown
/// it finishes the batch in hand, then stops and closes its HTTP client.
public struct WebhookDeliveryService: Service {
    let database: Database
    let logger: Logger
    let interval: Duration

    public init(database: Database, logger: Logger, interval: Duration = .seconds(2)) {
        self.database = database
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        let client = WebhookDispatcher.makeHTTPClient()
        let dispatcher = WebhookDispatcher(database: database, client: client, logger: logger)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await dispatcher.deliverDue()
            } catch {
                logger.warning("webhook delivery failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        try await client.shutdown()
    }
}
