# Shared by the bench/*.sh scripts (source it from the repository root).

# bench_dirs NAME: sets build (BUILD_DIR, else build/bench-release) and work
# (WORK_DIR, else $build/NAME), the script's scratch folder, and makes work.
bench_dirs() {
  build=${BUILD_DIR:-build/bench-release}
  work=${WORK_DIR:-$build/$1}
  mkdir -p "$work"
}

# release_build BUILD_DIR "ON-PARTS" TARGET...: a Release tree with only the
# parts named in ON-PARTS (of CLI, PYTHON, BENCH) switched on, tests and
# examples off; builds TARGET... quietly.
release_build() {
  local build=$1 on=" $2 " flags=() part
  shift 2
  for part in CLI PYTHON BENCH; do
    if [[ $on == *" $part "* ]]; then flags+=("-DSIDECAR_BUILD_$part=ON"); else flags+=("-DSIDECAR_BUILD_$part=OFF"); fi
  done
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIDECAR_BUILD_TESTS=OFF -DSIDECAR_BUILD_EXAMPLES=OFF \
    "${flags[@]}" -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null
  cmake --build "$build" --target "$@" >/dev/null
}

# per_s N SECONDS: N / SECONDS rounded, "-" for no time.
per_s() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else printf "-" }'; }

# python_parse_best PARSER FILE: Python's PARSER (json.loads | ast.literal_eval)
# over FILE's lines ("{'" lines only for ast.literal_eval), best CPU seconds
# of 3 passes; prints "LINES|SECONDS".
python_parse_best() {
  /usr/bin/python3 - "$1" "$2" <<'EOF_PY'
import ast, json, sys, time
parser, path = sys.argv[1], sys.argv[2]
if parser == "json.loads":
    parse, lines = json.loads, open(path, "rb").read().splitlines()
else:
    parse, lines = ast.literal_eval, [l for l in open(path).read().splitlines() if l.startswith("{'")]
best = 1e30
for _ in range(3):
    t0 = time.process_time()
    for line in lines:
        parse(line)
    best = min(best, time.process_time() - t0)
print(f"{len(lines)}|{best:.6f}")
EOF_PY
}
