import CRM
import GuanxiCore
import HTTPTypes

// `/api/v1/search`: SearchController.

extension OpenAPI.Parameter {
    /// The `q` filter of a list: the records of its kind that the search finds for `q`, without
    /// typos; `matches` says how.
    static func textFilter(_ matches: String) -> Self {
        .query("q", .string(length: SearchQuery.lengths), "2 to 200 characters once trimmed, else 400 `invalid_filter`: what the search "
            + "finds among these records, without typos: \(matches).")
    }
}

extension OpenAPI.Area {
    static let search = OpenAPI.Area(
        tag: "Search",
        description: "One ranked search across accounts, contacts, leads, deals and cases: any two characters of a Chinese name, the "
            + "start of a Latin word or an email even with a typo, a phone number however it is written, a case number. It shows each "
            + "member only the records they may see. See Docs/Search.md.",
        access: .workspace,
        schemas: [
            "SearchResult": .record([
                "type": .oneOf(SearchType.allCases.map(\.rawValue)),
                "id": OpenAPI.Schema.id.described("The record's: `GET /api/v1/{type}s/{id}` reads it."),
                "title": OpenAPI.Schema.string().described("The name; a case's subject."),
                "subtitle": OpenAPI.Schema.string().orNull.described("A second line: an account's website or phone, a contact's email or "
                    + "phone, a lead's company, email or phone, a deal's account name, a case's number (`#1042`)."),
                "score": OpenAPI.Schema(["type": .string("number"), "minimum": .integer(0), "maximum": .integer(1)])
                    .described("Higher is better; results come in descending score."),
                "matched_field": OpenAPI.Schema.oneOf(["name", "email", "phone", "website", "company", "subject", "number"])
                    .described("The field that matched best."),
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/api/v1/search", id: "search", summary: "Find records by what people type",
                description: "A field matches when every word of `q` starts one of its words (Chinese and Japanese: every two-character "
                    + "part of `q` is in it), with a typo or two allowed in longer Latin words; when an email or website starts with `q`; "
                    + "when a phone number, however written, starts or ends with the digits of `q`; or when `q` is a case's number "
                    + "(`1042` or `#1042`). Ties in score are ordered by type, then id.",
                parameters: [
                    .requiredQuery("q", .string(length: SearchQuery.lengths), "What to find: 2 to 200 characters once trimmed, as people "
                        + "count them (王小 is two)."),
                    .query("types", .commaSeparated(SearchType.allCases.map(\.rawValue)),
                           "The kinds of record to look in, comma separated; all five when left out."),
                ],
                success: .page(of: "SearchResult", "A page of results, best first."),
                errors: [OpenAPI.ErrorCode(400, "invalid_query", "`q` is missing, or shorter than 2 or longer than 200 characters once "
                             + "trimmed; `details.field` is `q`."),
                         .invalidFilter("`types` names something other than `account`, `contact`, `lead`, `deal` and `case`; "
                             + "`details.field` is `types`.")]),
        ])
}
