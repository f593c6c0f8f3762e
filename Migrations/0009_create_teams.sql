-- Members and teams inside a workspace: a manager leads teams and sees the records of their
-- members; the subscription's seats bound how many members a workspace has.

CREATE TABLE teams (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    manager_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, manager_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (manager_id)
)
--;;
CREATE UNIQUE INDEX teams_name_key ON teams (tenant_id, lower(name))
--;;
ALTER TABLE teams ENABLE ROW LEVEL SECURITY
--;;
ALTER TABLE teams FORCE ROW LEVEL SECURITY
--;;
CREATE POLICY teams_tenant_isolation ON teams
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
--;;
GRANT SELECT, INSERT, UPDATE, DELETE ON teams TO guanxi_app
--;;
ALTER TABLE memberships ADD COLUMN team_id uuid
--;;
ALTER TABLE memberships ADD FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE SET NULL (team_id)
--;;
-- Seats are checked when the transaction commits, so provisioning may add the owner before the
-- subscription exists, and a change of role or team never counts twice.
CREATE FUNCTION enforce_seats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    v_seats integer;
    v_members bigint;
BEGIN
    SELECT seats INTO v_seats FROM subscriptions;
    SELECT count(*) INTO v_members FROM memberships;
    IF v_seats IS NOT NULL AND v_members > v_seats THEN
        RAISE EXCEPTION USING ERRCODE = 'GX001', MESSAGE = 'quota exceeded', DETAIL = 'seats:' || v_seats || ':' || v_members;
    END IF;
    RETURN NULL;
END $$
--;;
REVOKE EXECUTE ON FUNCTION enforce_seats() FROM PUBLIC
--;;
CREATE CONSTRAINT TRIGGER memberships_seats AFTER INSERT ON memberships
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION enforce_seats()
