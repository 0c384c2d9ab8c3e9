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
  measure / "$who" "$secs"
done
