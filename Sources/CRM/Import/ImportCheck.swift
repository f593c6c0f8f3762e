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
    let header: [String]
    /// In the order of the object's fields, so the written columns are always in one order.
    let mapped: [MappedColumn]

    /// Checks `mapping` (a field name or `nil` per column of `header`): every name a field of the
    /// object, no field twice, no two fields that write one column.
    init(object: ImportObject, header: [String], mapping: [String?]) throws {
        guard mapping.count == header.count else {
            throw Self.invalidMapping("mapping must have one entry per column: \(header.count), in the file's order.")
        }
        var mapped: [MappedColumn] = []
        for (index, name) in mapping.enumerated() {
            guard let name else { continue }
            guard let field = object.field(named: name) else {
                throw Self.invalidMapping("\(name) is not a field of \(object.name); use one of \(object.fields.map(\.name).joined(separator: ", ")), or null.")
            }
            if let other = mapped.first(where: { $0.field.column == field.column }) {
                throw Self.invalidMapping(other.field.name == name
                    ? "\(name) is mapped to two columns; map it to one."
                    : "\(other.field.name) and \(name) both set \(field.column); map only one of them.")
            }
            mapped.append(MappedColumn(index: index, header: header[index], field: field))
        }
        self.object = object
        self.header = header
        self.mapped = mapped.sorted { lhs, rhs in
            object.fields.firstIndex { $0.name == lhs.field.name }! < object.fields.firstIndex { $0.name == rhs.field.name }!
        }
    }

    /// The mapping proposed for a header: each field, in the object's order, takes the first free
    /// column whose header names it (in English or Chinese, in any case, spaces and punctuation
    /// aside), unless an earlier field already writes its column.
    static func proposedMapping(for header: [String], object: ImportObject) -> [String?] {
        let headers = header.map(normalisedHeader)
        var mapping = [String?](repeating: nil, count: header.count)
        var writtenColumns: Set<SQLIdentifier> = []
        for field in object.fields where !writtenColumns.contains(field.column) {
            let names = Set(([field.name] + field.headers).map(normalisedHeader))
            guard let index = headers.indices.first(where: { mapping[$0] == nil && names.contains(headers[$0]) }) else { continue }
            mapping[index] = field.name
            writtenColumns.insert(field.column)
        }
        return mapping
    }

    static func normalisedHeader(_ text: String) -> String {
        String(text.lowercased().filter { !($0.isWhitespace || "_-.*:：()（）/#".contains($0)) })
    }

    /// The written columns, in the order of each row's values.
    var columns: [ImportField] { mapped.map(\.field) }

    /// Checks every row. Rows whose cells are all blank are left out, as spreadsheets leave them.
    func check(_ records: ArraySlice<[String]>, references: ImportReferences) -> Outcome {
        var outcome = Outcome()
        for field in object.fields where field.required && !mapped.contains(where: { $0.field.name == field.name }) {
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
                switch value(of: cell, in: column, references: references) {
                case .success(let value): values.append(value)
                case .failure(let problem):
                    values.append(nil)
                    rowErrors.append(ImportRowError(row: number, field: column.field.name, column: column.header,
                                                    code: problem.code, message: problem.message))
                }
            }
            if outcome.preview.count < Self.previewRows {
                outcome.preview.append(ImportPreviewRow(
                    row: number, values: Dictionary(uniqueKeysWithValues: zip(mapped.map(\.field.name), values))))
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

    private func value(of cell: String, in column: MappedColumn, references: ImportReferences) -> Result<String?, Problem> {
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
        }
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
