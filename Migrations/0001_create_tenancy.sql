-- Tenancy: tenants and operator tokens (host-level), users, memberships, API keys and sessions
-- (tenant-level). Every tenant table: tenant_id first in every key, row-level security forced.
-- Statements are separated by lines reading --;; (the runner sends one statement per query).

CREATE EXTENSION IF NOT EXISTS pg_trgm
--;;
CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    time_zone text NOT NULL DEFAULT 'UTC',
    locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'zh-CN')),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    suspended_at timestamptz
)
--;;
-- A tenant sees its own row only (its slug, zone and status); the host role sees all of them.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY
--;;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY
--;;
CREATE POLICY tenants_own_row ON tenants FOR SELECT
    USING (id = nullif(current_setting('app.tenant_id', true), '')::uuid)
--;;
CREATE POLICY tenants_host ON tenants TO guanxi_host USING (true) WITH CHECK (true)
--;;
CREATE TABLE operator_tokens (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
)
--;;
CREATE TABLE users (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    email text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    name text NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
)
--;;
CREATE UNIQUE INDEX users_email_key ON users (tenant_id, lower(email))
--;;
CREATE TABLE memberships (
    tenant_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'sales_rep', 'support_agent')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
)
--;;
CREATE TABLE api_keys (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL,
    display_prefix text NOT NULL,
    secret_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, secret_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
)
--;;
CREATE TABLE sessions (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
)
--;;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'memberships', 'api_keys', 'sessions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY %I ON %I
            USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$,
            t || '_tenant_isolation', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO guanxi_app', t);
        EXECUTE format('GRANT SELECT, INSERT ON %I TO guanxi_host', t);
    END LOOP;
END $$
--;;
GRANT SELECT ON tenants TO guanxi_app
--;;
GRANT SELECT, INSERT, UPDATE ON tenants, operator_tokens TO guanxi_host
--;;
-- One round trip to authenticate an API key: set the tenant for this statement's transaction,
-- then read the key under row-level security. The key's text names its tenant.
CREATE FUNCTION authenticate_api_key(p_tenant uuid, p_secret_hash bytea)
RETURNS TABLE (key_id uuid, user_id uuid, role text, tenant_status text, tenant_slug text, tenant_locale text, tenant_time_zone text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
        SELECT k.id, k.user_id, m.role, t.status, t.slug, t.locale, t.time_zone
          FROM api_keys k
          JOIN memberships m ON m.tenant_id = k.tenant_id AND m.user_id = k.user_id
          JOIN tenants t ON t.id = k.tenant_id
         WHERE k.secret_hash = p_secret_hash AND k.revoked_at IS NULL;
END $$
--;;
CREATE FUNCTION authenticate_session(p_tenant uuid, p_token_hash bytea)
RETURNS TABLE (session_id uuid, user_id uuid, role text, tenant_status text, tenant_slug text, tenant_locale text, tenant_time_zone text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
        SELECT s.id, s.user_id, m.role, t.status, t.slug, t.locale, t.time_zone
          FROM sessions s
          JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id
          JOIN tenants t ON t.id = s.tenant_id
         WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now();
END $$
