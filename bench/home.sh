#!/usr/bin/env bash
# Start pages on large data: like bench/activities.sh (same database set-up, release build,
# BENCH_SEEDED), wrk with 20 connections against the start page of the coordinator, the peer
# mentor and the organization administrator, with the CPU time per request.
# Usage: bash bench/home.sh [sqlite|postgres] [N] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
n="${2:-1000000}"
secs="${3:-20}"
source bench/lib.sh
start_server "$backend" "$n"
for who in coordinator@nhf.example mentor@nhf.example admin@nhf.example; do
  c=$(cookie_for "$who")
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $c" "$base/")
  echo "== GET / as $who (status $status), 20 connections, ${secs}s"
  app0=$(cpu_ticks "$pid"); db0=$(db_cpu_ticks)
  out=$(wrk -t2 -c20 -d"${secs}s" --latency -H "Cookie: $c" "$base/")
  app1=$(cpu_ticks "$pid"); db1=$(db_cpu_ticks)
  echo "$out" | grep -E 'Requests/sec|^ +(50|99)%|Non-2xx'
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$n $app0 $app1 $db0 $db1" | awk -v hz="$(getconf CLK_TCK)" '$1 > 0 {
    printf "CPU per request: server %.3f ms, database %s\n", ($3 - $2) * 1000 / hz / $1,
      ($4 == "" ? "-" : sprintf("%.3f ms", ($5 - $4) * 1000 / hz / $1)) }'
done
