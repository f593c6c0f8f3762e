-- Billing: each tenant's billing details and tax rate, invoices and credit notes with their lines,
-- payments recorded by operators, dunning steps, the host's gapless invoice numbering, and the
-- metered (overage) prices of the plans. Invoices and everything hanging off them are tenant rows,
-- so a workspace reads its own under row-level security; billing runs and operators write them
-- as the host role.

-- Who the invoice is addressed to, and the tax rate applied to it (basis points: 600 is 6 %).
CREATE TABLE billing_profiles (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    legal_name text NOT NULL DEFAULT '' CHECK (length(legal_name) <= 200),
    address text NOT NULL DEFAULT '' CHECK (length(address) <= 1000),
    tax_id text NOT NULL DEFAULT '' CHECK (length(tax_id) <= 64),
    email text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    tax_rate_bp integer NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    updated_at timestamptz NOT NULL DEFAULT now()
)
--;;
CREATE TABLE invoices (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    status text NOT NULL CHECK (status IN ('draft', 'issued', 'paid', 'void')),
    -- given at issue from the host's counter; drafts (and drafts voided before issue) have none
    number text,
    currency char(3) NOT NULL,
    period_start timestamptz,
    period_end timestamptz,
    -- set on subscription invoices only: one invoice per tenant and billing period, whoever runs
    -- billing and however often (NULLs, as on credit notes, never collide)
    billing_period_start timestamptz,
    subtotal_minor bigint NOT NULL,
    tax_rate_bp integer NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    tax_minor bigint NOT NULL,
    total_minor bigint NOT NULL,
    paid_minor bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
    -- what credit notes against this invoice took off what is owed
    credited_minor bigint NOT NULL DEFAULT 0 CHECK (credited_minor >= 0),
    credited_invoice_id uuid,
    reason text NOT NULL DEFAULT '',
    issued_at timestamptz,
    due_date date,
    paid_at timestamptz,
    voided_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, billing_period_start),
    FOREIGN KEY (tenant_id, credited_invoice_id) REFERENCES invoices (tenant_id, id),
    CHECK (subtotal_minor + tax_minor = total_minor),
    CHECK (status = 'draft' OR status = 'void' OR number IS NOT NULL),
    CHECK (status <> 'draft' OR number IS NULL),
    CHECK ((kind = 'credit_note') = (credited_invoice_id IS NOT NULL)),
    CHECK (period_end IS NULL OR period_end > period_start)
)
--;;
-- Operators address invoices by id alone, and look them up by number; both are unique by
-- construction (UUID v7, the host counter), so plain indexes serve.
CREATE INDEX invoices_id_idx ON invoices (id)
--;;
CREATE INDEX invoices_number_idx ON invoices (number) WHERE number IS NOT NULL
--;;
CREATE INDEX invoices_open_idx ON invoices (due_date) WHERE status = 'issued'
--;;
CREATE TABLE invoice_lines (
    tenant_id uuid NOT NULL,
    invoice_id uuid NOT NULL,
    position integer NOT NULL CHECK (position >= 1),
    kind text NOT NULL CHECK (kind IN ('plan', 'extra_seats', 'overage', 'proration_credit', 'proration_charge', 'tax', 'credit')),
    description_en text NOT NULL,
    description_zh text NOT NULL,
    quantity bigint NOT NULL,
    unit_amount_minor bigint NOT NULL,
    amount_minor bigint NOT NULL,
    PRIMARY KEY (tenant_id, invoice_id, position),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id)
)
--;;
CREATE TABLE payments (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    invoice_id uuid NOT NULL,
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    currency char(3) NOT NULL,
    received_at timestamptz NOT NULL,
    reference text NOT NULL DEFAULT '',
    recorded_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id)
)
--;;
CREATE INDEX payments_received_idx ON payments (received_at)
--;;
-- Each dunning step is taken once per invoice: the unique key makes concurrent runs harmless.
CREATE TABLE dunning_events (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    invoice_id uuid NOT NULL,
    step text NOT NULL CHECK (step IN ('past_due', 'read_only', 'suspended', 'restored')),
    days_overdue integer NOT NULL,
    outcome text NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, invoice_id, step),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id)
)
--;;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['billing_profiles', 'invoices', 'invoice_lines', 'payments', 'dunning_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY %I ON %I
            USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$,
            t || '_tenant_isolation', t);
        -- billing runs, payments and reports work across tenants, only as the host role
        EXECUTE format('CREATE POLICY %I ON %I TO guanxi_host USING (true) WITH CHECK (true)', t || '_host', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO guanxi_host', t);
    END LOOP;
END $$
--;;
-- A workspace reads its own invoices, lines, payments and billing details; it changes none.
GRANT SELECT ON billing_profiles, invoices, invoice_lines, payments, dunning_events TO guanxi_app
--;;
-- The host's invoice numbers: one row per series (prefix and year, e.g. GX-2026). Issuing locks
-- the row and takes the next numbers in the issuing transaction, so a rolled-back issue gives its
-- numbers back and numbers never have gaps (a sequence would).
CREATE TABLE invoice_number_series (
    series text PRIMARY KEY,
    last_number integer NOT NULL CHECK (last_number >= 0)
)
--;;
GRANT SELECT, INSERT, UPDATE ON invoice_number_series TO guanxi_host
--;;
-- Overage: API calls beyond a plan's monthly allowance, priced per block of calls. Keyed by plan
-- code, so every version of a plan has the same metered price.
CREATE TABLE metered_prices (
    plan_code text PRIMARY KEY,
    included_api_calls_month bigint NOT NULL CHECK (included_api_calls_month >= 0),
    api_calls_block integer NOT NULL CHECK (api_calls_block >= 1),
    block_price_minor bigint NOT NULL CHECK (block_price_minor >= 0)
)
--;;
GRANT SELECT, INSERT, UPDATE ON metered_prices TO guanxi_host
--;;
INSERT INTO metered_prices (plan_code, included_api_calls_month, api_calls_block, block_price_minor) VALUES
    ('free', 300000, 1000, 0),
    ('starter', 1000000, 1000, 100),
    ('growth', 5000000, 1000, 80),
    ('business', 20000000, 1000, 50)
