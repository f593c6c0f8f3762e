#!/usr/bin/env bash
# List and search at scale: serves a fresh embedded cluster holding 1,000 tenants, one of them with
# 100,000 contacts (Chinese and Latin names, emails, phones in several formats) and the others 100
# each, all seeded by SQL; loads the big tenant's contact list (first page, and a page half-way down
# through its cursor) and GET /api/v1/search (a two-character Chinese query, a Latin prefix, a typo)
# with wrk over HTTPS; runs each one's SQL with pgbench in the same run, as the serving role with the
# tenant set, the way the server sends it; and writes the "List and search" section of
# Docs/Performance.md (that section only).
# `make bench` calls it from Benchmarks/run.sh with the release binary; alone it builds one.
# Usage: Benchmarks/search.sh [path/to/guanxi]. Environment: BENCH_SECONDS (length of each load phase,
# default 20), BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_SEARCH_CONTACTS (100000),
# BENCH_SEARCH_TENANTS (1000).
set -euo pipefail

bench_part=search
. "$(dirname "$0")/common.sh"
big_contacts=${BENCH_SEARCH_CONTACTS:-100000}
tenants_total=${BENCH_SEARCH_TENANTS:-1000}
small_contacts=100
page_limit=50

use_release_binary "${1:-}"
make_work_dir
start_server

say "plan and tenant"
# A plan whose rate and concurrency limits wrk cannot reach: every request still passes the limiter
# and the usage meter, but none is refused.
publish_plan bench_search "Search benchmark" 搜索压测 1000 \
    '{"api_per_minute":2000000000,"api_per_day":2000000000,"concurrent_requests":1000,"contacts":2000000000,"accounts":2000000000}'
api_key=$(provision_tenant search "Search Co" bench_search)
tenant_id=$(psql_super -At -c "SELECT id FROM tenants WHERE slug = 'search'")
[ -n "$tenant_id" ] || fail "tenant search not found"

seeding_load=$(load_average)
say "seeding: $big_contacts contacts in tenant search, $small_contacts in each other tenant, $tenants_total tenants in all"
# People drawn from common Chinese surnames and given-name characters (one or two), with pinyin
# emails, and from common English first and last names; phones are mainland mobiles written four
# ways. The search terms come from the same trigger as in production. The superuser bypasses
# row-level security to seed, with the quota, audit and webhook triggers off for this transaction:
# they act for the tenant in app.tenant_id, and these inserts span a thousand.
start_seed=$(date +%s)
psql_super <<SQL
BEGIN;
SELECT setseed(0.42);
ALTER TABLE contacts DISABLE TRIGGER contacts_quota;
ALTER TABLE contacts DISABLE TRIGGER audit_log_entry;
ALTER TABLE contacts DISABLE TRIGGER webhook_row_events;
INSERT INTO tenants (id, slug, name)
SELECT gen_random_uuid(), 'search-other-' || n, 'Search Other ' || n
  FROM generate_series(1, $tenants_total - (SELECT count(*) FROM tenants)) n;
