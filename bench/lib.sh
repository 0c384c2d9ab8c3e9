# Shared by the benchmarks: `start_server BACKEND N` makes a database (a temporary SQLite file or
# a PostgreSQL database that is dropped at exit), seeds the demo data plus N generated
# activities, starts the release build on a free port and sets $base, $pid, $url and $dir;
# `cookie_for EMAIL` signs in and prints the Cookie header value; `q SQL` runs one statement
# against that database and prints its rows (columns split by `|`). With BENCH_SEEDED (a SQLite
# file or a PostgreSQL database name) the database is a copy of that one instead of seeded (set
# MASTER_KEY_FILE to the key file written when it was seeded). BENCH_PORT picks the port.
bin="${LIKEPERSON_BIN:-target/release/likeperson}"
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk" >&2; exit 1; }
pg_admin="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

start_server() {
  backend=$1
  dir=$(mktemp -d)
  if [ "$backend" = postgres ]; then
    db="likeperson_bench_$$"
    psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
    url="${pg_admin%/*}/$db"
  else
    url="$dir/likeperson.db"
  fi
  trap cleanup EXIT
  export DATABASE_URL="$url" LIKEPERSON_DATA_DIR="$dir" RUST_LOG=warn
  if [ -n "${BENCH_SEEDED:-}" ]; then
    # A copy of a database seeded before (a SQLite file, or a PostgreSQL database used as the
    # template), so that runs of several binaries measure the same data without seeding anew.
    if [ "$backend" = postgres ]; then psql "$pg_admin" -qc "DROP DATABASE $db" -c "CREATE DATABASE $db TEMPLATE $BENCH_SEEDED" >/dev/null
    else cp "$BENCH_SEEDED" "$url"; fi
    "$bin" migrate >/dev/null
    echo "copied $BENCH_SEEDED"
  else
    "$bin" seed --demo --activities "$2" | tail -n 1
  fi
  # Statistics for the planner, and the bulk load's checkpoint done before measuring.
  if [ "$backend" = postgres ]; then psql "$url" -qc "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
  else sqlite3 "$url" "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null 2>&1 || true; fi
  local port="${BENCH_PORT:-}" # BENCH_PORT: a port of your own, else a free one
  [ -n "$port" ] || port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  "$bin" serve --bind "127.0.0.1:$port" --no-demo >"$dir/server.log" 2>&1 &
  pid=$!
  until curl -sf "$base/healthz" >/dev/null; do sleep 0.05; done
}

cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  # BENCH_KEEP_LOG=<file>: the server's log is kept there.
  [ -n "${BENCH_KEEP_LOG:-}" ] && cp "$dir/server.log" "$BENCH_KEEP_LOG" 2>/dev/null || true
  if [ "$backend" = postgres ]; then psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true; fi
  rm -rf "$dir"
}

q() { # q SQL: one statement against the benchmark database, its rows unaligned, no headers
  if [ "$backend" = postgres ]; then psql "$url" -qAtc "$1"; else sqlite3 "$url" "$1"; fi
}

cpu_ticks() { # user + system CPU of a process, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}

db_cpu_ticks() { # the same summed over the PostgreSQL backends serving the benchmark database
  [ "$backend" = postgres ] || return 0
  local p t=0
  for p in $(pgrep -f "postgres: .* $db "); do
    t=$(( t + $(cpu_ticks "$p" 2>/dev/null || echo 0) ))
  done
  echo "$t"
}

cookie_for() { # signs in and prints the Cookie header value
  local jar="$dir/jar-$1"
  local token
  token=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" --data-urlencode "email=$1" \
    --data-urlencode "password=likeperson-demo" --data-urlencode "next=/" "$base/login"
  awk '$6 == "likeperson_session" {print "likeperson_session=" $7}' "$jar"
}

measure() { # measure PATH EMAIL SECONDS: wrk with 20 connections as that user, with the CPU per request
  local path=$1 who=$2 secs=$3 c status out n app0 app1 db0 db1
  c=$(cookie_for "$who")
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $c" "$base$path")
  echo "== GET $path as $who (status $status), 20 connections, ${secs}s"
  app0=$(cpu_ticks "$pid"); db0=$(db_cpu_ticks)
  out=$(wrk -t2 -c20 -d"${secs}s" --latency -H "Cookie: $c" "$base$path")
  app1=$(cpu_ticks "$pid"); db1=$(db_cpu_ticks)
  echo "$out" | grep -E 'Requests/sec|^ +(50|75|90|99)%|Non-2xx'
  # CPU time per request, which other work on a shared machine moves far less than requests/s.
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$n $app0 $app1 $db0 $db1" | awk -v hz="$(getconf CLK_TCK)" '$1 > 0 {
    printf "CPU per request: server %.3f ms, database %s\n", ($3 - $2) * 1000 / hz / $1,
      ($4 == "" ? "-" : sprintf("%.3f ms", ($5 - $4) * 1000 / hz / $1)) }'
}
