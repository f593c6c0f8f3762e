import Foundation
import GuanxiCore

/// The kinds of record a search looks through, named as in `types=` and in each result's `type`.
public enum SearchType: String, Sendable, Codable, CaseIterable {
    case account, contact, lead, deal
    case serviceCase = "case"
}

/// One record a search found: enough to show it in a list and open it.
public struct SearchResult: Sendable, Equatable, Encodable {
    public var type: SearchType
    public var id: UUID
    /// The record's name (a case's subject).
    public var title: String
    /// A second line: an account's website or phone, a contact's email or phone, a lead's company or
    /// email, a deal's account, a case's number; `nil` when the record has none.
    public var subtitle: String?
    /// From 0 to 1, higher is better (Docs/Search.md): results come in descending score.
    public var score: Double
    /// The field that matched best: `name`, `email`, `phone`, `website`, `company`, `subject` or `number`.
    public var matchedField: String

    enum CodingKeys: String, CodingKey {
        case type, id, title, subtitle, score
        case matchedField = "matched_field"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(id.uuidString.lowercased(), forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(subtitle, forKey: .subtitle)
        try container.encode(score, forKey: .score)
        try container.encode(matchedField, forKey: .matchedField)
    }
}

/// A validated search: the text (2 to 200 characters once trimmed) and the kinds of record to look in.
public struct SearchQuery: Sendable {
    public static let lengths = 2...200

    public let text: String
    public let types: [SearchType]

    /// 400 `invalid_query` for a missing, too short or too long `q`.
    public init(q: String?, types: Set<SearchType> = Set(SearchType.allCases)) throws {
        let text = q?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard Self.lengths.contains(text.count) else {
            let problem = text.isEmpty ? "q is required" : text.count < Self.lengths.lowerBound ? "q is too short" : "q is too long"
            throw GuanxiError(.malformed, code: "invalid_query",
                              message: "\(problem): search with \(Self.lengths.lowerBound) to \(Self.lengths.upperBound) characters, such as 小明 or li.wei@.",
                              details: ["field": "q"])
        }
        self.text = text
        self.types = SearchType.allCases.filter(types.contains)
    }
}
