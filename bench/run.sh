#!/usr/bin/env bash
# Raises the open-file limit (thousands of parked polls need thousands of sockets) and runs the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
[ -f dist/argybargy.mjs ] || npm run build
exec node --import tsx bench/run.ts "$@"
