-- What tenants rent: a versioned plan catalog (host data, readable by every workspace), one
-- subscription per tenant with its history, exact per-tenant record counters for quotas, and
-- daily usage kept for billing. A tenant may read its own subscription, counters and usage,
-- never change them directly and never see another tenant's.

CREATE TABLE plans (
    id uuid PRIMARY KEY,
    code text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{1,30}$'),
    version integer NOT NULL CHECK (version >= 1),
    name_en text NOT NULL,
    name_zh text NOT NULL,
    currency char(3) NOT NULL,
    price_month_minor bigint NOT NULL CHECK (price_month_minor >= 0),
    price_year_minor bigint NOT NULL CHECK (price_year_minor >= 0),
    included_seats integer NOT NULL CHECK (included_seats >= 1),
    extra_seat_month_minor bigint NOT NULL CHECK (extra_seat_month_minor >= 0),
    -- limits; NULL means unlimited
    max_contacts integer CHECK (max_contacts >= 0),
    max_accounts integer CHECK (max_accounts >= 0),
    max_storage_mb integer CHECK (max_storage_mb >= 0),
    api_per_minute integer NOT NULL CHECK (api_per_minute >= 1),
    -- one API key's share of the minute, so one integration cannot starve the workspace's others
    api_per_minute_per_key integer NOT NULL CHECK (api_per_minute_per_key BETWEEN 1 AND api_per_minute),
    api_per_day integer NOT NULL CHECK (api_per_day >= 1),
    max_concurrent_requests integer NOT NULL CHECK (max_concurrent_requests >= 1),
    max_webhooks integer CHECK (max_webhooks >= 0),
    max_custom_fields integer CHECK (max_custom_fields >= 0),
    features text[] NOT NULL DEFAULT '{}',
    rank integer NOT NULL,
    is_entry boolean NOT NULL DEFAULT false,
    retired boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (code, version)
)
--;;
GRANT SELECT ON plans TO guanxi_app
--;;
GRANT SELECT, INSERT, UPDATE ON plans TO guanxi_host
--;;
INSERT INTO plans (id, code, version, name_en, name_zh, currency, price_month_minor, price_year_minor, included_seats,
                   extra_seat_month_minor, max_contacts, max_accounts, max_storage_mb, api_per_minute, api_per_minute_per_key,
                   api_per_day, max_concurrent_requests, max_webhooks, max_custom_fields, features, rank, is_entry)
VALUES
    ('01930000-0000-7000-8000-000000000001', 'free', 1, 'Free', '免费版', 'CNY', 0, 0, 2, 0,
     500, 100, 100, 600, 300, 10000, 4, 1, 5, '{}', 0, true),
    ('01930000-0000-7000-8000-000000000002', 'starter', 1, 'Starter', '入门版', 'CNY', 9900, 99000, 3, 3900,
     5000, 1000, 2048, 1200, 600, 100000, 8, 5, 20, '{import_export}', 1, false),
    ('01930000-0000-7000-8000-000000000003', 'growth', 1, 'Growth', '成长版', 'CNY', 29900, 299000, 10, 2900,
     50000, 10000, 10240, 3000, 1500, 500000, 16, 20, 100, '{import_export,webhooks,sla}', 2, false),
    ('01930000-0000-7000-8000-000000000004', 'business', 1, 'Business', '商业版', 'CNY', 79900, 799000, 25, 1900,
     500000, 100000, 102400, 6000, 3000, 2000000, 32, 100, 500, '{import_export,webhooks,sla,audit}', 3, false)
--;;
CREATE TABLE subscriptions (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    plan_id uuid NOT NULL REFERENCES plans (id),
    status text NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'read_only', 'locked', 'cancelled')),
    billing_cycle text NOT NULL DEFAULT 'monthly' CHECK (billing_cycle IN ('monthly', 'yearly')),
    seats integer NOT NULL CHECK (seats >= 1),
    started_at timestamptz NOT NULL,
    -- billing periods count from here: the start, or the last change of billing cycle
    anchored_at timestamptz NOT NULL,
    trial_ends_at timestamptz,
    current_period_start timestamptz NOT NULL,
    current_period_end timestamptz NOT NULL CHECK (current_period_end > current_period_start),
    -- a downgrade, and a change of billing cycle, wait for the period's end
    scheduled_plan_id uuid REFERENCES plans (id),
    scheduled_billing_cycle text CHECK (scheduled_billing_cycle IN ('monthly', 'yearly')),
    updated_at timestamptz NOT NULL DEFAULT now()
)
--;;
CREATE TABLE subscription_events (
    tenant_id uuid NOT NULL REFERENCES subscriptions (tenant_id),
    id uuid NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL,
    from_status text,
    to_status text,
    from_plan_id uuid REFERENCES plans (id),
    to_plan_id uuid REFERENCES plans (id),
    seats integer,
    cause text NOT NULL,
    actor text NOT NULL,
    PRIMARY KEY (tenant_id, id)
)
--;;
-- Exact counts for quotas: a create increments its counter in its own transaction, and only
-- while the count is under the plan's limit, so concurrent creates can never pass the limit.
CREATE TABLE record_counters (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    kind text NOT NULL CHECK (kind IN ('contacts', 'accounts')),
    used bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (tenant_id, kind)
)
--;;
CREATE TABLE usage_daily (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day date NOT NULL,
    api_calls bigint NOT NULL DEFAULT 0,
    contacts bigint NOT NULL DEFAULT 0,
    accounts bigint NOT NULL DEFAULT 0,
    active_seats integer NOT NULL DEFAULT 0,
    storage_mb integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day)
)
--;;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['subscriptions', 'subscription_events', 'record_counters', 'usage_daily'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY %I ON %I
            USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$,
            t || '_tenant_isolation', t);
        -- billing and operator work reads and writes across tenants, only as the host role
        EXECUTE format('CREATE POLICY %I ON %I TO guanxi_host USING (true) WITH CHECK (true)', t || '_host', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO guanxi_host', t);
    END LOOP;
END $$
--;;
-- A workspace reads its own subscription, counters and usage; its counters change only through
-- the record triggers at the end, which run with the owner's rights (still under forced row-level
-- security).
GRANT SELECT ON subscriptions, subscription_events, usage_daily, record_counters TO guanxi_app
--;;
-- Existing tenants start a trial of the entry plan.
INSERT INTO subscriptions (tenant_id, plan_id, status, seats, started_at, anchored_at, trial_ends_at, current_period_start,
                           current_period_end)
