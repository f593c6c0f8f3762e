import Foundation

/// The `q` filter of lists: a case-insensitive substring of names and emails, and of phone
/// numbers by their digits, so any two characters of a Chinese name or any formatting of a
/// number find the record.
struct TextSearch: Sendable {
    /// An ILIKE pattern matching `q` anywhere, with LIKE's wildcards in `q` taken literally.
    let pattern: String?
    /// `q`'s digits when it has at least three, matched against stored phone digits.
    let digitsPattern: String?

    init(_ q: String?) {
        guard let q = q?.trimmingCharacters(in: .whitespaces), !q.isEmpty else {
            pattern = nil
            digitsPattern = nil
            return
        }
        let escaped = q.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        pattern = "%\(escaped)%"
        let digits = q.filter(\.isASCII).filter(\.isNumber)
        digitsPattern = digits.count >= 3 ? "%\(digits)%" : nil
    }
}
