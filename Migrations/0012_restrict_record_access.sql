-- Roles and record access inside a workspace (Docs/Access.md). Tenant isolation is unchanged; on top
-- of it each customer-record table (accounts, contacts, leads, deals, activities, cases) gets a second,
-- RESTRICTIVE policy that shows a member only the records their role, ownership, team and shares allow.
-- The acting member's role comes in app.role, set with app.tenant_id and app.user_id by
-- Database.withTenant; no role (background jobs, the command line, the public lead form) sees every
-- record of the tenant. Changes are checked by the services with record_editable, for a 403.

-- Accounts and contacts belong to whoever made them: every writer (the API, imports, lead conversion)
-- runs with app.user_id set. Rows made before this migration, or by no member, stay unowned (NULL),
-- visible to everyone who may see their kind.
ALTER TABLE accounts ADD COLUMN owner_id uuid DEFAULT nullif(current_setting('app.user_id', true), '')::uuid
--;;
ALTER TABLE accounts ADD FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id)
--;;
CREATE INDEX accounts_owner_idx ON accounts (tenant_id, owner_id)
--;;
ALTER TABLE contacts ADD COLUMN owner_id uuid DEFAULT nullif(current_setting('app.user_id', true), '')::uuid
--;;
ALTER TABLE contacts ADD FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id)
--;;
CREATE INDEX contacts_owner_idx ON contacts (tenant_id, owner_id)
--;;
-- One member's access to one record beyond what their role gives: read, or read and change.
CREATE TABLE record_shares (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    entity text NOT NULL CHECK (entity IN ('account', 'contact', 'lead', 'deal', 'case')),
    entity_id uuid NOT NULL,
    user_id uuid NOT NULL,
    access text NOT NULL CHECK (access IN ('read', 'edit')),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, entity, entity_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
)
--;;
-- What is shared with one member, read once per statement by record_access.
CREATE INDEX record_shares_user_idx ON record_shares (tenant_id, user_id, entity)
--;;
ALTER TABLE record_shares ENABLE ROW LEVEL SECURITY
--;;
ALTER TABLE record_shares FORCE ROW LEVEL SECURITY
--;;
CREATE POLICY record_shares_tenant_isolation ON record_shares
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
--;;
GRANT SELECT, INSERT, UPDATE, DELETE ON record_shares TO guanxi_app
--;;
-- Who gave whom access to what is worth knowing.
SELECT audit_table('record_shares')
--;;
-- A deleted record takes its shares with it (entity_id names rows of several tables, so no foreign key can).
CREATE FUNCTION delete_record_shares() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM record_shares WHERE tenant_id = OLD.tenant_id AND entity = TG_ARGV[0] AND entity_id = OLD.id;
    RETURN NULL;
