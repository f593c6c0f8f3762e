#!/usr/bin/env bash
# `make bench`: how fast the release server answers the hottest tenant read, next to what
# PostgreSQL itself does with the same read (pgbench), on loopback, in one run on one machine.
# It builds a release binary under .build-release, serves the embedded default from a temporary
# data directory, seeds 20 tenants of 1,000 contacts each, loads GET /api/v1/contacts/{id} with wrk,
# loads the same SELECT with pgbench, and writes the figures into Docs/Performance.md. A phase
# (fair sharing) measures one tenant's latency alone and again while another tenant floods the same
# server far past its plan's limits, and Benchmarks/import.sh imports 100,000 contacts through the
# API beside psql's \copy. Then Benchmarks/billing.sh times a billing run and a year of reports over
# 10,000 tenants, and Benchmarks/search.sh loads the contact list and search of a tenant with 100,000
# contacts, with the same binary. Each part replaces its own sections of Docs/Performance.md and
# leaves the others (the hand-written "Where the time goes" among them) as they are.
# Usage: Benchmarks/run.sh [path/to/guanxi] (default: build the release binary).
# Environment: BENCH_SECONDS (length of each load phase, default 20), BENCH_CLIENTS (the numbers of
# concurrent clients the read is measured at, default "16 32 64"), BENCH_ROUNDS (how many times each
# of those is measured, default 2), BENCH_CONNECTIONS (16, for the
# warm-up and Benchmarks/search.sh), BENCH_THREADS (2), BENCH_ONLY=read (only the read and its
# pgbench references: the Method and Results sections are rewritten, fair sharing, import, billing
# and search are skipped — minutes instead of half an hour, for measuring a change to the hot path).
set -euo pipefail

bench_part=""
. "$(dirname "$0")/common.sh"
only=${BENCH_ONLY:-}
client_levels=${BENCH_CLIENTS:-16 32 64}
rounds=${BENCH_ROUNDS:-2}
case $rounds in "" | *[!0-9]* | 0) fail "BENCH_ROUNDS must be a positive number, not $rounds" ;; esac
# The read's runs in the order they are measured, each named <clients>_<round>.
runs=$(for round in $(seq "$rounds"); do for clients in $client_levels; do printf '%s ' "${clients}_$round"; done; done)
case $only in "" | read) ;; *) fail "BENCH_ONLY must be empty or read, not $only" ;; esac
target_ratio=0.25
tenants_total=20
contacts_per_tenant=1000
accounts_per_tenant=10

use_release_binary "${1:-}"
make_work_dir
start_server

say "plan, tenant and data"
# The bench tenant rents a plan whose rate and concurrency limits are out of wrk's reach: every
# request still goes through the limiter and the usage meter, but none is refused.
publish_plan bench Benchmark 压测 1000 '{"api_per_minute":2000000000,"api_per_day":2000000000,"concurrent_requests":1000}'
api_key=$(provision_tenant bench "Bench Co" bench)
tenant_id=$(psql_super -At -c "SELECT id FROM tenants WHERE slug = 'bench'")
[ -n "$tenant_id" ] || fail "tenant bench not found"
owner_id=$(psql_super -At -c "SELECT user_id FROM memberships WHERE tenant_id = '$tenant_id' AND role = 'owner'")

# The bench tenant and 19 others share the contacts table; ids are random, as in a long-lived
# table where tenants' rows interleave. The superuser bypasses row-level security to seed, with the
# quota triggers off for the seeding transaction only (they count one tenant's rows, the one in
# app.tenant_id, and these inserts span 20): the seeded rows are not counted against any quota.
psql_super <<SQL
BEGIN;
ALTER TABLE accounts DISABLE TRIGGER accounts_quota;
ALTER TABLE contacts DISABLE TRIGGER contacts_quota;
INSERT INTO tenants (id, slug, name)
SELECT gen_random_uuid(), 'bench-other-' || n, 'Bench Other ' || n FROM generate_series(1, $((tenants_total - 1))) n;
INSERT INTO accounts (tenant_id, id, name, website, industry)
SELECT t.id, gen_random_uuid(), 'Account ' || n, 'https://account' || n || '.example', 'Trading'
  FROM tenants t CROSS JOIN generate_series(1, $accounts_per_tenant) n
 WHERE t.slug = 'bench' OR t.slug LIKE 'bench-other-%';
