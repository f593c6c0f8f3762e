# Sourced by the benchmarks (Benchmarks/run.sh, billing.sh and search.sh; import.sh runs inside
# run.sh): what they share. Sourcing it moves to the repository ($repo), sets the load parameters
# ($seconds, $connections, $threads from BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS) and installs
# the exit trap that stops whatever the script started (load tools listed in $background_pids, the
# server, its PostgreSQL cluster) and removes the work directory. A script sets `bench_part` (its
# name in messages) before sourcing it.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
seconds=${BENCH_SECONDS:-20}
connections=${BENCH_CONNECTIONS:-16}
threads=${BENCH_THREADS:-2}
binary=""
work=""
data=""
server_pid=""
background_pids=""

say() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'bench%s: %s\n' "${bench_part:+ ($bench_part)}" "$*" >&2; exit 1; }

# use_release_binary [PATH]: $binary is PATH if given, else the release build under .build-release,
# built now (with the benchmark tools installed first).
use_release_binary() {
    binary=${1:-}
    if [ -z "$binary" ]; then
        say "dependencies"
        bash Deploy/bootstrap.sh bench
        say "release build (.build-release)"
        swift build -c release --product guanxi --scratch-path .build-release
        binary="$repo/.build-release/release/guanxi"
    fi
    [ -x "$binary" ] || fail "no binary at $binary"
}

# make_work_dir: $work, a new temporary directory, and $data in it for the embedded cluster; both
# open to the postgres user, as which the cluster runs when we are root.
make_work_dir() {
    work=$(mktemp -d "/tmp/guanxi-bench${bench_part:+-$bench_part}.XXXXXX")
    chmod 755 "$work"
    data="$work/data"
    mkdir -m 755 "$data"
}

# start_server: `guanxi serve` of $data over HTTPS on a free port of 127.0.0.1, with a new operator
# token ($base, $operator_token, $server_pid, its output in $work/server.log); returns when /healthz
# answers and the start-up tasks have printed, with the cluster's secrets read.
start_server() {
    local port="" candidate attempt
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
    for attempt in $(seq 1 240); do
        kill -0 "$server_pid" 2>/dev/null || fail "the server exited during start-up"
        if grep -q "Guanxi is serving at" "$work/server.log" && curl -sfk -o /dev/null "$base/healthz"; then break; fi
        [ "$attempt" -eq 240 ] && fail "the server was not ready within 120 s"
        sleep 0.5
    done
    read_cluster_secrets
}

# read_cluster_secrets: $socket_dir and the passwords of the superuser and of guanxi_app, from the
# embedded cluster of $data (started by the server or by `guanxi db start`).
read_cluster_secrets() {
    local secrets
    socket_dir="$data/db/run"
    secrets=$(cat "$data/db/postgres-secrets.json")
    superuser_password=$(printf '%s' "$secrets" | json_text superuser)
    app_password=$(printf '%s' "$secrets" | json_text app)
    [ -n "$superuser_password" ] && [ -n "$app_password" ] || fail "cannot read $data/db/postgres-secrets.json"
}

psql_super() { PGPASSWORD="$superuser_password" psql -h "$socket_dir" -p 5432 -U postgres -d guanxi -X -q -v ON_ERROR_STOP=1 "$@"; }

