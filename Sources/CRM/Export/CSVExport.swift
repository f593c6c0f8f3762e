import Database
import Foundation
import GuanxiCore

/// The character encoding of an export: UTF-8 with a byte order mark (so that Excel opens Chinese
/// text correctly), or GB18030 for older Chinese spreadsheet software.
public enum ExportEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case gb18030

    /// The `charset` of the response's `Content-Type`.
    public var charset: String { rawValue }
}

/// A list written out as CSV a page at a time: the header and the first page, then each further
/// page, as bytes in the chosen encoding.
public struct CSVExport: Sendable {
    /// One page of records as cells, and the cursor of the next page (`nil` on the last).
    typealias Fetch = @Sendable (Cursor?) async throws -> (records: [[String?]], next: Cursor?)

    let header: [String]
    public let encoding: ExportEncoding
    let fetch: Fetch
    private var cursor: Cursor?
    private var started = false
    private var finished = false

    /// Every page is read as the member acting now. The file streams after the request's handler
    /// has returned, outside the task that knows that member; without binding them again, the pages
    /// after the first would be read as no member, which row-level security lets see every record.
    init(header: [String], encoding: ExportEncoding, fetch: @escaping Fetch) {
        self.header = header
        self.encoding = encoding
        let actor = ActingUser.current
        self.fetch = { cursor in try await ActingUser.$current.withValue(actor) { try await fetch(cursor) } }
    }

    /// The next part of the file, or `nil` after the last. The first part holds the byte order mark
    /// (UTF-8), the header and the first page.
    public mutating func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        let page = try await fetch(cursor)
        var text = started ? "" : CSVWriter.record(header)
        for record in page.records { text += CSVWriter.record(record) }
        cursor = page.next
        finished = page.next == nil
        defer { started = true }
        switch encoding {
        case .utf8: return (started ? [] : [0xEF, 0xBB, 0xBF]) + Array(text.utf8)
        case .gb18030: return GB18030.encode(text)
        }
    }
}

extension Date {
    /// Times in exports: ISO 8601 in UTC, as the JSON API writes them.
    var exported: String { formatted(.iso8601) }
}
