#!/usr/bin/env bash
# Stalled requests under load: /healthz, the coordinator's activity list and a form POST (the
# settings form, with its CSRF token) at 20, 50 and 200 connections, each printing requests/s,
# p50, p99, max and the number of requests that took over one second (wrk, bench/stall.lua).
# The POST runs twice: all from one person, and in turn from up to STALL_PEOPLE (200) people of the demo.
# Target: none over 1 s, and p99 within 10 × p50 wherever throughput is saturated.
# Usage: bash bench/stall.sh [sqlite|postgres] [N activities] [seconds] [levels]
# Needs: cargo build --release; Debian's wrk; PostgreSQL for "postgres".
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
n="${2:-20000}"
secs="${3:-10}"
levels="${4:-20 50 200}"
source bench/lib.sh
start_server "$backend" "$n"

cookie=$(cookie_for coordinator@nhf.example)
csrf=$(curl -s -H "Cookie: $cookie" "$base/account/settings" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
[ -n "$csrf" ] || { echo "could not sign in" >&2; exit 1; }
form="csrf_token=$csrf&language=nb&notify_email=on&notify_in_app=on&calendar_week_start=monday"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -H "Origin: $base" --data "$form" "$base/account/settings")
echo "backend: $backend, $n generated activities; POST /account/settings answers $status"

# The same POST from many people (one cookie and token each, in turn): one person's 200 forms at
# once wait for each other on their own settings row and session, as they must; many people's
# do not. The demo's people without a password get the demo's.
people=${STALL_PEOPLE:-200}
q "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = 'coordinator@nhf.example') WHERE id IN (SELECT u.id FROM users u JOIN user_organization_roles r ON r.user_id = u.id WHERE u.is_active AND r.role_id <> 'global_admin' ORDER BY u.email LIMIT $people)"
emails=$(q "SELECT DISTINCT u.email FROM users u JOIN user_organization_roles r ON r.user_id = u.id WHERE u.is_active AND r.role_id <> 'global_admin' ORDER BY u.email LIMIT $people")
: > "$dir/users.tsv"
for email in $emails; do
  ck=$(cookie_for "$email")
  tok=$(curl -s -H "Cookie: $ck" "$base/account/settings" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
  [ -n "$tok" ] && printf '%s\t%s\n' "$ck" "$tok" >> "$dir/users.tsv"
done
many_form="csrf_token=__CSRF__&language=nb&notify_email=on&notify_in_app=on&calendar_week_start=monday"
echo "signed in $(wc -l < "$dir/users.tsv") people for the many-people POST"

run() { # name connections url [form body] [people file]; /healthz goes without the session cookie
  local name=$1 c=$2 url=$3 body=${4:-} users=${5:-}
  local out h=(-H "Origin: $base")
  [ "$url" = "$base/healthz" ] || [ -n "$users" ] || h+=(-H "Cookie: $cookie")
  out=$(STALL_BODY="$body" STALL_USERS="$users" wrk -t2 -c"$c" -d"${secs}s" --timeout 10s -s bench/stall.lua \
    "${h[@]}" "$url" | grep '^RESULT' | sed 's/^RESULT //')
  printf '%-22s c=%-4s %s\n' "$name" "$c" "$out"
}
for c in $levels; do
  run "GET /healthz" "$c" "$base/healthz"
  run "GET /activities" "$c" "$base/activities"
  run "POST /account/settings" "$c" "$base/account/settings" "$form"
  run "POST, many people" "$c" "$base/account/settings" "$many_form" "$dir/users.tsv"
done
