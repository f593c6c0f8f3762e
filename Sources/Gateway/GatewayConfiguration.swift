import Foundation
import GuanxiCore
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

/// What the gateway needs to know to serve: where to listen, which certificate to present,
/// and how tenant hosts are named.
public struct GatewayConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var certificatePath: String
    public var privateKeyPath: String
    /// Tenant workspaces answer at `<slug>.<baseDomain>`; session cookies are bound to that host.
    public var baseDomain: String
    /// The largest JSON body accepted.
    public var maxBodyBytes: Int
    /// A connection, HTTP/1.1 or HTTP/2, on which nothing has been asked or answered for this long is
    /// closed: idle keep-alive connections would otherwise hold a socket each for as long as their
    /// clients like.
    public var idleTimeout: Duration

    public init(host: String = "127.0.0.1", port: Int = 8443, certificatePath: String, privateKeyPath: String,
                baseDomain: String = "localhost", maxBodyBytes: Int = 1 << 20, idleTimeout: Duration = .seconds(75)) {
        self.host = host
        self.port = port
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.baseDomain = baseDomain
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
    }
}
