#!/usr/bin/env bash
# Idle cost of the main job (SPEC §8: an idle run/watch uses < 1 % of a core).
#
#   bash bench/idle_cpu.sh [build/dir/cli/sidecar-cli] [seconds]
#
# Runs `sidecar-cli run -- sleep S` and `sidecar-cli watch DIR` (a run
# directory whose files do not change) for S seconds each, next to the peer
# `tail -F` on the same log, and prints the CPU each used (user + system,
# from /proc/PID/stat, after start-up) as a share of one core.
set -euo pipefail
cli=${1:-build/bench/cli/sidecar-cli}
secs=${2:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tick=$(getconf CLK_TCK)

cpu_ticks() {  # utime + stime of PID
  awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"
}

measure() {  # measure NAME CMD... : CPU share over $secs seconds after a 1 s warm-up
  local name=$1; shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep 1
  local t0; t0=$(cpu_ticks "$pid")
  sleep "$secs"
  local t1; t1=$(cpu_ticks "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  awk -v n="$name" -v d=$((t1 - t0)) -v hz="$tick" -v s="$secs" \
    'BEGIN { printf "| %-40s | %8.3f | %7.3f %% |\n", n, d / hz, 100 * d / hz / s }'
}

mkdir -p "$tmp/watched"
printf 'step 1 loss 2.3\n' > "$tmp/watched/run.log"
printf '{"step": 1, "loss": 2.3}\n' > "$tmp/watched/metrics.jsonl"
echo "idle for ${secs} s (CPU seconds after a 1 s start-up; one core = 100 %)"
echo "| program                                  | CPU s    | share     |"
echo "|------------------------------------------|----------|-----------|"
measure "sidecar-cli run -- sleep (1 s ticks)" "$cli" run --run-dir "$tmp/run" --history - --no-preflight --quiet -- sleep $((secs + 5))
measure "sidecar-cli watch (1 s ticks)" "$cli" watch "$tmp/watched" --history -
measure "peer: tail -F run.log" tail -F "$tmp/watched/run.log"
