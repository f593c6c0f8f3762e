import GuanxiCore
import Hummingbird

/// Filters of list endpoints, read from the query string. A value that cannot mean anything is
/// refused with 400 `invalid_filter` naming the parameter, instead of being ignored.
extension Request {
    func filterText(_ name: String) -> String? {
        uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    func filterID<Entity>(_ name: String, as type: Identifier<Entity>.Type) throws -> Identifier<Entity>? {
        guard let text = filterText(name) else { return nil }
        guard let id = Identifier<Entity>(text) else { throw invalidFilter(name, "\(name) must be an id (UUID).") }
        return id
    }

    /// One of the values of `Value`, such as a status or a kind.
    func filterValue<Value: RawRepresentable & CaseIterable>(_ name: String, as type: Value.Type) throws -> Value? where Value.RawValue == String {
        guard let text = filterText(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            throw invalidFilter(name, "\(name) must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }

    func filterBool(_ name: String) throws -> Bool? {
        switch filterText(name) {
        case nil: nil
        case "true": true
        case "false": false
        default: throw invalidFilter(name, "\(name) must be true or false.")
        }
    }

    func invalidFilter(_ name: String, _ message: String) -> GuanxiError {
        GuanxiError(.malformed, code: "invalid_filter", message: message, details: ["field": name])
    }
}
