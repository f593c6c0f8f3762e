import Foundation



/// Checks shared by the services, each failing with `invalid_field` and the field's name.
public enum Validate {
    /// Trimmed, lowercased, one `@` with text on both sides; at most 254 characters.
    public static func email(_ value: String, field: String) throws -> String {
        let email = trimmed(value).lowercased()
        guard email.count <= 254, isEmailShaped(email) else {
            throw GuanxiError.invalidField(field, "\(field) must be an email address such as li.wei@example.com.")
        }
        return email
    }

    /// What `/[^@\s]+@[^@\s]+\.[^@\s]+/` matches whole: no white space, one `@` with text before it,
    /// and a dot with text on both sides after it. Written out because a regex literal is parsed and
    /// compiled again on every call, which made this check most of the cost of a 100,000-row import.
    static func isEmailShaped(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !email.contains(where: \.isWhitespace) else { return false }
        return parts[1].dropFirst().dropLast().contains(".")
    }

    /// `value` without white space (line breaks included) at either end; the same as Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` without its round trip through `NSString`.
    public static func trimmed(_ value: String) -> String {
        guard let first = value.firstIndex(where: { !$0.isWhitespace }),
              let last = value.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return first == value.startIndex && last == value.index(before: value.endIndex) ? value : String(value[first...last])
    }

    /// Trimmed text of `range` characters; `nil` stays `nil`, and blank optional text becomes `nil`.
    public static func text(_ value: String?, field: String, length range: ClosedRange<Int>, required: Bool = false) throws -> String? {
        let trimmed = value.map(trimmed)
        guard let trimmed, !trimmed.isEmpty else {
            if required { throw GuanxiError.invalidField(field, "\(field) is required.") }
            return nil
        }
        guard range.contains(trimmed.count) else {
            throw GuanxiError.invalidField(field, "\(field) must have \(range.lowerBound) to \(range.upperBound) characters.")
        }
        // PostgreSQL's text cannot hold it: it would fail the write as a server error.
        guard !trimmed.unicodeScalars.contains("\0") else {
            throw GuanxiError.invalidField(field, "\(field) cannot hold the NUL character (U+0000).")
        }
        return trimmed
    }
}
