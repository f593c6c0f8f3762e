# Sourced by Benchmarks/run.sh while its release server runs (it uses run.sh's $work, $base,
# cpu_row and snapshot, and common.sh's helpers): fair sharing. One tenant (quiet) reads its contact
# alone, then again while another tenant (flood) on the same server sends far more than its plan
# allows; both are provisioned through the operator API. Writes the figures, as a section of
# Docs/Performance.md, to $work/fair.md.

fair_seconds=10
flood_seconds=14
flood_connections=64
quiet_connections=4
flood_per_minute=600
fair_tenant() { # code per-minute concurrent rank → "api_key contact_id"
    local code=$1 per_minute=$2 concurrent=$3 rank=$4 status key contact
    publish_plan "$code" "Fair sharing ($code)" "公平共享（$code）" "$rank" \
        "{\"api_per_minute\":$per_minute,\"api_per_day\":2000000000,\"concurrent_requests\":$concurrent}"
    key=$(provision_tenant "$code" "Fair $code" "$code")
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
to_ms() { # a wrk latency (850.00us, 1.46ms, 1.02s) → milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
        printf "%.3f", n }'
}

fair_load=$(load_average)
say "fair sharing: quiet alone (wrk -t1 -c$quiet_connections -d${fair_seconds}s)"
quiet_phase quiet_alone

say "fair sharing: quiet while flood runs (wrk -t1 -c$flood_connections -d${flood_seconds}s on the flood tenant)"
wrk -t1 -c"$flood_connections" -d"${flood_seconds}s" -H "Authorization: Bearer $flood_key" "$flood_url" \
    >"$work/flood.out" 2>&1 &
flood_pid=$!
background_pids=$flood_pid
sleep 2
quiet_phase quiet_flooded "$flood_pid"
flood_status=0
wait "$flood_pid" || flood_status=$?
background_pids=""
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
if awk -v r="$fair_ratio" -v t="$fair_target" 'BEGIN { exit !(r <= t) }'; then
    fair_verdict="**met**: the quiet tenant's p99 was $fair_ratio× its p99 alone (target at most $fair_target×)."
else
    fair_verdict="**not met**: the quiet tenant's p99 was $fair_ratio× its p99 alone (target at most $fair_target×)."
fi
if [ "$alone_non2xx" != 0 ] || [ "$flooded_non2xx" != 0 ]; then
    fair_verdict="$fair_verdict The quiet tenant received non-2xx responses (alone: $alone_non2xx; flooded: $flooded_non2xx), so the phase does not count."
fi

cat >"$work/fair.md" <<EOF
## Fair sharing

Whether one tenant flooding the service starves another (measured on $(date -u +%Y-%m-%d), commit
$(commit_description), load average $fair_load as the phase began). Two more plans are published for the
run: *quiet* (1,000,000 API requests a minute, 8 concurrent) and *flood* ($flood_per_minute a minute, 4 concurrent),
each rented by a tenant with one contact. The quiet tenant reads its contact with
\`wrk -t1 -c$quiet_connections -d${fair_seconds}s --latency\` (\`GET /api/v1/contacts/{id}\`) twice: alone, then while
\`wrk -t1 -c$flood_connections -d${flood_seconds}s\` reads the flood tenant's contact, started 2 s before and ending after it.
The flood asks for far more than ten times its plan's $flood_per_minute a minute; the server refuses the excess
with 429 \`rate_limited\` (per-tenant rate limit) or 503 \`tenant_busy\` (per-tenant concurrency share),
before any database query of the request (its key is checked against the cached credential). Both
tenants share the same server, its $database_connections database connections and the same $cpu_count cores, with both wrk
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