# json_text FIELD < JSON: the first string value of FIELD; json_field FIELD FILE: the same from a file.
json_text() { grep -o "\"$1\" *: *\"[^\"]*\"" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'; }
json_field() { json_text "$1" <"$2"; }

# ops_post PATH BODY OUTPUT-FILE: the status code of an operator API POST.
ops_post() {
    curl -sk -o "$3" -w '%{http_code}' -X POST "$base$1" \
        -H "Authorization: Bearer $operator_token" -H 'Content-Type: application/json' -d "$2"
}

# publish_plan CODE NAME-EN NAME-ZH RANK LIMITS: a free plan with the given limits (a JSON object).
publish_plan() {
    local status
    status=$(ops_post /ops/v1/plans "{\"code\":\"$1\",\"name_en\":\"$2\",\"name_zh\":\"$3\",\"currency\":\"CNY\",
        \"price_month_minor\":0,\"price_year_minor\":0,\"included_seats\":1,\"extra_seat_month_minor\":0,
        \"rank\":$4,\"limits\":$5}" "$work/plan-$1.json")
    [ "$status" = 201 ] || fail "POST /ops/v1/plans ($1) answered $status: $(cat "$work/plan-$1.json")"
}

# provision_tenant SLUG NAME PLAN: a new tenant renting PLAN, its owner owner@SLUG.example; prints
# its first API key (the whole answer is in $work/tenant-SLUG.json).
provision_tenant() {
    local status key
    status=$(ops_post /ops/v1/tenants "{\"name\":\"$2\",\"slug\":\"$1\",\"admin_email\":\"owner@$1.example\",
        \"admin_password\":\"$1-password-1\",\"plan\":\"$3\"}" "$work/tenant-$1.json")
    [ "$status" = 201 ] || fail "POST /ops/v1/tenants ($1) answered $status: $(cat "$work/tenant-$1.json")"
    key=$(json_field api_key "$work/tenant-$1.json")
    [ -n "$key" ] || fail "no api_key in $(cat "$work/tenant-$1.json")"
    echo "$key"
}

# wrk_field FIELD FILE: one figure of wrk's output (rps, p50, p99, requests, non2xx, socket).
wrk_field() {
    case $1 in
        rps) awk '/^Requests\/sec:/ { print $2 }' "$2" ;;
        p50) awk '$1 == "50%" { print $2 }' "$2" ;;
        p99) awk '$1 == "99%" { print $2 }' "$2" ;;
        requests) awk '/requests in/ { print $1 }' "$2" ;;
        non2xx) awk -F': *' '/Non-2xx or 3xx responses/ { n = $2 } END { print n + 0 }' "$2" ;;
        socket) awk '/Socket errors/ { sub(/^ *Socket errors: */, ""); s = $0 } END { print (s == "" ? "none" : s) }' "$2" ;;
    esac
}
pgbench_tps() { awk '/^tps = / && /without initial connection time/ { print $3 }' "$1"; }
round() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }
# ratio A B [DECIMALS]: A / B to 2 decimals (or DECIMALS), 0 when B is 0.
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { printf "%." d "f", (b > 0 ? a / b : 0) }'; }
load_average() { cut -d ' ' -f 1 /proc/loadavg; }

# What the figures were measured on and with.
machine_description() { echo "$(nproc) × $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"; }
commit_description() {
    local commit
    commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
    git diff --quiet HEAD -- Sources Migrations Package.swift 2>/dev/null || commit="$commit (with uncommitted changes in Sources or Migrations)"
    echo "$commit"
}

# replace_sections FILE: every section of FILE (a "# " or "## " heading and the lines up to the next
# such heading) takes the place of the section with the same heading in Docs/Performance.md; a
# section the document lacks is added at its end. Sections no script writes (written by hand) stay.
replace_sections() {
    local document=Docs/Performance.md merged="$work/performance.md"
    [ -f "$document" ] || : >"$document"
    awk '
        NR == FNR {
            if (/^##? /) { heading = $0; order[++count] = heading }
            if (heading != "") text[heading] = text[heading] $0 "\n"
            next
        }
        /^##? / { skipping = ($0 in text); if (skipping) { printf "%s\n", text[$0]; written[$0] = 1 } }
        !skipping { print }
        END { for (i = 1; i <= count; i++) if (!(order[i] in written)) printf "\n%s", text[order[i]] }
    ' "$1" "$document" | cat -s >"$merged"
    cat "$merged" >"$document"
}

# stop_server: SIGTERM, and up to 60 s to stop (then SIGKILL), for the server if it runs.
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
}

# stop_cluster: stops the embedded cluster of $data if it still runs (the server stops its own; this
# catches a server killed or failed half-way, and a cluster started alone).
stop_cluster() {
    if [ -n "$data" ] && [ -f "$data/db/postgres/postmaster.pid" ] && [ -n "$binary" ]; then
        "$binary" db stop --data-dir "$data" >/dev/null 2>&1 || echo "bench: could not stop the cluster in $data" >&2
    fi
}

bench_cleanup() {
    local status=$? pid
    for pid in $background_pids; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    stop_server
    stop_cluster
    if [ $status -ne 0 ] && [ -n "$work" ] && [ -f "$work/server.log" ]; then
        echo "bench${bench_part:+ ($bench_part)}: failed; the server's last output:" >&2
        tail -n 30 "$work/server.log" >&2 || true
    fi
    [ -z "$work" ] || rm -rf "$work"
    exit $status
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
