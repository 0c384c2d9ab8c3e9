#!/usr/bin/env bash
# The Bufdir report on large data: seeds the demo data plus N generated activities (default
# 1,000,000), starts the release build, signs in as NHF's org admin and times the Bufdir report
# page for the current year (a draft: computed on every request by SQL aggregates), a few
# times, with curl; then the same as a coordinator (their associations only).
# Usage: bash bench/bufdir.sh [sqlite|postgres] [N] [runs]
# Then the team report (issue 15: <= 200 ms) of the coordinator's first association for this
# year. Target: <= 1 s for the Bufdir report on both backends. Needs: cargo build --release; PostgreSQL for "postgres".
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
n="${2:-1000000}"
runs="${3:-5}"
source bench/lib.sh
start_server "$backend" "$n"
year=$(date +%Y)
# TEAM_ONLY=1 times the team report alone.
whos="admin@nhf.example coordinator@nhf.example"; [ -n "${TEAM_ONLY:-}" ] && whos=""
for who in $whos; do
  c=$(cookie_for "$who")
  echo "== /reports/bufdir/$year as $who"
  for i in $(seq 1 "$runs"); do
    curl -s -o /dev/null -w "status %{http_code}, %{time_total} s\n" -H "Cookie: $c" "$base/reports/bufdir/$year"
    sleep 11 # a draft computed less than 10 s ago is served again (single flight): wait it out
  done
done
# The coordinator's busiest association this year (the generator spreads activities unevenly:
# some of their associations have none).
assoc=$(q "SELECT r.local_association_id FROM user_organization_roles r JOIN users u ON u.id = r.user_id WHERE u.email = 'coordinator@nhf.example' AND r.role_id = 'coordinator' ORDER BY (SELECT count(*) FROM activities a WHERE a.local_association_id = r.local_association_id AND a.occurred_on >= '$year-01-01') DESC, r.local_association_id LIMIT 1")
c=$(cookie_for coordinator@nhf.example)
echo "== /reports/team?association=$assoc (this year, its busiest association) as coordinator@nhf.example"
for i in $(seq 1 "$runs"); do
  curl -s -o /dev/null -w "status %{http_code}, %{time_total} s\n" -H "Cookie: $c" "$base/reports/team?association=$assoc&from=$year-01-01&to=$year-12-31"
done
