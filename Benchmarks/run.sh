#!/usr/bin/env bash
# `make bench`: how fast the release server answers the hottest tenant read, next to what
# PostgreSQL itself does with the same read (pgbench), on loopback, in one run on one machine.
# It builds a release binary under .build-release, serves the embedded default from a temporary
# data directory, seeds 20 tenants of 1,000 contacts each, loads GET /api/v1/contacts/{id} with wrk,
# loads the same SELECT with pgbench, and rewrites Docs/Performance.md with the figures. A last
# phase (fair sharing) measures one tenant's latency alone and again while another tenant floods
# the same server far past its plan's limits. Then Benchmarks/billing.sh times a billing run and a
# year of reports over 10,000 tenants, and Benchmarks/search.sh loads the contact list and search of
# a tenant with 100,000 contacts, with the same binary; each adds its section to the file.
# Environment: BENCH_SECONDS (length of each load phase, default 20), BENCH_CONNECTIONS (16),
# BENCH_THREADS (2).
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
seconds=${BENCH_SECONDS:-20}
connections=${BENCH_CONNECTIONS:-16}
threads=${BENCH_THREADS:-2}
target_ratio=0.25
tenants_total=20
contacts_per_tenant=1000
accounts_per_tenant=10

say() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }

say "dependencies"
bash Deploy/bootstrap.sh bench

say "release build (.build-release)"
swift build -c release --product guanxi --scratch-path .build-release
binary="$repo/.build-release/release/guanxi"
[ -x "$binary" ] || fail "no binary at $binary"

# The cluster runs as the postgres user when we are root: it must be able to reach the data dir.
work=$(mktemp -d /tmp/guanxi-bench.XXXXXX)
chmod 755 "$work"
data="$work/data"
mkdir -m 755 "$data"
server_pid=""
flood_pid=""

# The cluster's pg_ctl, to stop it here if the server could not (killed, or failed half-way).
postgres_bin=${GUANXI_POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 120); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            echo "bench: the server did not exit within 60 s of SIGTERM; killing it" >&2
            kill -KILL "$server_pid" 2>/dev/null || true
        fi
        local exit_status=0
        wait "$server_pid" 2>/dev/null || exit_status=$?
        [ "$exit_status" -eq 0 ] || echo "bench: the server exited with status $exit_status" >&2
    fi
    server_pid=""
    # If the server could not stop its cluster (killed, or it failed half-way), stop it here.
    local cluster="$data/db/postgres"
    if [ -f "$cluster/postmaster.pid" ]; then
        echo "bench: the server left its PostgreSQL running; stopping it" >&2
        if [ "$(id -u)" -eq 0 ]; then
            runuser -u postgres -- "$postgres_bin/pg_ctl" -D "$cluster" -m immediate -w stop >/dev/null 2>&1 || true
        else
            "$postgres_bin/pg_ctl" -D "$cluster" -m immediate -w stop >/dev/null 2>&1 || true
        fi
    fi
}

