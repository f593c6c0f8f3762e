-- Search across accounts, contacts, leads, deals and cases (GET /api/v1/search, Docs/Search.md).
--
-- Why a table of terms rather than trigram indexes on the records themselves: the serving role reads
-- every tenant table under forced row-level security, and PostgreSQL then lets a condition use an index
-- only if its operator is leakproof. LIKE, the pg_trgm operators and array containment are not, so
-- `name ILIKE '%小明%'` reads every row of the tenant, whatever indexes exist. Equality and range
-- comparisons of text are leakproof: search_terms holds each record's searchable terms, a search finds
-- its candidates by ranges of (tenant_id, kind, term) in the primary key, and then reads and scores the
-- records themselves, under their own row-level security.

-- levenshtein_less_equal, for typos. A trusted extension: the owner may create it.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch
--;;
-- kind: 'w' a word (a run of letters and digits, or a two-character part of Chinese or Japanese text),
-- 'a' an address (email, website), 'p' a phone number's digits, whole and national (search_phone_forms),
-- 'r' the whole digits reversed (so that a number is found by its last digits with a prefix range),
-- 'n' a case number. COLLATE "C": ranges compare code points. field: the field's position in
-- search_fields.
-- Derived from the records, which hold the tenant foreign keys; the triggers below keep it in step.
CREATE TABLE search_terms (
    tenant_id uuid NOT NULL,
    kind "char" NOT NULL CHECK (kind IN ('w', 'a', 'p', 'r', 'n')),
    term text COLLATE "C" NOT NULL CHECK (length(term) BETWEEN 1 AND 200),
    record_type text NOT NULL CHECK (record_type IN ('account', 'contact', 'lead', 'deal', 'case')),
    record_id uuid NOT NULL,
    field smallint NOT NULL CHECK (field >= 1),
    PRIMARY KEY (tenant_id, kind, term, record_type, record_id, field)
)
--;;
-- What is searched in each type of record, as kind:column (w: words, a: an address, p: a phone number,
-- n: a case number), in the order a match is reported when two fields match equally well.
CREATE FUNCTION search_fields(p_record_type text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_record_type
        WHEN 'account' THEN ARRAY['w:name', 'a:website', 'p:phone']
        WHEN 'contact' THEN ARRAY['w:name', 'a:email', 'p:phone']
        WHEN 'lead' THEN ARRAY['w:name', 'w:company', 'a:email', 'p:phone']
        WHEN 'deal' THEN ARRAY['w:name']
        WHEN 'case' THEN ARRAY['n:number', 'w:subject']
    END
$$
--;;
-- The words of a text, lowercased: runs of letters and digits; Chinese and Japanese, written without
-- spaces, as every two-character part of each run (a one-character run as itself), so that 王小明 has
-- the words 王小 and 小明.
CREATE FUNCTION search_words(p_value text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT left(word, 200)), '{}')
      FROM regexp_matches(lower(p_value), format('([%1$s]+)|([^%1$s[:space:][:punct:]]+)',
               '\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff'), 'g') AS run,
           LATERAL (SELECT run[2] WHERE run[2] IS NOT NULL
                    UNION ALL
                    SELECT substr(run[1], i, 2) FROM generate_series(1, greatest(length(run[1]) - 1, 1)) AS i
                     WHERE run[1] IS NOT NULL) AS words(word)
