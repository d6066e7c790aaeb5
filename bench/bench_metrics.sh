#!/usr/bin/env bash
# Metrics ingestion numbers (issue 5, SPEC §8), peers side by side in one table:
#   (a) parse-only: sidecar's MetricsReader vs simdjson's own iterate_many on the same file
#   (b) Python's json.loads over the same lines (/usr/bin/python3)
#   (c) full replay (parse + engine): `sidecar-cli replay FILE`, when that command is built
#   (d) peak RSS of a 10 M-row parse (and replay) with /usr/bin/time -v (goal < 64 MB)
# Times are CPU seconds (user + sys) so that a shared, loaded machine measures
# work, not waiting for a core; wall seconds are shown for the 10 M-row runs.
#   bash bench/bench_metrics.sh                 # 200 k rows + the 10 M-row RSS runs
#   ROWS=200000 BIG_ROWS=0 bash bench/bench_metrics.sh   # skip the 10 M-row runs
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows=${ROWS:-200000}
big_rows=${BIG_ROWS:-10000000}
bench_dirs bench-metrics
repeats=${REPEATS:-7}

release_build "$build" "BENCH CLI" bench_metrics_parse sidecar-cli
bench=$build/bench/bench_metrics_parse
cli=$(find "$build" -name sidecar-cli -type f -perm -u+x | head -1)
file=$work/metrics.jsonl
"$bench" generate "$file" "$rows"
bytes=$(stat -c %s "$file")

mbs_fmt() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", b / s / 1e6; else printf "-" }'; }

table=()
ours_s=""
# (a) parse-only peers: name|rows|cpu seconds|bytes|checksum
while IFS='|' read -r name n secs b _; do
  [ "$n" = "$rows" ] || { echo "bench: $name parsed $n rows, expected $rows" >&2; exit 1; }
  table+=("$name|$(per_s "$n" "$secs")|$(mbs_fmt "$b" "$secs")|$secs")
  case $name in "sidecar MetricsReader"*) ours_s=$secs ;; esac
done < <("$bench" parse "$file" "$repeats")

# (b) Python's json.loads over the same lines (best of 3, CPU time).
py=$(python_parse_best json.loads "$file")
table+=("Python json.loads (/usr/bin/python3)|$(per_s "${py%%|*}" "${py##*|}")|$(mbs_fmt "$bytes" "${py##*|}")|${py##*|}")

# (c) full replay through the engine, when `sidecar-cli replay` is built.
replay_ok=0
# Exit status 1 means "alerts were raised" (a finding, not a failure); 2 is an error.
replay_rc=0
[ -n "$cli" ] && { "$cli" replay "$file" >/dev/null 2>"$work/replay.err" || replay_rc=$?; }
if [ -n "$cli" ] && [ "$replay_rc" -le 1 ]; then
  replay_ok=1
  best=""
  for _ in 1 2 3; do
    # CPU seconds of the child, to the microsecond (/usr/bin/time rounds to 10 ms).
    t=$(/usr/bin/python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{r.ru_utime + r.ru_stime:.6f}")' "$cli" replay "$file")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  done
  table+=("sidecar-cli replay (parse + engine)|$(per_s "$rows" "$best")|$(mbs_fmt "$bytes" "$best")|$best")
else
  table+=("sidecar-cli replay (parse + engine)|n/a|n/a|not built yet: $(head -c 80 "$work/replay.err" | tr '\n' ' ')")
fi

echo
echo "Metrics ingestion: $rows rows, $bytes bytes (7 keys a row, eval every 100 steps), CPU time, best of $repeats"
printf '%-58s %12s %8s %10s %s\n' "what" "rows/s" "MB/s" "cpu s" "vs MetricsReader"
for row in "${table[@]}"; do
  IFS='|' read -r name rs mbs secs <<<"$row"
  ratio=$(awk -v a="$secs" -v b="$ours_s" 'BEGIN { if (a + 0 > 0 && b > 0) printf "%.2fx the time", a / b; else printf "" }')
  printf '%-58s %12s %8s %10s %s\n' "$name" "$rs" "$mbs" "$secs" "$ratio"
done

# (d) peak RSS over 10 M rows.
if [ "$big_rows" -gt 0 ]; then
  big=$work/metrics_big.jsonl
  "$bench" generate "$big" "$big_rows"
  echo
  echo "Peak RSS over $big_rows rows ($(stat -c %s "$big") bytes), goal < 64 MB:"
  rss() {
    local out
    out=$( { /usr/bin/time -v "$@" >/dev/null || true; } 2>&1)
    printf '  %-44s %8s MB  (%s s wall, %s s user)\n' "$(basename "$1") $2" \
      "$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' <<<"$out")" \
      "$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' <<<"$out")" \
      "$(awk -F': ' '/User time/ { print $2 }' <<<"$out")"
  }
  rss "$bench" reader "$big"
  if [ "$replay_ok" = 1 ]; then rss "$cli" replay "$big"; else echo "  sidecar-cli replay: not built yet"; fi
  rm -f "$big"
fi
