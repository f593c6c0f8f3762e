#!/usr/bin/env bash
# Installs what Guanxi needs on Debian/Ubuntu when it is missing: the PostgreSQL server (for the
# embedded default and the tests), libpq and OpenSSL headers, openssl (self-signed certificates)
# and curl. Benchmarks add wrk and pgbench (`bootstrap.sh bench`).
set -euo pipefail
packages=(postgresql postgresql-contrib libpq-dev libssl-dev openssl curl ca-certificates)
[ "${1:-}" = bench ] && packages+=(wrk postgresql-client)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
