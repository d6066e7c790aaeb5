#!/usr/bin/python3
"""Recall and benign false alarms of `sidecar-cli scan` on the real log-line corpus.

The corpus is tests/data/log_corpus/*.jsonl (files a_, b_, c_, fresh_, blind_, r5_ and
later rN_, and sealed_): one item per
line, {"text", "label", "source", "stack", "note"?, "also_ok"?}. `text` is one
log line, or a multi-line item (a whole traceback, a torchrun failure report)
joined with "\\n"; it was copied verbatim from the public thread in `source`.

How items are scanned
  All items of one corpus file go into one temporary log, in order, each
  followed by one empty line; the first line of every item is remembered. One
  `sidecar-cli scan --format jsonl` runs per corpus file, and every `match`
  record is attributed to the item whose line range holds the match's line
  number. A multi-line item is therefore scanned as a block (a traceback is one
  finding reported at its first line, wherever its final exception lands).

Rules
  * Detected (positives): an item labelled L counts as found when the scan
    reports syndrome L for it, or one of the syndromes in the item's optional
    `also_ok` (kept for genuinely ambiguous items, CORPUS.md). Nothing else
    counts. In particular, for an item labelled `traceback` only a `traceback`
    finding (or an `also_ok` one) counts, and for an item labelled with a
    specific syndrome (say `cuda_oom` on a traceback that ends in
    torch.OutOfMemoryError) a bare `traceback` finding does NOT count: the
    item must name `traceback` in `also_ok` for that. A positive item whose
    `also_ok` names `benign` also counts as found when nothing at warning or
    above fires for it (either answer is right).
  * Recall per syndrome family = detected items / items with that label; a
    family is one syndrome of the playbook (cuda_oom, nccl_timeout, ...) or
    the new `hang`. The overall recall is over all positive items (micro
    average).
  * Benign false alarm: a `benign` item with any match at severity warning or
    critical (info matches are not alarms), unless every alarming syndrome is
    in the item's `also_ok`.
  * Parts: every item of a file named sealed_*.jsonl is SEALED (collected in
    round SEALED_ROUND from threads no other file uses, and never looked at by
    whoever tunes patterns). Sealed items are not even scanned unless --unseal is
    given, so a tuning run cannot see their counts; quote the sealed figure
    once, when the patterns are done. The parts held aside in earlier rounds
    were each reported on once and then opened for tuning: rN_*.jsonl is RN
    ("rN (tuned)", round N's sealed part, N = 5 .. SEALED_ROUND - 1),
    blind_*.jsonl is BLIND (round 4),
    fresh_*.jsonl is FRESH (round 3). The other files are split by thread,
    fixed: an item is HELD when int(sha1(source).hexdigest(), 16) % 3 == 0
    ("held (round 2, since used for tuning)"), else DEV. Tune patterns on
    dev, held, fresh, blind and r5 .. rN. Misses are printed for those parts only
    (--dev-misses, alias --misses; --width N shows N characters of each
    item); sealed items are only ever shown as counts, and only with
    --unseal.

Usage
  bench/log_corpus_report.py [--cli PATH] [--corpus DIR] [--files GLOB] [--playbook FILE]
                             [--json] [--dev-misses [--width N]] [--unseal]
                             [--check RECALL FA [--check-part PART[,PART...]]]
  The binary is --cli, else $SIDECAR_CLI, else build/test/cli/sidecar-cli.
  --check RECALL FA exits 1 when any syndrome's recall in a checked part is
  below RECALL, or its benign false-alarm rate is above FA (fractions, e.g.
  --check 0.95 0.01). --check-part names the part, or a comma list of parts
  (dev, held, fresh, blind, r5 .. rN, sealed, all; --help lists them); default
  held; sealed needs --unseal. Exit 2 on a usage or scan error.
"""
import argparse
import collections
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
LABELS = {
    "cuda_oom", "host_oom", "gpu_busy", "nccl_timeout", "nccl_error", "cuda_error", "xid",
    "dist_child_failed", "segfault", "disk_full", "traceback", "loss_scale_overflow", "nan_in_log",
    "hang", "benign",
}
ALARM_SEVERITIES = {"warning", "critical"}
# The round whose held-aside part the sealed_*.jsonl files hold. Each round from 5 on sealed a part, measured it
# once at its end and then opened it for tuning as rN_*.jsonl; a new round changes this number only.
SEALED_ROUND = 48
MEASURED = tuple(f"r{n}" for n in range(5, SEALED_ROUND))  # r5 .. r47
LISTED_PARTS = ("dev", "held", "fresh", "blind", *MEASURED)  # the tuned parts; --dev-misses never lists sealed items
PARTS = (*LISTED_PARTS, "sealed", "all")
PART_TITLES = {"dev": "dev", "held": "held (r2, tuned)", "fresh": "fresh (r3, tuned)", "blind": "blind (r4, tuned)",
               **{p: f"{p} (tuned)" for p in MEASURED}, "sealed": f"sealed (r{SEALED_ROUND})", "all": "overall"}
