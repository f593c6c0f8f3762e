-- Custom fields: each workspace defines extra fields for its accounts, contacts, leads, deals and
-- cases (a key, labels, a type, whether it is required, choices, rules), within its plan's
-- max_custom_fields. Values live in a jsonb column of each record, keyed by the field's key, and are
-- validated by the service that writes the record (Sources/CRM/CustomFields). List filters on values
-- are answered from custom_field_index, which triggers keep equal to the records' values.

CREATE TABLE custom_field_definitions (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    object text NOT NULL CHECK (object IN ('account', 'contact', 'lead', 'deal', 'case')),
    -- the name in records' custom_fields and in filters (cf.<key>); never changes
    key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    label_zh text CHECK (length(label_zh) BETWEEN 1 AND 100),
    type text NOT NULL CHECK (type IN ('text', 'number', 'money', 'date', 'boolean', 'single_choice', 'multi_choice')),
    required boolean NOT NULL DEFAULT false,
    -- choices, [{"value", "label", "label_zh"}], for single_choice and multi_choice only
    options jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(options) = 'array'),
    -- the type's rules: max_length (text); min, max, scale (number); min, max in minor units,
    -- currency (money); min, max (date)
    rules jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(rules) = 'object'),
    position integer NOT NULL CHECK (position BETWEEN 0 AND 10000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT custom_field_definitions_key UNIQUE (tenant_id, object, key),
    CHECK ((type IN ('single_choice', 'multi_choice')) = (jsonb_array_length(options) > 0))
)
--;;
CREATE INDEX custom_field_definitions_order_idx ON custom_field_definitions (tenant_id, object, position, id)
--;;
ALTER TABLE custom_field_definitions ENABLE ROW LEVEL SECURITY
--;;
ALTER TABLE custom_field_definitions FORCE ROW LEVEL SECURITY
--;;
CREATE POLICY custom_field_definitions_tenant_isolation ON custom_field_definitions
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
--;;
GRANT SELECT, INSERT, UPDATE, DELETE ON custom_field_definitions TO guanxi_app
--;;
-- The plan's custom_fields limit (all objects together), checked by whatever inserts a definition.
-- The lock makes concurrent creates in one workspace take turns, so the count each sees is exact.
-- Raises GX001 like consume_quota.
CREATE FUNCTION custom_field_definitions_within_plan() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_limit integer;
    v_used bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('custom_field_definitions:' || NEW.tenant_id::text, 0));
    SELECT p.max_custom_fields INTO v_limit
      FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.tenant_id = NEW.tenant_id;
    IF v_limit IS NULL THEN RETURN NEW; END IF;
    SELECT count(*) INTO v_used FROM custom_field_definitions WHERE tenant_id = NEW.tenant_id;
    IF v_used >= v_limit THEN
        RAISE EXCEPTION USING ERRCODE = 'GX001', MESSAGE = 'quota exceeded', DETAIL = 'custom_fields:' || v_limit || ':' || v_used;
    END IF;
    RETURN NEW;
END $$
--;;
CREATE TRIGGER custom_field_definitions_quota BEFORE INSERT ON custom_field_definitions
    FOR EACH ROW EXECUTE FUNCTION custom_field_definitions_within_plan()
--;;
SELECT audit_table('custom_field_definitions')
--;;
-- The values. Adding a column with a constant default rewrites no table.
ALTER TABLE accounts ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object')
--;;
ALTER TABLE contacts ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object')
--;;
ALTER TABLE leads ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object')
--;;
ALTER TABLE deals ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object')
--;;
ALTER TABLE cases ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object')
--;;
-- The deal as the API shows it, now with its custom fields (a new last column).
CREATE OR REPLACE VIEW deal_details WITH (security_invoker = true) AS
SELECT d.tenant_id, d.id, d.name, d.pipeline_id, d.stage_id, s.name AS stage_name, s.kind AS status, s.win_probability_bp,
       d.amount_minor, d.currency, d.expected_close_date, d.account_id,
       coalesce((SELECT array_agg(c.contact_id ORDER BY c.created_at, c.contact_id) FROM deal_contacts c
                  WHERE c.tenant_id = d.tenant_id AND c.deal_id = d.id), '{}') AS contact_ids,
       d.owner_id, d.closed_at, d.close_reason, d.created_at, d.updated_at, d.custom_fields
  FROM deals d
  JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id
