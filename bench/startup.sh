#!/usr/bin/env bash
# Start-up time on an empty database: from launching the release binary to the first 200 from
# /healthz (migrations and demo seeding included), on SQLite and, when a server answers, on
# PostgreSQL. Usage: bash bench/startup.sh [runs]   (build first: cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
bin=target/release/likeperson
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
pg_admin="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

measure() { # $1 = backend name, $2 = DATABASE_URL, $3 = extra flags
  local port dir start end pid times=()
  for _ in $(seq 1 "$runs"); do
    dir=$(mktemp -d)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    url="${2:-$dir/likeperson.db}"
    if [[ "$url" == postgres* ]]; then
      db="likeperson_bench_$$"
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
      url="${pg_admin%/*}/$db"
    fi
    start=$(date +%s%N)
    DATABASE_URL="$url" LIKEPERSON_DATA_DIR="$dir" RUST_LOG=warn "$bin" serve --bind "127.0.0.1:$port" $3 >/dev/null 2>&1 &
    pid=$!
    until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.005; done
    end=$(date +%s%N)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    times+=($(( (end - start) / 1000000 )))
    rm -rf "$dir"
    if [[ "$url" == postgres* ]]; then psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; fi
  done
  printf '%s: start-up to first /healthz 200 on an empty database (migrate + seed): %s ms (runs: %s)\n' \
    "$1" "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "${times[*]}"
}

measure sqlite "" "--demo"
if pg_isready -h 127.0.0.1 -q 2>/dev/null; then
  measure postgres "$pg_admin" "--demo"
fi
