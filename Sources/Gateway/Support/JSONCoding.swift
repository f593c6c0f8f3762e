import Foundation
import GuanxiCore
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import Tenancy

/// One JSON dialect for the whole API: snake_case keys (set per type), ISO 8601 UTC times.
enum JSONCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

extension Request {
    /// Reads a JSON object body strictly: too large → 413, not JSON → 400, unknown keys or wrong
    /// types → 422 naming the field. Nothing is half-applied: decoding ends before any write.
    func decodeBody<Body: RequestPayload>(_ type: Body.Type, maxBytes: Int) async throws -> Body {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: maxBytes)
        } catch {
            throw GuanxiError(.payloadTooLarge, code: "payload_too_large",
                              message: "The request body is larger than \(maxBytes) bytes.")
        }
        let data = Data(buffer.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GuanxiError(.malformed, code: "malformed_json",
                              message: "The body must be a JSON object, sent with Content-Type: application/json.")
        }
        if let unknown = object.keys.filter({ !Body.fields.contains($0) }).sorted().first {
            throw GuanxiError(.invalid, code: "unknown_field",
                              message: "\(unknown) is not a field here; allowed: \(Body.fields.sorted().joined(separator: ", ")).",
                              details: ["field": unknown])
        }
        do {
            return try JSONCoding.decoder.decode(Body.self, from: data)
        } catch let error as DecodingError {
            throw GuanxiError(decoding: error)
        }
    }
}

extension GuanxiError {
    init(decoding error: DecodingError) {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            self = .invalidField(field, "\(field) is required.")
        case .typeMismatch(let type, let context):
            self = .invalidField(path(context), "\(path(context)) has the wrong type; expected \(Self.jsonName(of: type)).")
        case .valueNotFound(let type, let context):
            self = .invalidField(path(context), "\(path(context)) cannot be null; expected \(Self.jsonName(of: type)).")
        case .dataCorrupted(let context):
            self = .invalidField(path(context), "\(path(context)) is not valid: \(context.debugDescription)")
        @unknown default:
            self = GuanxiError(.malformed, code: "malformed_json", message: "The body could not be read.")
        }
    }

    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        default: "\(type)".lowercased().contains("identifier") ? "an id (UUID string)" : "\(type)"
        }
    }
}

/// A page of a list as the API shows it: `{"data": [...], "next_cursor": "…" | null}`.
struct ListResponse<Item: Encodable & Sendable>: ResponseEncodable {
    var data: [Item]
    var nextCursor: String?

    init(_ page: Page<Item>) {
        self.data = page.items
        self.nextCursor = page.nextCursor?.token
    }

    enum CodingKeys: String, CodingKey {
        case data
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)  // null on the last page, never missing
    }
}

extension Request {
    /// `?limit=&cursor=` as a validated page request.
    var pageRequest: PageRequest {
        get throws { try PageRequest(limit: uri.queryParameters["limit"].map(String.init), cursor: uri.queryParameters["cursor"].map(String.init)) }
    }
}

extension Parameters {
    /// A path id as a typed identifier; anything that is not a UUID names no record, so it is a 404.
    func id<Entity>(_ name: String, as type: Identifier<Entity>.Type, entity: String) throws -> Identifier<Entity> {
        guard let text = self.get(name), let id = Identifier<Entity>(text) else { throw GuanxiError.notFound(entity) }
        return id
    }
}
