#!/usr/bin/env bash
# Create .venv and install guard into it. With --test: also the system packages and Python
# extras the test suite needs (PostgreSQL server, libsystemd for systemd-python, git; the type checker,
# linters and Sphinx the tests run).
# Idempotent: a second run only checks. Works on a fresh Debian/Ubuntu machine as root.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

missing_apt=()
need() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || missing_apt+=("$1"); }
command -v git >/dev/null || missing_apt+=(git)
if [ "$want_test" = 1 ]; then
  need postgresql        # initdb/pg_ctl: the tests start a real server of their own
  need libsystemd-dev    # systemd-python compiles against it
  need pkg-config
  need gcc
  need systemd             # systemd-analyze verify/security lint the shipped unit
  need systemd-container   # systemd-nspawn boots a real systemd for the end-to-end test
  need mmdebstrap          # builds that container's Debian root (cached under /var/cache/guard-test)
fi
if [ ${#missing_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "bootstrap: please install: ${missing_apt[*]} (apt-get install -y ${missing_apt[*]})" >&2
    exit 2
  fi
  echo "bootstrap: apt-get install ${missing_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Other jobs on the machine may hold dpkg's lock for a moment: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null
  apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing_apt[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pipq() { .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@" 2> >(grep -v "is ignored: it is neither" >&2); }
if [ "$want_test" = 1 ]; then
  pipq -e '.[test,docs,systemd]'
else
  pipq -e .
fi
