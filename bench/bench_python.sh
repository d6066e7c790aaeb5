#!/usr/bin/env bash
# Python in-process numbers (issue 9, SPEC §8): Monitor.observe() with a 5-key
# dict (goal <= 3 us/call over 1 M calls) next to a pure-Python loop doing the
# seed's per-row work, in one table (bench/python_observe.py).
#   bash bench/bench_python.sh                  # 1 M calls, 50 k seed rows
#   CALLS=200000 SEED_ROWS=20000 bash bench/bench_python.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build/bench-python}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIDECAR_BUILD_TESTS=OFF -DSIDECAR_BUILD_CLI=OFF \
  -DSIDECAR_BUILD_EXAMPLES=OFF -DSIDECAR_BUILD_BENCH=OFF -DSIDECAR_BUILD_PYTHON=ON \
  -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build" --target _sidecar >/dev/null
PYTHONPATH="$build/python" /usr/bin/python3 bench/python_observe.py "${CALLS:-1000000}" "${SEED_ROWS:-50000}"
