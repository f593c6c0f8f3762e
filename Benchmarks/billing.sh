#!/usr/bin/env bash
# Billing at scale: seeds 10,000 tenants with subscriptions, a year of history and a month of
# metered usage straight into a fresh embedded cluster, then times `guanxi billing run` for last
# month, the same run again (idempotent: nothing to make), and a 12-month MRR report and usage
# report, each beside a bare SQL statement that produces comparable rows, in the same run. Writes
# the figures into the "Billing and reports" section of Docs/Performance.md (that section only).
# `make bench` calls it from Benchmarks/run.sh with the release binary; alone it builds one.
# Usage: Benchmarks/billing.sh [path/to/guanxi]. Environment: BENCH_BILLING_TENANTS (10000).
set -euo pipefail

bench_part=billing
. "$(dirname "$0")/common.sh"
tenants=${BENCH_BILLING_TENANTS:-10000}

use_release_binary "${1:-}"
make_work_dir
say "embedded cluster in $data (durable settings), migrated"
"$binary" db start --data-dir "$data" >/dev/null
"$binary" migrate --data-dir "$data" >/dev/null
read_cluster_secrets
guanxi() { GUANXI_DATA_DIR="$data" "$binary" "$@"; }
# seconds since the epoch, to the millisecond
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

seeding_load=$(load_average)
period=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
report_from=$(date -u -d "$period-01 -11 months" +%Y-%m)
say "seeding $tenants tenants billed for $period"
# Half in Shanghai, half in UTC; anchored on a day 1–28 of the month before last, so each has one
# monthly period ending in $period (a tenth are yearly, anchored a year earlier). Starter or Growth,
# 1–12 seats; every fifth upgraded to Growth in the middle of the period, every seventh changed seats;
# half pay 6 % tax; every tenant has 30 days of metered calls, some past the allowance.
psql_super <<SQL
BEGIN;
CREATE TEMP TABLE seed AS
SELECT n, gen_random_uuid() AS id,
       CASE WHEN n % 2 = 0 THEN 'Asia/Shanghai' ELSE 'UTC' END AS zone,
       CASE WHEN n % 10 = 0 THEN 'yearly' ELSE 'monthly' END AS cycle,
       CASE WHEN n % 3 = 0 THEN '01930000-0000-7000-8000-000000000003' ELSE '01930000-0000-7000-8000-000000000002' END::uuid AS plan,
       1 + n % 12 AS seats,
       ('$period-01'::date - interval '1 month' - CASE WHEN n % 10 = 0 THEN interval '11 months' ELSE interval '0' END
        + (n % 28) * interval '1 day')::timestamp AT TIME ZONE 'UTC' AS anchor
  FROM generate_series(1, $tenants) n;
INSERT INTO tenants (id, slug, name, time_zone, locale)
SELECT id, 'billing-' || n, 'Billing Tenant ' || n, zone, CASE WHEN n % 2 = 0 THEN 'zh-CN' ELSE 'en' END FROM seed;
INSERT INTO subscriptions (tenant_id, plan_id, status, billing_cycle, seats, started_at, anchored_at, current_period_start, current_period_end)
SELECT id, CASE WHEN n % 5 = 0 AND cycle = 'monthly' THEN '01930000-0000-7000-8000-000000000003'::uuid ELSE plan END, 'active', cycle,
       greatest(CASE WHEN n % 7 = 0 AND cycle = 'monthly' THEN seats + 2 ELSE seats END,
                CASE WHEN n % 5 = 0 AND cycle = 'monthly' THEN 10 ELSE 0 END),
       anchor, anchor, anchor, anchor + interval '1 month'
  FROM seed;
-- time-ordered ids, as the server makes them: milliseconds first, then random
CREATE FUNCTION pg_temp.v7(at timestamptz) RETURNS uuid LANGUAGE sql AS
\$\$ SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid \$\$;
INSERT INTO subscription_events (tenant_id, id, occurred_at, kind, to_status, to_plan_id, seats, cause, actor)
SELECT id, pg_temp.v7(anchor), anchor, 'started', 'active', plan, seats, 'seeded', 'bench' FROM seed;
INSERT INTO subscription_events (tenant_id, id, occurred_at, kind, from_plan_id, to_plan_id, cause, actor)
SELECT id, pg_temp.v7(anchor + interval '1 month 12 days'), anchor + interval '1 month 12 days', 'upgraded', plan,
       '01930000-0000-7000-8000-000000000003', 'seeded', 'bench'
  FROM seed WHERE n % 5 = 0 AND cycle = 'monthly';
INSERT INTO subscription_events (tenant_id, id, occurred_at, kind, seats, cause, actor)
SELECT id, pg_temp.v7(anchor + interval '1 month 20 days'), anchor + interval '1 month 20 days', 'seats_changed',
       greatest(seats + 2, CASE WHEN n % 5 = 0 THEN 10 ELSE 0 END), 'seeded', 'bench'
  FROM seed WHERE n % 7 = 0 AND cycle = 'monthly';
