import Foundation

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

    public var description: String { uuid.uuidString.lowercased() }

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

public typealias TenantID = Identifier<TenantTag>
public typealias UserID = Identifier<UserTag>
public typealias APIKeyID = Identifier<APIKeyTag>
public typealias SessionID = Identifier<SessionTag>
public typealias OperatorTokenID = Identifier<OperatorTokenTag>
public typealias AccountID = Identifier<AccountTag>
public typealias ContactID = Identifier<ContactTag>

extension UUID {
    /// Sorts before every other id: the start of a keyset-paginated list.
    public static let minimum = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// RFC 9562 version 7: 48 bits of Unix milliseconds, then random bits.
    public static func version7(now: Date = Date()) -> UUID {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(i))) }
        var generator = SystemRandomNumberGenerator()
        for i in 6..<16 { bytes[i] = generator.next() }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
