-- The audit log (who changed which record, when, from what to what) and webhooks (events written to an
-- outbox in the writing transaction, delivered by the servers afterwards). Both are attached to a table
-- by one call, so a later migration wires its own tables with
--     SELECT audit_table('deals');
--     SELECT emit_events('deals', 'deal');
-- and raises its own specific events with emit_event(...) from its triggers (Docs/Audit-and-Webhooks.md).

-- Ids made by triggers: UUID version 7 with the microseconds of the millisecond in the 12 bits after the
-- version (RFC 9562, method 3), so rows written one after another sort in the order they were written.
CREATE FUNCTION time_ordered_uuid(p_at timestamptz) RETURNS uuid
LANGUAGE sql VOLATILE AS $$
    SELECT encode(substring(int8send(floor(extract(epoch FROM p_at) * 1000000)::bigint / 1000) FROM 3)
                  || substring(int4send(28672 | ((floor(extract(epoch FROM p_at) * 1000000)::bigint % 1000) * 4096 / 1000)::int) FROM 3)
                  || substring(uuid_send(gen_random_uuid()) FROM 9), 'hex')::uuid
$$
--;;
-- Columns left out of what triggers record: tenant_id (it is the row's scope, recorded on its own) and
-- generated columns (derived from the others), plus any a caller names (secrets).
CREATE FUNCTION recorded_columns_excluded(p_table regclass, p_extra text[]) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT array_agg(DISTINCT name) FROM (
        SELECT 'tenant_id' AS name
        UNION ALL SELECT attname FROM pg_attribute WHERE attrelid = p_table AND attgenerated <> '' AND NOT attisdropped
        UNION ALL SELECT unnest(p_extra)) AS excluded
$$
--;;
-- Refuses tables that triggers cannot describe: every recorded row names its tenant and its id.
CREATE FUNCTION require_tenant_row_id(p_table regclass) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF (SELECT count(*) FROM pg_attribute WHERE attrelid = p_table AND attname IN ('tenant_id', 'id') AND NOT attisdropped) <> 2 THEN
        RAISE EXCEPTION '% needs tenant_id and id columns', p_table;
    END IF;
END $$
--;;
CREATE TABLE audit_log (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    -- NULL: no member was acting (a background job, a command-line tool)
    actor_user_id uuid,
    actor_credential text NOT NULL CHECK (actor_credential IN ('api_key', 'session', 'system')),
    action text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    -- the table written
    entity_type text NOT NULL,
    entity_id uuid NOT NULL,
    -- insert: before NULL, after the row; update: the changed columns only, old and new; delete: before the row
    before jsonb,
    after jsonb,
    PRIMARY KEY (tenant_id, id),
    CHECK ((actor_user_id IS NULL) = (actor_credential = 'system'))
)
--;;
-- Lists are newest first by id (time-ordered); these serve the entity and actor filters.
CREATE INDEX audit_log_entity_idx ON audit_log (tenant_id, entity_type, entity_id, id)
--;;
CREATE INDEX audit_log_actor_idx ON audit_log (tenant_id, actor_user_id, id)
--;;
-- One audit row per written row, in the writing transaction. Runs as the owner: the serving role may
-- only read the log. The actor comes from app.user_id and app.credential, which Database.withTenant sets
-- with the tenant. An update that changes nothing is not recorded.
CREATE FUNCTION record_audit_entry() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public SET TimeZone = 'UTC' AS $$
DECLARE
    v_at timestamptz := clock_timestamp();
    v_excluded text[] := TG_ARGV[1:TG_NARGS - 1];
    v_user uuid := nullif(current_setting('app.user_id', true), '')::uuid;
    v_row record;
    v_before jsonb;
    v_after jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN v_row := OLD; ELSE v_row := NEW; END IF;
    IF TG_OP <> 'INSERT' THEN v_before := to_jsonb(OLD) - v_excluded; END IF;
    IF TG_OP <> 'DELETE' THEN v_after := to_jsonb(NEW) - v_excluded; END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, n.value) INTO v_before, v_after
          FROM jsonb_each(v_before) o JOIN jsonb_each(v_after) n ON n.key = o.key
         WHERE o.value IS DISTINCT FROM n.value;
        IF v_before IS NULL THEN RETURN NULL; END IF;
    END IF;
    INSERT INTO audit_log (tenant_id, id, occurred_at, actor_user_id, actor_credential, action, entity_type, entity_id, before, after)
    VALUES (v_row.tenant_id, time_ordered_uuid(v_at), v_at, v_user,
            CASE WHEN v_user IS NULL THEN 'system' ELSE current_setting('app.credential', true) END,
            lower(TG_OP), TG_ARGV[0], v_row.id, v_before, v_after);
    RETURN NULL;