cleanup() {
    local status=$?
    if [ -n "$flood_pid" ]; then
        kill -TERM "$flood_pid" 2>/dev/null || true
        wait "$flood_pid" 2>/dev/null || true
        flood_pid=""
    fi
    stop_server
    if [ $status -ne 0 ] && [ -f "$work/server.log" ]; then
        echo "bench: failed; the server's last output:" >&2
        tail -n 30 "$work/server.log" >&2 || true
    fi
    rm -rf "$work"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free port on loopback: one that nobody answers on.
port=""
for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || fail "no free port found"
base="https://127.0.0.1:$port"
operator_token=$(openssl rand -hex 24)

say "server on $base (data in $data)"
GUANXI_OPERATOR_TOKEN="$operator_token" "$binary" serve --data-dir "$data" --port "$port" --log-level warning \
    >"$work/server.log" 2>&1 &
server_pid=$!
# Ready when /healthz answers and the start-up tasks (operator token, demo tenant) have printed.
for attempt in $(seq 1 240); do
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited during start-up"
    if grep -q "Guanxi is serving at" "$work/server.log" && curl -sfk -o /dev/null "$base/healthz"; then break; fi
    [ "$attempt" -eq 240 ] && fail "the server was not ready within 120 s"
    sleep 0.5
done

socket_dir="$data/db/run"
secrets=$(cat "$data/db/postgres-secrets.json")
secret() { printf '%s' "$secrets" | grep -o "\"$1\" *: *\"[^\"]*\"" | sed 's/.*"\([^"]*\)"$/\1/'; }
superuser_password=$(secret superuser)
app_password=$(secret app)
[ -n "$superuser_password" ] && [ -n "$app_password" ] || fail "cannot read $data/db/postgres-secrets.json"
psql_super() { PGPASSWORD="$superuser_password" psql -h "$socket_dir" -p 5432 -U postgres -d guanxi -X -q -v ON_ERROR_STOP=1 "$@"; }

say "plan, tenant and data"
# The bench tenant rents a plan whose rate and concurrency limits are out of wrk's reach: every
# request still goes through the limiter and the usage meter, but none is refused.
status=$(curl -sk -o "$work/plan.json" -w '%{http_code}' -X POST "$base/ops/v1/plans" \
    -H "Authorization: Bearer $operator_token" -H 'Content-Type: application/json' \
    -d '{"code":"bench","name_en":"Benchmark","name_zh":"压测","currency":"CNY","price_month_minor":0,
         "price_year_minor":0,"included_seats":1,"extra_seat_month_minor":0,"rank":1000,
         "limits":{"api_per_minute":2000000000,"api_per_day":2000000000,"concurrent_requests":1000}}')
[ "$status" = 201 ] || fail "POST /ops/v1/plans answered $status: $(cat "$work/plan.json")"
status=$(curl -sk -o "$work/tenant.json" -w '%{http_code}' -X POST "$base/ops/v1/tenants" \
    -H "Authorization: Bearer $operator_token" -H 'Content-Type: application/json' \
    -d '{"name":"Bench Co","slug":"bench","admin_email":"owner@bench.example","admin_password":"bench-password-1","plan":"bench"}')
[ "$status" = 201 ] || fail "POST /ops/v1/tenants answered $status: $(cat "$work/tenant.json")"
api_key=$(grep -o '"api_key" *: *"[^"]*"' "$work/tenant.json" | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$api_key" ] || fail "no api_key in $(cat "$work/tenant.json")"
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
ANALYZE tenants; ANALYZE accounts; ANALYZE contacts;
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

# run_phase NAME COMMAND...: runs the load tool, its output in $work/NAME.out, and writes the cores
# each side used to $work/NAME.cpu as "tool server postgres other".
run_phase() {
    local name=$1; shift
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
    if [ "$name" = api ]; then top -b -n 2 -d 1 -w 200 | awk '/^top -/ { frame++ } frame == 2' | head -n 20 >"$work/$name.top" || true; fi
    wait "$tool_pid" || { cat "$work/$name.out" >&2; fail "$name: $1 failed"; }
    cores_between "$work/$name.cpu0" "$work/$name.cpu1" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" \
        >"$work/$name.cpu"
}

say "API warm-up (5 s, not counted)"
wrk -t"$threads" -c"$connections" -d5s -H "Authorization: Bearer $api_key" "$url" >/dev/null

say "API: wrk -t$threads -c$connections -d${seconds}s GET /api/v1/contacts/{id}"
run_phase api wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $api_key" "$url"
cat "$work/api.out" "$work/api.top" >&2
api_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$work/api.out")
api_p50=$(awk '$1 == "50%" { print $2 }' "$work/api.out")
api_p99=$(awk '$1 == "99%" { print $2 }' "$work/api.out")
api_requests=$(awk '/requests in/ { print $1 }' "$work/api.out")
api_non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$work/api.out")
api_non2xx=${api_non2xx:-0}
api_socket_errors=$(awk '/Socket errors/ { sub(/^ *Socket errors: */, ""); print }' "$work/api.out")
api_socket_errors=${api_socket_errors:-none}
[ -n "$api_rps" ] && [ -n "$api_p50" ] && [ -n "$api_p99" ] || fail "cannot read wrk's output"

# The same read for pgbench: the plain SELECT as the superuser (no row-level security), and the
# server's own statement as the serving role, through the function that scopes itself.
columns="id, account_id, name, email, phone, title, owner_id, created_at, updated_at"
echo "SELECT $columns FROM contacts WHERE tenant_id = '$tenant_id' AND id = '$contact_id';" >"$work/plain.sql"
echo "SELECT $columns FROM contact_in_tenant('$tenant_id', '$owner_id', 'owner', '$contact_id');" >"$work/scoped.sql"
pgbench_tps() { awk '/^tps = / && /without initial connection time/ { print $3 }' "$1"; }
pgbench_run() { # name user password mode script
    local name=$1 user=$2 password=$3 mode=$4 script=$5
    say "pgbench $name: -U $user -n -M $mode -c$connections -j$threads -T$seconds"
    run_phase "$name" env PGPASSWORD="$password" pgbench -h "$socket_dir" -p 5432 -U "$user" \
        -n -M "$mode" -c"$connections" -j"$threads" -T"$seconds" -f "$script" guanxi
    grep -E '^(number of (transactions actually processed|failed transactions)|latency average|tps)' "$work/$name.out" >&2 || true
    [ -n "$(pgbench_tps "$work/$name.out")" ] || { cat "$work/$name.out" >&2; fail "cannot read pgbench's output ($name)"; }
}
pgbench_run plain postgres "$superuser_password" extended "$work/plain.sql"
pgbench_run scoped guanxi_app "$app_password" extended "$work/scoped.sql"
pgbench_run scoped_prepared guanxi_app "$app_password" prepared "$work/scoped.sql"
plain_tps=$(pgbench_tps "$work/plain.out")
scoped_tps=$(pgbench_tps "$work/scoped.out")
scoped_prepared_tps=$(pgbench_tps "$work/scoped_prepared.out")

# --- Fair sharing: one tenant (quiet) measured alone, then again while another tenant (flood) on the
# same server sends far more than its plan allows. Both are provisioned through the operator API.
fair_seconds=10
flood_seconds=14
flood_connections=64
quiet_connections=4
flood_per_minute=600
ops_post() { # path body output-file → status code
    curl -sk -o "$3" -w '%{http_code}' -X POST "$base$1" \
        -H "Authorization: Bearer $operator_token" -H 'Content-Type: application/json' -d "$2"
}
json_field() { grep -o "\"$1\" *: *\"[^\"]*\"" "$2" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'; }
fair_tenant() { # code per-minute concurrent rank → "api_key contact_id"
    local code=$1 per_minute=$2 concurrent=$3 rank=$4 status key contact
    status=$(ops_post /ops/v1/plans "{\"code\":\"$code\",\"name_en\":\"Fair sharing ($code)\",\"name_zh\":\"公平共享（$code）\",
        \"currency\":\"CNY\",\"price_month_minor\":0,\"price_year_minor\":0,\"included_seats\":1,
        \"extra_seat_month_minor\":0,\"rank\":$rank,\"limits\":{\"api_per_minute\":$per_minute,
        \"api_per_day\":2000000000,\"concurrent_requests\":$concurrent}}" "$work/plan-$code.json")
    [ "$status" = 201 ] || fail "POST /ops/v1/plans ($code) answered $status: $(cat "$work/plan-$code.json")"
    status=$(ops_post /ops/v1/tenants "{\"name\":\"Fair $code\",\"slug\":\"$code\",\"admin_email\":\"owner@$code.example\",
        \"admin_password\":\"$code-password-1\",\"plan\":\"$code\"}" "$work/tenant-$code.json")
    [ "$status" = 201 ] || fail "POST /ops/v1/tenants ($code) answered $status: $(cat "$work/tenant-$code.json")"
    key=$(json_field api_key "$work/tenant-$code.json")
    [ -n "$key" ] || fail "no api_key in $(cat "$work/tenant-$code.json")"
    status=$(curl -sk -o "$work/contact-$code.json" -w '%{http_code}' -X POST "$base/api/v1/contacts" \
        -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "{\"name\":\"Contact of $code\"}")
    [ "$status" = 201 ] || fail "POST /api/v1/contacts ($code) answered $status: $(cat "$work/contact-$code.json")"
    contact=$(json_field id "$work/contact-$code.json")
    [ -n "$contact" ] || fail "no id in $(cat "$work/contact-$code.json")"
    status=$(curl -sk -o "$work/contact-$code-get.json" -w '%{http_code}' -H "Authorization: Bearer $key" \
        "$base/api/v1/contacts/$contact")
    [ "$status" = 200 ] || fail "GET /api/v1/contacts/{id} ($code) answered $status: $(cat "$work/contact-$code-get.json")"
    echo "$key $contact"
}
say "fair sharing: plans quiet and flood, their tenants and one contact each"
read -r quiet_key quiet_contact <<<"$(fair_tenant quiet 1000000 8 1001)"
read -r flood_key flood_contact <<<"$(fair_tenant flood "$flood_per_minute" 4 1002)"
[ -n "$quiet_contact" ] && [ -n "$flood_contact" ] || fail "fair sharing: tenants not provisioned"
quiet_url="$base/api/v1/contacts/$quiet_contact"
flood_url="$base/api/v1/contacts/$flood_contact"

# quiet_phase NAME [PID...]: the quiet tenant's measurement, its output in $work/NAME.out, and the
# cores used from its 2nd to its 8th second in $work/NAME.cpu (the PIDs, a flood's wrk, count as load tool).
quiet_phase() {
    local name=$1; shift
    wrk -t1 -c"$quiet_connections" -d"${fair_seconds}s" --latency -H "Authorization: Bearer $quiet_key" "$quiet_url" \
        >"$work/$name.out" 2>&1 &
    local tool_pid=$! start end
    sleep 2
    start=$(date +%s.%N)
    snapshot "$tool_pid" "$@" >"$work/$name.cpu0"
    sleep $((fair_seconds - 4))
    snapshot "$tool_pid" "$@" >"$work/$name.cpu1"
    end=$(date +%s.%N)
    wait "$tool_pid" || { cat "$work/$name.out" >&2; fail "$name: wrk failed"; }
    cat "$work/$name.out" >&2
    cores_between "$work/$name.cpu0" "$work/$name.cpu1" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" \
        >"$work/$name.cpu"
}
wrk_field() { # field file
    case $1 in
        rps) awk '/^Requests\/sec:/ { print $2 }' "$2" ;;
        p50) awk '$1 == "50%" { print $2 }' "$2" ;;
        p99) awk '$1 == "99%" { print $2 }' "$2" ;;
        requests) awk '/requests in/ { print $1 }' "$2" ;;
        non2xx) awk -F': *' '/Non-2xx or 3xx responses/ { n = $2 } END { print n + 0 }' "$2" ;;
        socket) awk '/Socket errors/ { sub(/^ *Socket errors: */, ""); s = $0 } END { print (s == "" ? "none" : s) }' "$2" ;;
    esac
}
to_ms() { # a wrk latency (850.00us, 1.46ms, 1.02s) → milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
        printf "%.3f", n }'
}

