# Sourced by Benchmarks/run.sh while its release server runs (it uses the server's $base and $work,
# the plan bench, and common.sh's helpers): imports 100,000 contacts as one CSV file
# through the API (upload with its preview, then commit) and, in the same run, loads the same rows
# into the same table with psql's \copy, and writes the figures, as a section of Docs/Performance.md,
# to $work/import.md. Environment: BENCH_IMPORT_ROWS (default 100000).

import_rows=${BENCH_IMPORT_ROWS:-100000}

say "import: two tenants on the bench plan (no contact limit), $import_rows generated contacts"
import_key=$(provision_tenant bench-import "Import bench-import" bench)
provision_tenant bench-copy "Import bench-copy" bench >/dev/null
copy_tenant=$(psql_super -At -c "SELECT id FROM tenants WHERE slug = 'bench-copy'")
[ -n "$import_key" ] && [ -n "$copy_tenant" ] || fail "import: tenants not provisioned"

# The same rows twice: a CSV as a firm would upload it (Chinese headers and names, a quoted title
# with a comma), and the CSV \copy reads (tenant and id first, since \copy makes neither).
awk -v rows="$import_rows" -v tenant="$copy_tenant" -v api="$work/import.csv" -v copy="$work/copy.csv" 'BEGIN {
    srand(20261129)
    split("王 李 张 刘 陈 杨 黄 赵 吴 周", surname, " "); split("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳", given, " ")
    print "姓名,邮箱,手机,职位" >api
    for (n = 0; n < rows; n++) {
        name = surname[n % 10 + 1] given[int(n / 10) % 12 + 1] (n % 3 == 0 ? "" : " " n)
        email = "user" n "@example.cn"; phone = sprintf("+86 139-%08d", n)
        title = (n % 2 == 0 ? "采购" : "\"Sales, North\"")
        print name "," email "," phone "," title >api
        id = sprintf("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x", rand() * 65536, rand() * 65536, rand() * 65536,
                     rand() * 4096, 32768 + rand() * 16384, rand() * 65536, rand() * 65536, rand() * 65536)
        print tenant "," id "," name "," email "," phone "," title >copy
    }
}'
import_bytes=$(wc -c <"$work/import.csv")

say "import through the API: POST /api/v1/imports, then POST /api/v1/imports/{id}/commit"
read -r status upload_seconds < <(curl -sk -o "$work/import-upload.json" -w '%{http_code} %{time_total}\n' \
    -H "Authorization: Bearer $import_key" -H 'Content-Type: text/csv' --data-binary @"$work/import.csv" \
    "$base/api/v1/imports?object=contacts")
[ "$status" = 201 ] || fail "POST /api/v1/imports answered $status: $(head -c 2000 "$work/import-upload.json")"
grep -q '"error_count":0' "$work/import-upload.json" || fail "the generated file has errors: $(head -c 2000 "$work/import-upload.json")"
import_id=$(json_field id "$work/import-upload.json")
read -r status commit_seconds < <(curl -sk -o "$work/import-commit.json" -w '%{http_code} %{time_total}\n' -X POST \
    -H "Authorization: Bearer $import_key" "$base/api/v1/imports/$import_id/commit")
[ "$status" = 200 ] || fail "POST /api/v1/imports/{id}/commit answered $status: $(head -c 2000 "$work/import-commit.json")"
grep -q "\"created\":$import_rows" "$work/import-commit.json" || fail "the commit did not create $import_rows contacts: $(cat "$work/import-commit.json")"

say "the same rows with psql \\copy into contacts (superuser, the tenant set for the quota trigger)"
copy_start=$(date +%s.%N)
PGOPTIONS="-c app.tenant_id=$copy_tenant" psql_super \
    -c "\\copy contacts (tenant_id, id, name, email, phone, title) FROM '$work/copy.csv' WITH (FORMAT csv)"
copy_end=$(date +%s.%N)
copy_seconds=$(awk -v a="$copy_start" -v b="$copy_end" 'BEGIN { printf "%.3f", b - a }')

for slug in bench-import bench-copy; do
    counted=$(psql_super -At -c "SELECT count(*) || ' ' || (SELECT used FROM record_counters r WHERE r.tenant_id = t.id AND kind = 'contacts')
                                   FROM contacts c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = '$slug' GROUP BY t.id")
    [ "$counted" = "$import_rows $import_rows" ] || fail "$slug holds '$counted' contacts and quota use, not $import_rows"
done

upload_seconds=$(printf '%.3f' "$upload_seconds"); commit_seconds=$(printf '%.3f' "$commit_seconds")
# Other work on the machine slows both sides; say how busy it was.
import_load=$(load_average)
api_seconds=$(awk -v a="$upload_seconds" -v b="$commit_seconds" 'BEGIN { printf "%.3f", a + b }')
per_second() { awk -v n="$import_rows" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
import_ratio=$(awk -v a="$api_seconds" -v b="$copy_seconds" 'BEGIN { printf "%.2f", a / b }')
echo "import: upload ${upload_seconds}s, commit ${commit_seconds}s, \\copy ${copy_seconds}s, ratio $import_ratio" >&2

cat >"$work/import.md" <<EOF

## Import

How long 100,000 contacts take to import as one CSV file through the API, next to psql's \`\\copy\`
of the same rows into the same table, in the same run on the same server and database
([Benchmarks/import.sh](../Benchmarks/import.sh), sourced by \`make bench\` after the phases above).

- **File**: $import_rows rows, $import_bytes bytes of UTF-8 with the headers \`姓名,邮箱,手机,职位\`
  (Chinese names, distinct emails and phone numbers, every other title quoted with a comma in it),
  generated by the script.
- **API**: one \`curl\` uploads the file (\`POST /api/v1/imports?object=contacts\`, \`text/csv\`: read,
  detect the encoding, parse, propose the mapping, check every row, store the file and the preview),
  then another commits it (\`POST /api/v1/imports/{id}/commit\`: check again, look up duplicates,
  write the contacts in batches of 5,000 — \`COPY\` into a temporary table, \`INSERT … SELECT\` into
  \`contacts\` under row-level security — publishing progress after each, in one transaction). The
  tenant is new and rents the bench plan, which sets no contact limit; the quota trigger still counts.
- **Reference**: \`psql -c "\\copy contacts (tenant_id, id, name, email, phone, title) FROM … (FORMAT csv)"\`
  as the superuser with \`app.tenant_id\` set, into another new tenant on the same plan: the same rows,
  the same indexes (the trigram index among them) and the same quota trigger, with nothing of ours
  in between. Both tenants hold $import_rows contacts, and count them, afterwards (checked).

| measure | seconds | rows/s |
|---|---|---|
| API upload and preview | $upload_seconds | $(per_second "$upload_seconds") |
| API commit | $commit_seconds | $(per_second "$commit_seconds") |
| **API, upload and commit** | **$api_seconds** | **$(per_second "$api_seconds")** |
| psql \`\\copy\` | $copy_seconds | $(per_second "$copy_seconds") |
| **API / \`\\copy\`** | **$import_ratio** | |

The machine's load average (one minute) at the end of the phase was $import_load, on $(nproc) cores
(measured on $(date -u +%Y-%m-%d), commit $(commit_description)).
EOF
