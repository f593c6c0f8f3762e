import Database
import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

/// `/healthz` says the process answers; `/readyz` says it can also reach its database.
struct HealthController {
    let database: Database

    func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("healthz") { _, _ in ["status": "ok"] }
        router.get("readyz") { _, _ -> Response in
            do {
                try await database.client.query("SELECT 1")
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: #"{"status":"ready"}"#)))
            } catch {
                return Response(status: .serviceUnavailable, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: .init(string: #"{"status":"database_unreachable"}"#)))
            }
        }
    }
}
