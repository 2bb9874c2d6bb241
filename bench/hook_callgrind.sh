#!/bin/sh
# Instruction counts of the standalone pre-commit hook's Python process, under callgrind: deterministic
# while other jobs load the machine (wall-clock timing is not; bench/hook_bench.py gives the times).
#
#   bench/hook_callgrind.sh REPO [SRC]
#
# REPO: a git repository with staged files (e.g. $PEERS_ROOT/staged). SRC: a folder holding a guard/
# package to measure (default: this checkout; `git archive COMMIT guard | tar -x -C DIR` measures a
# commit). The hook runs as the shim runs it with recorded folders: `python -S -P -c ...`, guard and
# pyahocorasick found on sys.path, byte-compiled first (as pip does for users). Prints the counts of
# `python -S -c pass` and of the hook, twice each.
set -eu
REPO=$1
SRC=${2:-$(cd "$(dirname "$0")/.." && pwd)}
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=$(readlink -f "$HERE/.venv/bin/python")
SITE=$("$HERE/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
unset PYTHONDONTWRITEBYTECODE
"$PY" -m compileall -q "$SRC/guard" >/dev/null
code="import sys; sys.path.extend(['$SRC', '$SITE']); from guard.cli import hook_main; hook_main()"
cd "$REPO"
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'; }
for run in 1 2; do
  echo "python -S -c pass: $(count "$PY" -S -c pass)"
  echo "hook: $(count "$PY" -S -P -c "$code" hook pre-commit)"
done