--;;
-- The table that holds an object's values.
CREATE FUNCTION custom_field_table(p_object text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_object WHEN 'account' THEN 'accounts' WHEN 'contact' THEN 'contacts' WHEN 'lead' THEN 'leads'
                         WHEN 'deal' THEN 'deals' WHEN 'case' THEN 'cases' END
$$
--;;
-- Filters need an index that the serving role's queries can use. Under forced row-level security
-- PostgreSQL uses an index only for conditions whose functions are leakproof, so that no condition
-- sees another tenant's rows before the policy has removed them; jsonb's @> is not leakproof (nor is
-- any operator a GIN index serves), so a GIN index on custom_fields would never serve a filter here.
-- This table holds every value again in plain columns compared with leakproof btree operators: one
-- row per record, field and value (a multi_choice list has a row per choice).
CREATE TABLE custom_field_index (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    object text NOT NULL,
    record_id uuid NOT NULL,
    key text NOT NULL,
    -- text and choices (text by its first 200 characters), dates as YYYY-MM-DD, true or false, a
    -- money value's currency, a number without trailing zeros; "C" so that dates compare as dates
    value text COLLATE "C" NOT NULL,
    -- a money value's amount_minor, or a number times 1,000,000 (numbers have at most 6 decimal
    -- places and 12 digits before the point, so this is exact): bigint comparisons are leakproof,
    -- numeric ones are not
    number bigint,
    PRIMARY KEY (tenant_id, object, key, value, record_id)
)
--;;
CREATE INDEX custom_field_index_number_idx ON custom_field_index (tenant_id, object, key, number, record_id) WHERE number IS NOT NULL
--;;
ALTER TABLE custom_field_index ENABLE ROW LEVEL SECURITY
--;;
ALTER TABLE custom_field_index FORCE ROW LEVEL SECURITY
--;;
CREATE POLICY custom_field_index_tenant_isolation ON custom_field_index
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
--;;
-- Written only by the trigger below, which runs as the owner and names the record's tenant itself,
-- so a record changed in host scope is indexed too.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY custom_field_index_triggers ON custom_field_index TO %I USING (true) WITH CHECK (true)', current_user);
END $$
--;;
GRANT SELECT ON custom_field_index TO guanxi_app
--;;
-- A record's custom_fields as index rows: (key, value, number) per value, per choice of a list.
CREATE FUNCTION custom_field_index_entries(p_custom_fields jsonb) RETURNS TABLE (key text, value text, number bigint)
LANGUAGE sql IMMUTABLE AS $$
    SELECT field.key,
           left(CASE jsonb_typeof(item) WHEN 'object' THEN item ->> 'currency'
                                        WHEN 'number' THEN trim_scale((item #>> '{}')::numeric)::text
                                        ELSE item #>> '{}' END, 200),
           CASE jsonb_typeof(item) WHEN 'object' THEN (item ->> 'amount_minor')::bigint
                                   WHEN 'number' THEN ((item #>> '{}')::numeric * 1000000)::bigint END
      FROM jsonb_each(p_custom_fields) AS field
     CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(field.value) WHEN 'array' THEN field.value
                                                                             ELSE jsonb_build_array(field.value) END) AS item
$$
--;;
-- Replaces a record's index rows when its custom_fields change: the old rows are found by their
-- own key (the primary key), so no second index by record is needed.
CREATE FUNCTION index_custom_fields() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM custom_field_index AS i USING custom_field_index_entries(OLD.custom_fields) AS e
         WHERE i.tenant_id = OLD.tenant_id AND i.object = TG_ARGV[0] AND i.key = e.key AND i.value = e.value AND i.record_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO custom_field_index (tenant_id, object, record_id, key, value, number)
        SELECT NEW.tenant_id, TG_ARGV[0], NEW.id, e.key, e.value, e.number FROM custom_field_index_entries(NEW.custom_fields) AS e;
    END IF;
    RETURN NULL;
END $$
--;;
REVOKE EXECUTE ON FUNCTION index_custom_fields() FROM PUBLIC
--;;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['account', 'contact', 'lead', 'deal', 'case'] LOOP
        EXECUTE format($t$CREATE TRIGGER custom_fields_index_insert AFTER INSERT ON %I FOR EACH ROW
                          WHEN (NEW.custom_fields <> '{}') EXECUTE FUNCTION index_custom_fields(%L)$t$, custom_field_table(t), t);
        EXECUTE format($t$CREATE TRIGGER custom_fields_index_update AFTER UPDATE OF custom_fields ON %I FOR EACH ROW
                          WHEN (OLD.custom_fields IS DISTINCT FROM NEW.custom_fields) EXECUTE FUNCTION index_custom_fields(%L)$t$,
                       custom_field_table(t), t);
        EXECUTE format($t$CREATE TRIGGER custom_fields_index_delete AFTER DELETE ON %I FOR EACH ROW
                          WHEN (OLD.custom_fields <> '{}') EXECUTE FUNCTION index_custom_fields(%L)$t$, custom_field_table(t), t);
    END LOOP;
END $$
--;;
-- Removes p_key's values from every record of the object (a deleted definition), as the caller,
-- marking each changed record updated; returns how many changed. The records are found through
-- the index; the audit log, webhooks and the index itself see each change like any other update.
CREATE FUNCTION remove_custom_field_values(p_object text, p_key text) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_count bigint;
BEGIN
    EXECUTE format('UPDATE %I SET custom_fields = custom_fields - $2, updated_at = now()
                     WHERE id IN (SELECT record_id FROM custom_field_index WHERE object = $1 AND key = $2)',
                   custom_field_table(p_object))
      USING p_object, p_key;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END $$