CREATE TEMP TABLE people AS
WITH surnames AS (
    SELECT '{王,李,张,刘,陈,杨,黄,赵,吴,周,徐,孙,马,朱,胡,郭,何,高,林,罗,郑,梁,谢,宋,唐,许,韩,冯,邓,曹,彭,曾,肖,田,董,袁,潘,于,蒋,蔡,欧阳,司马}'::text[] AS zh,
           '{wang,li,zhang,liu,chen,yang,huang,zhao,wu,zhou,xu,sun,ma,zhu,hu,guo,he,gao,lin,luo,zheng,liang,xie,song,tang,xu,han,feng,deng,cao,peng,zeng,xiao,tian,dong,yuan,pan,yu,jiang,cai,ouyang,sima}'::text[] AS py
), given AS (
    SELECT '{伟,芳,娜,敏,静,丽,强,磊,军,洋,勇,艳,杰,娟,涛,明,超,秀,霞,平,刚,桂,华,飞,玲,晓,小,建,国,文,辉,鹏,红,婷,宇,浩,博,欣,怡,佳,俊,志,海,林,波,宁,雪,慧,颖,琳,晨,阳,峰,斌,鑫,龙,凯,雨,思,嘉}'::text[] AS zh,
           '{wei,fang,na,min,jing,li,qiang,lei,jun,yang,yong,yan,jie,juan,tao,ming,chao,xiu,xia,ping,gang,gui,hua,fei,ling,xiao,xiao,jian,guo,wen,hui,peng,hong,ting,yu,hao,bo,xin,yi,jia,jun,zhi,hai,lin,bo,ning,xue,hui,ying,lin,chen,yang,feng,bin,xin,long,kai,yu,si,jia}'::text[] AS py
), english AS (
    SELECT '{John,James,Robert,Michael,William,David,Richard,Joseph,Thomas,Charles,Mary,Patricia,Jennifer,Linda,Elizabeth,Barbara,Susan,Jessica,Sarah,Karen,Anna,Lisa,Emma,Olivia,Sophia,Daniel,Matthew,Anthony,Mark,Paul,Steven,Andrew,Joshua,Kevin,Brian,George,Edward,Ronald,Timothy,Jason,Laura,Emily,Grace,Chloe,Lucas,Noah,Ethan,Oliver,Jack,Henry}'::text[] AS first,
           '{Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Rodriguez,Martinez,Hernandez,Lopez,Gonzalez,Wilson,Anderson,Taylor,Moore,Jackson,Martin,Lee,Thompson,White,Harris,Clark,Lewis,Robinson,Walker,Young,Allen,King,Wright,Scott,Hill,Green,Adams,Baker,Nelson,Carter,Mitchell,Roberts,Turner,Phillips,Campbell,Parker,Evans,Edwards,Collins,Stewart,Morris,Muller}'::text[] AS last,
           '{qq.com,163.com,126.com,gmail.com,outlook.com,sina.com,minghua.example,qingshan.example,alibaba.example,tencent.example}'::text[] AS domains
), drawn AS (
    SELECT n, random() < 0.7 AS chinese,
           1 + floor(random() * 42)::int AS s, 1 + floor(random() * 60)::int AS g1,
           CASE WHEN random() < 0.75 THEN 1 + floor(random() * 60)::int END AS g2,
           1 + floor(random() * 50)::int AS f, 1 + floor(random() * 50)::int AS l, 1 + floor(random() * 10)::int AS d,
           '1' || (3 + floor(random() * 7)::int) || lpad(floor(random() * 1000000000)::bigint::text, 9, '0') AS mobile
      FROM generate_series(1, $big_contacts) n
)
SELECT n,
       CASE WHEN chinese THEN surnames.zh[s] || given.zh[g1] || coalesce(given.zh[g2], '')
            ELSE english.first[f] || ' ' || english.last[l] END AS name,
       CASE WHEN chinese THEN surnames.py[s] || '.' || given.py[g1] || coalesce(given.py[g2], '')
            ELSE lower(english.first[f] || '.' || english.last[l]) END
           || CASE WHEN n % 3 = 0 THEN (n % 100)::text ELSE '' END || '@' || english.domains[d] AS email,
       CASE n % 4 WHEN 0 THEN '+86 ' || substr(mobile, 1, 3) || '-' || substr(mobile, 4, 4) || '-' || substr(mobile, 8)
                  WHEN 1 THEN mobile
                  WHEN 2 THEN substr(mobile, 1, 3) || ' ' || substr(mobile, 4, 4) || ' ' || substr(mobile, 8)
                  ELSE '(0' || (10 + n % 90) || ') ' || substr(mobile, 4, 4) || '-' || substr(mobile, 8) END AS phone
  FROM drawn, surnames, given, english;
INSERT INTO contacts (tenant_id, id, name, email, phone, created_at, updated_at)
SELECT '$tenant_id', time_ordered_uuid(now() - ($big_contacts - n) * interval '1 second'), name, email, phone,
       now() - ($big_contacts - n) * interval '1 second', now()
  FROM people;
