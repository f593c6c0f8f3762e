import Foundation

/// The parts of a `multipart/form-data` body (RFC 7578), as browsers send a file input: each part's
/// name, file name if any, and bytes.
struct MultipartForm {
    struct Part {
        var name: String?
        var fileName: String?
        var body: ArraySlice<UInt8>
    }

    let parts: [Part]

    /// The boundary of a `multipart/form-data` content type, or `nil` for any other type.
    static func boundary(ofContentType contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        return pieces.dropFirst().lazy.compactMap { piece -> String? in
            guard piece.lowercased().hasPrefix("boundary=") else { return nil }
            return String(piece.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }.first
    }

    /// Reads the parts; `nil` when the body does not follow the boundary's framing.
    init?(_ body: [UInt8], boundary: String) {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n".utf8) + delimiter
        let headerEnd = Array("\r\n\r\n".utf8)
        guard var position = Self.find(delimiter, in: body, from: 0) else { return nil }
        position += delimiter.count
        var parts: [Part] = []
        while true {
            // after a delimiter: "--" closes the body, CRLF starts a part
            if body[position...].starts(with: Array("--".utf8)) { break }
            guard body[position...].starts(with: Array("\r\n".utf8)),
                  let headersEnd = Self.find(headerEnd, in: body, from: position + 2),
                  let next = Self.find(separator, in: body, from: headersEnd + headerEnd.count)
            else { return nil }
            let headers = String(decoding: body[(position + 2)..<headersEnd], as: UTF8.self)
            var part = Part(body: body[(headersEnd + headerEnd.count)..<next])
            for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                part.name = Self.parameter("name", in: line)
                part.fileName = Self.parameter("filename", in: line)
            }
            parts.append(part)
            position = next + separator.count
        }
        self.parts = parts
    }

    /// The first part with this name.
    func part(named name: String) -> Part? { parts.first { $0.name == name } }

    /// A quoted parameter of a `Content-Disposition` line, e.g. `filename="客户.csv"`.
    private static func parameter(_ name: String, in line: String) -> String? {
        guard let range = line.range(of: "; \(name)=\"") ?? line.range(of: ";\(name)=\"") else { return nil }
        let rest = line[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
