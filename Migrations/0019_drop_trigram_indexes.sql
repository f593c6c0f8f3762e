-- The lists' q filters read search_terms now, as the search does (Sources/CRM/Support/TextSearch.swift).
-- These trigram indexes served no statement of the serving role: under forced row-level security
-- ILIKE and the trigram operators are not leakproof, so no plan of guanxi_app could use them
-- (Docs/Search.md). They only made every write of these tables, and every import, slower.
DROP INDEX accounts_search_idx
--;;
DROP INDEX contacts_search_idx
--;;
DROP INDEX deals_search_idx
--;;
DROP INDEX leads_search_idx
