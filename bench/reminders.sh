#!/usr/bin/env bash
# One reminder pass over many mentors (issue 14): `bash bench/reminders.sh [sqlite|postgres]
# [MENTORS] [ACTIVITIES]` (default 20,000 and 1,000,000). Seeds the demo, adds MENTORS active
# peer mentors in NHF's associations, each with two assigned contacts (assigned 60 days ago),
# generates ACTIVITIES activities over every mentor (`seed --activities`, which gives each
# mentor's first contact its one-to-one activities; the second contact stays without), then
# times `run-jobs --all --job notifications.reminders` twice: the first pass (every due
# reminder made, with its notice and queued mail) and a second one straight after (nothing
# new: the steady state of the hourly job). Prints wall time, CPU and peak memory (RSS) of
# each pass and the machine's load average. Uses the release build (LIKEPERSON_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
mentors=${2:-20000}
activities=${3:-1000000}
bin="${LIKEPERSON_BIN:-target/release/likeperson}"
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
pg_admin="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
dir=$(mktemp -d)
db="likeperson_bench_rem_$$"
if [ "$backend" = postgres ]; then
  psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
  url="${pg_admin%/*}/$db"
else
  url="$dir/likeperson.db"
fi
cleanup() {
  if [ "$backend" = postgres ]; then psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
export DATABASE_URL="$url" LIKEPERSON_DATA_DIR="$dir" RUST_LOG=warn
"$bin" seed --demo | tail -n 1 >/dev/null

# MENTORS users with an active peer mentor profile and grant, two contacts each.
if [ "$backend" = postgres ]; then
  psql "$url" -q <<SQL
CREATE TEMP TABLE la_n AS
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM local_associations
  WHERE organization_id = (SELECT id FROM organizations WHERE short_name = 'NHF');
CREATE TEMP TABLE g AS
  SELECT i, lpad(i::text, 12, '0') AS n, (SELECT id FROM organizations WHERE short_name = 'NHF') AS org,
         (SELECT id FROM la_n WHERE k = i % (SELECT count(*) FROM la_n)) AS assoc
  FROM generate_series(1, $mentors) AS s(i);
INSERT INTO users (id, email, name, name_key, is_active, created_at, updated_at)
  SELECT '10000000-0000-4000-8000-' || n, 'bench' || i || '@nhf.example', 'Bench Mentor ' || i, 'bench mentor ' || i, TRUE, now(), now() FROM g;
INSERT INTO peer_mentors (id, user_id, organization_id, status, started_on, created_at, updated_at)
  SELECT '11000000-0000-4000-8000-' || n, '10000000-0000-4000-8000-' || n, org, 'active', DATE '2024-01-01', now(), now() FROM g;
INSERT INTO user_organization_roles (id, user_id, organization_id, role_id, local_association_id, created_at)
  SELECT '12000000-0000-4000-8000-' || n, '10000000-0000-4000-8000-' || n, org, 'peer_mentor', assoc, now() FROM g;
INSERT INTO contacts (id, organization_id, local_association_id, name, name_key, consent_given, is_active, created_at, updated_at)
  SELECT '2' || x || '000000-0000-4000-8000-' || n, org, assoc, 'Bench Contact ' || i || x, 'bench contact ' || i || x, FALSE, TRUE, now(), now()
  FROM g, (VALUES ('0'), ('1')) AS v(x);
INSERT INTO contact_mentors (id, contact_id, user_id, assigned_at)
  SELECT '3' || x || '000000-0000-4000-8000-' || n, '2' || x || '000000-0000-4000-8000-' || n, '10000000-0000-4000-8000-' || n, now() - interval '60 days'
  FROM g, (VALUES ('0'), ('1')) AS v(x);
SQL
else
  sqlite3 "$url" <<SQL
PRAGMA foreign_keys = ON;
CREATE TEMP TABLE la_n AS
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM local_associations
  WHERE organization_id = (SELECT id FROM organizations WHERE short_name = 'NHF');
CREATE TEMP TABLE g AS
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $mentors)
  SELECT i, printf('%012d', i) AS n, (SELECT id FROM organizations WHERE short_name = 'NHF') AS org,
         (SELECT id FROM la_n WHERE k = i % (SELECT count(*) FROM la_n)) AS assoc FROM s;
BEGIN;
INSERT INTO users (id, email, name, name_key, is_active, created_at, updated_at)
  SELECT '10000000-0000-4000-8000-' || n, 'bench' || i || '@nhf.example', 'Bench Mentor ' || i, 'bench mentor ' || i, 1, datetime('now'), datetime('now') FROM g;
INSERT INTO peer_mentors (id, user_id, organization_id, status, started_on, created_at, updated_at)
  SELECT '11000000-0000-4000-8000-' || n, '10000000-0000-4000-8000-' || n, org, 'active', '2024-01-01', datetime('now'), datetime('now') FROM g;
INSERT INTO user_organization_roles (id, user_id, organization_id, role_id, local_association_id, created_at)
  SELECT '12000000-0000-4000-8000-' || n, '10000000-0000-4000-8000-' || n, org, 'peer_mentor', assoc, datetime('now') FROM g;
INSERT INTO contacts (id, organization_id, local_association_id, name, name_key, consent_given, is_active, created_at, updated_at)
  SELECT '2' || x || '000000-0000-4000-8000-' || n, org, assoc, 'Bench Contact ' || i || x, 'bench contact ' || i || x, 0, 1, datetime('now'), datetime('now')
  FROM g, (SELECT '0' AS x UNION ALL SELECT '1');
INSERT INTO contact_mentors (id, contact_id, user_id, assigned_at)
  SELECT '3' || x || '000000-0000-4000-8000-' || n, '2' || x || '000000-0000-4000-8000-' || n, '10000000-0000-4000-8000-' || n, datetime('now', '-60 days')
  FROM g, (SELECT '0' AS x UNION ALL SELECT '1');
COMMIT;
SQL
fi
t0=$(date +%s.%N)
"$bin" seed --activities "$activities" | tail -n 1
if [ "$backend" = postgres ]; then psql "$url" -qc "VACUUM ANALYZE" >/dev/null
else sqlite3 "$url" "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null; fi
echo "data ready in $(echo "$(date +%s.%N) - $t0" | bc) s: $mentors extra mentors, $activities activities ($backend)"

pass() {
  echo "== $1 (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  /usr/bin/time -f "wall %e s, user %U s, system %S s, peak RSS %M KB" \
    "$bin" run-jobs --all --job notifications.reminders 2>&1 | grep -v '^\[' | sed 's/^/  /'
}
pass "first pass"
pass "second pass"
if [ "$backend" = postgres ]; then q() { psql "$url" -Atc "$1"; }; else q() { sqlite3 "$url" "$1"; }; fi
echo "reminders: $(q 'SELECT count(*) FROM reminders'), notifications: $(q 'SELECT count(*) FROM notifications'), mails queued: $(q 'SELECT count(*) FROM mail_outbox')"