SEALED_PREFIX = "sealed_"
# file prefix -> part, for the parts held aside by file (the rest split by the thread's hash)
FILE_PARTS = ((SEALED_PREFIX, "sealed"), *((p + "_", p) for p in MEASURED), ("blind_", "blind"), ("fresh_", "fresh"))
TUNED_LIST = ", ".join(LISTED_PARTS[:-1]) + " and " + LISTED_PARTS[-1]  # "dev, held, ... and r47"


def held_aside(source):
    return int(hashlib.sha1(source.encode("utf-8")).hexdigest(), 16) % 3 == 0


def part_of(path, source):
    """The part of every item of a file named in FILE_PARTS, else held or dev by the thread's hash."""
    name = pathlib.Path(path).name
    for prefix, part in FILE_PARTS:
        if name.startswith(prefix):
            return part
    return "held" if held_aside(source) else "dev"


def load_corpus(corpus_dir, pattern="*.jsonl"):
    """Returns {path: [item, ...]} and a list of problems (malformed lines)."""
    files, problems = {}, []
    for path in sorted(pathlib.Path(corpus_dir).glob(pattern)):
        items = []
        with open(path, encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                try:
                    item = json.loads(raw)
                except json.JSONDecodeError as e:
                    problems.append(f"{path.name}:{n}: not JSON ({e})")
                    continue
                if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"] \
                        or item.get("label") not in LABELS or not isinstance(item.get("source"), str):
                    problems.append(f"{path.name}:{n}: needs text, a known label and source")
                    continue
                item["_where"] = f"{path.name}:{n}"
                items.append(item)
        files[path] = items
    return files, problems


def scan_files(cli, playbook, files, tmpdir):
    """Writes each corpus item as its own log and scans all the logs with one `sidecar-cli scan` (each file is its
    own stream, so nothing an item leaves behind, a held traceback, a repeat count, reaches the next; a match names
    its file); returns {path: one list of matches per item}."""
    logs = {}  # log path -> (corpus path, item index)
    for n, (path, items) in enumerate(files.items()):
        for i, item in enumerate(items):
            log = pathlib.Path(tmpdir) / f"{n:04d}-{i:04d}-{path.stem}.log"
            log.write_bytes(item["text"].encode("utf-8") + b"\n")
            logs[str(log)] = (path, i)
    cmd = [cli, "scan", "--format", "jsonl"]
    if playbook:
        cmd += ["--playbook", playbook]
    r = subprocess.run(cmd + list(logs), capture_output=True, timeout=600)
    if r.returncode not in (0, 1):
        raise RuntimeError(f"scan exited {r.returncode}: {r.stderr.decode(errors='replace')[:500]}")
    found = {path: [[] for _ in items] for path, items in files.items()}
    for raw in r.stdout.decode("utf-8", errors="replace").splitlines():
        if not raw.strip():
            continue
        rec = json.loads(raw)
        if rec.get("type") != "match":
            continue
        path, i = logs[rec["file"]]
        found[path][i].append(rec)
    return found


def evaluate(files, cli, playbook):
    results = []  # (item, part, matches)
    files = {path: items for path, items in files.items() if items}
    with tempfile.TemporaryDirectory(prefix="sidecar-log-corpus-") as tmp:
        found = scan_files(cli, playbook, files, tmp)
    for path, items in files.items():
        for item, matches in zip(items, found[path]):
            results.append((item, part_of(path, item["source"]), matches))
    return results


def alarms(matches):
    return {m["syndrome"] for m in matches if m.get("severity") in ALARM_SEVERITIES}


def is_detected(item, matches):
    ok = {item["label"], *item.get("also_ok", [])}
    if ok & {m["syndrome"] for m in matches}:
        return True
    return "benign" in ok and not alarms(matches)


def is_false_alarm(item, matches):
    return bool(alarms(matches) - set(item.get("also_ok", [])))


def summarize(results):
    out = {}
    for part in PARTS:
        rows = [(it, m) for it, p, m in results if part == "all" or p == part]
        per = collections.OrderedDict()
        pos_n = pos_hit = 0
        ben_n = ben_fa = 0
        for it, matches in rows:
            label = it["label"]
            if label == "benign":
                ben_n += 1
                ben_fa += is_false_alarm(it, matches)
                continue
            hit = is_detected(it, matches)
            s = per.setdefault(label, {"items": 0, "detected": 0})
            s["items"] += 1
            s["detected"] += hit
            pos_n += 1
            pos_hit += hit
        for s in per.values():
            s["recall"] = s["detected"] / s["items"]
        out[part] = {
            "threads": len({it["source"] for it, _ in rows}),
            "items": len(rows),
            "positives": pos_n,
            "detected": pos_hit,
            "recall": pos_hit / pos_n if pos_n else None,
            "per_syndrome": dict(sorted(per.items())),
            "benign": ben_n,
            "benign_false_alarms": ben_fa,
            "false_alarm_rate": ben_fa / ben_n if ben_n else None,
        }
    return out


def pct(x):
    return "  n/a" if x is None else f"{100 * x:5.1f}%"


def print_text(summary, problems, sealed_left_out=0):
    labels = sorted({k for part in summary.values() for k in part["per_syndrome"]})
    shown = [p for p in PARTS if p != "sealed" or not sealed_left_out]
    print(f"log corpus report (sidecar-cli scan): sealed = sealed_*.jsonl (round {SEALED_ROUND}, never seen while tuning);")
    print(", ".join(f"{p} = {p}_*.jsonl (round {p[1:]})" for p in reversed(MEASURED)) + ", "
          "blind = blind_*.jsonl (round 4) and fresh = fresh_*.jsonl (round 3), all since used for tuning;")
    print("other files split by thread: held = sha1(source) % 3 == 0 (round 2, since used for tuning), else dev")
    if sealed_left_out:
        print(f"sealed part: {sealed_left_out} items not scanned and left out of every figure (--unseal)")
    print(f"{'':27}" + "".join(f"{PART_TITLES[p]:>20}" for p in shown))
    print(f"{'threads':27}" + "".join(f"{summary[p]['threads']:>20}" for p in shown))
    print(f"{'items':27}" + "".join(f"{summary[p]['items']:>20}" for p in shown))
    for label in labels:
        cells = []
        for p in shown:
            s = summary[p]["per_syndrome"].get(label)
            cells.append(f"{s['detected']:>4}/{s['items']:<4} {pct(s['recall'])}" if s else "-")
        print(f"{'recall ' + label:27}" + "".join(f"{c:>20}" for c in cells))
    cells = [f"{summary[p]['detected']:>4}/{summary[p]['positives']:<4} {pct(summary[p]['recall'])}" for p in shown]
    print(f"{'recall (all)':27}" + "".join(f"{c:>20}" for c in cells))
    cells = [f"{summary[p]['benign_false_alarms']:>4}/{summary[p]['benign']:<4} {pct(summary[p]['false_alarm_rate'])}"
             for p in shown]
    print(f"{'benign false alarms':27}" + "".join(f"{c:>20}" for c in cells))
    for p in problems:
        print(f"skipped: {p}")


def print_dev_misses(results, width=160):
    print(f"\n{TUNED_LIST} misses and false alarms (sealed items are never shown):")
    for it, part, matches in results:
        if part not in LISTED_PARTS:
            continue
        syndromes = sorted({m["syndrome"] for m in matches})
        if it["label"] == "benign":
            if is_false_alarm(it, matches):
                got = ",".join(sorted(alarms(matches)))
                print(f"  FALSE ALARM {part} {it['_where']} ({it['source']}) -> {got}: {it['text'][:width]!r}")
        elif not is_detected(it, matches):
            got = ",".join(syndromes) or "nothing"
            print(f"  MISS {part} {it['label']} {it['_where']} ({it['source']}) -> {got}: {it['text'][:width]!r}")


def parse_parts(text):
    """'dev,held,fresh' -> ('dev', 'held', 'fresh'); argparse type of --check-part."""
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    bad = [p for p in parts if p not in PARTS]
    if not parts or bad:
        raise argparse.ArgumentTypeError(f"parts are a comma list of {', '.join(PARTS)}; got {text!r}")
    return tuple(dict.fromkeys(parts))


def check(summary, part, min_recall, max_fa):
    s = summary[part]
    if not s["positives"]:
        print(f"check failed ({part}): the part has no positive items", file=sys.stderr)
        return False
    bad = [f"{k} recall {v['recall']:.3f} < {min_recall}" for k, v in s["per_syndrome"].items()
           if v["recall"] < min_recall]
    if s["false_alarm_rate"] is not None and s["false_alarm_rate"] > max_fa:
        bad.append(f"benign false-alarm rate {s['false_alarm_rate']:.3f} > {max_fa}")
    for b in bad:
        print(f"check failed ({part}): {b}", file=sys.stderr)
    return not bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--cli", default=os.environ.get("SIDECAR_CLI") or str(ROOT / "build/test/cli/sidecar-cli"))
    ap.add_argument("--corpus", default=str(ROOT / "tests/data/log_corpus"))
    ap.add_argument("--files", default="*.jsonl",
                    help="which corpus files (glob), e.g. 'a_*.jsonl' for part A, 'fresh_*.jsonl' for the fresh part")
    ap.add_argument("--playbook", help="playbook merged over the default, passed to scan")
    ap.add_argument("--json", action="store_true", help="machine-readable summary on stdout")
    ap.add_argument("--misses", "--dev-misses", dest="misses", action="store_true",
                    help=f"list {TUNED_LIST} misses and false alarms (sealed items are never shown)")
    ap.add_argument("--unseal", action="store_true",
                    help=f"also scan the sealed part (round {SEALED_ROUND}) and count it; only once the patterns are done")
    ap.add_argument("--width", type=int, default=160, help="characters of each listed item's text (--dev-misses)")
    ap.add_argument("--check", nargs=2, type=float, metavar=("RECALL", "FA"))
    ap.add_argument("--check-part", type=parse_parts, default=("held",), metavar="PART[,PART...]",
                    help=f"which parts --check gates, a comma list of {', '.join(PARTS)} "
                         f"(default held; the tuned parts: {','.join(LISTED_PARTS)}; sealed needs --unseal)")
    args = ap.parse_args(argv)

    if not os.access(args.cli, os.X_OK):
        print(f"log_corpus_report: no sidecar-cli at {args.cli} (use --cli or $SIDECAR_CLI)", file=sys.stderr)
        return 2
    files, problems = load_corpus(args.corpus, args.files)
    sealed_left_out = 0
    if not args.unseal:
        sealed = [p for p in files if p.name.startswith(SEALED_PREFIX)]
        sealed_left_out = sum(len(files.pop(p)) for p in sealed)
    if args.check and "sealed" in args.check_part and not args.unseal:
        print("log_corpus_report: --check-part sealed needs --unseal", file=sys.stderr)
        return 2
    if not any(files.values()):
        print(f"log_corpus_report: no corpus items under {args.corpus}", file=sys.stderr)
        return 2
    try:
        results = evaluate(files, args.cli, args.playbook)
    except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError, KeyError, ValueError) as e:
        print(f"log_corpus_report: {e}", file=sys.stderr)
        return 2
    summary = summarize(results)
    if args.json:
        if sealed_left_out:
            summary.pop("sealed")
        json.dump({"parts": summary, "skipped": problems, "sealed_left_out": sealed_left_out}, sys.stdout, indent=1)
        print()
    else:
        print_text(summary, problems, sealed_left_out)
        if args.misses:
            print_dev_misses(results, args.width)
    if args.check:
        passed = [check(summary, part, args.check[0], args.check[1]) for part in args.check_part]
        if not all(passed):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
