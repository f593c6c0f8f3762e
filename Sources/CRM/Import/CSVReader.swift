import GuanxiCore

/// Reads CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF, fields in
/// double quotes may hold commas, line breaks and doubled quotes. It is lenient where spreadsheets
/// are sloppy: a quote inside an unquoted field, or text after a closing quote, is kept as text.
enum CSVReader {
    /// Every record of `text`, cells unchanged. A last line without a line break counts. A blank line
    /// is a record of one empty cell, so record numbers stay those of the spreadsheet's rows.
    static func records(_ text: String) throws -> [[String]] {
        var text = text
        return try text.withUTF8 { try records(utf8: $0) }
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","),
                        newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

    private static func records(utf8 bytes: UnsafeBufferPointer<UInt8>) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var index = 0
        var inQuotes = false
        var fieldStarted = false   // a record has begun: a character, or a separator, was read
        var quotedFieldRecord = 0  // the record in which an open quote began, for the error

        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
            records.append(record)
            record = []
            record.reserveCapacity(records.first?.count ?? 8)
            fieldStarted = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 {
                throw GuanxiError(.invalid, code: "invalid_csv",
                                  message: "Row \(records.count + 1) holds a NUL character; this does not look like a CSV text file.",
                                  details: ["row": "\(records.count + 1)"])
            }
            if inQuotes {
                if byte == quote {
                    if index + 1 < bytes.count && bytes[index + 1] == quote {
                        field.append(quote)
                        index += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    field.append(byte)
                }
                index += 1
                continue
            }
            switch byte {
            case quote where field.isEmpty:
                inQuotes = true
                quotedFieldRecord = records.count + 1
                fieldStarted = true
            case comma:
                endField()
                fieldStarted = true
            case newline:
                endRecord()
            case carriageReturn:
                // CRLF ends a record; a lone CR (old Mac files) does too
                endRecord()
                if index + 1 < bytes.count && bytes[index + 1] == newline { index += 1 }
            default:
                field.append(byte)
                fieldStarted = true
            }
            index += 1
        }
        if inQuotes {
            throw GuanxiError(.invalid, code: "invalid_csv",
                              message: "A quoted field that starts in row \(quotedFieldRecord) is never closed; check the quotes in that row.",
                              details: ["row": "\(quotedFieldRecord)"])
        }
        if fieldStarted || !field.isEmpty { endRecord() }
        return records
    }
}
