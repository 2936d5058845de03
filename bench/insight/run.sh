#!/usr/bin/env bash
# Benchmark: `slipway analyze` of python:3.11-slim beside plain `docker save` of the same image.
# Usage: bench/insight/run.sh [IMAGE] [RUNS]   (build dir: $BUILD_DIR, default build)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
image="${1:-python:3.11-slim}"
runs="${2:-5}"
cmake -S "$root" -B "$build" -G Ninja >/dev/null
ninja -C "$build" insight_bench slipway >/dev/null
"$build/insight/insight_bench" "$image" "$runs"
if [ -x /usr/bin/time ]; then
  echo "--- slipway analyze under /usr/bin/time -v"
  /usr/bin/time -v "$build/cli/slipway" analyze "$image" --json 2>&1 >/dev/null |
    grep -E "Elapsed|Maximum resident"
fi
