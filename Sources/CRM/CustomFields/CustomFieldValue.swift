import Foundation
import GuanxiCore
import PostgresNIO

/// A custom field's value as JSON. Numbers are exact decimals, never `Double`, so a number or an
/// amount reads back exactly as it was written (PostgreSQL's jsonb keeps them exact too).
public enum CustomFieldValue: Sendable, Hashable, Codable, PostgresCodable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([CustomFieldValue])
    case object([String: CustomFieldValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([CustomFieldValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: CustomFieldValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// What a message calls the JSON a client sent.
    var jsonKind: String {
        switch self {
        case .null: "null"
        case .bool: "true or false"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}

/// One record's custom field values by key, such as
/// `{"tier": "gold", "budget": {"amount_minor": 500000, "currency": "CNY"}}`: the record's
/// `custom_fields` column, and in a request body the values to write (`null` removes one).
public struct CustomFields: Sendable, Hashable, Codable, PostgresCodable {
    public var values: [String: CustomFieldValue]

    public init(_ values: [String: CustomFieldValue] = [:]) { self.values = values }

    public subscript(key: String) -> CustomFieldValue? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public init(from decoder: any Decoder) throws {
        guard let values = try? decoder.singleValueContainer().decode([String: CustomFieldValue].self) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected an object of values by key, such as {\"tier\": \"gold\"}."))
        }
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// Read from a `json` or `jsonb` column as PostgresNIO reads any Decodable, except that an empty
    /// object — a record without custom field values, most records — skips JSONDecoder: every
    /// contact read, the hottest read among them, decodes one (Docs/Performance.md).
    public init<JSONDecoder: PostgresJSONDecoder>(from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
                                                 context: PostgresDecodingContext<JSONDecoder>) throws {
        switch (format, type) {
        case (.binary, .jsonb):
            guard buffer.readInteger(as: UInt8.self) == 1 else { throw PostgresDecodingError.Code.failure }  // jsonb's version
        case (.binary, .json), (.text, .jsonb), (.text, .json):
            break
        default:
            throw PostgresDecodingError.Code.typeMismatch
        }
        if buffer.readableBytesView.elementsEqual("{}".utf8) {
            self.init()
        } else {
            self = try context.jsonDecoder.decode(Self.self, from: buffer)
        }
    }
}
