#!/usr/bin/env bash
# The coordinator's approval queue with many pending claims: seeds the demo data, adds N
# generated claims waiting for a decision (default 100,000; each a copy of a demo claim of the
# demo mentor, spread over the past 60 days), starts the release build, and measures with wrk
# (20 connections, latency percentiles) the queue as the coordinator (three associations) and
# as the organization administrator, unfiltered and filtered (reason and amount), and the
# second page (keyset cursor).
# Usage: bash bench/approval_queue.sh [sqlite|postgres] [N] [seconds]
# Needs: cargo build --release; Debian's wrk (apt-get install wrk) and sqlite3; PostgreSQL for
# "postgres".
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
n="${2:-100000}"
secs="${3:-20}"
source bench/lib.sh
start_server "$backend" 0

# The claims are written by SQL straight into the database (the server is up, but only reads
# them): copies of the demo mentor's first waiting claim, with fresh UUIDs and times.
if [ "$backend" = postgres ]; then
  psql "$url" -q <<SQL
INSERT INTO reimbursements (id, organization_id, local_association_id, user_id, status, version,
    total_ore, tax_free_ore, taxable_ore, line_count, review_reasons, spot_check, submitted_at,
    created_at, updated_at)
SELECT gen_random_uuid()::text, r.organization_id, r.local_association_id, r.user_id,
    'submitted', 1, 100000 + (i % 500000), 100000 + (i % 500000), 0, 1,
    CASE WHEN i % 3 = 0 THEN 'threshold receipts' ELSE 'threshold' END, 'none',
    now() - (i % 86400 * 60 || ' seconds')::interval, now(), now()
FROM generate_series(1, $n) AS i,
    (SELECT * FROM reimbursements WHERE status = 'submitted'
       AND user_id = (SELECT id FROM users WHERE email = 'mentor@nhf.example') LIMIT 1) AS r;
VACUUM ANALYZE reimbursements;
SQL
else
  sqlite3 "$url" <<SQL
PRAGMA busy_timeout = 10000;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n),
  g(i, h) AS (SELECT i, lower(hex(randomblob(16))) FROM n)
INSERT INTO reimbursements (id, organization_id, local_association_id, user_id, status, version,
    total_ore, tax_free_ore, taxable_ore, line_count, review_reasons, spot_check, submitted_at,
    created_at, updated_at)
SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-a'
         || substr(h, 18, 3) || '-' || substr(h, 21, 12),
    r.organization_id, r.local_association_id, r.user_id, 'submitted', 1,
    100000 + (i % 500000), 100000 + (i % 500000), 0, 1,
    CASE WHEN i % 3 = 0 THEN 'threshold receipts' ELSE 'threshold' END, 'none',
    strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (i % 86400 * 60) || ' seconds'),
    strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now')
FROM g, (SELECT * FROM reimbursements WHERE status = 'submitted'
       AND user_id = (SELECT id FROM users WHERE email = 'mentor@nhf.example') LIMIT 1) AS r;
ANALYZE;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
fi

pending=$(q "SELECT count(*) FROM reimbursements WHERE status = 'submitted'")
echo "backend: $backend, claims waiting: $pending"
for who in coordinator@nhf.example admin@nhf.example; do
  c=$(cookie_for "$who")
  next=$(curl -s -H "Cookie: $c" "$base/claims" | grep -o 'href="/claims?[^"]*after=[^"]*"' | head -1 | sed 's/^href="//;s/"$//;s/&amp;/\&/g')
  for path in "/claims" "/claims?reason=receipts&min=1200&max=1800" "$next"; do
    [ -n "$path" ] || continue
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $c" "$base$path")
    echo "== GET $path as $who (status $status), 20 connections, ${secs}s"
    wrk -t2 -c20 -d"${secs}s" --latency -H "Cookie: $c" "$base$path" | grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx'
  done
done
