import Crypto
import Foundation
import GuanxiCore

/// Credentials are random secrets shown once and stored only as SHA-256 digests: a leaked
/// database does not leak working keys. (Secrets have 256 bits of entropy, so a fast digest is
/// enough; passwords, chosen by people, use bcrypt instead.)
public enum Secret {
    public static func random(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64URLEncoded()
    }

    public static func digest(_ secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }
}

/// An API key's text names its tenant, `gx_<tenant id hex>_<secret>`, so it can be checked with
/// one query inside that tenant's row-level security scope: no lookup across tenants is ever needed.
public struct APIKeyText: Sendable, Equatable {
    public var tenant: TenantID
    public var secret: String

    public static func generate(for tenant: TenantID) -> APIKeyText {
        APIKeyText(tenant: tenant, secret: Secret.random())
    }

    public var text: String { "gx_\(tenant.description.replacingOccurrences(of: "-", with: ""))_\(secret)" }
    public var digest: Data { Secret.digest(text) }
    /// Enough of the secret for a person to tell keys apart in a list, too little to use.
    public var displayPrefix: String { "gx_…\(secret.prefix(6))" }

    public init(tenant: TenantID, secret: String) {
        self.tenant = tenant
        self.secret = secret
    }

    public init?(parsing text: String) {
        let parts = text.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "gx", parts[1].count == 32, parts[2].count >= 16 else { return nil }
        let hex = Array(parts[1])
        let uuidText = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
        guard let tenant = TenantID(uuidText) else { return nil }
        self.init(tenant: tenant, secret: String(parts[2]))
    }
}
