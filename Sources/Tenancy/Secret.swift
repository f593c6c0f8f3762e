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
    public let tenant: TenantID
    /// The whole key as the client sends it; what is hashed.
    public let text: String

    public static func generate(for tenant: TenantID) -> APIKeyText {
        APIKeyText(tenant: tenant, text: "gx_\(tenant.description.replacingOccurrences(of: "-", with: ""))_\(Secret.random())")
    }

    private init(tenant: TenantID, text: String) {
        self.tenant = tenant
        self.text = text
    }

    /// Reads a presented key; `nil` for anything not shaped like one. The text is kept as sent
    /// (it runs on every request, so nothing is rebuilt to hash it).
    public init?(parsing text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 3 + 32 + 1 + 16, utf8[0] == UInt8(ascii: "g"), utf8[1] == UInt8(ascii: "x"),
              utf8[2] == UInt8(ascii: "_"), utf8[35] == UInt8(ascii: "_") else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<16 {
            guard let high = Self.hexValue(utf8[3 + 2 * index]), let low = Self.hexValue(utf8[4 + 2 * index]) else { return nil }
            bytes[index] = high << 4 | low
        }
        let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        self.init(tenant: TenantID(uuid), text: text)
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    public var digest: Data { Secret.digest(text) }

    /// Enough of the secret for a person to tell keys apart in a list, too little to use.
    public var displayPrefix: String { "gx_…\(text.dropFirst(36).prefix(6))" }
}
