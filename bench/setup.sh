#!/usr/bin/env bash
# Install the peer scanners and build the scan-benchmark corpus with the shared scripts
# (shared/bench-peers: PyPI, npm and Debian packages only). Re-runnable: the corpus is rebuilt only
# when it is missing or not the pinned commit (REBUILD=1 forces it).
#
#   bash bench/setup.sh                      # into ${PEERS_ROOT:-$TMPDIR/guard-peers}
#   PEERS_ROOT=/tmp/guard-peers bash bench/setup.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# A CI clone has shared/ beside the repository; GUARD_SHARED points elsewhere.
SHARED=${GUARD_SHARED:-$HERE/../../shared}
export PEERS_ROOT=${PEERS_ROOT:-${TMPDIR:-/tmp}/guard-peers}
# What make_corpus.sh builds (fixed identity and dates make it reproducible).
CORPUS_COMMIT=ff6cdb3848833ba2e8e87c385852b2632cf7c4b0

[ -d "$SHARED/bench-peers" ] || { echo "setup.sh: no $SHARED/bench-peers (set GUARD_SHARED)" >&2; exit 2; }
bash "$SHARED/bench-peers/install_peers.sh"
have=$(git -C "$PEERS_ROOT/corpus" rev-parse HEAD 2>/dev/null || true)
if [ "${REBUILD:-0}" = 1 ] || [ "$have" != "$CORPUS_COMMIT" ] || [ -n "$(git -C "$PEERS_ROOT/corpus" status --porcelain)" ]; then
  bash "$SHARED/bench-peers/make_corpus.sh"
fi
have=$(git -C "$PEERS_ROOT/corpus" rev-parse HEAD)
[ "$have" = "$CORPUS_COMMIT" ] || echo "setup.sh: warning: corpus is $have, not the pinned $CORPUS_COMMIT" >&2
echo "corpus ready: $PEERS_ROOT/corpus ($have)"
