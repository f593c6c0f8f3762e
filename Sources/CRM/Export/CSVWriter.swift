import Foundation

/// Writes CSV as RFC 4180 reads it (CRLF between records; a cell with a comma, quote or line break
/// in double quotes, its quotes doubled), with a guard against formula injection: a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a `'` before it, so a
/// spreadsheet shows it as text instead of running it. Imports take that quote off again.
enum CSVWriter {
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// One record, ending in CRLF; `nil` is an empty cell.
    static func record(_ cells: [String?]) -> String {
        cells.map { cell($0 ?? "") }.joined(separator: ",") + "\r\n"
    }

    static func cell(_ value: String) -> String {
        let guarded = value.first.map(formulaStarts.contains) == true ? "'" + value : value
        guard guarded.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return guarded }
        return "\"" + guarded.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
