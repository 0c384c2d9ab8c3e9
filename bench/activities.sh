#!/usr/bin/env bash
# Activity lists on large data: seeds the demo data plus N generated activities (default
# 1,000,000), starts the release build, signs in, and measures with wrk (20 connections,
# latency percentiles): the coordinator's activity list and the mentor's own list; then streams
# a CSV export of about 100,000 rows while sampling the server's memory.
# Usage: bash bench/activities.sh [sqlite|postgres] [N] [seconds]
# Needs: cargo build --release; Debian's wrk (apt-get install wrk); PostgreSQL for "postgres".
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
n="${2:-1000000}"
secs="${3:-20}"
source bench/lib.sh
start_server "$backend" "$n"

total=$(q "SELECT count(*) FROM activities" 2>/dev/null || echo "?")
echo "backend: $backend, activities in the database: $total"
for who in coordinator@nhf.example mentor@nhf.example admin@nhf.example; do
  measure /activities "$who" "$secs"
done

c=$(cookie_for coordinator@nhf.example)
from=$(date -d '-400 days' +%F); to=$(date -d '-100 days' +%F)
echo "== CSV export as coordinator@nhf.example, $from to $to"
# Anonymous memory only: SQLite reads the database through a memory map, whose file pages count
# in VmRSS but are the kernel's page cache, not the server's heap.
rss() { awk '/RssAnon/ {print $2}' "/proc/$pid/status"; }
before=$(rss); peak=$before
curl -s -H "Cookie: $c" "$base/activities/export.csv?from=$from&to=$to" -o "$dir/export.csv" &
cpid=$!
while kill -0 "$cpid" 2>/dev/null; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.05; done
rows=$(( $(wc -l < "$dir/export.csv") - 1 ))
echo "rows: $rows, bytes: $(stat -c %s "$dir/export.csv"), server heap (RssAnon) before: ${before} kB, peak during export: ${peak} kB"