say "fair sharing: quiet alone (wrk -t1 -c$quiet_connections -d${fair_seconds}s)"
quiet_phase quiet_alone

say "fair sharing: quiet while flood runs (wrk -t1 -c$flood_connections -d${flood_seconds}s on the flood tenant)"
wrk -t1 -c"$flood_connections" -d"${flood_seconds}s" -H "Authorization: Bearer $flood_key" "$flood_url" \
    >"$work/flood.out" 2>&1 &
flood_pid=$!
sleep 2
quiet_phase quiet_flooded "$flood_pid"
flood_status=0
wait "$flood_pid" || flood_status=$?
flood_pid=""
cat "$work/flood.out" >&2
[ "$flood_status" -eq 0 ] || fail "the flood's wrk exited with status $flood_status"

alone_rps=$(wrk_field rps "$work/quiet_alone.out"); alone_p50=$(wrk_field p50 "$work/quiet_alone.out")
alone_p99=$(wrk_field p99 "$work/quiet_alone.out"); alone_requests=$(wrk_field requests "$work/quiet_alone.out")
alone_non2xx=$(wrk_field non2xx "$work/quiet_alone.out"); alone_socket=$(wrk_field socket "$work/quiet_alone.out")
flooded_rps=$(wrk_field rps "$work/quiet_flooded.out"); flooded_p50=$(wrk_field p50 "$work/quiet_flooded.out")
flooded_p99=$(wrk_field p99 "$work/quiet_flooded.out"); flooded_requests=$(wrk_field requests "$work/quiet_flooded.out")
flooded_non2xx=$(wrk_field non2xx "$work/quiet_flooded.out"); flooded_socket=$(wrk_field socket "$work/quiet_flooded.out")
flood_rps=$(wrk_field rps "$work/flood.out"); flood_requests=$(wrk_field requests "$work/flood.out")
flood_non2xx=$(wrk_field non2xx "$work/flood.out"); flood_socket=$(wrk_field socket "$work/flood.out")
[ -n "$alone_rps" ] && [ -n "$alone_p99" ] && [ -n "$flooded_rps" ] && [ -n "$flooded_p99" ] && [ -n "$flood_requests" ] \
    || fail "cannot read wrk's output (fair sharing)"