INSERT INTO contacts (tenant_id, id, name, email, phone)
SELECT t.id, time_ordered_uuid(now()), p.name, p.email, p.phone
  FROM tenants t
  JOIN people p ON p.n BETWEEN (hashtext(t.slug) & 1023) * $small_contacts + 1 AND (hashtext(t.slug) & 1023) * $small_contacts + $small_contacts
 WHERE t.slug LIKE 'search-other-%';
ALTER TABLE contacts ENABLE TRIGGER contacts_quota;
ALTER TABLE contacts ENABLE TRIGGER audit_log_entry;
ALTER TABLE contacts ENABLE TRIGGER webhook_row_events;
COMMIT;
ANALYZE;
SQL
seed_seconds=$(( $(date +%s) - start_seed ))
tenant_rows=$(psql_super -At -c "SELECT count(*) FROM tenants")
contact_rows=$(psql_super -At -c "SELECT count(*) FROM contacts")
big_rows=$(psql_super -At -c "SELECT count(*) FROM contacts WHERE tenant_id = '$tenant_id'")
term_rows=$(psql_super -At -c "SELECT count(*) FROM search_terms")
terms_size=$(psql_super -At -c "SELECT pg_size_pretty(pg_total_relation_size('search_terms'))")
contacts_size=$(psql_super -At -c "SELECT pg_size_pretty(pg_total_relation_size('contacts'))")
echo "$tenant_rows tenants, $contact_rows contacts ($big_rows in tenant search), $term_rows search terms; seeded in $seed_seconds s" >&2

# The deep page starts after the contact half-way down the list; a cursor is the id, base64url.
middle_id=$(psql_super -At -c "SELECT id FROM contacts WHERE tenant_id = '$tenant_id' ORDER BY id OFFSET $((big_rows / 2)) LIMIT 1")
middle_cursor=$(printf '%s' "$middle_id" | base64 -w0 | tr '+/' '-_' | tr -d '=')

# The search statement as Sources/CRM/Search/Search.swift prepares it, its values as pgbench
# variables (sent as parameters): the first page of every type.
search_sql=$(awk '/static let sql = """/ { inside = 1; next } inside && /^ *"""$/ { exit } inside' Sources/CRM/Search/Search.swift \
             | sed -e 's/\$1::/:q::/' -e 's/\$2::/:types::/g' -e 's/\$[345]::/NULL::/g' -e "s/\\\$6::bigint/$((page_limit + 1))/")
case "$search_sql" in *'$'[0-9]*|'') fail "could not read the search statement from Search.swift" ;; esac
# The list statement as Sources/CRM/Contacts/Contacts.swift sends it, without q and account_id.
list_sql="SELECT id, account_id, name, email, phone, title, created_at, updated_at FROM contacts
 WHERE id > :after::uuid AND (NULL::uuid IS NULL OR account_id = NULL) AND (NULL::text IS NULL OR name ILIKE NULL OR email ILIKE NULL
        OR phone_digits LIKE NULL)
 ORDER BY id LIMIT $((page_limit + 1))"
# What each request does in the database: a transaction that sets the tenant (and the acting
# credential, empty for an API key) in one statement, the read, and the commit.
transaction_script() { # statement → pgbench script
    printf 'BEGIN;\nSELECT set_config('"'"'app.tenant_id'"'"', :tenant, true), set_config('"'"'app.user_id'"'"', '"''"', true), set_config('"'"'app.credential'"'"', '"''"', true);\n%s;\nCOMMIT;\n' "$1"
}
transaction_script "$list_sql" >"$work/list.sql"
transaction_script "$search_sql" >"$work/search.sql"

