import GuanxiCore

extension OpenAPI {
    /// A JSON Schema in the 2020-12 dialect that OpenAPI 3.1 uses, kept as the JSON it is and
    /// built with the helpers below.
    struct Schema: Sendable {
        var json: JSONValue

        init(_ keywords: [String: JSONValue]) { json = .object(keywords) }

        var keywords: [String: JSONValue] {
            if case .object(let keywords) = json { return keywords }
            return [:]
        }
    }
}

extension OpenAPI.Schema {
    /// A component schema, `#/components/schemas/<name>`.
    static func ref(_ name: String) -> Self {
        Self(["$ref": .string("#/components/schemas/\(name)")])
    }

    /// Text, of `length` characters when given; the server trims text before checking its length.
    static func string(length: ClosedRange<Int>? = nil, format: String? = nil, pattern: String? = nil) -> Self {
        string(minLength: length?.lowerBound, maxLength: length?.upperBound, format: format, pattern: pattern)
    }

    static func string(length: PartialRangeFrom<Int>, format: String? = nil) -> Self {
        string(minLength: length.lowerBound, maxLength: nil, format: format, pattern: nil)
    }

    static func string(length: PartialRangeThrough<Int>, format: String? = nil) -> Self {
        string(minLength: nil, maxLength: length.upperBound, format: format, pattern: nil)
    }

    private static func string(minLength: Int?, maxLength: Int?, format: String?, pattern: String?) -> Self {
        var keywords: [String: JSONValue] = ["type": .string("string")]
        if let minLength, minLength > 0 { keywords["minLength"] = .integer(Int64(minLength)) }
        if let maxLength { keywords["maxLength"] = .integer(Int64(maxLength)) }
        if let format { keywords["format"] = .string(format) }
        if let pattern { keywords["pattern"] = .string(pattern) }
        return Self(keywords)
    }

    /// A UUID, as every id is.
    static let id = string(format: "uuid")
    /// A time in ISO 8601, UTC: `2026-11-29T18:10:07Z`.
    static let time = string(format: "date-time")
    /// A day without a time or zone, `YYYY-MM-DD`; a day that does not exist (`2026-02-30`) is refused.
    static let date = string(format: "date")
    static let boolean = Self(["type": .string("boolean")])
    /// An object whose keys are not fixed.
    static let anyObject = Self(["type": .string("object")])

    /// An object whose keys are not fixed and whose every value is a `value`.
    static func map(of value: Self) -> Self {
        Self(["type": .string("object"), "additionalProperties": value.json])
    }

    /// The bytes of a file of `mediaType`, as a whole body or as a form field.
    static func file(_ mediaType: String) -> Self {
        Self(["type": .string("string"), "contentMediaType": .string(mediaType)])
    }

    /// One of the given strings.
    static func oneOf(_ values: [String]) -> Self {
        Self(["type": .string("string"), "enum": .array(values.map(JSONValue.string))])
    }

    static func integer(minimum: Int? = nil, maximum: Int? = nil) -> Self {
        var keywords: [String: JSONValue] = ["type": .string("integer")]
        if let minimum { keywords["minimum"] = .integer(Int64(minimum)) }
        if let maximum { keywords["maximum"] = .integer(Int64(maximum)) }
        return Self(keywords)
    }

    static func array(of items: Self, count: ClosedRange<Int>? = nil) -> Self {
        var keywords: [String: JSONValue] = ["type": .string("array"), "items": items.json]
        if let count {
            keywords["minItems"] = .integer(Int64(count.lowerBound))
            keywords["maxItems"] = .integer(Int64(count.upperBound))
        }
        return Self(keywords)
    }

    /// A response object: every property is always present (optional ones as `null`). Other keys
    /// are not ruled out, so a client keeps working when a field is added.
    static func record(_ properties: [String: Self]) -> Self {
        Self(["type": .string("object"), "properties": .object(properties.mapValues(\.json)),
              "required": .array(properties.keys.sorted().map(JSONValue.string))])
    }

    /// A request body: a JSON object with only these keys, since the server answers any other key
    /// with 422 `unknown_field`.
    static func body(_ properties: [String: Self], required: Set<String> = []) -> Self {
        precondition(required.isSubset(of: properties.keys), "a required field of a body is not among its properties")
        var keywords: [String: JSONValue] = ["type": .string("object"), "properties": .object(properties.mapValues(\.json)),
                                             "additionalProperties": .bool(false)]
        if !required.isEmpty { keywords["required"] = .array(required.sorted().map(JSONValue.string)) }
        return Self(keywords)
    }

    /// A body's fields as a browser's form post sends them: the same keys, as text, and other keys
    /// are ignored rather than refused.
    var asFormPost: Self {
        var keywords = self.keywords
        keywords["additionalProperties"] = nil
        return Self(keywords)
    }

    /// An HTML page for people.
    static let htmlPage = string().described("An HTML page in the workspace's language (English or Simplified Chinese).")

    /// The same schema, also allowing `null`.
    var orNull: Self {
        var keywords = self.keywords
        guard keywords["$ref"] == nil, case .string(let type)? = keywords["type"] else {
            return Self(["anyOf": .array([json, .object(["type": .string("null")])])])
        }
        keywords["type"] = .array([.string(type), .string("null")])
        if case .array(let values)? = keywords["enum"] { keywords["enum"] = .array(values + [.null]) }
        return Self(keywords)
    }

    /// The same schema with a description for people.
    func described(_ text: String) -> Self {
        var keywords = self.keywords
        keywords["description"] = .string(text)
        return Self(keywords)
    }

    /// The same schema with a default value.
    func defaulting(to value: JSONValue) -> Self {
        var keywords = self.keywords
        keywords["default"] = value
        return Self(keywords)
    }
}
