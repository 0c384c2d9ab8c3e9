#!/usr/bin/env bash
# Memory of the server under ten concurrent picture uploads by a mentor: first ten of the
# probe's decompression bomb (a 1.1 MB PNG of 11,900 x 11,900 pixels, 16-bit RGBA, 1.1 GB
# decoded), then ten of the largest picture still accepted (8,000 x 6,000 = 48 MP, 8-bit RGB,
# 144 MB decoded). Prints the status codes and the server's resident memory: at start, and its
# peak (VmHWM) after each round.
# Usage: bash bench/upload_bomb.sh [debug|release]   (build first: cargo build [--release])
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-debug}"
bin=target/$profile/likeperson
[ -x "$bin" ] || { echo "build first: cargo build${profile/debug/}" >&2; exit 1; }
dir=$(mktemp -d)
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

# The pictures, made with zlib: every pixel byte is zero (filter byte 0 + zeros per row), which
# costs the decoder exactly as much as a real photograph of that size.
python3 - "$dir" <<'PY'
import struct, sys, zlib
def png(path, w, h, depth, color, bpp):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    z = zlib.compressobj(9)
    row = b"\0" * (1 + w * bpp)
    parts = []
    block = row * max(1, (1 << 22) // len(row))
    rows_per_block = len(block) // len(row)
    left = h
    while left > 0:
        n = min(rows_per_block, left)
        parts.append(z.compress(block[: n * len(row)]))
        left -= n
    parts.append(z.flush())
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, 0)))
        f.write(chunk(b"IDAT", b"".join(parts)))
        f.write(chunk(b"IEND", b""))
png(sys.argv[1] + "/bomb.png", 11900, 11900, 16, 6, 8)
png(sys.argv[1] + "/large.png", 8000, 6000, 8, 2, 3)
PY
echo "bomb.png: $(stat -c %s "$dir/bomb.png") bytes, large.png: $(stat -c %s "$dir/large.png") bytes"

export DATABASE_URL="$dir/likeperson.db" LIKEPERSON_DATA_DIR="$dir" RUST_LOG=warn
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" serve --bind "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
pid=$!
until curl -sf "$base/healthz" >/dev/null; do sleep 0.1; done

jar="$dir/jar"
token=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" \
  --data-urlencode "email=mentor@nhf.example" --data-urlencode "password=likeperson-demo" "$base/login"
activity=$(curl -s -b "$jar" "$base/activities" | grep -o 'href="/activities/[0-9a-f-]\{36\}"' | head -1 | sed 's/href="//;s/"$//')
page=$(curl -s -b "$jar" "$base$activity")
token=$(echo "$page" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')

kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
echo "server: $bin, activity $activity; resident at start: $(kb VmRSS) kB"
round() { # $1 = file
  local codes=()
  for i in $(seq 1 10); do
    curl -s -o /dev/null -w '%{http_code}\n' -b "$jar" -F "csrf_token=$token" \
      -F "file=@$dir/$1;type=image/png" "$base$activity/documents" >"$dir/code-$i" &
  done
  wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
  for i in $(seq 1 10); do codes+=("$(cat "$dir/code-$i")"); done
  echo "ten concurrent uploads of $1: status ${codes[*]}; resident now $(kb VmRSS) kB, peak so far (VmHWM) $(kb VmHWM) kB"
}
round bomb.png
round large.png