# name | label | path | pgbench script | -D variables
encode() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g'; }
phases=(
    "list_first|contacts, first page|/api/v1/contacts?limit=$page_limit|list.sql|after=00000000-0000-0000-0000-000000000000"
    "list_deep|contacts, a page half-way down (cursor)|/api/v1/contacts?limit=$page_limit&cursor=$middle_cursor|list.sql|after=$middle_id"
    "search_chinese|search 小明 (two Chinese characters)|/api/v1/search?q=$(encode 小明)&limit=$page_limit|search.sql|q=小明"
    "search_prefix|search john (a Latin prefix)|/api/v1/search?q=john&limit=$page_limit|search.sql|q=john"
    "search_typo|search jonh (a typo of john)|/api/v1/search?q=jonh&limit=$page_limit|search.sql|q=jonh"
)
types='{account,contact,lead,deal,case}'

say "checking each request and its statement"
for phase in "${phases[@]}"; do
    IFS='|' read -r name label path script variable <<<"$phase"
    status=$(curl -sk -o "$work/$name.json" -w '%{http_code}' -H "Authorization: Bearer $api_key" "$base$path")
    [ "$status" = 200 ] || fail "$label: GET $path answered $status: $(head -c 300 "$work/$name.json")"
    count=$(awk -F'"id":' '{ n += NF - 1 } END { print n + 0 }' "$work/$name.json")
    [ "$count" -gt 0 ] || fail "$label: GET $path found nothing"
    echo "$label: $count results on the page: $(head -c 240 "$work/$name.json")…" >&2
done
match_count() { # q → how many results the search has in all
    PGPASSWORD="$app_password" psql -h "$socket_dir" -p 5432 -U guanxi_app -d guanxi -X -q -At -v q="$1" -v types="$types" \
        -c "SELECT set_config('app.tenant_id', '$tenant_id', false)" -f <(printf '%s\n' "$search_sql" \
        | sed -e "s/LIMIT $((page_limit + 1))\$/LIMIT 1000000/" -e "s/:q\\b/:'q'/" -e "s/:types\\b/:'types'/g") | tail -n +2 | wc -l
}
matches_chinese=$(match_count 小明)
matches_prefix=$(match_count john)
matches_typo=$(match_count jonh)

say "the plans of the three searches (EXPLAIN ANALYZE, as guanxi_app in tenant search)"
for q in 小明 john jonh; do
    echo "-- q=$q" >&2
    PGPASSWORD="$app_password" psql -h "$socket_dir" -p 5432 -U guanxi_app -d guanxi -X -q -v q="$q" -v types="$types" \
        -c "SELECT set_config('app.tenant_id', '$tenant_id', false)" \
        -f <(printf 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)\n%s\n' "$search_sql" | sed -e "s/:q\\b/:'q'/" -e "s/:types\\b/:'types'/g") \
        >"$work/plan-$q.txt" 2>&1 || true
    # each common table expression with its first node's time and rows, the scans of indexes, the totals
    awk '/CTE [a-z_]+$/ { name = $0; getline; print name ":" $0; next }
         /Index (Only )?Scan using|Planning Time|Execution Time/' "$work/plan-$q.txt" >&2 || true
done

