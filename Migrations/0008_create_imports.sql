-- CSV imports: a job per uploaded file, holding the file (decoded to UTF-8) until it is committed,
-- the column mapping and dedupe choice, and the errors its rows have under that mapping. And the
-- record quotas counted per statement instead of per row, so that a bulk insert takes its quota in
-- one step.

CREATE TABLE imports (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    -- what the rows become: 'contacts', 'accounts' (the names the API uses)
    object text NOT NULL CHECK (object ~ '^[a-z_]+$'),
    file_name text,
    encoding text NOT NULL CHECK (encoding IN ('utf-8', 'utf-8-bom', 'gb18030')),
    header text[] NOT NULL,
    -- one field name per CSV column, '' for a column that is not imported
    mapping text[] NOT NULL,
    dedupe text NOT NULL CHECK (dedupe IN ('skip', 'update', 'create')),
    -- the file as UTF-8 text; cleared when the import is committed
    content text,
    total_rows integer NOT NULL CHECK (total_rows >= 0),
    error_count integer NOT NULL DEFAULT 0,
    -- the first rows as they would be imported, for the preview
    preview jsonb NOT NULL DEFAULT '[]',
    status text NOT NULL CHECK (status IN ('ready', 'committing', 'committed', 'failed')),
    processed_rows integer NOT NULL DEFAULT 0,
    created_rows integer NOT NULL DEFAULT 0,
    updated_rows integer NOT NULL DEFAULT 0,
    skipped_rows integer NOT NULL DEFAULT 0,
    failure_code text,
    failure_message text,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    committed_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
)
--;;
-- The key leads with the import, so a job's errors page by id (UUID v7, made in row order) on it.
CREATE TABLE import_errors (
    tenant_id uuid NOT NULL,
    import_id uuid NOT NULL,
    id uuid NOT NULL,
    row_number integer NOT NULL,
    -- the field the error is about, '' for the whole row
    field text NOT NULL,
    -- the CSV header of the cell, NULL when the error is not about one cell
    column_name text,
    code text NOT NULL,
    message text NOT NULL,
    PRIMARY KEY (tenant_id, import_id, id),
    FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
)
--;;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['imports', 'import_errors'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY %I ON %I
            USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$,
            t || '_tenant_isolation', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO guanxi_app', t);
    END LOOP;
END $$
--;;
-- Record quotas per statement. The row triggers of 0003 called consume_quota once per row, so an
-- insert of 100,000 rows updated the same counter row 100,000 times in one transaction, each update
-- walking the versions the earlier ones left (minutes, growing with the square of the rows). A
-- statement trigger sees every row the statement inserted or deleted in a transition table and
-- takes or gives back the quota for all of them at once: an insert that would pass the limit fails
-- whole, exactly as before, and concurrent writers still queue on the counter row.
CREATE OR REPLACE FUNCTION count_records() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    v_rows bigint;
BEGIN
    SELECT count(*) INTO v_rows FROM changed_rows;
    IF v_rows > 0 THEN
        PERFORM consume_quota(TG_ARGV[0], (CASE TG_OP WHEN 'INSERT' THEN v_rows ELSE -v_rows END)::integer);
    END IF;
    RETURN NULL;
END $$
--;;
DROP TRIGGER contacts_quota ON contacts
--;;
DROP TRIGGER accounts_quota ON accounts
--;;
-- A trigger with a transition table takes one event, so inserts and deletes have one each; the
-- insert triggers keep the old names.
CREATE TRIGGER contacts_quota AFTER INSERT ON contacts REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_records('contacts')
--;;
CREATE TRIGGER contacts_quota_release AFTER DELETE ON contacts REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_records('contacts')
--;;
CREATE TRIGGER accounts_quota AFTER INSERT ON accounts REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_records('accounts')
--;;
CREATE TRIGGER accounts_quota_release AFTER DELETE ON accounts REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_records('accounts')