WITH numbered AS (
    SELECT tenant_id, id, row_number() OVER (PARTITION BY tenant_id ORDER BY id) - 1 AS k FROM accounts
)
INSERT INTO contacts (tenant_id, id, account_id, name, email, phone, title, created_at, updated_at)
SELECT t.id, gen_random_uuid(), a.id, 'Contact ' || n, 'contact' || n || '@' || t.slug || '.example',
       '+86 138-' || lpad(n::text, 4, '0') || '-8000', (ARRAY['Buyer', 'Owner', 'Engineer'])[1 + n % 3],
       now() - n * interval '1 minute', now()
  FROM tenants t CROSS JOIN generate_series(1, $contacts_per_tenant) n
  LEFT JOIN numbered a ON a.tenant_id = t.id AND a.k = n % ($accounts_per_tenant + 1)
 WHERE t.slug = 'bench' OR t.slug LIKE 'bench-other-%';
ALTER TABLE accounts ENABLE TRIGGER accounts_quota;
ALTER TABLE contacts ENABLE TRIGGER contacts_quota;
COMMIT;
-- Vacuumed and checkpointed now, so that no phase pays for the seeding (autovacuum, hint bits,
-- dirty pages written out) and the ones after it do not run on a tidier database than the first.
VACUUM (ANALYZE) tenants, accounts, contacts;
CHECKPOINT;
SQL
contact_id=$(psql_super -At -c "SELECT id FROM contacts WHERE tenant_id = '$tenant_id' ORDER BY id OFFSET $((contacts_per_tenant / 2)) LIMIT 1")
contact_rows=$(psql_super -At -c "SELECT count(*) FROM contacts")
tenant_rows=$(psql_super -At -c "SELECT count(DISTINCT tenant_id) FROM contacts")
[ -n "$contact_id" ] || fail "no contact of tenant bench"
echo "tenant $tenant_id, contact $contact_id; $contact_rows contacts of $tenant_rows tenants" >&2

url="$base/api/v1/contacts/$contact_id"
status=$(curl -sk -o "$work/contact.json" -w '%{http_code}' -H "Authorization: Bearer $api_key" "$url")
[ "$status" = 200 ] || fail "GET /api/v1/contacts/{id} answered $status: $(cat "$work/contact.json")"
grep -q "$contact_id" "$work/contact.json" || fail "the contact's body does not name it: $(cat "$work/contact.json")"

# --- CPU accounting: clock ticks used by the server, by this cluster's processes, by the load
# tool and by the whole machine, over a window in the middle of each phase (after the first
# seconds, before the tool starts to disconnect), so that connections opened and closed by the
# tool are counted while they live.
clock_ticks=$(getconf CLK_TCK)
cpu_count=$(nproc)
database_connections=16  # guanxi serve's default
postmaster_pid=$(head -n 1 "$data/db/postgres/postmaster.pid")
if [ "$seconds" -ge 8 ]; then ramp=2; window=$((seconds - 4)); else ramp=1; window=$((seconds > 2 ? seconds - 2 : 1)); fi
process_ticks() { # pid... → "pid ticks" lines (utime + stime)
    local pid
    for pid in "$@"; do
        if [ -r "/proc/$pid/stat" ]; then
            awk -v pid="$pid" '{ sub(/^.*\) /, ""); print pid, $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || true
        fi
    done
}
cluster_processes() { echo "$postmaster_pid"; ps -o pid= --ppid "$postmaster_pid" || true; }
machine_busy() { awk '/^cpu / { print "machine", $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
snapshot() { # tool-pid... → "group pid ticks" lines
    process_ticks "$@" | sed 's/^/tool /'
    process_ticks "$server_pid" | sed 's/^/server /'
    process_ticks $(cluster_processes) | sed 's/^/postgres /'
    machine_busy | sed 's/^machine/machine 0/'
}
# cores used by each group between two snapshots (a process that started in between counts fully)
cores_between() {
    awk -v hz="$clock_ticks" -v elapsed="$3" '
        NR == FNR { before[$1 " " $2] = $3; next }
        { used[$1] += $3 - (($1 " " $2) in before ? before[$1 " " $2] : 0) }
        END {
            other = used["machine"] - used["tool"] - used["server"] - used["postgres"]
            if (other < 0) other = 0
            printf "%.2f %.2f %.2f %.2f\n", used["tool"] / hz / elapsed, used["server"] / hz / elapsed,
                   used["postgres"] / hz / elapsed, other / hz / elapsed
        }' "$1" "$2"
}

# cpu_row NAME LABEL [RATE]: a table row of the cores each side used in phase NAME; given the
# phase's rate, also the CPU microseconds each side spent per request and the load average.
cpu_row() {
    local tool server postgres other
    read -r tool server postgres other <"$work/$1.cpu"
    if [ -z "${3:-}" ]; then echo "| $2 | $server | $postgres | $tool | $other |"; return; fi
    echo "| $2 | $server | $postgres | $tool | $other | $(awk -v s="$server" -v p="$postgres" -v t="$tool" -v r="$3" 'BEGIN {
        printf "%.0f + %.0f + %.0f = **%.0f**", s / r * 1e6, p / r * 1e6, t / r * 1e6, (s + p + t) / r * 1e6 }') | $(cat "$work/$1.load") |"
}

