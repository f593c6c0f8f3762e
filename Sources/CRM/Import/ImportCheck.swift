import Database
import Foundation
import GuanxiCore

/// A file's rows checked under one mapping, every cell with its record's own rule, so that the
/// preview lists every problem of every row and a commit writes exactly what was previewed.
struct ImportCheck: Sendable {
    /// A mapped column: where its cells are, and the field they become.
    struct MappedColumn: Sendable {
        let index: Int
        let header: String
        let field: ImportField
    }

    /// A row without errors: its spreadsheet row number and one stored value per mapped column.
    struct Row: Sendable {
        let number: Int
        let values: [String?]
    }

    struct Outcome: Sendable {
        var rows: [Row] = []
        var errors: [ImportRowError] = []
        var rowCount = 0
        var preview: [ImportPreviewRow] = []
    }

    static let previewRows = 20

    let object: ImportObject
    /// What a column can map to: the object's fields, then its custom fields.
    let fields: [ImportField]
    let header: [String]
    /// In the order of `fields`, so the written columns are always in one order, custom fields last.
    let mapped: [MappedColumn]
    /// Where the custom fields' values start in each row's values; `nil` when none is mapped.
    private let customFieldsStart: Int?

    /// Checks `mapping` (a field name or `nil` per column of `header`): every name a field of the
    /// object or one of `customFields` (`cf.<key>`), no field twice, no two fields that set one
    /// thing.
    init(object: ImportObject, customFields: [CustomFieldDefinition], header: [String], mapping: [String?]) throws {
        guard mapping.count == header.count else {
            throw Self.invalidMapping("mapping must have one entry per column: \(header.count), in the file's order.")
        }
        let fields = object.fields(with: customFields)
        var mapped: [MappedColumn] = []
        for (index, name) in mapping.enumerated() {
            guard let name else { continue }
            guard let field = fields.first(where: { $0.name == name }) else {
                throw Self.invalidMapping("\(name) is not a field of \(object.name); use one of \(fields.map(\.name).joined(separator: ", ")), or null.")
            }
            if let other = mapped.first(where: { $0.field.target == field.target }) {
                throw Self.invalidMapping(other.field.name == name
                    ? "\(name) is mapped to two columns; map it to one."
                    : "\(other.field.name) and \(name) both set \(field.column); map only one of them.")
            }
            mapped.append(MappedColumn(index: index, header: header[index], field: field))
        }
        self.object = object
        self.fields = fields
        self.header = header
        self.mapped = mapped.sorted { lhs, rhs in
            fields.firstIndex { $0.name == lhs.field.name }! < fields.firstIndex { $0.name == rhs.field.name }!
        }
        customFieldsStart = self.mapped.firstIndex { if case .customField = $0.field.value { true } else { false } }
    }

    /// The mapping proposed for a header: each field, in the order of `fields`, takes the first
    /// free column whose header names it (in English or Chinese, in any case, spaces and
    /// punctuation aside), unless an earlier field already sets what it sets. The object's own
    /// fields come first, so a header they know is theirs even when a custom field has it as label.
    static func proposedMapping(for header: [String], fields: [ImportField]) -> [String?] {
        let headers = header.map(normalisedHeader)
        var mapping = [String?](repeating: nil, count: header.count)
        var targets: Set<String> = []
        for field in fields where !targets.contains(field.target) {
            let names = Set(([field.name] + field.headers).map(normalisedHeader))
            guard let index = headers.indices.first(where: { mapping[$0] == nil && names.contains(headers[$0]) }) else { continue }
            mapping[index] = field.name
            targets.insert(field.target)
        }
        return mapping
    }

    static func normalisedHeader(_ text: String) -> String {
        String(text.lowercased().filter { !($0.isWhitespace || "_-.*:：()（）/#".contains($0)) })
    }

    /// The mapped fields, in the order of each row's values.
    var columns: [ImportField] { mapped.map(\.field) }

    /// The table's columns a commit writes: each mapped field's, and `custom_fields` once for all
    /// the custom fields.
    var writtenColumns: [SQLIdentifier] {
        let start = customFieldsStart ?? mapped.count
        return mapped[..<start].map(\.field.column) + (start < mapped.count ? ["custom_fields"] : [])
    }

    /// A record's values (one per mapped column) as `writtenColumns` takes them: the custom
    /// fields' values gathered into one JSON object. A blank cell's key is left out, so an update
    /// keeps the record's value for it (the writer merges the object into the record's).
    func writtenValues(_ values: [String?]) -> [String?] {
        guard let start = customFieldsStart else { return values }
        // Keys are lower-case letters, digits and _, so they need no escaping; values are JSON already.
        let members = zip(mapped[start...], values[start...]).compactMap { column, value -> String? in
            guard case .customField(let reader) = column.field.value, let value else { return nil }
            return "\"\(reader.definition.key)\":\(value)"
        }
        return Array(values[..<start]) + ["{" + members.joined(separator: ",") + "}"]
    }

