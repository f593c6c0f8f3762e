#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GB18030, the encoding Chinese spreadsheets save CSV files in, through the C library's `iconv`
/// (glibc's converter covers all of Unicode, so every text can be encoded).
enum GB18030 {
    /// The text of GB18030 bytes, or `nil` when they are not valid GB18030.
    static func decode(_ bytes: [UInt8]) -> String? {
        convert(bytes, from: "GB18030", to: "UTF-8").map { String(decoding: $0, as: UTF8.self) }
    }

    /// The GB18030 bytes of `text`.
    static func encode(_ text: String) -> [UInt8] {
        guard let bytes = convert(Array(text.utf8), from: "UTF-8", to: "GB18030") else {
            preconditionFailure("iconv cannot encode valid UTF-8 as GB18030")
        }
        return bytes
    }

    private static func convert(_ input: [UInt8], from source: String, to target: String) -> [UInt8]? {
        let converter = iconv_open(target, source)
        guard converter != iconv_t(bitPattern: -1) else { preconditionFailure("iconv has no \(source) to \(target) converter") }
        defer { iconv_close(converter) }
        if input.isEmpty { return [] }
        // UTF-8 ↔ GB18030 takes at most 4 bytes per character either way, so this never runs out.
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var input = input
        let written: Int? = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var inputPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inputBuffer.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var outputPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outputBuffer.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var inputLeft = inputBuffer.count
                var outputLeft = outputBuffer.count
                let result = iconv(converter, &inputPointer, &inputLeft, &outputPointer, &outputLeft)
                // -1: an invalid or incomplete sequence (EILSEQ, EINVAL); anything left over too
                guard result != -1, inputLeft == 0 else { return nil }
                return outputBuffer.count - outputLeft
            }
        }
        guard let written else { return nil }
        output.removeLast(output.count - written)
        return output
    }
}
