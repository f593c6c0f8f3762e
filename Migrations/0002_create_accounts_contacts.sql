-- The first CRM slice: accounts (companies) and contacts (people, optionally at an account).

CREATE TABLE accounts (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    website text,
    phone text,
    industry text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
)
--;;
CREATE TABLE contacts (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    account_id uuid,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    email text,
    phone text,
    title text,
    -- digits only, so "+86 138-0013-8000" is found by "13800138000" and the other way round
    phone_digits text GENERATED ALWAYS AS (regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE SET NULL (account_id)
)
--;;
-- Lists page by id (time-ordered UUID v7) within a tenant: the primary key serves them.
CREATE INDEX contacts_account_idx ON contacts (tenant_id, account_id)
--;;
-- Substring search (q) on names, emails and phones; trigrams make it an index scan, and a
-- two-character Chinese name part still matches through the same ILIKE.
CREATE INDEX accounts_search_idx ON accounts USING gin (name gin_trgm_ops)
--;;
CREATE INDEX contacts_search_idx ON contacts USING gin (name gin_trgm_ops, email gin_trgm_ops, phone_digits gin_trgm_ops)
--;;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['accounts', 'contacts'] LOOP
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
-- One-round-trip reads by id (the hottest path): the function sets the tenant for this
-- statement's own transaction before reading, so row-level security applies exactly as in
-- a BEGIN / set_config / SELECT / COMMIT sequence, in a quarter of the round trips.
CREATE FUNCTION contact_in_tenant(p_tenant uuid, p_id uuid) RETURNS SETOF contacts
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY SELECT * FROM contacts WHERE id = p_id;
END $$
--;;
CREATE FUNCTION account_in_tenant(p_tenant uuid, p_id uuid) RETURNS SETOF accounts
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY SELECT * FROM accounts WHERE id = p_id;
END $$