SELECT t.id, p.id, 'trialing', p.included_seats, now(), now(), now() + interval '14 days', now(), now() + interval '14 days'
  FROM tenants t CROSS JOIN plans p WHERE p.is_entry
--;;
INSERT INTO record_counters (tenant_id, kind, used)
SELECT t.id, k.kind, CASE k.kind WHEN 'contacts' THEN (SELECT count(*) FROM contacts c WHERE c.tenant_id = t.id)
                                 ELSE (SELECT count(*) FROM accounts a WHERE a.tenant_id = t.id) END
  FROM tenants t CROSS JOIN (VALUES ('contacts'), ('accounts')) AS k (kind)
--;;
-- Authentication now also returns the subscription's state and the plan's API limits, in the
-- same single round trip.
DROP FUNCTION authenticate_api_key(uuid, bytea)
--;;
CREATE FUNCTION authenticate_api_key(p_tenant uuid, p_secret_hash bytea)
RETURNS TABLE (key_id uuid, user_id uuid, role text, tenant_status text, tenant_slug text, tenant_locale text,
               tenant_time_zone text, subscription_status text, api_per_minute integer, api_per_minute_per_key integer,
               api_per_day integer, max_concurrent_requests integer)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
        SELECT k.id, k.user_id, m.role, t.status, t.slug, t.locale, t.time_zone,
               s.status, p.api_per_minute, p.api_per_minute_per_key, p.api_per_day, p.max_concurrent_requests
          FROM api_keys k
          JOIN memberships m ON m.tenant_id = k.tenant_id AND m.user_id = k.user_id
          JOIN tenants t ON t.id = k.tenant_id
          JOIN subscriptions s ON s.tenant_id = k.tenant_id
          JOIN plans p ON p.id = s.plan_id
         WHERE k.secret_hash = p_secret_hash AND k.revoked_at IS NULL;
END $$
--;;
DROP FUNCTION authenticate_session(uuid, bytea)
--;;
CREATE FUNCTION authenticate_session(p_tenant uuid, p_token_hash bytea)
RETURNS TABLE (session_id uuid, user_id uuid, role text, tenant_status text, tenant_slug text, tenant_locale text,
               tenant_time_zone text, subscription_status text, api_per_minute integer, api_per_minute_per_key integer,
               api_per_day integer, max_concurrent_requests integer)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
        SELECT s.id, s.user_id, m.role, t.status, t.slug, t.locale, t.time_zone,
               sub.status, p.api_per_minute, p.api_per_minute_per_key, p.api_per_day, p.max_concurrent_requests
          FROM sessions s
          JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id
          JOIN tenants t ON t.id = s.tenant_id
          JOIN subscriptions sub ON sub.tenant_id = s.tenant_id
          JOIN plans p ON p.id = sub.plan_id
         WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now();
END $$
--;;
-- Takes (or with a negative delta, returns) quota for `p_kind` in the current tenant. The
-- counter row is locked by the UPDATE and its condition is re-checked against the committed
-- count, so concurrent creates at the limit admit exactly up to the limit. Raises SQLSTATE GX001
-- with DETAIL 'kind:limit:used' when the plan's limit would be passed.
CREATE FUNCTION consume_quota(p_kind text, p_delta integer) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
    v_limit integer;
    v_used bigint;
BEGIN
    SELECT CASE p_kind WHEN 'contacts' THEN p.max_contacts WHEN 'accounts' THEN p.max_accounts END
      INTO v_limit
      FROM subscriptions s JOIN plans p ON p.id = s.plan_id;
    UPDATE record_counters SET used = greatest(used + p_delta, 0)
     WHERE kind = p_kind AND (p_delta <= 0 OR v_limit IS NULL OR used + p_delta <= v_limit)
    RETURNING used INTO v_used;
    IF NOT FOUND THEN
        SELECT used INTO v_used FROM record_counters WHERE kind = p_kind;
        IF v_used IS NULL THEN
            RAISE EXCEPTION 'no % counter for tenant %', p_kind, current_setting('app.tenant_id', true);
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'GX001', MESSAGE = 'quota exceeded', DETAIL = p_kind || ':' || v_limit || ':' || v_used;
    END IF;
    RETURN v_used;
END $$
--;;
REVOKE EXECUTE ON FUNCTION consume_quota(text, integer) FROM PUBLIC
--;;
-- Every insert takes quota and every delete gives it back, whatever code path writes the row, in
-- the writing transaction: the quota cannot be skipped, and the workspace role cannot call
-- consume_quota itself.
CREATE FUNCTION count_records() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    PERFORM consume_quota(TG_ARGV[0], CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END);
    RETURN NULL;
END $$
--;;
REVOKE EXECUTE ON FUNCTION count_records() FROM PUBLIC
--;;
CREATE TRIGGER contacts_quota AFTER INSERT OR DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION count_records('contacts')
--;;
CREATE TRIGGER accounts_quota AFTER INSERT OR DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION count_records('accounts')
