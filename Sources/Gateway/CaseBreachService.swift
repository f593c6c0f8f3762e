import CRM
import Foundation
import Logging
import ServiceLifecycle

/// Flags SLA breaches and escalates their cases every 30 seconds, in every workspace, until shutdown.
struct CaseBreachService: Service {
    let monitor: CaseBreachMonitor
    let logger: Logger
    var interval: Duration = .seconds(30)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let breaches = try await monitor.sweep()
                if breaches > 0 { logger.info("SLA breaches flagged and escalated", metadata: ["count": "\(breaches)"]) }
            } catch {
                logger.warning("SLA breach sweep failed", metadata: ["error": "\(error)"])
            }
            // Wakes early when a graceful shutdown starts.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
