import Tenancy
import Hummingbird
import GuanxiCore
import Foundation
import Logging
import ServiceLifecycle
import Subscriptions

/// Rolls subscriptions into their next period (scheduled downgrades, ended trials) every minute,
/// until shutdown.
struct SubscriptionRenewalService: Service {
    let subscriptions: Subscriptions
    let logger: Logger
    var interval: Duration = .seconds(60)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let moved = try await subscriptions.advance()
                if moved > 0 { logger.info("subscriptions renewed", metadata: ["count": "\(moved)"]) }
            } catch {
                logger.warning("subscription renewal failed", metadata: ["error": "\(error)"])
            }
            try? await gracefulShutdown(after: interval)
        }
    }
}

/// Sleeps `duration`, returning early when a graceful shutdown starts.
private func gracefulShutdown(after duration: Duration) async throws {
    try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
}