END $$
--;;
CREATE TRIGGER accounts_shares AFTER DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION delete_record_shares('account')
--;;
CREATE TRIGGER contacts_shares AFTER DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION delete_record_shares('contact')
--;;
CREATE TRIGGER leads_shares AFTER DELETE ON leads FOR EACH ROW EXECUTE FUNCTION delete_record_shares('lead')
--;;
CREATE TRIGGER deals_shares AFTER DELETE ON deals FOR EACH ROW EXECUTE FUNCTION delete_record_shares('deal')
--;;
CREATE TRIGGER cases_shares AFTER DELETE ON cases FOR EACH ROW EXECUTE FUNCTION delete_record_shares('case')
--;;
-- Stands for "no owner" (an unowned account or contact, an unassigned case) among the keys below.
CREATE FUNCTION record_unowned() RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '00000000-0000-0000-0000-000000000000'::uuid
$$
--;;
-- What the acting member may see (p_edit false) or change (p_edit true) of one kind of record, as keys
-- to compare with each record's (record_matches): NULL for every record of the kind; otherwise the
-- members whose records these are (the member; a manager also the members of the teams they manage),
-- record_unowned() when records without an owner count, the ids of the records shared with the member,
-- and, to read cases, the accounts and contacts those members own. The matrix of Docs/Access.md:
--
--   role            accounts, contacts          leads, deals     activities         cases
--   (none), owner,  all                         all              all                all
--   admin
--   manager         own, team's, unowned        own, team's      owned or assigned  assigned to or opened by them or
--                                                                (them or team)     their team, unassigned, their team's customers'
--   sales_rep       own, unowned                own              owned or assigned  assigned to or opened by them, their customers'
--   support_agent   read all; change own        none             owned or assigned  all
--
-- plus, for every role, what is shared with the member (read, or edit). Changing needs the same
-- except customers' cases (read only) and shares with read access only.
-- Called in a sub-select, so it runs once per statement, not once per row.
CREATE FUNCTION record_access(p_entity text, p_edit boolean) RETURNS uuid[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_role text := coalesce(current_setting('app.role', true), '');
    v_user uuid := nullif(current_setting('app.user_id', true), '')::uuid;
    v_people uuid[] := ARRAY[v_user];
    v_keys uuid[];
BEGIN
    IF v_role IN ('', 'owner', 'admin') THEN
        RETURN NULL;
    END IF;
    IF v_role = 'support_agent' AND (p_entity = 'case' OR (p_entity IN ('account', 'contact') AND NOT p_edit)) THEN
        RETURN NULL;
    END IF;
    v_keys := ARRAY(SELECT entity_id FROM record_shares
                     WHERE user_id = v_user AND entity = p_entity AND (access = 'edit' OR NOT p_edit));
    IF v_role = 'support_agent' AND p_entity IN ('lead', 'deal') THEN
        RETURN v_keys;
    END IF;
    IF v_role = 'manager' THEN
        v_people := v_people || ARRAY(SELECT m.user_id FROM memberships m JOIN teams t ON t.tenant_id = m.tenant_id AND t.id = m.team_id
                                       WHERE t.manager_id = v_user);
    END IF;
    v_keys := v_keys || v_people;
    -- Unowned accounts and contacts are everyone's; unassigned cases are a queue for managers, not reps.
    IF v_role <> 'support_agent' AND (p_entity <> 'case' OR v_role = 'manager') THEN
        v_keys := v_keys || record_unowned();
    END IF;
    IF p_entity = 'case' AND NOT p_edit THEN
        v_keys := v_keys || ARRAY(SELECT id FROM accounts WHERE owner_id = ANY (v_people))
                         || ARRAY(SELECT id FROM contacts WHERE owner_id = ANY (v_people));
    END IF;
    RETURN v_keys;
END $$
--;;
-- Whether a record is within p_access (record_access's answer): NULL is every record; otherwise the
-- record's id (shared), its owner (or record_unowned() when it has none) or one of p_related (an
-- activity's assignee; a case's opener and customer) must be among the keys. A pure expression that
-- uses each argument once, so PostgreSQL inlines it into the policies: no function call per row, and
-- the indexes a query would use stay usable (Docs/Access.md shows the plan).
CREATE FUNCTION record_matches(p_access uuid[], p_id uuid, p_owner uuid, VARIADIC p_related uuid[] DEFAULT '{}')
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce((ARRAY[p_id, coalesce(p_owner, record_unowned())] || p_related) && p_access, true)
$$
--;;
-- The second policy of each table; restrictive, so a row must pass it and the tenant policy. Without a
-- WITH CHECK of its own it checks written rows too: nobody writes a record out of their own sight.
CREATE POLICY accounts_record_access ON accounts AS RESTRICTIVE
    USING (record_matches((SELECT record_access('account', false)), id, owner_id))
--;;
CREATE POLICY contacts_record_access ON contacts AS RESTRICTIVE
    USING (record_matches((SELECT record_access('contact', false)), id, owner_id))
--;;
CREATE POLICY leads_record_access ON leads AS RESTRICTIVE
    USING (record_matches((SELECT record_access('lead', false)), id, owner_id))
--;;
CREATE POLICY deals_record_access ON deals AS RESTRICTIVE
    USING (record_matches((SELECT record_access('deal', false)), id, owner_id))
--;;
CREATE POLICY activities_record_access ON activities AS RESTRICTIVE
    USING (record_matches((SELECT record_access('activity', false)), id, owner_id, assignee_id))
--;;
CREATE POLICY cases_record_access ON cases AS RESTRICTIVE
    USING (record_matches((SELECT record_access('case', false)), id, assignee_id, created_by, account_id, contact_id))
--;;
-- Locks the record for the rest of the transaction and says whether the acting member may change it:
-- NULL when they cannot see it (or it does not exist), false when they may only read it. Every change
-- of a service starts with it (RecordAccess.requireEditable: 404, 403 record_read_only, or go on). The
-- keys passed are the same as the policies'.
CREATE FUNCTION record_editable(p_entity text, p_id uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_access uuid[] := record_access(p_entity, true);
    v_editable boolean;
BEGIN
    CASE p_entity
    WHEN 'account' THEN
        SELECT record_matches(v_access, id, owner_id) INTO v_editable FROM accounts WHERE id = p_id FOR UPDATE;
    WHEN 'contact' THEN
        SELECT record_matches(v_access, id, owner_id) INTO v_editable FROM contacts WHERE id = p_id FOR UPDATE;
    WHEN 'lead' THEN
        SELECT record_matches(v_access, id, owner_id) INTO v_editable FROM leads WHERE id = p_id FOR UPDATE;
    WHEN 'deal' THEN
        SELECT record_matches(v_access, id, owner_id) INTO v_editable FROM deals WHERE id = p_id FOR UPDATE;
    WHEN 'activity' THEN
        SELECT record_matches(v_access, id, owner_id, assignee_id) INTO v_editable FROM activities WHERE id = p_id FOR UPDATE;
    WHEN 'case' THEN
        SELECT record_matches(v_access, id, assignee_id, created_by, account_id, contact_id) INTO v_editable FROM cases WHERE id = p_id FOR UPDATE;
    END CASE;
    RETURN v_editable;
END $$
--;;
-- Whether the acting member may make p_user the owner (or a case's assignee) of a record of this kind:
-- anyone when they may change every such record; a manager themselves, their teams' members or nobody;
-- others themselves, and only on records they create (p_reassign false), never by reassigning one.
CREATE FUNCTION record_assignable(p_entity text, p_user uuid, p_reassign boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN record_access(p_entity, true) IS NULL THEN true
        WHEN current_setting('app.role', true) = 'manager' THEN coalesce(p_user, record_unowned()) = ANY (record_access(p_entity, true))
        ELSE NOT p_reassign AND p_user = nullif(current_setting('app.user_id', true), '')::uuid
    END
$$
--;;
-- The one-round-trip reads by id now carry the acting member too, so the record-access policy sees
-- their role. The two-argument forms would read as no member (everything) and are dropped.
DROP FUNCTION contact_in_tenant(uuid, uuid)
--;;
DROP FUNCTION account_in_tenant(uuid, uuid)
--;;
CREATE FUNCTION contact_in_tenant(p_tenant uuid, p_user text, p_role text, p_id uuid) RETURNS SETOF contacts
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true), set_config('app.user_id', p_user, true),
            set_config('app.role', p_role, true);
    RETURN QUERY SELECT * FROM contacts WHERE id = p_id;
END $$
--;;
CREATE FUNCTION account_in_tenant(p_tenant uuid, p_user text, p_role text, p_id uuid) RETURNS SETOF accounts
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true), set_config('app.user_id', p_user, true),
            set_config('app.role', p_role, true);
    RETURN QUERY SELECT * FROM accounts WHERE id = p_id;
END $$
