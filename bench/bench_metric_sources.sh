#!/usr/bin/env bash
# Metric sources beyond JSON Lines (issue 15), each next to its Python peer:
#   (a) metric lines in printed output: TextMetricsParser over typical training
#       output (dict, tqdm, Megatron, Keras, Lightning lines and prose) and over
#       the dict lines alone, vs Python's ast.literal_eval on the dict lines
#       (goal >= 1 M lines/s)
#   (b) TensorBoard event files (one scalar per event, as SummaryWriter.add_scalar
#       writes): TfRecordEvents (both CRC32Cs + Event protobuf) vs a Python reader
#       with struct + protobuf (python3-protobuf, no CRC check: the generous peer)
#       (goal >= 1 M scalars/s); peak RSS of the C++ pass
# CPU seconds (user + sys), best of REPEATS.
#   bash bench/bench_metric_sources.sh
#   LINES=300000 EVENTS=1000000 BUILD_DIR=build/bench-release bash bench/bench_metric_sources.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
lines=${LINES:-300000}
events=${EVENTS:-1000000}
bench_dirs bench-metric-sources
repeats=${REPEATS:-5}

release_build "$build" BENCH bench_metrics_sources
bench=$build/bench/bench_metrics_sources
text=$work/output.log
tfevents=$work/events.out.tfevents.1.bench.1.0
"$bench" gen-text "$text" "$lines"
"$bench" gen-tfevents "$tfevents" "$events"
protoc -Ilibsidecar/proto --python_out="$work" libsidecar/proto/tfevents.proto

printf '%-44s %10s %12s %10s\n' parser items items/s cpu_s
while IFS='|' read -r name n secs _; do
  printf '%-44s %10s %12s %10s\n' "$name" "$n" "$(per_s "$n" "$secs")" "$secs"
done < <("$bench" text "$text" "$repeats")

py=$(python_parse_best ast.literal_eval "$text")
printf '%-44s %10s %12s %10s\n' "Python ast.literal_eval (dict lines)" "${py%%|*}" "$(per_s "${py%%|*}" "${py##*|}")" "${py##*|}"

while IFS='|' read -r name n secs scalars; do
  printf '%-44s %10s %12s %10s\n' "$name (scalars)" "$scalars" "$(per_s "$scalars" "$secs")" "$secs"
done < <("$bench" tfevents "$tfevents" "$repeats")

/usr/bin/python3 - "$work" "$tfevents" <<'EOF_PY'
import struct, sys, time
sys.path.insert(0, sys.argv[1])
import tfevents_pb2 as pb
data = open(sys.argv[2], "rb").read()
best, scalars = 1e30, 0
for _ in range(2):
    t0 = time.process_time()
    pos, n, scalars = 0, len(data), 0
    ev = pb.Event()
    while pos + 12 <= n:
        (length,) = struct.unpack_from("<Q", data, pos)
        ev.ParseFromString(data[pos + 12:pos + 12 + length])
        for v in ev.summary.value:
            if v.WhichOneof("value") == "simple_value":
                scalars += 1
        pos += 12 + length + 4
    best = min(best, time.process_time() - t0)
print("%-44s %10d %12.0f %10.6f" % ("Python struct + protobuf (scalars)", scalars, scalars / best, best))
EOF_PY

if [ -x /usr/bin/time ]; then
  rss=$( { /usr/bin/time -v "$bench" tfevents "$tfevents" 1 >/dev/null; } 2>&1 | sed -n 's/.*Maximum resident set size (kbytes): //p')
  echo "peak RSS of one tfevents pass over $(stat -c %s "$tfevents") bytes (file held in memory by the bench): ${rss} kB"
fi