flood_served=$((flood_requests - flood_non2xx))
flood_refused_share=$(awk -v n="$flood_non2xx" -v t="$flood_requests" 'BEGIN { printf "%.2f", (t > 0 ? 100 * n / t : 0) }')
fair_target=1.5
fair_ratio=$(awk -v a="$(to_ms "$flooded_p99")" -v b="$(to_ms "$alone_p99")" 'BEGIN { printf "%.2f", a / b }')

. Benchmarks/import.sh

say "stopping the server"
stop_server

# --- Results
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
round() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }
plain_ratio=$(ratio "$api_rps" "$plain_tps")
if awk -v r="$fair_ratio" -v t="$fair_target" 'BEGIN { exit !(r <= t) }'; then
    fair_verdict="**met**: the quiet tenant's p99 was $fair_ratio× its p99 alone (target at most $fair_target×)."
else
    fair_verdict="**not met**: the quiet tenant's p99 was $fair_ratio× its p99 alone (target at most $fair_target×)."
fi
if [ "$alone_non2xx" != 0 ] || [ "$flooded_non2xx" != 0 ]; then
    fair_verdict="$fair_verdict The quiet tenant received non-2xx responses (alone: $alone_non2xx; flooded: $flooded_non2xx), so the phase does not count."
fi
scoped_ratio=$(ratio "$api_rps" "$scoped_tps")
scoped_prepared_ratio=$(ratio "$api_rps" "$scoped_prepared_tps")
if awk -v r="$api_rps" -v p="$plain_tps" -v t="$target_ratio" 'BEGIN { exit !(r / p >= t) }'; then
    verdict="**met**: the API served $plain_ratio of pgbench's plain rate (target $target_ratio)."
