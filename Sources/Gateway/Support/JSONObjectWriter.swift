import Foundation
import GuanxiCore
import Hummingbird
import NIOCore

/// Writes one JSON object straight into a response buffer, field by field, in the API's dialect
/// (`JSONCoding.encoder`: keys in sorted order, times as ISO 8601 UTC to the second, slashes
/// unescaped). For the hottest answers only: JSONEncoder's generic machinery took more of
/// `GET /api/v1/contacts/{id}`'s time than anything of ours (Docs/Performance.md). Write the
/// fields in sorted key order; each type written this way has a test that its bytes equal
/// `JSONCoding.encoder`'s, so a field added to the type and not here fails that test.
struct JSONObjectWriter {
    private var buffer: ByteBuffer
    private var isFirstField = true

    init(capacity: Int = 512) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
        buffer.writeInteger(UInt8(ascii: "{"))
    }

    mutating func field(_ key: StaticString, _ value: String?) {
        writeKey(key)
        if let value { writeString(value) } else { writeNull() }
    }

    mutating func field<Entity>(_ key: StaticString, _ value: Identifier<Entity>?) {
        field(key, value?.description)
    }

    /// Seconds since 1970 of 10000-01-01T00:00:00Z: times of the years 1970–9999 (what `now()`
    /// gives) are written here, their day through CalendarDate; any other goes through JSONEncoder.
    private static let endOfYear9999: Double = 253_402_300_800

    mutating func field(_ key: StaticString, _ value: Date) throws {
        let interval = value.timeIntervalSince1970.rounded(.down)
        guard interval >= 0, interval < Self.endOfYear9999 else { return try field(key, encoding: value) }
        writeKey(key)
        let (days, time) = Int64(interval).quotientAndRemainder(dividingBy: 86_400)
        let date = CalendarDate(daysSinceEpoch: Int(days))!  // 1970–9999, inside CalendarDate's years
        buffer.writeInteger(UInt8(ascii: "\""))
        writeDigits(Int64(date.year), count: 4)
        buffer.writeInteger(UInt8(ascii: "-"))
        writeDigits(Int64(date.month), count: 2)
        buffer.writeInteger(UInt8(ascii: "-"))
        writeDigits(Int64(date.day), count: 2)
        buffer.writeInteger(UInt8(ascii: "T"))
        writeDigits(time / 3600, count: 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeDigits(time / 60 % 60, count: 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeDigits(time % 60, count: 2)
        buffer.writeString("Z\"")
    }

    /// A value already written as JSON, such as `{}`.
    mutating func field(_ key: StaticString, json: StaticString) {
        writeKey(key)
        buffer.writeStaticString(json)
    }

    /// Any other value, through `JSONCoding.encoder`: the way to add a field whose value is not
    /// plain text, an id or a time (a nested object, a number, custom fields).
    mutating func field(_ key: StaticString, encoding value: some Encodable) throws {
        let data = try JSONCoding.encoder.encode(value)
        writeKey(key)
        buffer.writeBytes(data)
    }

    /// The object, closed.
    consuming func bytes() -> ByteBuffer {
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// The object as a 200 response with the headers Hummingbird gives JSONEncoder's.
    consuming func response() -> Response {
        let body = bytes()
        return Response(status: .ok,
                        headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes)],
                        body: .init(byteBuffer: body))
    }

    private mutating func writeKey(_ key: StaticString) {
        if !isFirstField { buffer.writeInteger(UInt8(ascii: ",")) }
        isFirstField = false
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(key)
        buffer.writeString("\":")
    }

    private mutating func writeNull() {
        buffer.writeString("null")
    }

    /// A string as JSONEncoder writes it: `"` and `\` escaped, control characters as `\b \t \n \f
    /// \r` or `\u00XX`, everything else (non-ASCII too) as it is.
    private mutating func writeString(_ value: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var unwritten = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[unwritten..<index]))
                writeEscaped(byte)
                unwritten = index + 1
            }
            buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[unwritten...]))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeString("\\\\")
        case 0x08: buffer.writeString("\\b")
        case 0x09: buffer.writeString("\\t")
        case 0x0A: buffer.writeString("\\n")
        case 0x0C: buffer.writeString("\\f")
        case 0x0D: buffer.writeString("\\r")
        default:
            let digits: StaticString = "0123456789abcdef"
            buffer.writeString("\\u00")
            buffer.writeInteger(digits.utf8Start[Int(byte >> 4)])
            buffer.writeInteger(digits.utf8Start[Int(byte & 0x0F)])
        }
    }

    private mutating func writeDigits(_ value: Int64, count: Int) {
        var divisor: Int64 = 1
        for _ in 1..<count { divisor *= 10 }
        while divisor > 0 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
