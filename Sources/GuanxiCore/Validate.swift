import Foundation



/// Checks shared by the services, each failing with `invalid_field` and the field's name.
public enum Validate {
    /// Trimmed, lowercased, one `@` with text on both sides; at most 254 characters.
    public static func email(_ value: String, field: String) throws -> String {
        let email = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard email.count <= 254, email.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) != nil else {
            throw GuanxiError.invalidField(field, "\(field) must be an email address such as li.wei@example.com.")
        }
        return email
    }

    /// Trimmed text of `range` characters; `nil` stays `nil`, and blank optional text becomes `nil`.
    public static func text(_ value: String?, field: String, length range: ClosedRange<Int>, required: Bool = false) throws -> String? {
        let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let trimmed, !trimmed.isEmpty else {
            if required { throw GuanxiError.invalidField(field, "\(field) is required.") }
            return nil
        }
        guard range.contains(trimmed.count) else {
            throw GuanxiError.invalidField(field, "\(field) must have \(range.lowerBound) to \(range.upperBound) characters.")
        }
        return trimmed
    }
}
