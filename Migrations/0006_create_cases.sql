-- Service cases with SLAs: each workspace's service settings (business hours in a time zone,
-- holidays, SLA targets per priority, escalation), its cases numbered per workspace without gaps,
-- and each case's history. Every table is a tenant table; the host role may only read cases, to
-- find the workspaces whose SLA clocks have run out (the breach sweep then works in each
-- workspace's own scope).

-- One row per workspace, made with the standard defaults the first time the service desk is used.
CREATE TABLE service_settings (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    -- NULL: business hours follow the workspace's tenants.time_zone
    time_zone text,
    -- who takes a case over when one of its SLA clocks runs out; NULL keeps the assignee
    escalation_assignee_id uuid,
    -- whether a breach raises the case's priority one step
    escalate_priority boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, escalation_assignee_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (escalation_assignee_id)
)
--;;
-- Targets in minutes of business time, one row per priority.
CREATE TABLE sla_targets (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    first_response_minutes integer NOT NULL CHECK (first_response_minutes BETWEEN 1 AND 525600),
    resolution_minutes integer NOT NULL CHECK (resolution_minutes BETWEEN first_response_minutes AND 525600),
    PRIMARY KEY (tenant_id, priority)
)
--;;
-- The weekly schedule: opening periods per ISO weekday (1 Monday … 7 Sunday), in minutes after
-- local midnight; a weekday without rows is closed.
CREATE TABLE business_hours (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    weekday integer NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens_minute integer NOT NULL CHECK (opens_minute BETWEEN 0 AND 1439),
    closes_minute integer NOT NULL CHECK (closes_minute BETWEEN 1 AND 1440),
    CHECK (opens_minute < closes_minute),
    PRIMARY KEY (tenant_id, weekday, opens_minute)
)
--;;
-- Whole local days on which the business is closed.
CREATE TABLE business_holidays (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day date NOT NULL,
    name text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    PRIMARY KEY (tenant_id, day)
)
--;;
-- The last case number handed out. Taken by an upsert in the transaction that creates the case,
-- so a failed create gives its number back and numbers have no gaps.
CREATE TABLE case_counters (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    last_number integer NOT NULL CHECK (last_number >= 1001)
)
--;;
CREATE TABLE cases (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    number integer NOT NULL CHECK (number >= 1001),
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    description text CHECK (length(description) BETWEEN 1 AND 20000),
    status text NOT NULL CHECK (status IN ('new', 'open', 'waiting_on_customer', 'resolved', 'closed')),
    priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    category text CHECK (length(category) BETWEEN 1 AND 100),
    channel text NOT NULL CHECK (channel IN ('phone', 'email', 'web', 'walk_in')),
    assignee_id uuid,
    contact_id uuid,
    account_id uuid,
    created_by uuid,
    -- the targets this case is held to, taken from the policy when it was opened or re-prioritised
    first_response_target_minutes integer NOT NULL CHECK (first_response_target_minutes >= 1),
    first_response_due_at timestamptz NOT NULL,
    first_responded_at timestamptz,
    first_response_breached_at timestamptz,
    resolution_target_minutes integer NOT NULL CHECK (resolution_target_minutes >= 1),
    -- set while the resolution clock runs (new, open); while it is stopped the business seconds
    -- that were left are kept instead, and the clock resumes with them
    resolution_due_at timestamptz,
    resolution_seconds_left integer CHECK (resolution_seconds_left >= 0),
    resolution_breached_at timestamptz,
    CHECK ((resolution_due_at IS NULL) <> (resolution_seconds_left IS NULL)),
    -- the nearest time a clock of this case is due: what agents' queues are ordered by
    next_due_at timestamptz GENERATED ALWAYS AS (least(
        CASE WHEN first_responded_at IS NULL AND status IN ('new', 'open', 'waiting_on_customer') THEN first_response_due_at END,
        resolution_due_at)) STORED,
    resolved_at timestamptz,
    closed_at timestamptz,
    satisfaction integer CHECK (satisfaction BETWEEN 1 AND 5),
    satisfaction_comment text CHECK (length(satisfaction_comment) BETWEEN 1 AND 2000),
    satisfaction_recorded_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (assignee_id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id) ON DELETE SET NULL (created_by),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE SET NULL (contact_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE SET NULL (account_id)
)
--;;
-- An agent's queue: their cases, nearest due first.
CREATE INDEX cases_queue_idx ON cases (tenant_id, assignee_id, next_due_at)
--;;
CREATE INDEX cases_contact_idx ON cases (tenant_id, contact_id)
--;;
CREATE INDEX cases_account_idx ON cases (tenant_id, account_id)
--;;
-- The breach sweep looks only at clocks that still run and are not yet flagged, in all workspaces.
CREATE INDEX cases_first_response_due_idx ON cases (first_response_due_at)
    WHERE first_responded_at IS NULL AND first_response_breached_at IS NULL AND status IN ('new', 'open', 'waiting_on_customer')
--;;
CREATE INDEX cases_resolution_due_idx ON cases (resolution_due_at)
    WHERE resolution_breached_at IS NULL AND resolution_due_at IS NOT NULL
--;;
-- Each case's history: status, priority and assignee changes, responses, breaches, escalations
-- and satisfaction ratings, with time and actor (NULL: the SLA monitor). Written, never changed.
CREATE TABLE case_events (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    case_id uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    kind text NOT NULL CHECK (kind IN ('created', 'status_changed', 'priority_changed', 'assignee_changed', 'responded',
                                       'breached', 'escalated', 'satisfaction_recorded')),
    from_value text,
    to_value text,
    note text,
    actor_id uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (actor_id)
)
--;;
CREATE INDEX case_events_case_idx ON case_events (tenant_id, case_id, id)
--;;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['service_settings', 'sla_targets', 'business_hours', 'business_holidays', 'case_counters',
                             'cases', 'case_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY %I ON %I
            USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$,
            t || '_tenant_isolation', t);
    END LOOP;
END $$
--;;
GRANT SELECT, INSERT, UPDATE ON service_settings, sla_targets, case_counters TO guanxi_app
--;;
GRANT SELECT, INSERT, DELETE ON business_hours, business_holidays TO guanxi_app
--;;
GRANT SELECT, INSERT, UPDATE, DELETE ON cases TO guanxi_app
--;;
-- History is appended to, never edited; deleting a case removes its history with it.
GRANT SELECT, INSERT ON case_events TO guanxi_app
--;;
-- The breach sweep finds, across workspaces, which have a clock past its due time; it reads
-- nothing else and changes nothing in host scope.
CREATE POLICY cases_host_read ON cases FOR SELECT TO guanxi_host USING (true)
--;;
GRANT SELECT ON cases TO guanxi_host
