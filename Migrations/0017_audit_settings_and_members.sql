-- The audit log reaches the tables that are not keyed by an id of their own: the service settings
-- (one row per workspace, per priority, per opening period, per holiday), a deal's contacts, and a
-- member's role and team. Each names the column that says which record an entry belongs to
-- (entity_id): the workspace itself for its settings, the deal for its contacts, the user for a
-- membership. The rest of such a row's key (the priority, the weekday…) is recorded in every entry,
-- so an update that changes only minutes still says whose minutes they were. Members, teams and API
-- keys join too, without the password hash and key digest.

-- Trigger arguments: the table's name, the entity id column, the key columns recorded in every entry
-- and the columns never recorded (both as array literals).
CREATE OR REPLACE FUNCTION record_audit_entry() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public SET TimeZone = 'UTC' AS $$
DECLARE
    v_at timestamptz := clock_timestamp();
    v_id_column text := TG_ARGV[1];
    v_key_columns text[] := TG_ARGV[2]::text[];
    v_excluded text[] := TG_ARGV[3]::text[];
    v_user uuid := nullif(current_setting('app.user_id', true), '')::uuid;
    v_row jsonb;
    v_before jsonb;
    v_after jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN v_row := to_jsonb(OLD); ELSE v_row := to_jsonb(NEW); END IF;
    IF TG_OP <> 'INSERT' THEN v_before := to_jsonb(OLD) - v_excluded; END IF;
    IF TG_OP <> 'DELETE' THEN v_after := to_jsonb(NEW) - v_excluded; END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, n.value) INTO v_before, v_after
          FROM jsonb_each(v_before) o JOIN jsonb_each(v_after) n ON n.key = o.key
         WHERE o.value IS DISTINCT FROM n.value;
        IF v_before IS NULL THEN RETURN NULL; END IF;
        IF cardinality(v_key_columns) > 0 THEN
            SELECT v_before || jsonb_object_agg(key, value), v_after || jsonb_object_agg(key, value) INTO v_before, v_after
              FROM jsonb_each(v_row) WHERE key = ANY (v_key_columns);
        END IF;
    END IF;
    INSERT INTO audit_log (tenant_id, id, occurred_at, actor_user_id, actor_credential, action, entity_type, entity_id, before, after)
    VALUES ((v_row ->> 'tenant_id')::uuid, time_ordered_uuid(v_at), v_at, v_user,
            CASE WHEN v_user IS NULL THEN 'system' ELSE current_setting('app.credential', true) END,
            lower(TG_OP), TG_ARGV[0], (v_row ->> v_id_column)::uuid, v_before, v_after);
    RETURN NULL;
END $$
--;;
DROP FUNCTION audit_table(regclass, text[])
--;;
-- Attaches the audit log to a tenant table (idempotent). p_excluded names columns never to record;
-- p_id_column the uuid column that identifies the record an entry belongs to.
CREATE FUNCTION audit_table(p_table regclass, p_excluded text[] DEFAULT '{}', p_id_column text DEFAULT 'id') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_key_columns text[];
BEGIN
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = p_table AND attname = p_id_column AND atttypid = 'uuid'::regtype
                                              AND NOT attisdropped)
       OR NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = p_table AND attname = 'tenant_id' AND NOT attisdropped) THEN
        RAISE EXCEPTION '% needs tenant_id and a uuid column %', p_table, p_id_column;
    END IF;
    SELECT coalesce(array_agg(a.attname ORDER BY a.attnum), '{}') INTO v_key_columns
      FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = p_table AND i.indisprimary AND a.attname NOT IN ('tenant_id', p_id_column);
    EXECUTE format('DROP TRIGGER IF EXISTS audit_log_entry ON %s', p_table);
    EXECUTE format('CREATE TRIGGER audit_log_entry AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION record_audit_entry(%L, %L, %L, %L)',
                   p_table, (SELECT relname FROM pg_class WHERE oid = p_table), p_id_column, v_key_columns,
                   recorded_columns_excluded(p_table, p_excluded));
END $$
--;;
REVOKE EXECUTE ON FUNCTION audit_table(regclass, text[], text) FROM PUBLIC
--;;
-- The tables audited so far, again: their triggers pass the arguments in the new order.
SELECT audit_table('accounts')
--;;
SELECT audit_table('contacts')
--;;
SELECT audit_table('webhook_endpoints', '{secret}')
--;;
SELECT audit_table('cases')
--;;
SELECT audit_table('leads')
--;;
SELECT audit_table('pipelines')
--;;
SELECT audit_table('pipeline_stages')
--;;
SELECT audit_table('deals')
--;;
SELECT audit_table('activities')
--;;
SELECT audit_table('record_shares')
--;;
SELECT audit_table('custom_field_definitions')
--;;
SELECT audit_table('service_settings', p_id_column => 'tenant_id')
--;;
SELECT audit_table('sla_targets', p_id_column => 'tenant_id')
--;;
SELECT audit_table('business_hours', p_id_column => 'tenant_id')
--;;
SELECT audit_table('business_holidays', p_id_column => 'tenant_id')
--;;
SELECT audit_table('deal_contacts', p_id_column => 'deal_id')
--;;
SELECT audit_table('teams')
--;;
SELECT audit_table('memberships', p_id_column => 'user_id')
--;;
SELECT audit_table('users', '{password_hash}')
--;;
SELECT audit_table('api_keys', '{secret_hash}')
