#!/usr/bin/env bash
# The main job on a built-in example: build a polluted sample repository (a venv in the root,
# a committed .env with a database password, a config with a LAN IP and a home path) and let
# guard scan it, then show what `guard clean` would move. Exits 0 when guard caught it all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
GUARD=$PWD/.venv/bin/guard
SAMPLE=$(mktemp -d "${TMPDIR:-/tmp}/guard-demo.XXXXXX")
trap 'rm -rf "$SAMPLE"' EXIT

cd "$SAMPLE"
git init -q .
pw=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')   # a fresh fake password every run
printf 'DATABASE_URL=postgresql://trader:%s@db.internal:5432/market\n' "$pw" > .env
printf '{\n  "host": "192.168.86.42",\n  "data_dir": "/Users/alice/proj/data"\n}\n' > config.json
printf 'import os\nURL = os.environ["DATABASE_URL"]\n' > app.py
mkdir -p bin && printf '#!/bin/sh\necho deploying\n' > bin/deploy.sh && chmod +x bin/deploy.sh
python3 -m venv --without-pip .          # the classic mistake: a venv in the repository root

echo "== guard scan $SAMPLE"
set +e
"$GUARD" scan .
rc=$?
set -e
echo "== guard clean --dry-run (what a cleanup would move to the quarantine)"
"$GUARD" clean --dry-run . || true
if [ "$rc" != 1 ]; then echo "demo: expected findings (exit 1), got exit $rc" >&2; exit 1; fi
if grep -rq "$pw" <("$GUARD" scan . --format json); then echo "demo: the password was printed whole" >&2; exit 1; fi
echo "demo: guard blocked the polluted sample as expected (exit 1), without printing the password"
