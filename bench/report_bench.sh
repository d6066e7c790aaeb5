#!/usr/bin/env bash
# The run report on a long run (issue 20): a 10 M-row metrics file (7 keys per
# row, a spike and a NaN tail, a few alerts) -> `sidecar-cli report`, with the
# report's size, wall and CPU time and peak RSS. Goals: < 2 MB, < 2 s.
#   bash bench/report_bench.sh                    # builds build/bench-release/…/sidecar-cli
#   SIDECAR_CLI=build/x/cli/sidecar-cli ROWS=1000000 bash bench/report_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows=${ROWS:-10000000}
bench_dirs bench-report
if [ -n "${SIDECAR_CLI:-}" ]; then
  cli=$SIDECAR_CLI
else
  release_build "$build" CLI sidecar-cli
  cli=$(find "$build" -name sidecar-cli -type f -perm -u+x | head -1)
fi
run=$work/run-$rows
mkdir -p "$run/sidecar"
if [ ! -s "$run/metrics.jsonl" ]; then
  echo "generating $rows rows in $run/metrics.jsonl ..." >&2
  /usr/bin/python3 - "$run/metrics.jsonl" "$rows" <<'PY'
import math, sys
path, n = sys.argv[1], int(sys.argv[2])
nan_from = int(n * 0.97)
spike = int(n * 0.6)
with open(path, "w", buffering=1 << 20) as f:
    out = []
    for s in range(n):
        if s >= nan_from:
            loss = "NaN"
        else:
            loss = "%.6g" % (2.5 / (1 + s * 1e-5) + (40.0 if spike <= s < spike + 50 else 0.0) + 0.05 * math.sin(s))
        out.append('{"step":%d,"loss":%s,"grad_norm":%.4g,"learning_rate":0.0003,"samples_per_second":%.1f,'
                   '"val/accuracy":%.4f,"timestamp":%.2f}\n'
                   % (s, loss, 1.0 + (s % 97) * 0.01, 900 + (s % 13), min(0.95, 0.3 + s / n), 1.7e9 + s * 0.01))
        if len(out) == 10000:
            f.write("".join(out))
            out = []
    f.write("".join(out))
PY
  python3 - "$run" "$rows" <<'PY'
import json, sys
run, n = sys.argv[1], int(sys.argv[2])
alerts = [(int(n * 0.6), "loss_spike", "warning"), (int(n * 0.97), "nan_loss", "critical")]
with open(run + "/sidecar/alerts.jsonl", "w") as f:
    for i, (step, syn, sev) in enumerate(alerts):
        f.write(json.dumps({"type": "alert", "id": "a-%d" % i, "ts": 1.7e9 + step * 0.01, "run_id": "bench",
                            "step": step, "source": "rulebased", "syndrome": syn, "severity": sev,
                            "message": "%s at step %d" % (syn, step), "choices": ["Ignore", "Stop Job"],
                            "signature": "rulebased:%s:loss" % syn, "evidence": {"key": "loss"}}) + "\n")
PY
fi
metrics_bytes=$(stat -c %s "$run/metrics.jsonl")
out=$work/report-$rows.html
tfile=$(mktemp)
start=$(date +%s.%N)
/usr/bin/time -f "%U %S %M" -o "$tfile" "$cli" report "$run" -o "$out" >/dev/null
end=$(date +%s.%N)
read -r user sys rss_kb < "$tfile"
rm -f "$tfile"
size=$(stat -c %s "$out")
awk -v rows="$rows" -v mb="$metrics_bytes" -v size="$size" -v s="$start" -v e="$end" -v u="$user" -v y="$sys" \
    -v rss="$rss_kb" 'BEGIN {
  wall = e - s; cpu = u + y;
  printf "%-10s %-11s %-13s %-7s %-7s %-7s %-7s %-7s %s\n", "rows", "metrics MB", "report bytes", "wall s", "cpu s",
         "user s", "sys s", "RSS MB", "goal (<2 MB, <2 s cpu)";
  printf "%-10d %-11.0f %-13d %-7.2f %-7.2f %-7.2f %-7.2f %-7.1f %s\n", rows, mb / 1e6, size, wall, cpu, u, y, rss / 1024,
         (size < 2 * 1024 * 1024 && cpu < 2.0) ? "met" : "NOT met";
}'
echo "report: $out" >&2
