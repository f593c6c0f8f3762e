-- The sales side: leads (with their conversion into an account, a contact and a deal), pipelines
-- with ordered stages, deals with their stage history and contacts, and activities (tasks, calls,
-- meetings, emails, notes) attached to accounts, contacts, leads and deals. Also the host-level
-- key that signs the public lead forms' tokens.

-- One key for every workspace's form tokens: a token's MAC covers its tenant's id, so a token of one
-- workspace is worthless at another. Host data: only guanxi_host may read it.
CREATE TABLE form_signing_keys (
    id smallint PRIMARY KEY CHECK (id = 1),
    key bytea NOT NULL CHECK (length(key) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
)
--;;
-- 32 bytes from two version 4 UUIDs: gen_random_uuid() draws on the server's strong random source
-- (244 random bits in all), and needs no extension.
INSERT INTO form_signing_keys (id, key)
VALUES (1, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'))
--;;
GRANT SELECT ON form_signing_keys TO guanxi_host
--;;
-- Pipelines and their stages are the workspace's configuration. Exactly one pipeline is the
-- default (where a deal goes when no stage is named); it is made the first time the workspace
-- uses pipelines or deals (Sources/CRM/Pipelines).
CREATE TABLE pipelines (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
)
--;;
CREATE UNIQUE INDEX pipelines_one_default ON pipelines (tenant_id) WHERE is_default
--;;
-- Open stages in the order a deal moves through them, then one won and one lost stage. A stage's
-- win probability is in basis points (0–10000 = 0–100 %); won is always 10000, lost always 0.
CREATE TABLE pipeline_stages (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    pipeline_id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind text NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    position integer NOT NULL CHECK (position >= 1),
    win_probability_bp integer NOT NULL CHECK (win_probability_bp BETWEEN 0 AND 10000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    -- deals name their pipeline and stage together, so a deal's stage is always of its pipeline
    UNIQUE (tenant_id, pipeline_id, id),
    -- checked at commit, so a reordering can renumber every stage in one transaction
    CONSTRAINT pipeline_stages_position_key UNIQUE (tenant_id, pipeline_id, position) DEFERRABLE INITIALLY DEFERRED,
    CHECK (kind = 'open' OR win_probability_bp = CASE kind WHEN 'won' THEN 10000 ELSE 0 END),
    FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines (tenant_id, id) ON DELETE CASCADE
)
--;;
CREATE UNIQUE INDEX pipeline_stages_one_won ON pipeline_stages (tenant_id, pipeline_id) WHERE kind = 'won'
--;;
CREATE UNIQUE INDEX pipeline_stages_one_lost ON pipeline_stages (tenant_id, pipeline_id) WHERE kind = 'lost'
--;;
-- Money in minor units with its currency, both or neither. A deal is closed (closed_at set) while
-- it is in a won or lost stage; close_reason says why it was won or lost.
CREATE TABLE deals (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    pipeline_id uuid NOT NULL,
    stage_id uuid NOT NULL,
    amount_minor bigint CHECK (amount_minor BETWEEN 0 AND 999999999999999),
    currency char(3) CHECK (currency ~ '^[A-Z]{3}$'),
    expected_close_date date,
    account_id uuid,
    owner_id uuid NOT NULL,
    closed_at timestamptz,
    close_reason text CHECK (length(close_reason) BETWEEN 1 AND 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK ((amount_minor IS NULL) = (currency IS NULL)),
    -- a stage that still holds deals cannot be deleted
    FOREIGN KEY (tenant_id, pipeline_id, stage_id) REFERENCES pipeline_stages (tenant_id, pipeline_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE SET NULL (account_id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id)
)
--;;
CREATE INDEX deals_stage_idx ON deals (tenant_id, stage_id)
--;;
CREATE INDEX deals_account_idx ON deals (tenant_id, account_id) WHERE account_id IS NOT NULL
--;;
CREATE INDEX deals_owner_idx ON deals (tenant_id, owner_id)
--;;
CREATE INDEX deals_close_date_idx ON deals (tenant_id, expected_close_date)
--;;
CREATE INDEX deals_search_idx ON deals USING gin (name gin_trgm_ops)
--;;
-- The people a deal is with.
CREATE TABLE deal_contacts (
    tenant_id uuid NOT NULL,
    deal_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, deal_id, contact_id),
    FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
)
--;;
CREATE INDEX deal_contacts_contact_idx ON deal_contacts (tenant_id, contact_id)
--;;
-- Every move of a deal, its creation included (from_stage_id NULL). Stage names and the target's
-- kind and probability are copied, so the history reads the same after a stage is renamed or deleted.
CREATE TABLE deal_stage_changes (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    deal_id uuid NOT NULL,
    from_stage_id uuid,
    from_stage_name text,
    to_stage_id uuid,
    to_stage_name text NOT NULL,
    to_kind text NOT NULL CHECK (to_kind IN ('open', 'won', 'lost')),
    win_probability_bp integer NOT NULL CHECK (win_probability_bp BETWEEN 0 AND 10000),
    reason text,
    changed_by uuid NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, from_stage_id) REFERENCES pipeline_stages (tenant_id, id) ON DELETE SET NULL (from_stage_id),
    FOREIGN KEY (tenant_id, to_stage_id) REFERENCES pipeline_stages (tenant_id, id) ON DELETE SET NULL (to_stage_id),
    FOREIGN KEY (tenant_id, changed_by) REFERENCES users (tenant_id, id)
)
--;;
CREATE INDEX deal_stage_changes_deal_idx ON deal_stage_changes (tenant_id, deal_id, id)
--;;
-- A lead stays after its conversion, marked converted, with links to what it became.
CREATE TABLE leads (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    company text,
    email text,
    phone text,
    title text,
    source text CHECK (source ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'contacted', 'qualified', 'disqualified', 'converted')),
    disqualified_reason text CHECK (length(disqualified_reason) BETWEEN 1 AND 1000),
    message text CHECK (length(message) <= 5000),
    owner_id uuid NOT NULL,
    converted_at timestamptz,
    converted_by uuid,
    converted_account_id uuid,
    converted_contact_id uuid,
    converted_deal_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK ((status = 'disqualified') = (disqualified_reason IS NOT NULL)),
    CHECK ((status = 'converted') = (converted_at IS NOT NULL AND converted_by IS NOT NULL)),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, converted_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, converted_account_id) REFERENCES accounts (tenant_id, id) ON DELETE SET NULL (converted_account_id),
    FOREIGN KEY (tenant_id, converted_contact_id) REFERENCES contacts (tenant_id, id) ON DELETE SET NULL (converted_contact_id),
    FOREIGN KEY (tenant_id, converted_deal_id) REFERENCES deals (tenant_id, id) ON DELETE SET NULL (converted_deal_id)
)
--;;
CREATE INDEX leads_status_idx ON leads (tenant_id, status)
--;;
CREATE INDEX leads_converted_account_idx ON leads (tenant_id, converted_account_id) WHERE converted_account_id IS NOT NULL
--;;
CREATE INDEX leads_converted_contact_idx ON leads (tenant_id, converted_contact_id) WHERE converted_contact_id IS NOT NULL
--;;
CREATE INDEX leads_search_idx ON leads USING gin (name gin_trgm_ops, company gin_trgm_ops, email gin_trgm_ops)
--;;
-- Tasks, calls, meetings, emails and notes. An activity is attached to at least one record through
-- typed, tenant-scoped foreign keys (one column per kind of record); attaching to a new kind of
-- record (cases) is one more column and foreign key here, and one more name in
-- delete_unattached_activity's check below.
CREATE TABLE activities (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('task', 'call', 'meeting', 'email', 'note')),
    title text CHECK (length(title) BETWEEN 1 AND 300),
    body text CHECK (length(body) BETWEEN 1 AND 20000),
    -- when it happened (calls, meetings, emails, notes), or when it was set (tasks)
    occurred_at timestamptz NOT NULL DEFAULT now(),
    duration_minutes integer CHECK (duration_minutes BETWEEN 0 AND 1440),
    due_date date,
    done_at timestamptz,
    owner_id uuid NOT NULL,
    assignee_id uuid,
    account_id uuid,
    contact_id uuid,
    lead_id uuid,
    deal_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (kind = 'note' OR title IS NOT NULL),
    CHECK (kind <> 'note' OR body IS NOT NULL),
    CHECK (kind = 'task' OR (due_date IS NULL AND done_at IS NULL)),
    CHECK (kind IN ('call', 'meeting') OR duration_minutes IS NULL),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE SET NULL (account_id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE SET NULL (contact_id),
    FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id) ON DELETE SET NULL (lead_id),
    FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id) ON DELETE SET NULL (deal_id)
)
--;;
CREATE INDEX activities_account_idx ON activities (tenant_id, account_id) WHERE account_id IS NOT NULL
--;;
CREATE INDEX activities_contact_idx ON activities (tenant_id, contact_id) WHERE contact_id IS NOT NULL
--;;
CREATE INDEX activities_lead_idx ON activities (tenant_id, lead_id) WHERE lead_id IS NOT NULL
--;;
CREATE INDEX activities_deal_idx ON activities (tenant_id, deal_id) WHERE deal_id IS NOT NULL
--;;
CREATE INDEX activities_open_tasks_idx ON activities (tenant_id, assignee_id, due_date) WHERE kind = 'task' AND done_at IS NULL
--;;
-- Deleting a record unlinks its activities; one left attached to nothing goes with it, while one
-- still attached to another record (a call with a contact about a deal) stays there.
CREATE FUNCTION delete_unattached_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM activities WHERE tenant_id = NEW.tenant_id AND id = NEW.id;
    RETURN NULL;
