#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/fuzz_*.cc) with clang, ASan and
# UBSan, and runs each for a fixed time from seed corpora (tests/fuzz/seeds/<name>/
# plus the fixtures under tests/data that match the parser), printing a table
# of execs and coverage. A crash fails the script and leaves the reproducer in
# build/fuzz/artifacts/.
#   bash bench/fuzz.sh            # 60 s per target (the documented longer run)
#   bash bench/fuzz.sh --smoke    # 5 s per target (CI)
#   FUZZ_SECONDS=600 bash bench/fuzz.sh
#   FUZZ_BUILD=build/asan bash bench/fuzz.sh --smoke   # an existing clang build
#       configured with -DSIDECAR_BUILD_FUZZ=ON (CI's sanitizer build) instead
#       of configuring build/fuzz here
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
[ "${1:-}" = "--smoke" ] && seconds=${FUZZ_SECONDS:-5}
build=${FUZZ_BUILD:-build/fuzz}
if [ -z "${FUZZ_BUILD:-}" ]; then
  CC=clang CXX=clang++ cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
    -DSIDECAR_BUILD_FUZZ=ON -DSIDECAR_BUILD_TESTS=OFF -DSIDECAR_BUILD_CLI=OFF -DSIDECAR_BUILD_PYTHON=OFF -DSIDECAR_BUILD_EXAMPLES=OFF \
    -DSIDECAR_BUILD_BENCH=OFF >/dev/null
fi
cmake --build $build -j "$(nproc)"
mkdir -p $build/artifacts
printf '%-26s %10s %8s %8s %8s  %s\n' target execs exec/s cov corpus result
failed=0
for src in tests/fuzz/fuzz_*.cc; do
  name=$(basename "$src" .cc)
  short=${name#fuzz_}
  corpus=$build/corpus/$short
  mkdir -p "$corpus"
  [ -d tests/fuzz/seeds/$short ] && cp -r tests/fuzz/seeds/$short/. "$corpus"/ 2>/dev/null || true
  # Fixtures under tests/data named after the parser seed it as well.
  case $short in
    log_scan) seed_dirs="tests/data/logs" ;;
    metrics_jsonl) seed_dirs="tests/data/metrics tests/data/metrics_formats" ;;
    metrics_csv) seed_dirs="tests/data/metrics_formats" ;;
    metric_lines) seed_dirs="tests/data/metrics_formats/text tests/data/logs" ;;
    tfevents) seed_dirs="tests/data/metrics_formats/tfevents" ;;
    metric_files) seed_dirs="tests/data/metrics_formats" ;;
    gpu_parse) seed_dirs="tests/data/nvidia-smi" ;;
    context) seed_dirs="tests/data/context" ;;
    *) seed_dirs="" ;;
  esac
  for d in $seed_dirs; do
    [ -d "$d" ] && find "$d" -type f -size -64k -exec cp {} "$corpus"/ \; 2>/dev/null || true
  done
  log=$build/$name.log
  set +e
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    $build/tests/fuzz/$name "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=$build/artifacts/$name- -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  result=ok
  if [ $rc -ne 0 ]; then result="CRASH (see $log)"; failed=1; fi
  printf '%-26s %10s %8s %8s %8s  %s\n' "$name" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${corp:-?}" "$result"
done
exit $failed