END $$
--;;
REVOKE EXECUTE ON FUNCTION record_audit_entry() FROM PUBLIC
--;;
-- Attaches the audit log to a tenant table (idempotent). p_excluded names columns never to record.
CREATE FUNCTION audit_table(p_table regclass, p_excluded text[] DEFAULT '{}') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_name text := (SELECT relname FROM pg_class WHERE oid = p_table);
BEGIN
    PERFORM require_tenant_row_id(p_table);
    EXECUTE format('DROP TRIGGER IF EXISTS audit_log_entry ON %s', p_table);
    EXECUTE format('CREATE TRIGGER audit_log_entry AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION record_audit_entry(%s)',
                   p_table, (SELECT string_agg(quote_literal(a), ', ')
                               FROM unnest(ARRAY[v_name] || recorded_columns_excluded(p_table, p_excluded)) AS a));
END $$
--;;
-- The event types endpoints may subscribe to: emit_events registers its three, and a migration that
-- raises a specific event registers it with register_event_type.
CREATE TABLE webhook_event_types (
    type text PRIMARY KEY CHECK (type ~ '^[a-z][a-z_]*\.[a-z][a-z_]*$')
)
--;;
CREATE FUNCTION register_event_type(p_type text) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO webhook_event_types (type) VALUES (p_type) ON CONFLICT DO NOTHING
$$
--;;
CREATE TABLE webhook_endpoints (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    url text NOT NULL CHECK (length(url) <= 2000),
    description text,
    -- exact types ('contact.created') or one entity's every type ('contact.*')
    event_types text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 50),
    -- signs deliveries, so it is kept readable (not hashed); shown to the tenant only when made
    secret text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
)
--;;
-- The outbox: one row per event that at least one endpoint wanted.
CREATE TABLE webhook_events (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    type text NOT NULL,
    entity_type text NOT NULL,
    entity_id uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    data jsonb NOT NULL,
    PRIMARY KEY (tenant_id, id)
)
--;;
-- One event to one endpoint, retried until it succeeds or its attempts run out.
CREATE TABLE webhook_deliveries (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    endpoint_id uuid NOT NULL,
    event_id uuid NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempt_count integer NOT NULL DEFAULT 0,
    -- when a server may next try it; while one tries, a lease a little later than the try can last
    next_attempt_at timestamptz,
    last_attempt_at timestamptz,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, event_id) REFERENCES webhook_events (tenant_id, id) ON DELETE CASCADE,
    CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
)
--;;
-- What the delivery servers look for, across tenants.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'
--;;
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id, id)
--;;
CREATE TABLE webhook_attempts (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    delivery_id uuid NOT NULL,
    attempted_at timestamptz NOT NULL,
    -- NULL when no HTTP answer came (refused, timed out)
    status_code integer,
    error text,
    duration_ms integer NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
)
--;;
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (tenant_id, delivery_id, id)
--;;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['audit_log', 'webhook_endpoints', 'webhook_events', 'webhook_deliveries', 'webhook_attempts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY %I ON %I
            USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$,
            t || '_tenant_isolation', t);
    END LOOP;
    -- The triggers run as the owner and name the written row's tenant themselves, so a write made in
    -- host scope without a tenant set (a job across tenants) is still recorded instead of refused.
    FOREACH t IN ARRAY ARRAY['audit_log', 'webhook_endpoints', 'webhook_events', 'webhook_deliveries'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_triggers', t, current_user);
    END LOOP;
    -- The delivery servers claim and record deliveries of every tenant, as the host role.
    FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_events', 'webhook_deliveries', 'webhook_attempts'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO guanxi_host USING (true) WITH CHECK (true)', t || '_host', t);
    END LOOP;
END $$
--;;
-- The audit log is read-only for the serving role: rows come only from record_audit_entry.
GRANT SELECT ON audit_log TO guanxi_app
--;;
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO guanxi_app
--;;
-- Events and attempts are written by triggers and delivery servers; a member's redelivery adds a delivery.
GRANT SELECT ON webhook_events, webhook_attempts TO guanxi_app
--;;
GRANT SELECT, INSERT ON webhook_deliveries TO guanxi_app
--;;
GRANT SELECT ON webhook_event_types TO guanxi_app
--;;
GRANT SELECT ON webhook_endpoints, webhook_events TO guanxi_host
--;;
GRANT SELECT, UPDATE ON webhook_deliveries TO guanxi_host
--;;
GRANT INSERT ON webhook_attempts TO guanxi_host
--;;
-- The plan's webhooks limit, checked by whatever inserts an endpoint. The lock makes concurrent creates
-- in one workspace take turns, so the count each sees is exact. Raises GX001 like consume_quota.
CREATE FUNCTION webhook_endpoints_within_plan() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_limit integer;
    v_used bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('webhook_endpoints:' || NEW.tenant_id::text, 0));
    SELECT p.max_webhooks INTO v_limit
      FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.tenant_id = NEW.tenant_id;
    IF v_limit IS NULL THEN RETURN NEW; END IF;
    SELECT count(*) INTO v_used FROM webhook_endpoints WHERE tenant_id = NEW.tenant_id;
    IF v_used >= v_limit THEN
        RAISE EXCEPTION USING ERRCODE = 'GX001', MESSAGE = 'quota exceeded', DETAIL = 'webhooks:' || v_limit || ':' || v_used;
    END IF;
    RETURN NEW;