END $$
--;;
CREATE TRIGGER activities_unattached AFTER UPDATE OF account_id, contact_id, lead_id, deal_id ON activities
FOR EACH ROW WHEN (num_nonnulls(NEW.account_id, NEW.contact_id, NEW.lead_id, NEW.deal_id) = 0)
EXECUTE FUNCTION delete_unattached_activity()
--;;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pipelines', 'pipeline_stages', 'deals', 'deal_contacts', 'deal_stage_changes', 'leads', 'activities'] LOOP
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
-- A deal as the API shows it: its stage's name, kind (the deal's status) and probability, and its
-- contacts. security_invoker: the caller's row-level security applies to every table read.
CREATE VIEW deal_details WITH (security_invoker = true) AS
SELECT d.tenant_id, d.id, d.name, d.pipeline_id, d.stage_id, s.name AS stage_name, s.kind AS status, s.win_probability_bp,
       d.amount_minor, d.currency, d.expected_close_date, d.account_id,
       coalesce((SELECT array_agg(c.contact_id ORDER BY c.created_at, c.contact_id) FROM deal_contacts c
                  WHERE c.tenant_id = d.tenant_id AND c.deal_id = d.id), '{}') AS contact_ids,
       d.owner_id, d.closed_at, d.close_reason, d.created_at, d.updated_at
  FROM deals d
  JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id
--;;
GRANT SELECT ON deal_details TO guanxi_app