else
    verdict="**not met**: the API served $plain_ratio of pgbench's plain rate (target $target_ratio)."
fi
if [ "$api_non2xx" != 0 ] || [ "$api_socket_errors" != none ]; then
    verdict="$verdict The API phase had errors (non-2xx: $api_non2xx; socket errors: $api_socket_errors), so its rate does not count."
fi
cpu_row() { # name label → a table row of cores used
    local tool server postgres other
    read -r tool server postgres other <"$work/$1.cpu"
    echo "| $2 | $server | $postgres | $tool | $other |"
}
today=$(date -u +%Y-%m-%d)
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cpu_count=$(nproc)
memory=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
postgres_version=$(PGPASSWORD="$superuser_password" pgbench --version | awk '{ print $3 }')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- Sources Migrations Package.swift 2>/dev/null || commit="$commit (with uncommitted changes in Sources or Migrations)"
wrk_version=$({ wrk --version 2>&1 || true; } | awk 'NR == 1 { print $2 }')

cat >Docs/Performance.md <<EOF
# Performance

\`make bench\` measures the hottest tenant read — one contact by id, \`GET /api/v1/contacts/{id}\` with
an API key — on a release build, and sets it beside what PostgreSQL does with the same read on its
own. [Benchmarks/run.sh](../Benchmarks/run.sh) rewrites this file on every run.

## Method

- **Server**: \`guanxi serve\` built with \`-c release\`, serving the embedded default (a private
  PostgreSQL cluster on a Unix socket, durable settings) from a temporary data directory, over HTTPS
  on 127.0.0.1 with its self-signed certificate and \`--log-level warning\`. It serves as
  \`guanxi_app\`, which cannot bypass row-level security, with a pool of 16 connections.
- **Data**: $tenant_rows tenants share the tables, $contacts_per_tenant contacts and $accounts_per_tenant accounts each ($contact_rows contacts in
  all, random ids), so the read goes through the primary key of a table that other tenants' rows
  interleave with.
- **API**: \`wrk -t$threads -c$connections -d${seconds}s --latency\` on one contact of one tenant, after a 5 s
  warm-up; HTTP/1.1 keep-alive over TLS. Each request authenticates its key (a cached credential,
  checked in the database again at most every 5 s), passes the plan's rate limits and is counted for
  usage, runs \`SELECT … FROM contact_in_tenant(\$1, \$2, \$3, \$4)\` as a prepared statement — one round
  trip that sets \`app.tenant_id\`, \`app.user_id\` and \`app.role\` for its own transaction and reads under
  row-level security (the owner's key: the record-access policy lets the owner see every contact) — and
  encodes the contact as JSON. The tenant rents a plan published for the benchmark whose limits wrk
  cannot reach, so no request is refused (the catalog's own plans allow a few thousand a minute).
- **Reference**: pgbench on the same database in the same run, $connections clients, $threads threads, ${seconds} s each:
  1. *plain*: \`SELECT <the same columns> FROM contacts WHERE tenant_id = '…' AND id = '…'\` as the
     superuser (no row-level security), \`-M extended\` — PostgreSQL's own rate for this read, with
     nothing of ours in between. **The target is measured against this one.**
  2. *scoped*: the server's exact statement, \`SELECT <the same columns> FROM contact_in_tenant('…', '<owner>', 'owner', '…')\`,
     as \`guanxi_app\`, \`-M extended\`; and again with \`-M prepared\`, which is how the server sends it.
- pgbench is the reference because it is the thinnest client PostgreSQL has: the gap between its
  rate and the API's is what TLS, HTTP, routing, authentication, JSON and the Swift driver cost.
- Everything runs on the same $cpu_count cores: the load generator (wrk or pgbench), the server and
  PostgreSQL compete for them, so neither figure is a ceiling for a machine whose clients are
  elsewhere. The CPU table shows where the cores went in the middle of each phase ("other" is
  everything else that ran on the machine meanwhile).

## Results

| | |
|---|---|
| date | $today |
| machine | $cpu_count × $cpu_model, $memory |
| software | PostgreSQL $postgres_version, wrk $wrk_version |
| commit | $commit |
| command | \`make bench\` |

| measure | result |
|---|---|
| API, \`GET /api/v1/contacts/{id}\` | **$(round "$api_rps") req/s**, p50 $api_p50, p99 $api_p99 ($api_requests requests, non-2xx: $api_non2xx, socket errors: $api_socket_errors) |
| pgbench, plain SELECT, superuser, \`-M extended\` | **$(round "$plain_tps") tps** |
| pgbench, \`contact_in_tenant\`, \`guanxi_app\`, \`-M extended\` | $(round "$scoped_tps") tps |
| pgbench, \`contact_in_tenant\`, \`guanxi_app\`, \`-M prepared\` | $(round "$scoped_prepared_tps") tps |
| API / pgbench plain | **$plain_ratio** |
| API / pgbench scoped (extended) | $scoped_ratio |
| API / pgbench scoped (prepared) | $scoped_prepared_ratio |

Target (API at least $target_ratio of pgbench plain \`-M extended\`): $verdict

Cores used during each phase (of $cpu_count):

| phase | guanxi | PostgreSQL | load tool | other |
|---|---|---|---|---|
$(cpu_row api "API (wrk)")
$(cpu_row plain "pgbench plain")
$(cpu_row scoped "pgbench scoped, extended")
$(cpu_row scoped_prepared "pgbench scoped, prepared")

## Fair sharing

Whether one tenant flooding the service starves another. Two more plans are published for the
run: *quiet* (1,000,000 API requests a minute, 8 concurrent) and *flood* ($flood_per_minute a minute, 4 concurrent),
each rented by a tenant with one contact. The quiet tenant reads its contact with
\`wrk -t1 -c$quiet_connections -d${fair_seconds}s --latency\` (\`GET /api/v1/contacts/{id}\`) twice: alone, then while
\`wrk -t1 -c$flood_connections -d${flood_seconds}s\` reads the flood tenant's contact, started 2 s before and ending after it.
The flood asks for far more than ten times its plan's $flood_per_minute a minute; the server refuses the excess
with 429 \`rate_limited\` (per-tenant rate limit) or 503 \`tenant_busy\` (per-tenant concurrency share),
before any database query of the request (its key is checked against the cached credential). Both
tenants share the same server, its pool of 16 connections and the same $cpu_count cores, with both wrk
processes running on them too, so what the flood costs the quiet tenant includes the CPU spent on
refusing it (TLS, HTTP, authentication).

| measure | quiet alone | quiet while flooded |
|---|---|---|
| requests/s | $(round "$alone_rps") | $(round "$flooded_rps") |
| p50 | $alone_p50 | $flooded_p50 |
| p99 | **$alone_p99** | **$flooded_p99** |
| requests (non-2xx; socket errors) | $alone_requests ($alone_non2xx; $alone_socket) | $flooded_requests ($flooded_non2xx; $flooded_socket) |

| flood tenant (${flood_seconds} s) | |
|---|---|
| requests/s | $(round "$flood_rps") |
| requests | $flood_requests |
| refused (non-2xx) | $flood_non2xx ($flood_refused_share %) |
| served (2xx) | $flood_served |
| socket errors | $flood_socket |

Target (quiet p99 while flooded at most $fair_target× quiet p99 alone): $fair_verdict

Cores used (of $cpu_count), from the 2nd to the 8th second of each quiet measurement (load tool: both wrk processes):

| phase | guanxi | PostgreSQL | load tool | other |
|---|---|---|---|---|
$(cpu_row quiet_alone "quiet alone")
$(cpu_row quiet_flooded "quiet while flooded")
EOF
cat "$work/import.md" >>Docs/Performance.md

say "billing and reports (Benchmarks/billing.sh)"
bash Benchmarks/billing.sh "$binary"
say "list and search (Benchmarks/search.sh)"
bash Benchmarks/search.sh "$binary"

say "results (written to Docs/Performance.md)"
sed -n '/^## Results/,$p' Docs/Performance.md
if [ "$alone_non2xx" != 0 ] || [ "$flooded_non2xx" != 0 ]; then
    fail "the quiet tenant received non-2xx responses (alone: $alone_non2xx; flooded: $flooded_non2xx)"
fi
if [ "$api_non2xx" != 0 ] || [ "$api_socket_errors" != none ]; then
    fail "the API phase had errors (non-2xx: $api_non2xx; socket errors: $api_socket_errors)"
fi