# run_phase NAME COMMAND...: runs the load tool, its output in $work/NAME.out, and writes the cores
# each side used to $work/NAME.cpu as "tool server postgres other", and the machine's load average
# as the phase began to $work/NAME.load.
run_phase() {
    local name=$1; shift
    load_average >"$work/$name.load"
    "$@" >"$work/$name.out" 2>&1 &
    local tool_pid=$! start end
    sleep "$ramp"
    start=$(date +%s.%N)
    snapshot "$tool_pid" >"$work/$name.cpu0"
    sleep "$window"
    snapshot "$tool_pid" >"$work/$name.cpu1"
    end=$(date +%s.%N)
    # what top sees during the API phase, on the console only (its second frame: the first one
    # averages since each process started)
    case $name in api*) top -b -n 2 -d 1 -w 200 | awk '/^top -/ { frame++ } frame == 2' | head -n 20 >"$work/$name.top" || true ;; esac
    wait "$tool_pid" || { cat "$work/$name.out" >&2; fail "$name: $1 failed"; }
    cores_between "$work/$name.cpu0" "$work/$name.cpu1" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" \
        >"$work/$name.cpu"
}

# The read is measured at each number of concurrent clients in $client_levels, the API and pgbench
# taking turns at each level, so that a change in the machine's load falls on both, and all of that
# $rounds times. Each side's rate is its best over the levels: a request to the API spends longer in
# flight than PostgreSQL's read alone (TLS, HTTP and the server's work lie between the client and
# the database), so the API needs more requests in flight than pgbench to keep the cores busy, and
# a single level would compare one side's capacity with the other's latency. And its best over the
# rounds: on this shared machine the same binary's rate differs by about 10 % from one run to the
# next, and what else runs only ever slows a side down. The target compares the two best rates;
# every run's figures are written down too.
say "API warm-up (5 s, not counted)"
wrk -t"$threads" -c"$connections" -d5s -H "Authorization: Bearer $api_key" "$url" >/dev/null

# The same read for pgbench: the plain SELECT as the superuser (no row-level security), and the
# server's own statement as the serving role, through the function that scopes itself.
columns="id, account_id, name, email, phone, title, owner_id, created_at, updated_at"
echo "SELECT $columns FROM contacts WHERE tenant_id = '$tenant_id' AND id = '$contact_id';" >"$work/plain.sql"
echo "SELECT $columns FROM contact_in_tenant('$tenant_id', '$owner_id', 'owner', '$contact_id');" >"$work/scoped.sql"
pgbench_run() { # name clients user password mode script
    local name=$1 clients=$2 user=$3 password=$4 mode=$5 script=$6
    say "pgbench $name: -U $user -n -M $mode -c$clients -j$threads -T$seconds"
    run_phase "$name" env PGPASSWORD="$password" pgbench -h "$socket_dir" -p 5432 -U "$user" \
        -n -M "$mode" -c"$clients" -j"$threads" -T"$seconds" -f "$script" guanxi
    grep -E '^(number of (transactions actually processed|failed transactions)|latency average|tps)' "$work/$name.out" >&2 || true
    [ -n "$(pgbench_tps "$work/$name.out")" ] || { cat "$work/$name.out" >&2; fail "cannot read pgbench's output ($name)"; }
}