END $$
--;;
CREATE TRIGGER webhook_endpoints_quota BEFORE INSERT ON webhook_endpoints
    FOR EACH ROW EXECUTE FUNCTION webhook_endpoints_within_plan()
--;;
-- The hook for every event: writes it to the outbox with one delivery per active endpoint of the tenant
-- that subscribed to the type (exactly, or to '<entity>.*'), in the caller's transaction. Nothing is
-- written when no endpoint wants it. Runs as the owner; call it from a SECURITY DEFINER trigger function.
CREATE FUNCTION emit_event(p_tenant uuid, p_type text, p_entity text, p_entity_id uuid, p_data jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
    v_at timestamptz := clock_timestamp();
    v_event uuid;
    v_patterns text[] := ARRAY[p_type, split_part(p_type, '.', 1) || '.*'];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_event_types WHERE type = p_type) THEN
        RAISE EXCEPTION 'emit_event: % is not a registered event type; call register_event_type first', p_type;
    END IF;
    PERFORM 1 FROM webhook_endpoints WHERE tenant_id = p_tenant AND active AND event_types && v_patterns;
    IF NOT FOUND THEN RETURN; END IF;
    v_event := time_ordered_uuid(v_at);
    INSERT INTO webhook_events (tenant_id, id, type, entity_type, entity_id, occurred_at, data)
    VALUES (p_tenant, v_event, p_type, p_entity, p_entity_id, v_at, p_data);
    INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, next_attempt_at, created_at)
    SELECT p_tenant, time_ordered_uuid(v_at), id, v_event, v_at, v_at
      FROM webhook_endpoints WHERE tenant_id = p_tenant AND active AND event_types && v_patterns;
END $$
--;;
REVOKE EXECUTE ON FUNCTION emit_event(uuid, text, text, uuid, jsonb) FROM PUBLIC
--;;
-- The generic events: '<entity>.created', '.updated' (only when the row changed) and '.deleted', with the
-- row (the old one for deleted) as data.
CREATE FUNCTION emit_row_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public SET TimeZone = 'UTC' AS $$
DECLARE
    v_excluded text[] := TG_ARGV[1:TG_NARGS - 1];
    v_row record;
BEGIN
    IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = to_jsonb(NEW) THEN RETURN NULL; END IF;
    IF TG_OP = 'DELETE' THEN v_row := OLD; ELSE v_row := NEW; END IF;
    PERFORM emit_event(v_row.tenant_id,
                       TG_ARGV[0] || CASE TG_OP WHEN 'INSERT' THEN '.created' WHEN 'UPDATE' THEN '.updated' ELSE '.deleted' END,
                       TG_ARGV[0], v_row.id, to_jsonb(v_row) - v_excluded);
    RETURN NULL;
END $$
--;;
REVOKE EXECUTE ON FUNCTION emit_row_event() FROM PUBLIC
--;;
-- Attaches the generic events to a tenant table (idempotent) and registers their types.
CREATE FUNCTION emit_events(p_table regclass, p_entity text, p_excluded text[] DEFAULT '{}') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM require_tenant_row_id(p_table);
    PERFORM register_event_type(p_entity || suffix) FROM unnest(ARRAY['.created', '.updated', '.deleted']) AS suffix;
    EXECUTE format('DROP TRIGGER IF EXISTS webhook_row_events ON %s', p_table);
    EXECUTE format('CREATE TRIGGER webhook_row_events AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION emit_row_event(%s)',
                   p_table, (SELECT string_agg(quote_literal(a), ', ')
                               FROM unnest(ARRAY[p_entity] || recorded_columns_excluded(p_table, p_excluded)) AS a));
END $$
--;;
REVOKE EXECUTE ON FUNCTION audit_table(regclass, text[]), emit_events(regclass, text, text[]), register_event_type(text) FROM PUBLIC
--;;
SELECT audit_table('accounts')
--;;
SELECT audit_table('contacts')
--;;
-- Who pointed the workspace's data at which URL is worth knowing; the signing secret is not recorded.
SELECT audit_table('webhook_endpoints', '{secret}')
--;;
SELECT emit_events('accounts', 'account')
--;;
SELECT emit_events('contacts', 'contact')
