import CRM
import Foundation
import GuanxiCore
import Hummingbird
import Tenancy

/// `GET /api/v1/search?q=`: accounts, contacts, leads, deals and cases in one ranked list.
struct SearchController {
    let search: Search

    func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("search", use: find)
    }

    @Sendable func find(_ request: Request, context: TenantRequestContext) async throws -> ListResponse<SearchResult> {
        let query = try SearchQuery(q: request.uri.queryParameters["q"].map(String.init), types: try request.searchTypes)
        return ListResponse(try await search.search(context.principal.tenant, query, try request.pageRequest))
    }
}

extension Request {
    /// `types=contact,deal`: the kinds of record to search; every kind when absent.
    var searchTypes: Set<SearchType> {
        get throws {
            guard let text = filterText("types") else { return Set(SearchType.allCases) }
            var types: Set<SearchType> = []
            for name in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let type = SearchType(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw invalidFilter("types", "types must be a comma-separated list of \(SearchType.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                types.insert(type)
            }
            return types
        }
    }
}