pgbench_latency() { awk '/^latency average/ { print $4 " " $5 }' "$1"; }
rows=""
for phase in "${phases[@]}"; do
    IFS='|' read -r name label path script variable <<<"$phase"
    say "$label: wrk -t$threads -c$connections -d${seconds}s GET $path (after 5 s of warm-up)"
    wrk -t"$threads" -c"$connections" -d5s -H "Authorization: Bearer $api_key" "$base$path" >/dev/null
    phase_load=$(load_average)
    # a request slower than wrk's default 2 s counts in the latencies, not as a socket error
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency -H "Authorization: Bearer $api_key" "$base$path" >"$work/$name.wrk"
    cat "$work/$name.wrk" >&2
    for mode in extended prepared; do
        say "$label: pgbench -U guanxi_app -M $mode -c$connections -j$threads -T$seconds"
        PGPASSWORD="$app_password" pgbench -h "$socket_dir" -p 5432 -U guanxi_app -n -M "$mode" \
            -c"$connections" -j"$threads" -T"$seconds" -D tenant="$tenant_id" -D types="$types" -D "$variable" \
            -f "$work/$script" guanxi >"$work/$name.$mode" 2>&1 || { cat "$work/$name.$mode" >&2; fail "$label: pgbench failed"; }
        grep -E '^(number of (transactions actually processed|failed transactions)|latency average|tps)' "$work/$name.$mode" >&2 || true
        [ -n "$(pgbench_tps "$work/$name.$mode")" ] || { cat "$work/$name.$mode" >&2; fail "$label: cannot read pgbench's output"; }
    done
    rps=$(wrk_field rps "$work/$name.wrk")
    [ -n "$rps" ] || fail "$label: cannot read wrk's output"
    non2xx=$(wrk_field non2xx "$work/$name.wrk")
    socket=$(wrk_field socket "$work/$name.wrk")
    [ "$non2xx" = 0 ] && [ "$socket" = none ] || fail "$label: the API answered $non2xx non-2xx responses; socket errors: $socket"
    extended=$(pgbench_tps "$work/$name.extended")
    prepared=$(pgbench_tps "$work/$name.prepared")
    rows="$rows
| $label | **$(round "$rps") req/s**, p50 $(wrk_field p50 "$work/$name.wrk"), p99 $(wrk_field p99 "$work/$name.wrk") | $(round "$extended") tps, $(pgbench_latency "$work/$name.extended") | **$(ratio "$rps" "$extended")** | $(round "$prepared") tps, $(pgbench_latency "$work/$name.prepared") | $(ratio "$rps" "$prepared") | $phase_load |"
done

section="$work/section.md"
cat >"$section" <<EOF
## List and search

Written by [Benchmarks/search.sh](../Benchmarks/search.sh) (called by \`make bench\`, or run alone:
\`bash Benchmarks/search.sh\`) on $(date -u +%Y-%m-%d), commit $(commit_description), $(machine_description).
The machine is shared with other builds and tests (load average $seeding_load when the seeding began;
the last column gives it as each phase began), so the rates vary from run to run; the ratios to
pgbench, measured in the same run and under the same load, vary less.

**Method.** A fresh embedded cluster (durable settings) served by the release binary over HTTPS on
127.0.0.1, as \`guanxi_app\`. Seeded by SQL: $tenant_rows tenants; tenant *search* holds $big_rows
contacts, the others $small_contacts each ($contact_rows in all, interleaved in one table): 70 % Chinese
names (a common surname and one or two given-name characters, pinyin emails), 30 % English names, and
mainland mobile numbers written four ways. \`search_terms\` then holds $term_rows rows ($terms_size with its
index; \`contacts\`: $contacts_size), written by the same triggers as in production ($seed_seconds s for the
seeding). Each API request authenticates its key, passes the rate limits and is metered (the tenant's
plan is out of wrk's reach). \`wrk -t$threads -c$connections -d${seconds}s --latency\` after 5 s of warm-up,
HTTP/1.1 keep-alive over TLS. Beside it, pgbench runs the same transaction the server runs for that
request (\`BEGIN\`, the statement that sets the tenant, the server's statement, \`COMMIT\`) as
\`guanxi_app\`, the values sent as parameters, $connections clients, $threads threads, ${seconds} s each: the SQL
alone, without TLS, HTTP, authentication, JSON or Swift. Twice: with \`-M extended\`, which plans every
statement again, as the server sends the list's statement, and with \`-M prepared\`, which keeps the plan,
as the server sends the search's (a prepared statement; Docs/Search.md).

The searches have $matches_chinese (小明), $matches_prefix (john) and $matches_typo (jonh) results in all;
each request asks for the first page of $page_limit.

| request | API (wrk) | pgbench \`-M extended\` | API / extended | pgbench \`-M prepared\` | API / prepared | load |
|---|---|---|---|---|---|---|$rows
EOF
replace_sections "$section"
say "list and search results (written to Docs/Performance.md)"
cat "$section"
