import Database
import Foundation
import GuanxiCore
import PostgresNIO

/// Search across accounts, contacts, leads, deals and cases of one workspace, ranked.
///
/// One statement: the query's probes (`search_probes`) read ranges of `search_terms`, kept by
/// triggers and read through its primary key, which row-level security leaves usable; the fields
/// they find make the matches; each type's branch reads its matched records, under their own
/// row-level security; each record is scored at its best field. Results are ordered by (score
/// descending, type, id), and the cursor is a position in that order.
/// Migrations/0014_create_search.sql holds the SQL functions; Docs/Search.md the rules.
public struct Search: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func search(_ tenant: TenantID, _ query: SearchQuery, _ page: PageRequest) async throws -> Page<SearchResult> {
        let statement = Statement(text: query.text, types: query.types.map(\.rawValue),
                                  after: try page.after.map(Position.init(cursor:)), limit: page.limit + 1)
        let rows = try await database.withTenant(tenant) { try await $0.execute(statement) }
        let results = try rows.map { row in
            guard let type = SearchType(rawValue: row.0), let score = Double(row.4) else {
                throw GuanxiError(.internalFailure, code: "internal_error", message: "A search row could not be read.")
            }
            return (result: SearchResult(type: type, id: row.1, title: row.2, subtitle: row.3, score: score, matchedField: row.5),
                    score: row.4)
        }
        let positioned = Page(rows: results, limit: page.limit) {
            Position(score: $0.score, type: $0.result.type, id: $0.result.id).cursor
        }
        return Page(items: positioned.items.map(\.result), nextCursor: positioned.nextCursor)
    }

    /// The search, prepared: each connection parses it once, and PostgreSQL soon keeps one plan for
    /// it, which saves planning this long statement on every request. Binds: $1 the query, $2 the
    /// types, $3 $4 $5 the position after which the page starts (all NULL for the first page), $6 the
    /// number of rows to read.
    struct Statement: PostgresPreparedStatement {
        static let name = "search_records"
        static let sql = """
            WITH query AS MATERIALIZED (
                SELECT search_query($1::text) AS q
            ), probes AS MATERIALIZED (
                SELECT p.* FROM query, search_probes(query.q) AS p
            ), ranges AS NOT MATERIALIZED (
                -- each probe's range of terms; OFFSET 0 keeps one primary-key range scan per probe, where
                -- the planner might otherwise read all of the tenant's terms and join them by hash
                SELECT p.kind, p.word_number, p.word, p.typo_budget, s.record_type, s.record_id, s.field, s.term
                  FROM probes AS p,
                       LATERAL (SELECT record_type, record_id, field, term FROM search_terms
                                 WHERE kind = p.kind AND term >= p.low AND term < p.high AND record_type = ANY($2::text[])
                                OFFSET 0) AS s
            ), exact_hits AS (
                SELECT record_type, record_id, field, kind, word_number, 0 AS typos FROM ranges WHERE typo_budget = 0
            ), filled AS (
                -- whether the first page is full of records matched without a typo, which all rank before
                -- any record that needs one: then the typo ranges, the costly ones, are not read
                SELECT $3::text IS NULL AND count(DISTINCT (record_type, record_id)) >= $6::bigint AS page
                  FROM (SELECT record_type, record_id FROM exact_hits
                         GROUP BY record_type, record_id, field
                        HAVING min(kind) <> 'w' OR count(DISTINCT word_number) = (SELECT cardinality((q).words) FROM query)) AS matched
            ), typo_hits AS (
                -- a typo range holds every term with the word's first letter: those the word's own range
                -- holds are left to it, and a cheap bound on the edit distance goes before search_typos
                SELECT record_type, record_id, field, kind, word_number, search_typos(word, term) AS typos
                  FROM ranges
                 WHERE typo_budget > 0 AND NOT (SELECT page FROM filled) AND NOT starts_with(term, word)
                   AND levenshtein_less_equal(left(term, length(word)), word, 2 * typo_budget) <= 2 * typo_budget
            ), matches AS (
                -- the fields that match: one holding every word of the query (each counted at its fewest
                -- typos), an address, a phone number, a case number
                SELECT record_type, record_id, field, min(kind)::"char" AS kind, sum(typos)::integer AS typos
                  FROM (SELECT record_type, record_id, field, kind, word_number, min(typos) AS typos
                          FROM (SELECT * FROM exact_hits UNION ALL SELECT * FROM typo_hits WHERE typos IS NOT NULL) AS hits
                         GROUP BY record_type, record_id, field, kind, word_number) AS words
                 GROUP BY record_type, record_id, field
                HAVING min(kind) <> 'w' OR count(*) = (SELECT cardinality((q).words) FROM query)
            ), records AS MATERIALIZED (
                SELECT 'account' AS type, r.id, r.name AS title, coalesce(r.website, r.phone) AS subtitle, to_jsonb(r) AS row
                  FROM accounts AS r WHERE r.id IN (SELECT record_id FROM matches WHERE record_type = 'account')
                UNION ALL
                SELECT 'contact', r.id, r.name, coalesce(r.email, r.phone), to_jsonb(r)
                  FROM contacts AS r WHERE r.id IN (SELECT record_id FROM matches WHERE record_type = 'contact')
                UNION ALL
                SELECT 'lead', r.id, r.name, coalesce(r.company, r.email, r.phone), to_jsonb(r)
                  FROM leads AS r WHERE r.id IN (SELECT record_id FROM matches WHERE record_type = 'lead')
                UNION ALL
                SELECT 'deal', r.id, r.name, (SELECT a.name FROM accounts AS a WHERE a.id = r.account_id), to_jsonb(r)
                  FROM deals AS r WHERE r.id IN (SELECT record_id FROM matches WHERE record_type = 'deal')
                UNION ALL
                SELECT 'case', r.id, r.subject, '#' || r.number, to_jsonb(r)
                  FROM cases AS r WHERE r.id IN (SELECT record_id FROM matches WHERE record_type = 'case')
            ), scored AS (
                -- each record at its best field; of two equal, the one search_fields names first
                SELECT DISTINCT ON (r.type, r.id) r.type, r.id, r.title, r.subtitle, f.name AS field,
                       CASE m.kind WHEN 'p' THEN search_phone_score(f.value, (query.q).phone_forms)
                                   ELSE search_score(m.kind, f.normalised, CASE m.kind WHEN 'w' THEN (query.q).phrase
                                                                                      WHEN 'a' THEN (query.q).address
                                                                                      ELSE (query.q).case_number::text END,
                                                     m.typos) END AS score
                  FROM matches AS m JOIN records AS r ON r.type = m.record_type AND r.id = m.record_id CROSS JOIN query,
                       -- OFFSET 0: the normalised value is computed once, not once per use in search_score
                       LATERAL (SELECT name, value, search_normalised(m.kind, value) AS normalised
                                  FROM (SELECT split_part(spec, ':', 2) AS name, r.row ->> split_part(spec, ':', 2) AS value
                                          FROM (SELECT (search_fields(m.record_type))[m.field] AS spec) AS s) AS v
                                OFFSET 0) AS f
                 ORDER BY r.type, r.id, score DESC, m.field
            )
            SELECT type, id, title, subtitle, score::text, field FROM scored
             WHERE score > 0
               AND ($3::text IS NULL OR score < $3::numeric OR (score = $3::numeric AND (type, id) > ($4::text, $5::uuid)))
             ORDER BY score DESC, type, id
             LIMIT $6::bigint
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .textArray, .text, .text, .uuid, .int8]
        typealias Row = (String, UUID, String, String?, String, String)

        var text: String
        var types: [String]
        var after: Position?
        var limit: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(text)
            bindings.append(types)
            bindings.append(after?.score)
            bindings.append(after?.type.rawValue)
            bindings.append(after?.id)
            bindings.append(limit)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }
    }

    /// Where a page ends in (score descending, type, id): the score as the database wrote it, so
    /// that comparing it again is exact.
    struct Position {
        var score: String
        var type: SearchType
        var id: UUID

        init(score: String, type: SearchType, id: UUID) {
            self.score = score
            self.type = type
            self.id = id
        }

        init(cursor: Cursor) throws {
            let parts = cursor.key?.split(separator: ",", omittingEmptySubsequences: false) ?? []
            guard parts.count == 2, parts[0].wholeMatch(of: /[01](\.[0-9]{1,4})?/) != nil,
                  let type = SearchType(rawValue: String(parts[1])) else { throw Cursor.invalid }
            self.init(score: String(parts[0]), type: type, id: cursor.after)
        }

        var cursor: Cursor { Cursor(after: id, key: "\(score),\(type.rawValue)") }
    }
}
