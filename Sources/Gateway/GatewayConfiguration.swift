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

    public init(host: String = "127.0.0.1", port: Int = 8443, certificatePath: String, privateKeyPath: String,
                baseDomain: String = "localhost", maxBodyBytes: Int = 1 << 20) {
        self.host = host
        self.port = port
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.baseDomain = baseDomain
        self.maxBodyBytes = maxBodyBytes
    }
}
