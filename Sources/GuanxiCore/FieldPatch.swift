/// One field of a PATCH body: left out (keep the value), `null` (clear it), or a new value.
public enum FieldPatch<Value: Sendable & Decodable>: Sendable {
    case keep
    case clear
    case set(Value)

    /// The value after applying the patch to `current`.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .keep: current
        case .clear: nil
        case .set(let value): value
        }
    }
}

extension KeyedDecodingContainer {
    /// Tells a missing key from an explicit `null`, which `decodeIfPresent` cannot.
    public func decodePatch<Value>(_ type: Value.Type, forKey key: Key) throws -> FieldPatch<Value> {
        guard contains(key) else { return .keep }
        if try decodeNil(forKey: key) { return .clear }
        return .set(try decode(Value.self, forKey: key))
    }
}