INSERT INTO billing_profiles (tenant_id, legal_name, address, tax_id, email, tax_rate_bp)
SELECT id, 'Billing Tenant ' || n || ' Ltd', n || ' Bench Road', 'TAX' || n, 'ap@billing-' || n || '.example', 600
  FROM seed WHERE n % 2 = 0;
INSERT INTO usage_daily (tenant_id, day, api_calls, contacts, accounts, active_seats)
SELECT s.id, d::date, 20000 + (s.n % 50) * 1000, 100 + s.n % 400, 10 + s.n % 90, 1 + s.n % 3
  FROM seed s CROSS JOIN generate_series('$period-01'::date - 31, '$period-01'::date + 30, interval '1 day') d;
COMMIT;
ANALYZE;
SQL
events=$(psql_super -At -c "SELECT count(*) FROM subscription_events")
usage_rows=$(psql_super -At -c "SELECT count(*) FROM usage_daily")
echo "$tenants tenants, $events subscription events, $usage_rows usage rows" >&2

say "guanxi billing run --period $period"
start=$(now)
guanxi billing run --period "$period" >"$work/run.json"
end=$(now)
run_seconds=$(elapsed "$start" "$end")
cat "$work/run.json" >&2
created=$(grep -o '"created" *: *[0-9]*' "$work/run.json" | grep -o '[0-9]*$')
invoices=$(psql_super -At -c "SELECT count(*) FROM invoices")
lines=$(psql_super -At -c "SELECT count(*) FROM invoice_lines")
[ "$created" = "$invoices" ] && [ "$invoices" -gt 0 ] || fail "the run made $created invoices and the table holds $invoices"
balanced=$(psql_super -At -c "SELECT count(*) FROM invoices i WHERE total_minor <> (SELECT sum(amount_minor) FROM invoice_lines l
                                  WHERE l.tenant_id = i.tenant_id AND l.invoice_id = i.id)")
