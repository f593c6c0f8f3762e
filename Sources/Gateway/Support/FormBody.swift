import GuanxiCore
import NIOCore

/// A browser's form post, read strictly into flat text fields: `application/x-www-form-urlencoded`
/// (`name=value` pairs joined by `&`, `+` for a space and `%XX` for a byte) or `multipart/form-data`
/// (a part per field, as a form with `enctype="multipart/form-data"` sends it), the text being UTF-8
/// (what a browser sends for a page in UTF-8). Anything else is one error, 400 `invalid_form`, before
/// any field is used. Hummingbird's `URLEncodedFormDecoder` throws errors of its own for a bad percent
/// sign, a repeated name or a bracketed name (`a[b]`), which would surface as 500s.
struct FormBody {
    /// Longer names are no form's: refused rather than kept.
    static let longestName = 100

    private var fields: [String: String] = [:]

    init(_ buffer: ByteBuffer) throws {
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw Self.invalid("The form is not UTF-8 text; send it from the form's page.")
        }
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else {
                throw Self.invalid("The form holds something that is not a name=value pair; send it from the form's page.")
            }
            try add(try Self.decoded(pair[..<equals]), try Self.decoded(pair[pair.index(after: equals)...]))
        }
    }

    /// The text fields of a `multipart/form-data` body; a file's part (one with a file name) is
    /// no field of a form here and is left out, as unknown fields are.
    init(multipart body: ByteBuffer, boundary: String) throws {
        guard let form = MultipartForm(Array(body.readableBytesView), boundary: boundary) else {
            throw Self.invalid("The form's parts are not separated by the boundary its Content-Type names; send it from the form's page.")
        }
        for part in form.parts where part.fileName == nil {
            guard let value = String(validating: part.body, as: UTF8.self) else {
                throw Self.invalid("A value of the form is not UTF-8 text; send it from the form's page.")
            }
            try add(part.name ?? "", value)
        }
    }

    private mutating func add(_ name: String, _ value: String) throws {
        guard !name.isEmpty else { throw Self.invalid("The form holds a value without a name.") }
        guard name.count <= Self.longestName else {
            throw Self.invalid("The form holds a field name longer than \(Self.longestName) characters, which no form here has.")
        }
        guard fields[name] == nil else {
            throw Self.invalid("The form gives a field twice; send each field once.", field: name)
        }
        fields[name] = value
    }

    /// The field's value, `nil` when the form does not have it.
    subscript(name: String) -> String? { fields[name] }

    /// `+` is a space, `%XX` a byte; the bytes must make UTF-8.
    private static func decoded(_ encoded: Substring) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.utf8.count)
        var iterator = encoded.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw invalid("A % in the form is not followed by two hexadecimal digits.")
                }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw invalid("A %-escaped value of the form is not UTF-8.")
        }
        return text
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The names a client sent are not repeated in messages, only (shortened) in `details.field`.
    static func invalid(_ message: String, field: String? = nil) -> GuanxiError {
        GuanxiError(.malformed, code: "invalid_form", message: message,
                    details: field.map { ["field": String($0.prefix(100))] } ?? [:])
    }
}
