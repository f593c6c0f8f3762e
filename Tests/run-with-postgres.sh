#!/usr/bin/env bash
# Builds, starts a throw-away PostgreSQL cluster with the project's own embedded manager, runs
# every test against it, and stops it whatever happens. Extra arguments go to `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
dir=$(mktemp -d /tmp/guanxi-test.XXXXXX)
chmod 755 "$dir"   # the cluster runs as the postgres user when we are root
cleanup() { .build/debug/guanxi db stop --data-dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
GUANXI_TEST_DATABASE_URL=$(.build/debug/guanxi db start --data-dir "$dir" --ephemeral)
export GUANXI_TEST_DATABASE_URL
swift test --skip-build "$@"
