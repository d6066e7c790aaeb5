#!/usr/bin/env bash
# Log-scan benchmark: sidecar-cli scan with the full default catalogue vs GNU
# grep running only the seed's 4 patterns, on the same realistic 128 MB
# training log; the matcher engines side by side; peak RSS scanning 1 GB.
#
#   bench/bench_logs.sh [BUILD_DIR]     (needs -DSIDECAR_BUILD_BENCH=ON)
#
# Prints one table. Timings are the best of 3 runs with the file in the page
# cache. The generated files are deleted at exit.
set -euo pipefail

BUILD=${1:-build}
CLI=$BUILD/cli/sidecar-cli
GEN=$BUILD/bench/bench_log_scan
for b in "$CLI" "$GEN"; do
  [[ -x $b ]] || { echo "bench_logs.sh: $b not built (cmake -DSIDECAR_BUILD_BENCH=ON; build sidecar-cli bench_log_scan)" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sidecar-bench-logs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/train.log
PATTERNS=$WORK/seed_patterns.txt
# The seed's 4 patterns (what its Python reference looked for).
cat > "$PATTERNS" <<'EOF'
cuda out of memory
cuda-capable device\(s\) is/are busy or unavailable
nccl.*(timeout|error)
traceback \(most recent call last\)
EOF

"$GEN" gen 128 "$LOG"
SIZE=$(stat -c %s "$LOG")
cat "$LOG" > /dev/null  # page cache

# best-of-3 wall time of a command, in seconds
best_of_3() {
  local best=""
  for _ in 1 2 3; do
    local t0 t1 dt
    t0=$(date +%s.%N)
    # not /dev/null: GNU grep stops at the first match when its output is /dev/null
    "$@" > "$WORK/out" || [[ $? -le 1 ]]
    t1=$(date +%s.%N)
    dt=$(echo "$t1 - $t0" | bc -l)
    if [[ -z $best ]] || (( $(echo "$dt < $best" | bc -l) )); then best=$dt; fi
  done
  echo "$best"
}

T_SIDECAR=$(best_of_3 "$CLI" scan --format jsonl "$LOG")
T_GREP=$(best_of_3 grep -c -i -E -f "$PATTERNS" "$LOG")
MATCHES=$("$CLI" scan --format jsonl "$LOG" | tail -1 || true)
GREP_COUNT=$(grep -c -i -E -f "$PATTERNS" "$LOG" || true)

mbps() { echo "scale=0; $SIZE / 1000000 / $1" | bc -l; }
S_MBPS=$(mbps "$T_SIDECAR")
G_MBPS=$(mbps "$T_GREP")
RATIO=$(echo "scale=2; $T_GREP / $T_SIDECAR" | bc -l)

# Peak RSS scanning a 1 GB log (generated here, deleted after).
BIG=$WORK/big.log
"$GEN" gen 1024 "$BIG"
RSS_KB=$( { /usr/bin/time -f '%M' "$CLI" scan --format jsonl "$BIG" > "$WORK/out" || true; } 2>&1 | tail -1 )
T_BIG=$(best_of_3 "$CLI" scan --format jsonl "$BIG")
BIG_SIZE=$(stat -c %s "$BIG")
rm -f "$BIG"

printf '\nlog scan, %s MB realistic training log (tqdm \\r bars, HF dicts, NCCL INFO, rank prefixes, real syndromes)\n' $((SIZE / 1000000))
printf '%-58s %10s %10s\n' "scanner" "MB/s" "seconds"
printf '%-58s %10s %10.3f\n' "sidecar-cli scan, full default catalogue (13 syndromes)" "$S_MBPS" "$T_SIDECAR"
printf '%-58s %10s %10.3f\n' "grep -c -i -E -f <seed's 4 patterns> (GNU grep $(grep --version | head -1 | awk '{print $NF}'))" "$G_MBPS" "$T_GREP"
printf '%-58s %10s\n' "ratio sidecar / grep" "${RATIO}x"
printf '\nmatcher engines on the same file (full catalogue, one thread):\n'
"$GEN" engines "$LOG"
printf '\n%-58s %10s\n' "sidecar summary" ""
echo "  $MATCHES"
echo "  grep matching lines: $GREP_COUNT"
printf '\n%-58s %7.1f MB\n' "peak RSS, sidecar-cli scan of a $((BIG_SIZE / 1000000)) MB log" "$(echo "$RSS_KB / 1024" | bc -l)"
printf '%-58s %7s MB/s\n' "throughput on that log" "$(echo "scale=0; $BIG_SIZE / 1000000 / $T_BIG" | bc -l)"