api_errors=""
for run in $runs; do
    clients=${run%_*}
    say "API, round ${run#*_}: wrk -t$threads -c$clients -d${seconds}s GET /api/v1/contacts/{id}"
    # A request slower than wrk's default 2 s (on a machine busy with other work) counts in the
    # latencies, not as a socket error.
    run_phase "api_$run" wrk -t"$threads" -c"$clients" -d"${seconds}s" --timeout 10s --latency \
        -H "Authorization: Bearer $api_key" "$url"
    cat "$work/api_$run.out" "$work/api_$run.top" >&2
    [ -n "$(wrk_field rps "$work/api_$run.out")" ] && [ -n "$(wrk_field p99 "$work/api_$run.out")" ] \
        || fail "cannot read wrk's output ($clients clients)"
    if [ "$(wrk_field non2xx "$work/api_$run.out")" != 0 ] || [ "$(wrk_field socket "$work/api_$run.out")" != none ]; then
        api_errors="$api_errors $clients clients (non-2xx: $(wrk_field non2xx "$work/api_$run.out"); socket errors: $(wrk_field socket "$work/api_$run.out"));"
    fi
    pgbench_run "plain_$run" "$clients" postgres "$superuser_password" extended "$work/plain.sql"
done

# rate PHASE: the requests or transactions a second of a phase; best_run PREFIX: the run whose
# phase PREFIX_<run> had the highest rate.
rate() { case $1 in api*) wrk_field rps "$work/$1.out" ;; *) pgbench_tps "$work/$1.out" ;; esac; }
best_run() {
    local run best="" best_rate=0
    for run in $runs; do
        if awk -v a="$(rate "$1_$run")" -v b="$best_rate" 'BEGIN { exit !(a > b) }'; then best=$run; best_rate=$(rate "$1_$run"); fi
    done
    echo "$best"
}
api_run=$(best_run api)
plain_run=$(best_run plain)
api_clients=${api_run%_*}
plain_clients=${plain_run%_*}
api_rps=$(rate "api_$api_run")
plain_tps=$(rate "plain_$plain_run")

# The scoped references at the level where PostgreSQL did best.
pgbench_run scoped "$plain_clients" guanxi_app "$app_password" extended "$work/scoped.sql"
pgbench_run scoped_prepared "$plain_clients" guanxi_app "$app_password" prepared "$work/scoped.sql"
scoped_tps=$(rate scoped)
scoped_prepared_tps=$(rate scoped_prepared)

if [ "$only" = read ]; then
    say "BENCH_ONLY=read: fair sharing, import, billing and search are skipped"
else
    . Benchmarks/fair.sh
    . Benchmarks/import.sh
fi

say "stopping the server"
stop_server

# --- Results
plain_ratio=$(ratio "$api_rps" "$plain_tps" 3)  # to 3 decimals, so that 0.246 does not read as the 0.25 it misses
scoped_ratio=$(ratio "$api_rps" "$scoped_tps")
scoped_prepared_ratio=$(ratio "$api_rps" "$scoped_prepared_tps")
if awk -v r="$api_rps" -v p="$plain_tps" -v t="$target_ratio" 'BEGIN { exit !(r / p >= t) }'; then
    verdict="**met**: the API served $plain_ratio of pgbench's plain rate (target $target_ratio)."
else
    verdict="**not met**: the API served $plain_ratio of pgbench's plain rate (target $target_ratio)."
fi
if [ -n "$api_errors" ]; then
    verdict="$verdict The API had errors at$api_errors so its rates do not count."