$$
--;;
-- An email or a website as it is searched: lowercased, without a scheme and a leading www.
CREATE FUNCTION search_address(p_value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(left(regexp_replace(lower(btrim(p_value)), '^([a-z][a-z0-9+.-]*://)?(www\.)?', ''), 200), '')
$$
--;;
-- A phone number's forms, as digits: the whole number first. Written in international form (+ or 00,
-- then at least eight digits), also its national number: without the 00 and the country code, whose
-- length its first digits tell (E.164 codes are prefix-free: 1 and 7 alone, the two-digit codes below,
-- three digits otherwise). Written domestically with a trunk 0 (010 8888 6666), also without the 0.
CREATE FUNCTION search_phone_forms(p_value text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN international.number IS NULL THEN ARRAY[digits] || CASE WHEN digits ~ '^0[1-9][0-9]{5}' THEN ARRAY[substr(digits, 2)] ELSE '{}' END
        ELSE ARRAY[international.number] || CASE WHEN length(international.number) - code_length >= 6
                                                 THEN ARRAY[substr(international.number, code_length + 1)] ELSE '{}' END
    END
      FROM (SELECT nullif(left(regexp_replace(p_value, '[^0-9]', '', 'g'), 200), '') AS digits) AS d,
           LATERAL (SELECT substring(digits FROM CASE WHEN btrim(p_value) LIKE '+%' THEN '^([1-9][0-9]{7,})$'
                                                      ELSE '^00([1-9][0-9]{7,})$' END) AS number) AS international,
           LATERAL (SELECT CASE WHEN left(international.number, 1) IN ('1', '7') THEN 1
                                WHEN left(international.number, 2) IN ('20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41',
                                     '43', '44', '45', '46', '47', '48', '49', '51', '52', '53', '54', '55', '56', '57', '58', '60', '61',
                                     '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98') THEN 2
                                ELSE 3 END AS code_length) AS code
     WHERE digits IS NOT NULL
$$
--;;
-- A record's terms, from its row as jsonb, with the field each comes from.
CREATE FUNCTION search_record_terms(p_record_type text, p_row jsonb) RETURNS TABLE (field smallint, kind "char", term text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT f.field, terms.kind, terms.term
      FROM unnest(search_fields(p_record_type)) WITH ORDINALITY AS spec(name, position),
           LATERAL (SELECT spec.position::smallint AS field, split_part(spec.name, ':', 1) AS kind,
                           p_row ->> split_part(spec.name, ':', 2) AS value) AS f,
           LATERAL (SELECT 'w'::"char", unnest(search_words(f.value)) WHERE f.kind = 'w'
                    UNION ALL SELECT 'a', search_address(f.value) WHERE f.kind = 'a'
                    UNION ALL SELECT 'p', unnest(search_phone_forms(f.value)) WHERE f.kind = 'p'
                    UNION ALL SELECT 'r', reverse((search_phone_forms(f.value))[1]) WHERE f.kind = 'p'
                    UNION ALL SELECT 'n', f.value WHERE f.kind = 'n') AS terms(kind, term)
     WHERE terms.term IS NOT NULL
$$
--;;
-- Adds the terms of the rows a statement inserted, in one INSERT for the whole statement (an import's
-- thousands of rows cost far less than a trigger run per row). TG_ARGV[0] is the record type. Runs as
-- the writer, under the same row-level security as the write.
CREATE FUNCTION add_search_terms() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_terms (tenant_id, kind, term, record_type, record_id, field)
    SELECT n.tenant_id, t.kind, t.term, TG_ARGV[0], n.id, t.field
      FROM inserted_rows AS n, search_record_terms(TG_ARGV[0], to_jsonb(n)) AS t;
    RETURN NULL;
END $$
--;;
-- Keeps a row's terms in step when a searched column changes or the row goes: removes the terms the
-- old row had and the new one has not (none on delete), one primary-key lookup each, and adds the
-- others. Per row, so that each removal is such a lookup whatever the planner would make of a set.
CREATE FUNCTION refresh_search_terms() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_type text := TG_ARGV[0];
    v_new jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(NEW) END;
    v_gone record;
BEGIN
    FOR v_gone IN SELECT * FROM search_record_terms(v_type, to_jsonb(OLD)) EXCEPT SELECT * FROM search_record_terms(v_type, v_new) LOOP
        DELETE FROM search_terms
         WHERE tenant_id = OLD.tenant_id AND kind = v_gone.kind AND term = v_gone.term
           AND record_type = v_type AND record_id = OLD.id AND field = v_gone.field;
    END LOOP;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO search_terms (tenant_id, kind, term, record_type, record_id, field)
        SELECT NEW.tenant_id, added.kind, added.term, v_type, NEW.id, added.field
          FROM (SELECT * FROM search_record_terms(v_type, v_new) EXCEPT SELECT * FROM search_record_terms(v_type, to_jsonb(OLD))) AS added;
    END IF;
    RETURN NULL;
END $$
--;;
-- Terms for the records that exist, and the triggers that keep them. The owner reads every tenant's rows
-- here by lifting FORCE for the length of this transaction; search_terms gets its row-level security after.
DO $$
DECLARE
    v_source record;
BEGIN
    FOR v_source IN SELECT * FROM (VALUES ('accounts', 'account'), ('contacts', 'contact'), ('leads', 'lead'),
                                          ('deals', 'deal'), ('cases', 'case')) AS s(table_name, record_type) LOOP
        EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', v_source.table_name);
        EXECUTE format($i$INSERT INTO search_terms (tenant_id, kind, term, record_type, record_id, field)
                          SELECT r.tenant_id, t.kind, t.term, %L, r.id, t.field FROM %I AS r, search_record_terms(%L, to_jsonb(r)) AS t$i$,
                       v_source.record_type, v_source.table_name, v_source.record_type);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', v_source.table_name);
        EXECUTE format('CREATE TRIGGER search_terms_add AFTER INSERT ON %I REFERENCING NEW TABLE AS inserted_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION add_search_terms(%L)', v_source.table_name, v_source.record_type);
        EXECUTE format('CREATE TRIGGER search_terms_refresh AFTER DELETE OR UPDATE OF %s ON %I
                        FOR EACH ROW EXECUTE FUNCTION refresh_search_terms(%L)',
                       (SELECT string_agg(quote_ident(split_part(f, ':', 2)), ', ') FROM unnest(search_fields(v_source.record_type)) AS f),
                       v_source.table_name, v_source.record_type);
    END LOOP;
END $$
--;;
ALTER TABLE search_terms ENABLE ROW LEVEL SECURITY
--;;
ALTER TABLE search_terms FORCE ROW LEVEL SECURITY
--;;
CREATE POLICY search_terms_tenant_isolation ON search_terms
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
--;;
GRANT SELECT, INSERT, DELETE ON search_terms TO guanxi_app
--;;
-- How many typos a query word may hold: none under four characters or when it does not start with a
-- Latin letter, one up to seven characters, two from eight.
CREATE FUNCTION search_typo_budget(p_word text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(p_word) < 4 OR p_word !~ '^[a-z\u00e0-\u024f]' THEN 0 WHEN length(p_word) < 8 THEN 1 ELSE 2 END
$$
--;;
-- How many typos separate a query word from the start of a term: 0 when the term starts with it; within
-- the word's budget, 1 for two swapped neighbours, else the edit distance to the term's start (its first
-- letter kept, one character longer or shorter allowed per typo); NULL beyond the budget.
CREATE FUNCTION search_typos(p_word text, p_term text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    v_length integer := length(p_word);
    v_budget integer;
    v_best integer;
BEGIN
    IF starts_with(p_term, p_word) THEN
        RETURN 0;
    END IF;
    v_budget := search_typo_budget(p_word);
    IF v_budget = 0 THEN
        RETURN NULL;
    END IF;
    -- at the first difference, the term holds the word's next two characters the other way round
    FOR i IN 1 .. v_length - 1 LOOP
        CONTINUE WHEN substr(p_term, i, 1) = substr(p_word, i, 1);
        IF substr(p_term, i, 2) = substr(p_word, i + 1, 1) || substr(p_word, i, 1)
           AND substr(p_term, i + 2, v_length - i - 1) = substr(p_word, i + 2) THEN
            RETURN 1;
        END IF;
        EXIT;
    END LOOP;
    IF left(p_term, 1) <> left(p_word, 1) THEN
        RETURN NULL;
    END IF;
    FOR k IN -v_budget .. v_budget LOOP
        v_best := least(v_best, levenshtein_less_equal(left(p_term, v_length + k), p_word, v_budget));
    END LOOP;
    RETURN CASE WHEN v_best <= v_budget THEN v_best END;
END $$
--;;
-- A query as the scoring reads it: lowercased with single spaces, its words, the whole of it as an
-- address when it has no space, its phone forms when it looks like a phone number (digits, spaces and
-- + - ( ) . only, at least four digits), and a case number (1042 or #1042).
CREATE TYPE search_query AS (phrase text, words text[], address text, phone_forms text[], case_number integer)
--;;
CREATE FUNCTION search_query(p_query text) RETURNS search_query
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ROW(lower(regexp_replace(btrim(p_query), '\s+', ' ', 'g')),
               search_words(p_query),
               CASE WHEN btrim(p_query) !~ '\s' THEN search_address(p_query) END,
               CASE WHEN p_query ~ '^[0-9 +().-]+$' AND length(regexp_replace(p_query, '[^0-9]', '', 'g')) >= 4
                    THEN search_phone_forms(p_query) END,
               substring(btrim(p_query) FROM '^#?([0-9]{1,9})$')::integer)::search_query
$$
--;;
-- The ranges of search_terms a query reads. Each word of the query (numbered 1, 2, …; all must be found
-- in one field) is read as a prefix; the whole query as the start of an address; when it looks like a
-- phone number, the start of each of its forms and its last digits (reversed); a case number whole.
-- These are found alone (number 0). A word or address with a typo budget is also read with every
-- term that has its first letter, and every term that starts with its first two letters swapped:
-- typo_budget > 0 marks these ranges, whose terms must pass search_typos.
CREATE FUNCTION search_probes(p_query search_query)
RETURNS TABLE (word_number integer, kind "char", word text, low text, high text, typo_budget integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH targets AS (
        SELECT w.word_number::integer, 'w'::"char" AS kind, w.word, false AS whole
          FROM unnest(p_query.words) WITH ORDINALITY AS w(word, word_number)
        UNION ALL SELECT 0, 'a', p_query.address, false WHERE p_query.address IS NOT NULL
        UNION ALL SELECT 0, 'p', unnest(p_query.phone_forms), false
        UNION ALL SELECT 0, 'r', reverse(p_query.phone_forms[1]), false WHERE p_query.phone_forms IS NOT NULL
        UNION ALL SELECT 0, 'n', p_query.case_number::text, true WHERE p_query.case_number IS NOT NULL
    )
    SELECT DISTINCT t.word_number, t.kind, t.word, r.low, r.low || CASE WHEN t.whole THEN chr(1) ELSE chr(1114111) END,
           r.typo_budget
      FROM targets AS t,
           LATERAL (SELECT t.word, 0
                    UNION ALL SELECT left(t.word, 1), search_typo_budget(t.word) WHERE search_typo_budget(t.word) > 0
                    UNION ALL SELECT substr(t.word, 2, 1) || left(t.word, 1), search_typo_budget(t.word)
                               WHERE search_typo_budget(t.word) > 0 AND substr(t.word, 2, 1) <> left(t.word, 1)) AS r(low, typo_budget)
$$
--;;
-- How well a field that matched scores: 1 when equal to the query; 0.8 to 0.89 when it starts with it,
-- 0.6 to 0.69 when it holds it elsewhere (words only; the nearer their lengths, the higher); else 0.5
-- when every word of the query starts a word of the field, 0.4, 0.3 or 0.2 with one, two, or three or
-- more typos. p_value and p_target are as search_terms holds them: lowercased words text against the
-- query's phrase, an address against the query as an address, a case number against the query's.
CREATE FUNCTION search_score(p_kind "char", p_value text, p_target text, p_typos integer) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN p_value = p_target THEN 1
        WHEN starts_with(p_value, p_target) THEN round(0.8 + 0.09 * length(p_target) / length(p_value), 4)
        WHEN p_kind = 'w' AND strpos(p_value, p_target) > 0 THEN round(0.6 + 0.09 * length(p_target) / length(p_value), 4)
        ELSE 0.5 - 0.1 * least(p_typos, 3)
    END
$$
--;;
-- How well a phone number scores: 1 when it has a form in common with the query (the same number, with
-- or without its country code or trunk 0); 0.8 to 0.89 when one of its forms starts with one of the
-- query's, or its digits end with the query's (the nearer their lengths, the higher).
CREATE FUNCTION search_phone_score(p_value text, p_query_forms text[]) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN forms && p_query_forms THEN 1
        ELSE (SELECT coalesce(max(round(0.8 + 0.09 * length(q) / length(f), 4)), 0)
                FROM unnest(forms) AS f, unnest(p_query_forms) AS q
               WHERE starts_with(f, q) OR (f = forms[1] AND q = p_query_forms[1] AND right(f, length(q)) = q))
    END
      FROM search_phone_forms(p_value) AS forms
$$
--;;
-- A field's value as search_terms holds it and search_score compares it: words lowercased, an address
-- as search_address makes it.
CREATE FUNCTION search_normalised(p_kind "char", p_value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_kind WHEN 'w' THEN lower(p_value) WHEN 'a' THEN search_address(p_value) ELSE p_value END
$$
