import Database
import Foundation
import GuanxiCore

/// The `q` filter of lists: the records of one type that the search finds for `q` without typos
/// (Docs/Search.md, "What is searched"): every word of `q` starts a word of a field (Chinese by its
/// two-character parts, so `小明` finds 王小明), an address starts with `q`, a phone number in any
/// formatting. It reads `search_terms` by primary-key ranges, as the search does, because under
/// forced row-level security no index can serve `ILIKE` (not leakproof): a filter by `ILIKE` read
/// every row of the table.
enum TextSearch {
    /// `SQLCondition.always` without `q`; 400 `invalid_filter` for a `q` the search would refuse
    /// (fewer than 2 or more than 200 characters once trimmed).
    static func condition(_ q: String?, matching recordType: SearchType) throws -> SQLCondition {
        guard let q else { return .always }
        let text = q.trimmingCharacters(in: .whitespacesAndNewlines)
        guard SearchQuery.lengths.contains(text.count) else {
            throw GuanxiError(.malformed, code: "invalid_filter",
                              message: "q filters with \(SearchQuery.lengths.lowerBound) to \(SearchQuery.lengths.upperBound) characters, such as 小明 or li.wei@.",
                              details: ["field": "q"])
        }
        // Part of the list's own statement, not a SQL function: PostgreSQL plans a SQL function's
        // body again at every call, which cost this filter 40 ms where the statement takes 1 to 10.
        return """
            id IN (
                WITH query AS MATERIALIZED (
                    SELECT search_query(\(text)::text) AS q
                ), probes AS MATERIALIZED (
                    SELECT p.* FROM query, search_probes(query.q) AS p WHERE p.typo_budget = 0
                ), hits AS (
                    SELECT p.kind, p.word_number, s.record_id, s.field
                      FROM probes AS p,
                           LATERAL (SELECT record_id, field FROM search_terms
                                     WHERE kind = p.kind AND term >= p.low AND term < p.high AND record_type = \(recordType.rawValue)::text
                                    OFFSET 0) AS s
                )
                SELECT record_id FROM hits
                 GROUP BY record_id, field
                HAVING min(kind) <> 'w' OR count(DISTINCT word_number) = (SELECT cardinality((q).words) FROM query))
            """
    }

    /// An `ILIKE` pattern matching `q` anywhere, LIKE's wildcards in `q` taken literally; `nil`
    /// without `q`. Only for names of the few records a workspace keeps that the search does not
    /// cover (campaigns), where reading all of the workspace's rows costs nothing.
    static func substringPattern(_ q: String?) -> String? {
        guard let q = q?.trimmingCharacters(in: .whitespacesAndNewlines), !q.isEmpty else { return nil }
        let escaped = q.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        return "%\(escaped)%"
    }
}
