import GuanxiCore
import PostgresNIO

/// A `CalendarDate` is a PostgreSQL `date` on the wire: days since 2000-01-01 as a 32-bit integer.
/// (Foundation's `Date` would bind as `timestamptz` and be cut to a day in the session's zone.)
extension CalendarDate: PostgresNonThrowingEncodable, PostgresDecodable {
    /// 2000-01-01, PostgreSQL's day zero, counted from 1970-01-01.
    static let postgresEpoch = 10_957

    public static var psqlType: PostgresDataType { .date }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(Int32(daysSinceEpoch - Self.postgresEpoch))
    }

    public init<JSONDecoder: PostgresJSONDecoder>(from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
                                                  context: PostgresDecodingContext<JSONDecoder>) throws {
        guard type == .date, format == .binary, buffer.readableBytes == 4, let days = buffer.readInteger(as: Int32.self),
              let date = CalendarDate(daysSinceEpoch: Int(days) + Self.postgresEpoch) else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        self = date
    }
}
