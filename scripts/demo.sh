#!/usr/bin/env bash
# The main job on a bundled example: installs what it needs, builds
# sidecar-cli, and runs a training script that diverges and then crashes,
# so you can see what sidecar catches.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
sidecar_install_packages "${SIDECAR_BUILD_PACKAGES[@]}"
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIDECAR_BUILD_TESTS=OFF -DSIDECAR_BUILD_PYTHON=OFF \
  -DSIDECAR_BUILD_EXAMPLES=OFF -DSIDECAR_BUILD_BENCH=OFF >/dev/null
cmake --build build/demo --target sidecar-cli
run_dir="runs/demo-$(date +%Y%m%d-%H%M%S)"
echo "== sidecar-cli run --run-dir $run_dir -- python3 examples/diverging_run/train.py" >&2
set +e
build/demo/cli/sidecar-cli run --run-dir "$run_dir" --on-alert continue --history "$(dirname "$run_dir")/.history.jsonl" \
  -- python3 examples/diverging_run/train.py
status=$?
set -e
echo "== the training script exited with $status (sidecar passes the child's exit code through)" >&2
echo "== alerts:   $run_dir/sidecar/alerts.jsonl" >&2
echo "== snapshot: $run_dir/sidecar/status.json" >&2
echo "== history:  $(dirname "$run_dir")/.history.jsonl (one row per run; run the demo again to build a baseline)" >&2
exit 0
