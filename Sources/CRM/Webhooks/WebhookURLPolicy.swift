import Foundation
import GuanxiCore

/// Which URLs a workspace may send its data to: HTTPS only, no credentials in the URL, and not this
/// machine's loopback interface, where the server's own neighbours listen. A server may allow
/// loopback (tests and local development do, with a receiver on 127.0.0.1); then plain HTTP is
/// accepted there too, and only there.
public struct WebhookURLPolicy: Sendable {
    public var allowsLoopback: Bool

    public init(allowsLoopback: Bool = false) { self.allowsLoopback = allowsLoopback }

    /// The URL as it will be called, or `invalid_field` naming `url`.
    public func validate(_ text: String) throws -> String {
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard url.count <= 2000, let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty
        else {
            throw GuanxiError.invalidField("url", "url must be an absolute URL of at most 2000 characters, such as https://example.com/hooks/guanxi.")
        }
        guard components.user == nil, components.password == nil else {
            throw GuanxiError.invalidField("url", "url must not hold a user name or password; check the signature instead.")
        }
        let loopback = Self.isLoopback(host)
        if loopback && !allowsLoopback {
            throw GuanxiError.invalidField("url", "url must not point at this server's own machine (\(host)).")
        }
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw GuanxiError.invalidField("url", "url must use https.")
        }
        return url
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        let ipv4Loopback = octets.count == 4 && octets.allSatisfy { UInt8($0) != nil } && (octets[0] == "127" || bare == "0.0.0.0")
        return ipv4Loopback || bare == "localhost" || bare.hasSuffix(".localhost") || bare == "::1"
    }
}
