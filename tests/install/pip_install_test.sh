#!/usr/bin/env bash
# `pip install .` offline into a fresh venv (system site packages visible, no
# index reachable), then import the module and compare its version with CMake.
set -euo pipefail
root=$1 work=$2 python=${3:-/usr/bin/python3}
rm -rf "$work/venv"
mkdir -p "$work"
"$python" -m venv --system-site-packages "$work/venv"
SIDECAR_WHEEL_BUILD_DIR="$work/wheel-build" PIP_NO_INDEX=1 \
  "$work/venv/bin/python" -m pip install --no-index --quiet "$root"
cd "$work"
got=$("$work/venv/bin/python" -c "import sidecar; print(sidecar.__version__)")
want=$(sed -n 's/^project(sidecar VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
echo "installed sidecar $got (CMake says $want)"
[ "$got" = "$want" ]
