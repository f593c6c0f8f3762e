import Crypto
import Foundation

/// How a delivery proves it came from this server and was not altered: `X-Guanxi-Signature` is
/// `sha256=` and the hex HMAC-SHA256, keyed with the endpoint's secret, of the `X-Guanxi-Timestamp`
/// value, a full stop, and the exact body bytes. A receiver recomputes it, compares in constant time,
/// and refuses timestamps too far from its clock, so a captured delivery cannot be replayed later.
public enum WebhookSignature {
    public static func sign(body: Data, timestamp: Int, secret: String) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }
}