[ "$balanced" = 0 ] || fail "$balanced invoices whose lines do not add up to their total"
gapless=$(psql_super -At -c "SELECT count(*) = count(DISTINCT number) AND min(substring(number FROM 9)::int) = 1
                                  AND max(substring(number FROM 9)::int) = count(*) FROM invoices")
[ "$gapless" = t ] || fail "invoice numbers are not 1…$invoices once each"

say "the same run again (idempotent)"
start=$(now)
guanxi billing run --period "$period" >"$work/rerun.json" 2>/dev/null
end=$(now)
rerun_seconds=$(elapsed "$start" "$end")
[ "$(psql_super -At -c "SELECT count(*) FROM invoices")" = "$invoices" ] || fail "the second run made invoices"

say "guanxi report mrr --from $report_from --to $period"
start=$(now)
guanxi report mrr --from "$report_from" --to "$period" --format csv >"$work/mrr.csv"
end=$(now)
mrr_seconds=$(elapsed "$start" "$end")
cat "$work/mrr.csv" >&2
[ "$(wc -l <"$work/mrr.csv")" -eq 13 ] || fail "the MRR report has $(wc -l <"$work/mrr.csv") lines, not a header and 12 months"

say "guanxi report usage --from $report_from --to $period"
start=$(now)
guanxi report usage --from "$report_from" --to "$period" --format csv >"$work/usage.csv"
end=$(now)
usage_seconds=$(elapsed "$start" "$end")
[ "$(wc -l <"$work/usage.csv")" -eq $((tenants + 1)) ] || fail "the usage report has $(wc -l <"$work/usage.csv") lines"

say "bare SQL references"
# The bare statement that comes closest to the run: every tenant's plan, extra seats and tax,
# three lines each, inserted with INSERT … SELECT into copies of the tables (no history, no
# proration, no metering, no numbering), in one transaction.
sql_time() { # a statement → its seconds, as psql's \timing reports it
    psql_super -c '\timing on' -c "$1" | awk '/^Time: / { printf "%.2f", $2 / 1000 }'
}
psql_super -c "CREATE TABLE bench_invoices (LIKE invoices INCLUDING DEFAULTS); CREATE TABLE bench_lines (LIKE invoice_lines INCLUDING DEFAULTS)"
run_sql_seconds=$(sql_time "
WITH due AS (
    SELECT s.tenant_id, gen_random_uuid() AS id, p.currency, s.current_period_start, s.current_period_end,
           CASE s.billing_cycle WHEN 'monthly' THEN p.price_month_minor ELSE p.price_year_minor END AS plan_amount,
           greatest(s.seats - p.included_seats, 0) * p.extra_seat_month_minor AS seat_amount, coalesce(b.tax_rate_bp, 0) AS rate
      FROM subscriptions s JOIN plans p ON p.id = s.plan_id LEFT JOIN billing_profiles b ON b.tenant_id = s.tenant_id),
invoices AS (
    INSERT INTO bench_invoices (tenant_id, id, kind, status, currency, period_start, period_end, billing_period_start, subtotal_minor,
                                tax_rate_bp, tax_minor, total_minor)
    SELECT tenant_id, id, 'invoice', 'issued', currency, current_period_start, current_period_end, current_period_start,
           plan_amount + seat_amount, rate, round((plan_amount + seat_amount) * rate / 10000.0),
           plan_amount + seat_amount + round((plan_amount + seat_amount) * rate / 10000.0)
      FROM due RETURNING tenant_id, id, subtotal_minor, tax_minor)
INSERT INTO bench_lines (tenant_id, invoice_id, position, kind, description_en, description_zh, quantity, unit_amount_minor, amount_minor)
SELECT d.tenant_id, d.id, l.position, l.kind, l.kind, l.kind, 1, l.amount, l.amount
  FROM due d JOIN invoices i ON i.id = d.id
 CROSS JOIN LATERAL (VALUES (1, 'plan', d.plan_amount), (2, 'extra_seats', d.seat_amount), (3, 'tax', i.tax_minor)) AS l (position, kind, amount)")
# The report's reference: each tenant's monthly price at each of the 12 month ends, summed per
# month, from the current subscriptions alone (no history replayed).
mrr_sql_seconds=$(sql_time "
SELECT to_char(m, 'YYYY-MM'), p.currency,
       sum(CASE s.billing_cycle WHEN 'monthly' THEN p.price_month_minor ELSE round(p.price_year_minor / 12.0) END
           + greatest(s.seats - p.included_seats, 0) * p.extra_seat_month_minor)
  FROM generate_series('$report_from-01'::date, '$period-01'::date, interval '1 month') m
 CROSS JOIN subscriptions s JOIN plans p ON p.id = s.plan_id
 WHERE s.started_at < m + interval '1 month' AND s.status IN ('active', 'past_due', 'read_only', 'locked')
 GROUP BY 1, 2")
usage_sql_seconds=$(sql_time "
SELECT t.id, t.slug, p.code, sum(u.api_calls), max(u.contacts), max(u.accounts), max(u.active_seats)
  FROM subscriptions s JOIN tenants t ON t.id = s.tenant_id JOIN plans p ON p.id = s.plan_id
  LEFT JOIN usage_daily u ON u.tenant_id = s.tenant_id AND u.day >= '$report_from-01' AND u.day < '$period-01'::date + interval '1 month'
 GROUP BY t.id, t.slug, p.code")

section="$work/section.md"
cat >"$section" <<EOF
## Billing and reports

Written by [Benchmarks/billing.sh](../Benchmarks/billing.sh) (called by \`make bench\`, or run alone:
\`bash Benchmarks/billing.sh\`) on $(date -u +%Y-%m-%d), commit $(commit_description), $(machine_description).
The machine is shared with other builds and tests (load average $seeding_load over the last minute when
the seeding began), so the times vary from run to run; the ratios to the bare SQL, measured in the
same run, vary less.

**Method.** A fresh embedded cluster (durable settings) is seeded by SQL with $tenants tenants (half in
Asia/Shanghai, half in UTC), each with a subscription to Starter or Growth of 1–12 seats anchored on a
day 1–28, a tenth billed yearly; every fifth upgraded and every seventh changed seats in the middle of
the period (so those invoices have proration lines); half have a 6 % tax rate; and 62 days of
metered usage each ($events subscription events, $usage_rows usage rows). Each command is the release
binary run against that cluster (\`GUANXI_DATA_DIR\`), process start included, timed by the wall clock.
The bare SQL references are single statements timed by psql's \`\\timing\` on the same database: they
produce comparable rows without the product's rules (no history, proration, metering or numbering),
so the ratio says what those rules and the client cost.

| measure | time | bare SQL reference | ratio |
|---|---|---|---|
| \`guanxi billing run --period $period\`: $invoices invoices, $lines lines, numbered and issued | **${run_seconds} s** | ${run_sql_seconds} s: \`INSERT … SELECT\` of one invoice and three lines per tenant | $(ratio "$run_seconds" "$run_sql_seconds" 1) |
| the same run again (finds every invoice made, makes none) | ${rerun_seconds} s | | |
| \`guanxi report mrr --from $report_from --to $period\` (12 months, movements from each tenant's history) | **${mrr_seconds} s** | ${mrr_sql_seconds} s: month-end price sums from current subscriptions | $(ratio "$mrr_seconds" "$mrr_sql_seconds" 1) |
| \`guanxi report usage --from $report_from --to $period\` ($tenants rows) | ${usage_seconds} s | ${usage_sql_seconds} s: the same aggregate | $(ratio "$usage_seconds" "$usage_sql_seconds" 1) |

Each command's time includes starting the process, connecting and checking the migrations: that is
most of the second run's time, which otherwise only looks for tenants still without an invoice.

Checked in the same run: the run made as many invoices as the table holds, every invoice's lines add
up to its total, the numbers run from 1 to $invoices without gaps, and the second run made none.
EOF
replace_sections "$section"
say "billing results (written to Docs/Performance.md)"
cat "$section"
