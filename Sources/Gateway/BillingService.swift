import Billing
import Foundation
import GuanxiCore
import Logging
import ServiceLifecycle

/// The scheduled side of billing, until shutdown: bills the periods that ended in the previous
/// and the current month (a run makes only what is missing), then takes the dunning steps due.
struct BillingService: Service {
    let billingRun: BillingRun
    let dunning: Dunning
    let logger: Logger
    var interval: Duration = .seconds(600)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let now = Date()
            let month = BillingMonth.current(now)
            do {
                for period in [month.previous, month] { try await billingRun.run(period: period, now: now) }
                let steps = try await dunning.run(now: now)
                if steps > 0 { logger.notice("dunning steps taken", metadata: ["count": "\(steps)"]) }
            } catch {
                logger.warning("scheduled billing failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
