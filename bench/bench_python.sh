#!/usr/bin/env bash
# Python in-process numbers (issue 9, SPEC §8): Monitor.observe() with a 5-key
# dict (goal <= 3 us/call over 1 M calls) next to a pure-Python loop doing the
# seed's per-row work, in one table (bench/python_observe.py).
#   bash bench/bench_python.sh                  # 1 M calls, 50 k seed rows
#   CALLS=200000 SEED_ROWS=20000 bash bench/bench_python.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
build=${BUILD_DIR:-build/bench-python}
release_build "$build" PYTHON _sidecar
PYTHONPATH="$build/python" /usr/bin/python3 bench/python_observe.py "${CALLS:-1000000}" "${SEED_ROWS:-50000}"
