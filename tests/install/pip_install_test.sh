#!/usr/bin/env bash
# `pip install .` offline into a fresh venv (system site packages visible, no
# index reachable), then import the module and compare its version with CMake.
set -euo pipefail
root=$1 work=$2 python=${3:-/usr/bin/python3}
# What is checked is installing, not the optimiser: an unoptimised build of the
# library and the module takes about half the time of the Release one.
export CMAKE_ARGS="-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0"
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
grep -qx "CMAKE_BUILD_TYPE:STRING=Debug" "$work/wheel-build/CMakeCache.txt" || { echo "CMAKE_ARGS not passed on"; exit 1; }

# `pip install -e .` (PEP 660): Python files come from the source tree, the
# extension from the kept build directory (the one just built: no rebuild).
rm -rf "$work/venv-e"
"$python" -m venv --system-site-packages "$work/venv-e"
SIDECAR_WHEEL_BUILD_DIR="$work/wheel-build" PIP_NO_INDEX=1 \
  "$work/venv-e/bin/python" -m pip install --no-index --quiet -e "$root"
mapfile -t where < <("$work/venv-e/bin/python" -c \
  "import sidecar, sidecar._sidecar as ext; print(sidecar.__file__); print(ext.__file__); print(sidecar.__version__)")
echo "editable: ${where[*]}"
[ "${where[0]}" = "$(cd "$root" && pwd -P)/bindings/sidecar/__init__.py" ]
case "${where[1]}" in "$(cd "$work" && pwd -P)/wheel-build/python/sidecar/"*) ;; *) echo "extension not from the build dir"; exit 1;; esac
[ "${where[2]}" = "$want" ]

# An sdist builds from a tree that is not a git checkout (an unpacked tarball).
rm -rf "$work/nogit" "$work/sdist"
mkdir -p "$work/nogit" "$work/sdist"
tar -C "$root" --exclude=./.git --exclude=./build -cf - . | tar -C "$work/nogit" -xf -
sdist=$("$python" -c "import sys; sys.path.insert(0, sys.argv[1]); import sidecar_build as b; print(b.build_sdist(sys.argv[2]))" \
  "$work/nogit/build_backend" "$work/sdist")
listing=$(tar -tzf "$work/sdist/$sdist")
for f in CMakeLists.txt README.md LICENSE pyproject.toml libsidecar/CMakeLists.txt bindings/sidecar/__init__.py PKG-INFO; do
  grep -qx "sidecar-$want/$f" <<<"$listing" || { echo "sdist lacks $f"; exit 1; }
done
if grep -q -e "/build/" -e "/\.git/" <<<"$listing"; then echo "sdist carries build output or .git"; exit 1; fi
echo "sdist without git: $(wc -l <<<"$listing") files"
