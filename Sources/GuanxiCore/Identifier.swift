import Foundation
import Synchronization

/// A typed identifier: a UUID that knows which kind of record it names, so a `ContactID`
/// can never be passed where a `TenantID` is expected.
public struct Identifier<Entity>: Hashable, Sendable, Codable, CustomStringConvertible {
    public let uuid: UUID

    public init(_ uuid: UUID) { self.uuid = uuid }

    /// A new time-ordered identifier (UUID version 7), so keys sort by creation time.
    public init() { self.uuid = UUID.version7() }

    /// Parses the canonical text form; `nil` for anything that is not a UUID.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.uuid = uuid
    }

    public var description: String { uuid.lowercasedText }

    public init(from decoder: any Decoder) throws {
        self.uuid = try decoder.singleValueContainer().decode(UUID.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public enum TenantTag {}
public enum UserTag {}
public enum APIKeyTag {}
public enum SessionTag {}
public enum OperatorTokenTag {}
public enum AccountTag {}
public enum ContactTag {}
public enum TeamTag {}

public typealias TenantID = Identifier<TenantTag>
public typealias UserID = Identifier<UserTag>
public typealias APIKeyID = Identifier<APIKeyTag>
public typealias SessionID = Identifier<SessionTag>
public typealias OperatorTokenID = Identifier<OperatorTokenTag>
public typealias AccountID = Identifier<AccountTag>
public typealias ContactID = Identifier<ContactTag>
public typealias TeamID = Identifier<TeamTag>

extension UUID {
    /// Sorts before every other id: the start of a keyset-paginated list.
    public static let minimum = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// The canonical text form in lower case, as PostgreSQL writes it. Written directly rather than
    /// as `uuidString.lowercased()`, which makes the string twice: ids are formatted on every request.
    public var lowercasedText: String {
        String(unsafeUninitializedCapacity: 36) { text in
            let digits: StaticString = "0123456789abcdef"
            var position = 0
            withUnsafeBytes(of: uuid) { bytes in
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = digits.utf8Start[Int(byte >> 4)]
                    text[position + 1] = digits.utf8Start[Int(byte & 0x0F)]
                    position += 2
                }
            }
            return position
        }
    }

    /// RFC 9562 version 7: 48 bits of Unix milliseconds, a 12-bit counter, then random bits. The
    /// counter (method 1 of the RFC) keeps ids made in the same millisecond in creation order, so
    /// ordering by id is ordering by creation within this process.
    public static func version7(now: Date = Date()) -> UUID {
        let (millis, counter) = V7Clock.next(UInt64(max(0, now.timeIntervalSince1970 * 1000)))
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(i))) }
        var generator = SystemRandomNumberGenerator()
        for i in 8..<16 { bytes[i] = generator.next() }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// The last millisecond and counter handed out, so version 7 ids never go backwards here.
enum V7Clock {
    private static let state = Mutex<(millis: UInt64, counter: UInt16)>((0, 0))

    static func next(_ now: UInt64) -> (UInt64, UInt16) {
        state.withLock { state in
            if now > state.millis {
                // a random start leaves room to count up within the millisecond
                state = (now, UInt16.random(in: 0..<2048))
            } else if state.counter < 0x0FFF {
                state.counter += 1
            } else {
                state = (state.millis + 1, 0)  // counter exhausted: borrow the next millisecond
            }
            return (state.millis, state.counter)
        }
    }
}

public enum AuditEntryTag {}
public enum WebhookTag {}
public enum WebhookEventTag {}
public enum WebhookDeliveryTag {}

public typealias AuditEntryID = Identifier<AuditEntryTag>
public typealias WebhookID = Identifier<WebhookTag>
public typealias WebhookEventID = Identifier<WebhookEventTag>
public typealias WebhookDeliveryID = Identifier<WebhookDeliveryTag>
