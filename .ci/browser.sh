#!/usr/bin/env bash
# Browser tests: the real server with demo data, driven by Debian's Chromium
# through playwright-core, checked with axe-core and the W3C Nu HTML checker. Run from the repository root:
#   bash .ci/browser.sh
# Environment: LIKEPERSON_BIN (default target/debug/likeperson), SCREENSHOTS=<dir>,
# CRAWL_MAX_PAGES (default 60 per role), ROLES (e.g. "mentor@nhf,admin@nhf").
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
if [ ! -x /usr/bin/chromium ]; then
  echo "browser.sh: installing Debian's chromium"
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null | head -n1 || true

command -v node >/dev/null || { echo "browser.sh: node is required" >&2; exit 1; }
# Java runs the W3C Nu HTML checker (npm vnu-jar) once over every crawled page.
if ! command -v java >/dev/null; then
  echo "browser.sh: installing Debian's Java runtime for the HTML checker"
  apt-get update -qq
  apt-get install -y -qq default-jre-headless >/dev/null
fi

(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

bin="${LIKEPERSON_BIN:-target/debug/likeperson}"
if [ ! -x "$bin" ]; then
  echo "browser.sh: $bin missing, running cargo build (debug)"
  cargo build --bin likeperson
fi
export LIKEPERSON_BIN="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

cd tests/browser
exec node --test --test-reporter=spec suite.test.mjs
