import Foundation

/// One page of a keyset-paginated list. `nextCursor` is `nil` on the last page.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: Cursor?

    public init(items: [Item], nextCursor: Cursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// The position after the last row of a page. Ids are time-ordered (UUID v7), so ordering by id
/// is ordering by creation, and the cursor is exact. Clients see an opaque string.
public struct Cursor: Sendable, Equatable {
    public var after: UUID
    /// The last row's sort value, for lists ordered by something before the id (a time, a date);
    /// `nil` for lists ordered by id alone. The list that issued it parses it.
    public var key: String?

    public init(after: UUID, key: String? = nil) {
        self.after = after
        self.key = key
    }

    public var token: String {
        let id = after.uuidString.lowercased()
        return Data((key.map { "\($0)|\(id)" } ?? id).utf8).base64URLEncoded()
    }

    public init(token: String) throws {
        guard let data = Data(base64URLEncoded: token) else { throw Self.invalid }
        let text = String(decoding: data, as: UTF8.self)
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count <= 2, let id = UUID(uuidString: String(parts[parts.count - 1])) else { throw Self.invalid }
        self.after = id
        self.key = parts.count == 2 ? String(parts[0]) : nil
    }

    /// What a list answers for a cursor it did not issue.
    public static let invalid = GuanxiError(.malformed, code: "invalid_cursor",
                                            message: "The cursor is not one this server issued; start again without it.")
}

/// A validated page request: `limit` is clamped by the caller's bounds, `after` comes from a cursor.
public struct PageRequest: Sendable {
    public static let defaultLimit = 50
    public static let maximumLimit = 200

    public var limit: Int
    public var after: Cursor?

    public init(limit: Int = PageRequest.defaultLimit, after: Cursor? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Reads `limit` and `cursor` as a client sent them.
    public init(limit: String?, cursor: String?) throws {
        var value = PageRequest.defaultLimit
        if let limit {
            guard let parsed = Int(limit), (1...PageRequest.maximumLimit).contains(parsed) else {
                throw GuanxiError(.malformed, code: "invalid_limit",
                                  message: "limit must be a whole number from 1 to \(PageRequest.maximumLimit).")
            }
            value = parsed
        }
        self.limit = value
        self.after = try cursor.map(Cursor.init(token:))
    }
}

extension Data {
    public func base64URLEncoded() -> String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}

extension Page {
    /// A page from rows fetched with `LIMIT limit + 1`: the extra row only says that more follow.
    public init(rows: [Item], limit: Int, cursor: (Item) -> Cursor) {
        let items = Array(rows.prefix(limit))
        self.init(items: items, nextCursor: rows.count > limit ? items.last.map(cursor) : nil)
    }
}
