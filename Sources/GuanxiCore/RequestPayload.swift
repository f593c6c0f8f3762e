/// A JSON request body. The gateway refuses keys outside `fields` with `unknown_field`, so a
/// misspelt field is an error the client sees, not a value silently dropped.
public protocol RequestPayload: Decodable, Sendable {
    static var fields: Set<String> { get }
}
