#!/usr/bin/env bash
# The Bufdir report on large data: seeds the demo data plus N generated activities (default
# 1,000,000), starts the release build, signs in as NHF's org admin and times the Bufdir report
# page for the current year (a draft: computed on every request by SQL aggregates), a few
# times, with curl; then the same as a coordinator (their associations only).
# Usage: bash bench/bufdir.sh [sqlite|postgres] [N] [runs]
# Target: <= 1 s on both backends. Needs: cargo build --release; PostgreSQL for "postgres".
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
n="${2:-1000000}"
runs="${3:-5}"
source bench/lib.sh
start_server "$backend" "$n"
year=$(date +%Y)
for who in admin@nhf.example coordinator@nhf.example; do
  c=$(cookie_for "$who")
  echo "== /reports/bufdir/$year as $who"
  for i in $(seq 1 "$runs"); do
    curl -s -o /dev/null -w "status %{http_code}, %{time_total} s\n" -H "Cookie: $c" "$base/reports/bufdir/$year"
  done
done
