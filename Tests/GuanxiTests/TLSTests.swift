import Hummingbird
import AsyncHTTPClient
import Database
import Foundation
import Gateway
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import Testing

@Suite("The HTTPS gateway")
struct TLSTests {
    @Test("serves HTTP/2 and HTTP/1.1 over TLS by ALPN, and refuses plain HTTP")
    func tlsHandshake() async throws {
        let database = try await TestDatabase.shared.value
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("guanxi-tls-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, key) = try SelfSignedCertificate.ensure(in: directory)
        let postgres = PostgresClient(configuration: database.app.clientConfiguration, backgroundLogger: TestDatabase.logger)
        let services = GuanxiServices(database: Database(client: postgres, logger: TestDatabase.logger), passwordCost: 4)
        let configuration = GatewayConfiguration(port: 0, certificatePath: certificate, privateKeyPath: key)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = try buildApplication(services: services, configuration: configuration, logger: TestDatabase.logger) { port in
            portContinuation.yield(port)
        }

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        var http1Configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        http1Configuration.httpVersion = .http1Only
        let http1Client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http1Configuration)

        // Stopped the way SIGTERM stops the server: a graceful shutdown ends the background services
        // before the database client they use.
        let server = ServiceGroup(services: [app], logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())

            let h2 = try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/readyz"), timeout: .seconds(10))
            #expect(h2.status == .ok)
            #expect(h2.version == .http2)
            #expect(h2.headers.first(name: "x-request-id") != nil)

            let h1 = try await http1Client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/healthz"), timeout: .seconds(10))
            #expect(h1.status == .ok)
            #expect(h1.version == .http1_1)

            await #expect(throws: (any Error).self) {
                _ = try await http1Client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(5))
            }
            await server.triggerGracefulShutdown()
        }
        try await client.shutdown()
        try await http1Client.shutdown()
    }
}
