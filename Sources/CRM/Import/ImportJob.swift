import Foundation
import GuanxiCore

public enum ImportTag {}
public typealias ImportID = Identifier<ImportTag>

/// What happens to a row that has the same email or phone (accounts: name or phone) as a record
/// already in the workspace, or as an earlier row of the file.
public enum ImportDedupe: String, Sendable, Codable, CaseIterable {
    /// The row is left out.
    case skip
    /// The row's non-blank cells are written over the record's fields.
    case update
    /// The row becomes a new record all the same.
    case create
}

public enum ImportStatus: String, Sendable, Codable {
    /// Uploaded and checked; `errors` says whether it can be committed.
    case ready
    /// The records are being written; `progress` shows how far.
    case committing
    /// Every row was written, in one transaction.
    case committed
    /// The last commit wrote nothing; `failure` says why. It may be committed again.
    case failed
}

/// How the file's bytes were read: a UTF-8 byte order mark, valid UTF-8, or else GB18030.
public enum ImportEncoding: String, Sendable, Codable {
    case utf8 = "utf-8"
    case utf8WithBOM = "utf-8-bom"
    case gb18030
}

/// An import as the API shows it: the preview while it is checked and mapped, the progress while it
/// is committed, the outcome after.
public struct ImportJob: Sendable, Encodable {
    public var id: ImportID
    public var object: String
    public var status: ImportStatus
    public var fileName: String?
    public var encoding: ImportEncoding
    public var dedupe: ImportDedupe
    /// Data rows, header and blank rows left out.
    public var rowCount: Int
    public var columns: [ImportColumn]
    /// The fields of `object` a column can map to.
    public var fields: [ImportFieldDescription]
    public var preview: [ImportPreviewRow]
    public var errorCount: Int
    /// The first errors in row order; `GET /imports/{id}/errors` pages through all of them.
    public var errors: [ImportRowError]
    public var processedRows: Int
    public var createdRows: Int
    public var updatedRows: Int
    public var skippedRows: Int
    public var failure: ImportFailure?
    public var createdAt: Date
    public var updatedAt: Date
    public var committedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, object, status, encoding, dedupe, columns, fields, preview, errors, failure, progress, result
        case fileName = "file_name"
        case rowCount = "row_count"
        case errorCount = "error_count"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case committedAt = "committed_at"
    }

    enum ProgressKeys: String, CodingKey { case processed, total }
    enum ResultKeys: String, CodingKey { case created, updated, skipped }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(status, forKey: .status)
        try container.encode(fileName, forKey: .fileName)
        try container.encode(encoding, forKey: .encoding)
        try container.encode(dedupe, forKey: .dedupe)
        try container.encode(rowCount, forKey: .rowCount)
        try container.encode(columns, forKey: .columns)
        try container.encode(fields, forKey: .fields)
        try container.encode(preview, forKey: .preview)
        try container.encode(errorCount, forKey: .errorCount)
        try container.encode(errors, forKey: .errors)
        var progress = container.nestedContainer(keyedBy: ProgressKeys.self, forKey: .progress)
        try progress.encode(processedRows, forKey: .processed)
        try progress.encode(rowCount, forKey: .total)
        var result = container.nestedContainer(keyedBy: ResultKeys.self, forKey: .result)
        try result.encode(createdRows, forKey: .created)
        try result.encode(updatedRows, forKey: .updated)
        try result.encode(skippedRows, forKey: .skipped)
        try container.encode(failure, forKey: .failure)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(committedAt, forKey: .committedAt)
    }
}

/// A column of the file: its position, its header, and the field it is imported as (`nil`: not imported).
public struct ImportColumn: Sendable, Encodable, Equatable {
    public var index: Int
    public var header: String
    public var field: String?

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(header, forKey: .header)
        try container.encode(field, forKey: .field)
    }

    enum CodingKeys: String, CodingKey { case index, header, field }
}

public struct ImportFieldDescription: Sendable, Encodable {
    public var name: String
    public var required: Bool
}

/// A row as it would be imported: each mapped field's stored value (a reference as the id it found).
public struct ImportPreviewRow: Sendable, Codable, Equatable {
    public var row: Int
    public var values: [String: String?]
}

/// A problem with one row (or, at row 1, with the header and mapping). `field` is empty for the
/// whole row; `column` is the header of the cell, when the problem is one cell's.
public struct ImportRowError: Sendable, Encodable, Equatable {
    public var row: Int
    public var field: String
    public var column: String?
    public var code: String
    public var message: String

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(row, forKey: .row)
        try container.encode(field.isEmpty ? nil : field, forKey: .field)
        try container.encode(column, forKey: .column)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
    }

    enum CodingKeys: String, CodingKey { case row, field, column, code, message }
}

/// Why the last commit wrote nothing: the error's stable code and message.
public struct ImportFailure: Sendable, Encodable, Equatable {
    public var code: String
    public var message: String
}

/// `PATCH /api/v1/imports/{id}`: a new mapping (one field name or `null` per column, in the
/// file's order) and/or a new dedupe choice.
public struct ImportPatch: RequestPayload {
    public static let fields: Set<String> = ["mapping", "dedupe"]
    public var mapping: [String?]?
    public var dedupe: String?

    public init(mapping: [String?]? = nil, dedupe: String? = nil) {
        self.mapping = mapping
        self.dedupe = dedupe
    }
}
