import Foundation
import GuanxiCore

/// An uploaded CSV file read into text: the encoding found, then the header and the records.
struct ImportFile: Sendable {
    let encoding: ImportEncoding
    /// The whole file as text, without a byte order mark: what the job keeps until it is committed.
    let text: String

    /// Reads `bytes`: a UTF-8 byte order mark means UTF-8; otherwise valid UTF-8 is UTF-8; anything
    /// else is read as GB18030, which Chinese spreadsheets write.
    init(bytes: [UInt8]) throws {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard let text = String(validating: bytes.dropFirst(3), as: UTF8.self) else {
                throw Self.unreadable("It starts with a UTF-8 byte order mark but is not valid UTF-8.")
            }
            self.init(encoding: .utf8WithBOM, text: text)
        } else if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw Self.unreadable("It is UTF-16 (Excel's \"Unicode text\"), which is not read here.")
        } else if let text = String(validating: bytes, as: UTF8.self) {
            self.init(encoding: .utf8, text: text)
        } else if let text = GB18030.decode(bytes) {
            self.init(encoding: .gb18030, text: text)
        } else {
            throw Self.unreadable("It is neither UTF-8 nor GB18030.")
        }
    }

    /// A file kept by a job, read again.
    init(encoding: ImportEncoding, text: String) {
        self.encoding = encoding
        self.text = text
    }

    /// The records, the first being the header. A file without one is refused.
    func records() throws -> (header: [String], rows: ArraySlice<[String]>) {
        let records = try CSVReader.records(text)
        guard let header = records.first, header.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw GuanxiError(.invalid, code: "empty_file",
                              message: "The file has no header row; its first row must name the columns.")
        }
        return (header.map { $0.trimmingCharacters(in: .whitespaces) }, records.dropFirst())
    }

    private static func unreadable(_ reason: String) -> GuanxiError {
        GuanxiError(.invalid, code: "unreadable_encoding",
                    message: "The file cannot be read as text. \(reason) Save it as CSV UTF-8 (or GB18030) and upload it again.")
    }
}
