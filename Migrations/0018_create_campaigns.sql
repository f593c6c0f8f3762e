-- The marketing side (Docs/Marketing.md): campaigns (a trade-fair invitation, a WeChat, SMS or email
-- promotion to a segment of customers, a holiday event), the contacts and leads each targets, every
-- change of a member's status recorded as a touch, and the deals a campaign sourced.
--
-- Every member reads every campaign: there is no record-access policy on these tables, only the
-- tenant's. Who may change a campaign (owners, admins, managers and the campaign's owner) is checked
-- by the service. Contacts and leads keep their own policies, so a member adds to a campaign only the
-- people they see.

-- Budget and actual cost are minor units of the campaign's one currency.
CREATE TABLE campaigns (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    description text CHECK (length(description) BETWEEN 1 AND 5000),
    channel text NOT NULL CHECK (channel IN ('email', 'sms', 'wechat', 'phone', 'event', 'web', 'print', 'other')),
    status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'active', 'completed', 'cancelled')),
    starts_on date,
    ends_on date,
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    budget_minor bigint CHECK (budget_minor BETWEEN 0 AND 999999999999999),
    actual_cost_minor bigint CHECK (actual_cost_minor BETWEEN 0 AND 999999999999999),
    owner_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (ends_on >= starts_on),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id)
)
--;;
CREATE INDEX campaigns_owner_idx ON campaigns (tenant_id, owner_id)
--;;
-- Who a campaign targets: exactly one contact or one lead per row, each at most once per campaign.
-- A deleted contact or lead leaves its campaigns, touches and all.
CREATE TABLE campaign_members (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    campaign_id uuid NOT NULL,
    contact_id uuid,
    lead_id uuid,
    status text NOT NULL DEFAULT 'targeted'
        CHECK (status IN ('targeted', 'sent', 'opened', 'clicked', 'responded', 'bounced', 'unsubscribed')),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    added_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (num_nonnulls(contact_id, lead_id) = 1),
    -- NULLs are distinct, so each serves one kind of member; both lead with the campaign for its lists
    CONSTRAINT campaign_members_contact_key UNIQUE (tenant_id, campaign_id, contact_id),
    CONSTRAINT campaign_members_lead_key UNIQUE (tenant_id, campaign_id, lead_id),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, added_by) REFERENCES users (tenant_id, id)
)
--;;
-- A campaign's members page by id; its report counts them by status.
CREATE INDEX campaign_members_campaign_idx ON campaign_members (tenant_id, campaign_id, id)
--;;
CREATE INDEX campaign_members_status_idx ON campaign_members (tenant_id, campaign_id, status)
--;;
-- The timelines find a customer's memberships.
CREATE INDEX campaign_members_contact_idx ON campaign_members (tenant_id, contact_id) WHERE contact_id IS NOT NULL
--;;
CREATE INDEX campaign_members_lead_idx ON campaign_members (tenant_id, lead_id) WHERE lead_id IS NOT NULL
--;;
-- A member as the API shows it: with the name, email and phone of its contact or lead.
-- security_invoker: the caller's row-level security applies, so a person out of the caller's sight
-- shows as a member with these three NULL.
CREATE VIEW campaign_member_details WITH (security_invoker = true) AS
SELECT m.tenant_id, m.id, m.campaign_id, m.contact_id, m.lead_id, coalesce(c.name, l.name) AS name,
       coalesce(c.email, l.email) AS email, coalesce(c.phone, l.phone) AS phone, m.status, m.status_changed_at, m.added_by,
       m.created_at, m.updated_at
  FROM campaign_members m
  LEFT JOIN contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id
  LEFT JOIN leads l ON l.tenant_id = m.tenant_id AND l.id = m.lead_id
--;;
GRANT SELECT ON campaign_member_details TO guanxi_app
--;;
-- Every change of a member's status, with when it happened (which may be earlier than when it was
-- recorded: an email's opening reported later) and who recorded it. These are what the timelines
-- show as campaign touches; being added to a campaign is not one.
CREATE TABLE campaign_touches (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    member_id uuid NOT NULL,
    from_status text NOT NULL,
    to_status text NOT NULL,
    note text CHECK (length(note) BETWEEN 1 AND 1000),
    occurred_at timestamptz NOT NULL,
    recorded_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES campaign_members (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
)
--;;
CREATE INDEX campaign_touches_member_idx ON campaign_touches (tenant_id, member_id, id)
--;;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['campaigns', 'campaign_members', 'campaign_touches'] LOOP
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
-- The campaign that sourced a deal. Deleting the campaign keeps the deal, without the link.
ALTER TABLE deals ADD COLUMN campaign_id uuid
--;;
ALTER TABLE deals ADD FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id) ON DELETE SET NULL (campaign_id)
--;;
CREATE INDEX deals_campaign_idx ON deals (tenant_id, campaign_id) WHERE campaign_id IS NOT NULL
--;;
-- The deal as the API shows it, now with its campaign (a new last column).
CREATE OR REPLACE VIEW deal_details WITH (security_invoker = true) AS
SELECT d.tenant_id, d.id, d.name, d.pipeline_id, d.stage_id, s.name AS stage_name, s.kind AS status, s.win_probability_bp,
       d.amount_minor, d.currency, d.expected_close_date, d.account_id,
       coalesce((SELECT array_agg(c.contact_id ORDER BY c.created_at, c.contact_id) FROM deal_contacts c
                  WHERE c.tenant_id = d.tenant_id AND c.deal_id = d.id), '{}') AS contact_ids,
       d.owner_id, d.closed_at, d.close_reason, d.created_at, d.updated_at, d.custom_fields, d.campaign_id
  FROM deals d
  JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id
--;;
-- Campaigns and their members are audited and campaigns send webhooks; touches are a record of
-- changes themselves (each one is also the audited update of its member).
SELECT audit_table('campaigns')
--;;
SELECT audit_table('campaign_members')
--;;
SELECT emit_events('campaigns', 'campaign')