fi
today=$(date -u +%Y-%m-%d)
memory=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
postgres_version=$(PGPASSWORD="$superuser_password" pgbench --version | awk '{ print $3 }')
wrk_version=$({ wrk --version 2>&1 || true; } | awk 'NR == 1 { print $2 }')
command="make bench"
if [ "$only" = read ] || [ "$seconds" != 20 ] || [ "$client_levels" != "16 32 64" ] || [ "$rounds" != 2 ]; then
    command="bash Benchmarks/run.sh"
    [ "$only" != read ] || command="BENCH_ONLY=read $command"
    [ "$seconds" = 20 ] || command="BENCH_SECONDS=$seconds $command"
    [ "$client_levels" = "16 32 64" ] || command="BENCH_CLIENTS='$client_levels' $command"
    [ "$rounds" = 2 ] || command="BENCH_ROUNDS=$rounds $command"
fi

cat >"$work/read.md" <<EOF
# Performance

\`make bench\` measures the hottest tenant read — one contact by id, \`GET /api/v1/contacts/{id}\` with
an API key — on a release build, and sets it beside what PostgreSQL does with the same read on its
own. [Benchmarks/run.sh](../Benchmarks/run.sh) and the scripts it calls rewrite their sections of
this file on every run; "Where the time goes" is written by hand, from a profile.

## Method

- **Server**: \`guanxi serve\` built with \`-c release\`, serving the embedded default (a private
  PostgreSQL cluster on a Unix socket, durable settings) from a temporary data directory, over HTTPS
  on 127.0.0.1 with its self-signed certificate and \`--log-level warning\`. It serves as
  \`guanxi_app\`, which cannot bypass row-level security, with a pool of $database_connections database connections.
- **Data**: $tenant_rows tenants share the tables, $contacts_per_tenant contacts and $accounts_per_tenant accounts each ($contact_rows contacts in
  all, random ids), so the read goes through the primary key of a table that other tenants' rows
  interleave with.
- **API**: \`wrk -t$threads -c<clients> -d${seconds}s --latency\` on one contact of one tenant, after a 5 s
  warm-up; HTTP/1.1 keep-alive over TLS. Each request authenticates its key (a cached credential,
  checked in the database again at most every 5 s), passes the plan's rate limits and is counted for
  usage, runs \`SELECT … FROM contact_in_tenant(\$1, \$2, \$3, \$4)\` as a prepared statement — one round
  trip that sets \`app.tenant_id\`, \`app.user_id\` and \`app.role\` for its own transaction and reads under
  row-level security (the owner's key: the record-access policy lets the owner see every contact) — and
  writes the contact as JSON. The tenant rents a plan published for the benchmark whose limits wrk
  cannot reach, so no request is refused (the catalog's own plans allow a few thousand a minute).
- **Reference**: pgbench on the same database in the same run, \`-c<clients> -j$threads -T$seconds\`:
  1. *plain*: \`SELECT <the same columns> FROM contacts WHERE tenant_id = '…' AND id = '…'\` as the
     superuser (no row-level security), \`-M extended\` — PostgreSQL's own rate for this read, with
     nothing of ours in between. **The target is measured against this one.**
  2. *scoped*: the server's exact statement, \`SELECT <the same columns> FROM contact_in_tenant('…', '<owner>', 'owner', '…')\`,
     as \`guanxi_app\`, \`-M extended\`; and again with \`-M prepared\`, which is how the server sends it;
     both with as many clients as the plain read's best rate had.
- **Clients**: wrk and pgbench take turns at each number of concurrent clients of $client_levels (the
  same numbers for both), in $rounds rounds, and each side's rate is its best. The API's requests
  spend longer in flight than PostgreSQL's reads alone — TLS, HTTP and the server's work lie between
  the client and the database — so the API needs more of them in flight to keep the cores busy; at
  one fixed number a rate that is short of its peak would be set beside one that is not. The rounds
  are there because the machine is shared: one binary's rate differs by about 10 % from one run to
  the next, and what else runs only ever slows a side down, so each side's best run is the one least
  disturbed. Every run's figures are in the second table.
- pgbench is the reference because it is the thinnest client PostgreSQL has: the gap between its
  rate and the API's is what TLS, HTTP, routing, authentication, JSON and the Swift driver cost.
- Everything runs on the same $cpu_count cores: the load generator (wrk or pgbench), the server and
  PostgreSQL compete for them, so neither figure is a ceiling for a machine whose clients are
  elsewhere. The machine is shared with other builds and tests: the CPU table shows where the cores
  went in the middle of each phase ("other" is everything else that ran meanwhile), the CPU time
  one request or transaction took (which depends less on what else runs than the rates do), and
  the load average as each phase began.

## Results

| | |
|---|---|
| date | $today |
| machine | $(machine_description), $memory |
| software | PostgreSQL $postgres_version, wrk $wrk_version |
| commit | $(commit_description) |
| command | \`$command\` |

| measure | result |
|---|---|
| API, \`GET /api/v1/contacts/{id}\`, best rate | **$(round "$api_rps") req/s** with $api_clients clients, p50 $(wrk_field p50 "$work/api_$api_run.out"), p99 $(wrk_field p99 "$work/api_$api_run.out") |
| pgbench, plain SELECT, superuser, \`-M extended\`, best rate | **$(round "$plain_tps") tps** with $plain_clients clients |
| pgbench, \`contact_in_tenant\`, \`guanxi_app\`, \`-M extended\` | $(round "$scoped_tps") tps ($plain_clients clients) |
| pgbench, \`contact_in_tenant\`, \`guanxi_app\`, \`-M prepared\` | $(round "$scoped_prepared_tps") tps ($plain_clients clients) |
| API / pgbench plain | **$plain_ratio** |
| API / pgbench scoped (extended) | $scoped_ratio |
| API / pgbench scoped (prepared) | $scoped_prepared_ratio |

Target (API at least $target_ratio of pgbench plain \`-M extended\`): $verdict

Every run, in the order measured (at each number of clients the API and pgbench plain in turn):

| round | clients | API req/s | API p50 | API p99 | API requests (non-2xx; socket errors) | pgbench plain tps | API / pgbench plain |
|---|---|---|---|---|---|---|---|
$(for run in $runs; do
    out="$work/api_$run.out"
    echo "| ${run#*_} | ${run%_*} | $(round "$(rate "api_$run")") | $(wrk_field p50 "$out") | $(wrk_field p99 "$out") | $(wrk_field requests "$out") ($(wrk_field non2xx "$out"); $(wrk_field socket "$out")) | $(round "$(rate "plain_$run")") | $(ratio "$(rate "api_$run")" "$(rate "plain_$run")" 3) |"
done)

Cores used during each phase (of $cpu_count), CPU time per request or transaction, and the machine's
load average (one minute) as the phase began:

| phase | guanxi | PostgreSQL | load tool | other | CPU µs per request: guanxi + PostgreSQL + tool | load |
|---|---|---|---|---|---|---|
$(for run in $runs; do
    cpu_row "api_$run" "API (wrk), ${run%_*} clients, round ${run#*_}" "$(rate "api_$run")"
    cpu_row "plain_$run" "pgbench plain, ${run%_*} clients, round ${run#*_}" "$(rate "plain_$run")"
done)
$(cpu_row scoped "pgbench scoped, extended" "$scoped_tps")
$(cpu_row scoped_prepared "pgbench scoped, prepared" "$scoped_prepared_tps")
EOF
replace_sections "$work/read.md"
if [ "$only" != read ]; then
    replace_sections "$work/fair.md"
    replace_sections "$work/import.md"
    say "billing and reports (Benchmarks/billing.sh)"
    bash Benchmarks/billing.sh "$binary"
    say "list and search (Benchmarks/search.sh)"
    bash Benchmarks/search.sh "$binary"
fi

say "results (written to Docs/Performance.md)"
awk '/^## / { on = ($0 == "## Results") } on' Docs/Performance.md
if [ "$only" != read ] && { [ "$alone_non2xx" != 0 ] || [ "$flooded_non2xx" != 0 ]; }; then
    fail "the quiet tenant received non-2xx responses (alone: $alone_non2xx; flooded: $flooded_non2xx)"
fi
[ -z "$api_errors" ] || fail "the API had errors at$api_errors"