    /// Checks every row. Rows whose cells are all blank are left out, as spreadsheets leave them.
    func check(_ records: ArraySlice<[String]>, references: ImportReferences) -> Outcome {
        var outcome = Outcome()
        let encoder = JSONEncoder()
        for field in fields where field.required && !mapped.contains(where: { $0.field.name == field.name }) {
            outcome.errors.append(ImportRowError(
                row: 1, field: field.name, column: nil, code: "required_field_unmapped",
                message: "No column is imported as \(field.name), which every record of \(object.name) needs; map a column to it."))
        }
        for (offset, cells) in records.enumerated() {
            let number = records.startIndex + offset + 1   // the header is row 1
            guard cells.contains(where: { !$0.allSatisfy(\.isWhitespace) }) else { continue }
            outcome.rowCount += 1
            var rowErrors: [ImportRowError] = []
            if cells.count > header.count, cells[header.count...].contains(where: { !$0.allSatisfy(\.isWhitespace) }) {
                rowErrors.append(ImportRowError(
                    row: number, field: "", column: nil, code: "extra_cells",
                    message: "This row has \(cells.count) cells but the header names \(header.count) columns; a comma inside a value must be in double quotes."))
            }
            var values: [String?] = []
            values.reserveCapacity(mapped.count)
            for column in mapped {
                let cell = Self.withoutFormulaGuard(column.index < cells.count ? cells[column.index] : "")
                switch value(of: cell, in: column, references: references, encoder: encoder) {
                case .success(let value): values.append(value)
                case .failure(let problem):
                    values.append(nil)
                    rowErrors.append(ImportRowError(row: number, field: column.field.name, column: column.header,
                                                    code: problem.code, message: problem.message))
                }
            }
            if outcome.preview.count < Self.previewRows {
                outcome.preview.append(ImportPreviewRow(
                    row: number, values: Dictionary(uniqueKeysWithValues: zip(mapped, values).map { column, value in
                        (column.field.name, Self.shown(value, of: column.field))
                    })))
            }
            if rowErrors.isEmpty {
                outcome.rows.append(Row(number: number, values: values))
            } else {
                outcome.errors += rowErrors
            }
        }
        return outcome
    }

    private struct Problem: Error {
        let code: String
        let message: String
    }

    /// The value stored for a cell: text for a column of the table (as PostgreSQL reads it), JSON
    /// for a custom field.
    private func value(of cell: String, in column: MappedColumn, references: ImportReferences,
                       encoder: JSONEncoder) -> Result<String?, Problem> {
        let field = column.field
        if cell.allSatisfy(\.isWhitespace) {
            return field.required
                ? .failure(Problem(code: "required", message: "\(field.name) is required, and the \(column.header) cell is blank."))
                : .success(nil)
        }
        switch field.value {
        case .text(let check):
            do {
                return .success(try check(cell))
            } catch let error as GuanxiError {
                return .failure(Problem(code: "invalid_value", message: error.message))
            } catch {
                return .failure(Problem(code: "invalid_value", message: "\(field.name) is not valid."))
            }
        case .reference(let reference):
            let matches = references.ids(field.name, matching: cell)
            switch matches.count {
            case 1:
                return .success(matches[0].uuidString.lowercased())
            case 0:
                return .failure(Problem(code: "unknown_\(reference.entity)",
                                        message: "No \(reference.entity) here has the \(reference.matchColumn) “\(cell)”."))
            default:
                return .failure(Problem(code: "ambiguous_\(reference.entity)",
                                        message: "\(matches.count) \(reference.entity)s here have the \(reference.matchColumn) “\(cell)”; give the \(reference.entity)'s id instead."))
            }
        case .customField(let reader):
            do {
                guard let value = try reader.value(cell) else {
                    // A multi_choice cell of separators only holds no choice.
                    return field.required
                        ? .failure(Problem(code: "required", message: "\(field.name) is required, and the \(column.header) cell holds no value."))
                        : .success(nil)
                }
                return .success(String(decoding: try encoder.encode(value), as: UTF8.self))
            } catch let error as GuanxiError {
                return .failure(Problem(code: "invalid_value", message: error.message))
            } catch {
                return .failure(Problem(code: "invalid_value", message: "\(field.name) is not valid."))
            }
        }
    }

    /// A stored value as the preview shows it: a custom field's as an export writes it (`1234.56
    /// CNY`, `a; c`), others as they are.
    private static func shown(_ value: String?, of field: ImportField) -> String? {
        guard case .customField = field.value, let value else { return value }
        return (try? JSONDecoder().decode(CustomFieldValue.self, from: Data(value.utf8)))?.csvCell
    }

    /// Undoes the export's guard against spreadsheet formulas: `'=…`, `'+…`, `'-…`, `'@…` lose the quote.
    static func withoutFormulaGuard(_ cell: String) -> String {
        guard cell.first == "'", let second = cell.dropFirst().first, CSVWriter.formulaStarts.contains(second) else {
            return cell
        }
        return String(cell.dropFirst())
    }

    static func invalidMapping(_ message: String) -> GuanxiError {
        GuanxiError(.invalid, code: "invalid_mapping", message: message, details: ["field": "mapping"])
    }
}
