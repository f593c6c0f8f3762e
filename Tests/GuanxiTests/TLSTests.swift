import Hummingbird
import AsyncHTTPClient
import Database
import Foundation
import Gateway
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import Testing

@Suite("The HTTPS gateway")
struct TLSTests {
    /// Runs the real HTTPS server on a free port with a new self-signed certificate while `body`
    /// uses it, then stops it the way SIGTERM does: a graceful shutdown ends the background services
    /// before the database client they use.
    static func withServer(idleTimeout: Duration = .seconds(75), _ body: (_ port: Int) async throws -> Void) async throws {
        let database = try await TestDatabase.shared.value
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("guanxi-tls-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, key) = try SelfSignedCertificate.ensure(in: directory)
        let postgres = PostgresClient(configuration: database.app.clientConfiguration, backgroundLogger: TestDatabase.logger)
        let services = GuanxiServices(database: Database(client: postgres, logger: TestDatabase.logger), passwordCost: 4)
        let configuration = GatewayConfiguration(port: 0, certificatePath: certificate, privateKeyPath: key, idleTimeout: idleTimeout)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = try buildApplication(services: services, configuration: configuration, logger: TestDatabase.logger) { port in
            portContinuation.yield(port)
        }
        let server = ServiceGroup(services: [app], logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            try await body(try #require(await iterator.next()))
            await server.triggerGracefulShutdown()
        }
    }

    static var clientTLS: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return tls
    }

    @Test("serves HTTP/2 and HTTP/1.1 over TLS by ALPN, and refuses plain HTTP")
    func tlsHandshake() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: Self.clientTLS))
        var http1Configuration = HTTPClient.Configuration(tlsConfiguration: Self.clientTLS)
        http1Configuration.httpVersion = .http1Only
        let http1Client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http1Configuration)
        try await Self.withServer { port in
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
        }
        try await client.shutdown()
        try await http1Client.shutdown()
    }

    @Test("closes a connection left idle for the idle timeout, whether or not it asked anything")
    func idleConnectionsAreClosed() async throws {
        let context = try NIOSSLContext(configuration: Self.clientTLS)
        try await Self.withServer(idleTimeout: .seconds(1)) { port in
            for request in ["", "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"] {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                        }
                    }
                    .connect(host: "127.0.0.1", port: port).get()
                if !request.isEmpty { try await channel.writeAndFlush(ByteBuffer(string: request)) }
                #expect(try await Self.closedByPeer(channel, within: .seconds(30)), "request: \(request.debugDescription)")
            }
        }
    }

    @Test("closes a connection whose TLS handshake does not finish within the idle timeout")
    func stalledHandshakesAreClosed() async throws {
        try await Self.withServer(idleTimeout: .seconds(1)) { port in
            for hello in ["", "\u{16}\u{03}\u{01}"] {  // nothing, or the first bytes of a ClientHello and no more
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port).get()
                if !hello.isEmpty { try await channel.writeAndFlush(ByteBuffer(string: hello)) }
                #expect(try await Self.closedByPeer(channel, within: .seconds(30)), "sent: \(hello.debugDescription)")
            }
        }
    }

    /// Whether the other side closed `channel` before `limit` ran out (if not, it is closed here).
    static func closedByPeer(_ channel: any Channel, within limit: Duration) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try? await channel.closeFuture.get(); return true }
            group.addTask { try? await Task.sleep(for: limit); return false }
            let first = try await group.next() ?? false
            group.cancelAll()
            if !first { try? await channel.close() }
            return first
        }
    }
}
