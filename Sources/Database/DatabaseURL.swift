import Foundation
import GuanxiCore
import NIOSSL
import PostgresNIO

/// Connection settings read from a `postgres://user:password@host:port/database` URL.
/// A Unix socket is named libpq's way, `postgres://user@/database?host=/run/dir`.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// The directory holding the server's socket, when connecting over a Unix socket.
    public var socketDirectory: String?
    /// libpq's sslmode: `disable`, `prefer` (the default), `require` (encrypt, trust any
    /// certificate), `verify-ca` or `verify-full` (encrypt and verify the server's certificate).
    public var sslMode: String

    public init(username: String, password: String?, host: String = "127.0.0.1", port: Int = 5432,
                database: String, socketDirectory: String? = nil, sslMode: String = "prefer") {
        self.username = username
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.socketDirectory = socketDirectory
        self.sslMode = sslMode
    }

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text),
              components.scheme == "postgres" || components.scheme == "postgresql",
              let user = components.user, !user.isEmpty
        else {
            throw GuanxiError(.malformed, code: "invalid_database_url",
                              message: "Expected postgres://user:password@host:port/database, got \(text.redactingPassword).")
        }
        let query = components.queryItems ?? []
        let sslMode = query.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw GuanxiError(.malformed, code: "invalid_database_url",
                              message: "sslmode must be disable, prefer, require, verify-ca or verify-full, not \(sslMode).")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        self.init(
            username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding,
            host: components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: components.port ?? 5432,
            database: database.isEmpty ? user : database,
            socketDirectory: query.first(where: { $0.name == "host" })?.value,
            sslMode: sslMode)
    }

    /// The same server and credentials, another database or role.
    public func with(username: String? = nil, password: String?? = nil, database: String? = nil) -> DatabaseURL {
        var copy = self
        if let username { copy.username = username }
        if let password { copy.password = password }
        if let database { copy.database = database }
        return copy
    }

    /// The URL with its password, for tools such as psql and pgbench.
    public var text: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password
        components.path = "/" + database
        if let socketDirectory {
            components.host = ""
            components.queryItems = [URLQueryItem(name: "host", value: socketDirectory), URLQueryItem(name: "port", value: String(port))]
        } else {
            components.host = host
            components.port = port
        }
        return components.string ?? ""
    }

    public var description: String { text.redactingPassword }

    public var clientConfiguration: PostgresClient.Configuration {
        if let socketDirectory {
            return .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        }
        var trustAny = TLSConfiguration.makeClientConfiguration()
        trustAny.certificateVerification = .none
        let tls: PostgresClient.Configuration.TLS = switch sslMode {
        case "disable": .disable
        case "allow", "prefer": .prefer(trustAny)
        case "require": .require(trustAny)
        default: .require(.makeClientConfiguration())
        }
        return .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }
}

extension String {
    /// The text with any `user:password@` reduced to `user:***@`, for logs and error messages.
    var redactingPassword: String {
        replacingOccurrences(of: #"(://[^:/@]+):[^@]*@"#, with: "$1:***@", options: .regularExpression)
    }
}
