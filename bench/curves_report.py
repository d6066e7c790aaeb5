#!/usr/bin/python3
"""Detection quality on the real-curve corpus (tests/data/real_curves, issue 16).

Runs `sidecar-cli replay --format jsonl` on every curve of the manifest, maps
the alert syndromes to label families and prints, for the dev part, the
round-2 held part, the round-3 fresh part, the round-4 blind part, the
parts r5 .. rN of rounds 5 to N (and, with --unseal only, the sealed part of
round SEALED_ROUND = N + 1) and all together:

  - recall per label family: a positive curve is caught when a warning or
    critical alert of its label (or of one of its also_ok labels) is raised at
    or after visible_step, less a tolerance of TOL_ROWS logged rows (anywhere
    when visible_step is null);
  - how early: the first catching alert's step minus visible_step (negative =
    before the step a careful human would flag it; rows without a `step` are
    numbered from 0, as the replay numbers them);
  - false alarms: healthy curves (label none) with any warning/critical alert;
  - notifications per incident: the warning/critical alerts the engine marks
    as an incident's notification (evidence notify != "no"), worst incident of
    each curve that caught something (the issue asks for <= 2); and all
    decisions per such curve.

Parts (by thread, fixed):
  sealed the manifest says "part": "sealed" (entries_sealed.json): round
         SEALED_ROUND's curves, collected from threads no other part uses while the rules
         were tuned on the others, and never looked at by whoever tunes.
         They are not even replayed unless --unseal is given (so no figure a
         tuning run prints depends on them), NEVER named, not even with
         --reveal-held-aside or --verbose, and --only cannot pick them one
         by one. With --unseal this is the figure to quote.
  rN     "rN (round N, since used for tuning)": "part": "rN"
         (entries_rN.json), N = 5 .. SEALED_ROUND - 1: round N's sealed part, reported
         once, then opened for tuning; named only with --reveal-held-aside.
         Recall when reported: r5 0.571, r6 0.571, r7 0.818, r8 0.600,
         r9 0.690, r10 0.739, r11 0.643, r12 0.606, r13 0.688, r14 0.714, r15 0.231, r16 0.765,
         r17 0.600, r18 0.684, r19 0.733, r20 0.417, r21 0.500, r22 0.500,
         r23 0.714, r24 0.462, r25 0.556, r26 0.556,
         r27 0.818, r28 0.615, r29 0.833, r30 0.846, r31 0.500,
         r32 0.538, r33 0.364, r34 0.786, r35 0.750, r36 0.750, r37 0.867, r38 0.692,
         r39 0.400, r40 0.400, r41 0.500, r42 0.375, r43 0.833,
         r44 0.769, r45 0.500.
  blind  "blind (round 4, since used for tuning)": "part": "blind"
         (entries_blind.json); reported once (recall 0.80), then opened for
         tuning; named only with --reveal-held-aside.
  fresh  "fresh (round 3, since used for tuning)": "part": "fresh"
         (entries_fresh.json); reported once (recall 0.786), then opened
         for tuning; named only with --reveal-held-aside.
  held   "held (round 2, since used for tuning)": the other curves whose
         int(sha1(source).hexdigest(), 16) % 3 == 0; named only with
         --reveal-held-aside. Key "held_aside" in --json.
  dev    the rest.

Usage (Debian /usr/bin/python3, stdlib only):
  bench/curves_report.py [--cli PATH] [--json] [--verbose] [--only ID]...
                         [--reveal-held-aside] [--unseal]
                         [--check RECALL FA [--check-part PART[,PART...]]]
The binary is --cli, else $SIDECAR_CLI, else build/test/cli/sidecar-cli.
--check RECALL FA exits 1 when, in any part named by --check-part (a comma
list of dev, held, fresh, blind, r5 .. rN, sealed, all, as --help lists them;
default all; all but sealed and all are the tuned parts; sealed needs
--unseal), a label family's recall is below RECALL (a fraction) or more
than FA of its healthy curves raise an alert (and, with --max-notifications
N, when one of its incidents notified more than N times); each part is
judged on its own. Issue 16's bar is `--check 0.9 1 --max-notifications 2`.
Exit 2 when the CLI fails on a curve or the corpus cannot be read.
"""
import argparse
import concurrent.futures
import collections
import hashlib
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "tests", "data", "real_curves")

# Alert syndrome -> label family. Exact names first (what the engine raises
# today: libsidecar/include/sidecar/core/detectors/*.h and libsidecar/playbook/),
# then prefixes so renamed or new rules still land in a family.
SYNDROME_FAMILY = {
    "nan_loss": "nan",
    "grad_norm_nonfinite": "nan",
    "nonfinite_metric": "nan",
    "nan_in_log": "nan",
    "loss_spike": "divergence",
    "high_loss": "divergence",
    "loss_divergence": "divergence",
    "slow_divergence": "divergence",
    "grad_norm_explosion": "divergence",
    "frozen_loss": "frozen_loss",
    "validation_drop": "quality_drop",
    "validation_loss_regression": "quality_drop",
    "val_loss_regression": "quality_drop",
    "quality_behind": "quality_drop",
    "reward_drop": "reward_collapse",
    "reward_collapse": "reward_collapse",
    "reward_hacking_suspected": "reward_hacking",
    "kl_explosion": "kl_blowup",
    "entropy_collapse": "entropy_collapse",
    "stall": "stall",
    "throughput_regression": "stall",
    "throughput_collapse": "stall",
}
SYNDROME_PREFIX = [  # first match wins
    ("nonfinite", "nan"),
    ("nan_", "nan"),
    ("reward_hack", "reward_hacking"),
    ("reward_", "reward_collapse"),
    ("kl_", "kl_blowup"),
    ("entropy_collapse", "entropy_collapse"),
    ("frozen", "frozen_loss"),
    ("loss_", "divergence"),
    ("divergence", "divergence"),
    ("validation_", "quality_drop"),
    ("val_", "quality_drop"),
    ("quality_", "quality_drop"),
    ("throughput_", "stall"),
    ("stall", "stall"),
]
LABELS = ("nan", "divergence", "frozen_loss", "quality_drop", "reward_collapse", "reward_hacking",
          "kl_blowup", "entropy_collapse", "stall", "none")
TOL_ROWS = 1  # an alert up to this many logged rows before visible_step still counts
NOTIFY_SEVERITIES = ("warning", "critical")
TIMEOUT_S = 60


def family(syndrome):
    if syndrome in SYNDROME_FAMILY:
        return SYNDROME_FAMILY[syndrome]
    if "nonfinite" in syndrome or syndrome.endswith("_nan") or "_nan_" in syndrome:
        return "nan"
    for prefix, fam in SYNDROME_PREFIX:
        if syndrome.startswith(prefix):
            return fam
    return "other"


def held_aside(source):
    return int(hashlib.sha1(source.encode("utf-8")).hexdigest(), 16) % 3 == 0


# The round whose held-aside part entries_sealed.json holds. Each round from 5 on sealed a part, measured it once at
# its end and then opened it for tuning as entries_rN.json ("part": "rN"); a new round changes this number only.
SEALED_ROUND = 46
MEASURED = tuple(f"r{n}" for n in range(5, SEALED_ROUND))  # r5 .. r45


def part_of(entry):
    if entry.get("part") in ("fresh", "blind", *MEASURED, "sealed"):
        return entry["part"]
    return "held_aside" if held_aside(entry["source"]) else "dev"


REVEALABLE = ("held_aside", "fresh", "blind", *MEASURED)  # named only with --reveal-held-aside; sealed is never named
PARTS = ("dev", *REVEALABLE, "sealed")  # summary keys, "all" besides
PART_TITLES = {"dev": "dev", "held_aside": "held (round 2, since used for tuning)",
               "fresh": "fresh (round 3, since used for tuning)", "blind": "blind (round 4, since used for tuning)",
               **{p: f"{p} (round {p[1:]}, since used for tuning)" for p in MEASURED},
               "sealed": f"sealed (round {SEALED_ROUND} held aside, quote this)", "all": "all"}
CHECK_PARTS = {"dev": "dev", "held": "held_aside", "fresh": "fresh", "blind": "blind", **{p: p for p in MEASURED},
               "sealed": "sealed", "all": "all"}
TUNED_CHECK_PARTS = ",".join(p for p in CHECK_PARTS if p not in ("sealed", "all"))


def load_manifest(corpus):
    entries = []
    with open(os.path.join(corpus, "manifest.jsonl"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    entries.append(json.loads(line))
                except ValueError as e:
                    raise SystemExit("manifest.jsonl:%d: %s" % (n, e))
    return entries


def row_steps(path):
    """The step of every row as the replay numbers them (`step`, else the row index)."""
    steps = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(x for x in f if x.strip()):
            try:
                step = json.loads(line).get("step")
            except ValueError:
                step = None
            steps.append(step if isinstance(step, (int, float)) else i)
    return steps


def threshold_step(visible, steps):
    """The lowest alert step that still counts for a curve visible at `visible`."""
    idx = next((i for i, s in enumerate(steps) if s >= visible), len(steps))
    return steps[max(0, idx - TOL_ROWS)] if steps else visible


def replay(cli, path):
    try:
        proc = subprocess.run([cli, "replay", "--format", "jsonl", path], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ds" % TIMEOUT_S
    except OSError as e:
        return None, str(e)
    if proc.returncode not in (0, 1):
        return None, "exit %d: %s" % (proc.returncode, proc.stderr.decode("utf-8", "replace").strip()[:300])
    alerts = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and rec.get("type") == "alert":
            alerts.append(rec)
    return alerts, None


def evaluate(entry, cli, corpus):
    path = os.path.join(corpus, entry["file"])
    alerts, err = replay(cli, path)
    res = {"id": entry["id"], "label": entry["label"], "source": entry["source"],
           "part": part_of(entry), "error": err,
           "alerts": [], "caught": False, "lead": None, "premature": []}
    if err:
        return res
    notified = [a for a in alerts if a.get("severity") in NOTIFY_SEVERITIES]
    res["alerts"] = [{"step": a.get("step"), "syndrome": a.get("syndrome"), "severity": a.get("severity"),
                      "family": family(str(a.get("syndrome")))} for a in notified]
    # Notifications per incident: the alerts the engine marked as an
    # incident's notification (evidence notify "opened"/"escalated"; every
    # decision stays an event of its incident); an alert without an incident
    # is its own.
    pages = collections.Counter()
    for a in notified:
        ev = a.get("evidence") or {}
        if ev.get("notify") != "no":
            pages[ev.get("incident") or a.get("id")] += 1
    res["pages_per_incident"] = max(pages.values()) if pages else 0
    res["info_alerts"] = len(alerts) - len(notified)
    if entry["label"] == "none":
        return res
    wanted = {entry["label"], *entry.get("also_ok", [])}
    visible = entry.get("visible_step")
    floor = threshold_step(visible, row_steps(path)) if visible is not None else None
    for a in res["alerts"]:
        if a["family"] not in wanted:
            continue
        step = a["step"]
        if floor is None or step is None or step >= floor:
            res["caught"] = True
            if visible is not None and step is not None and res["lead"] is None:
                res["lead"] = step - visible
            break
        res["premature"].append(a)
    return res


def summarize(results):
    out = {"curves": len(results), "labels": {}, "healthy": {}, "notifications": {}, "lead": {}, "errors": []}
    for label in LABELS[:-1]:
        pos = [r for r in results if r["label"] == label]
        if pos:
            caught = [r for r in pos if r["caught"]]
            out["labels"][label] = {"n": len(pos), "caught": len(caught),
                                    "recall": round(len(caught) / len(pos), 3),
                                    "missed": [r["id"] for r in pos if not r["caught"]]}
    healthy = [r for r in results if r["label"] == "none"]
    fa = [r for r in healthy if r["alerts"]]
    out["healthy"] = {"n": len(healthy), "false_alarms": len(fa),
                      "flagged": {r["id"]: sorted({a["syndrome"] for a in r["alerts"]}) for r in fa}}
    per_incident = [r["pages_per_incident"] for r in results if r["caught"]]
    decisions = [len(r["alerts"]) for r in results if r["caught"]]
    out["notifications"] = {"incidents": len(per_incident),
                            "mean": round(statistics.mean(per_incident), 2) if per_incident else None,
                            "max": max(per_incident) if per_incident else None,
                            "over_2": sum(1 for n in per_incident if n > 2),
                            "decisions_mean": round(statistics.mean(decisions), 2) if decisions else None,
                            "decisions_max": max(decisions) if decisions else None}
    leads = [r["lead"] for r in results if r["lead"] is not None]
    out["lead"] = {"n": len(leads), "median": statistics.median(leads) if leads else None,
                   "min": min(leads) if leads else None, "max": max(leads) if leads else None}
    positives = [r for r in results if r["label"] != "none"]
    out["recall_all"] = round(sum(r["caught"] for r in positives) / len(positives), 3) if positives else None
    out["errors"] = [{"id": r["id"], "error": r["error"]} for r in results if r["error"]]
    return out


def print_part(name, s):
    print("== %s: %d curves ==" % (name, s["curves"]))
    print("  %-17s %4s %7s %7s  missed" % ("label", "n", "caught", "recall"))
    for label, v in s["labels"].items():
        missed = v["missed"] if isinstance(v["missed"], str) else " ".join(v["missed"])
        print("  %-17s %4d %7d %7.2f  %s" % (label, v["n"], v["caught"], v["recall"], missed))
    print("  all positives recall: %s" % s["recall_all"])
    h = s["healthy"]
    print("  healthy curves: %d, false alarms: %d" % (h["n"], h["false_alarms"]))
    for cid, syn in h["flagged"].items():
        print("    %s: %s" % (cid, ", ".join(syn)))
    n = s["notifications"]
    print("  notifications per incident: mean %s, max %s, incidents over 2: %s (of %d); "
          "decisions per caught curve: mean %s, max %s" %
          (n["mean"], n["max"], n["over_2"], n["incidents"], n["decisions_mean"], n["decisions_max"]))
    ld = s["lead"]
    print("  alert step - visible_step: median %s, min %s, max %s (n=%d)" % (ld["median"], ld["min"], ld["max"], ld["n"]))
    for e in s["errors"]:
        print("  ERROR %s: %s" % (e["id"], e["error"]))


def hide(summary, shown, reveal_held):
    """Keep every count; name only the curves in `shown`. A hidden part lists its
    missed curves as one word; held/fresh/blind/rN flagged syndromes stay as one
    merged list, sealed ones are dropped (sealed curves give counts only)."""
    words = {"sealed": "(sealed)", "held_aside": None if reveal_held else "(held aside)",
             **{p: None if reveal_held else f"({p})" for p in ("fresh", "blind", *MEASURED)}}
    for part, s in summary.items():
        word = words.get(part)
        flagged = s["healthy"]["flagged"]
        for lab in s["labels"].values():
            lab["missed"] = word or [m for m in lab["missed"] if m in shown]
        if part == "sealed":
            flagged = {}
        elif word and flagged:
            flagged = {word: sorted({syn for syns in flagged.values() for syn in syns})}
        s["healthy"]["flagged"] = {k: v for k, v in flagged.items() if k in shown or k == word}
        s["errors"] = [e if e["id"] in shown else {"id": "(not named)", "error": "the CLI failed on a curve"}
                       for e in s["errors"]]


def parse_parts(text):
    """'dev,held,fresh' -> ('dev', 'held', 'fresh'); argparse type of --check-part."""
    parts = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    bad = [p for p in parts if p not in CHECK_PARTS]
    if not parts or bad:
        raise argparse.ArgumentTypeError("parts are a comma list of %s; got %r" % (", ".join(CHECK_PARTS), text))
    return parts


def check(summary, part, recall_min, fa_max, max_notifications):
    """Issue 16's bar on one part: True when it passes (reasons on stderr otherwise)."""
    judged = summary[CHECK_PARTS[part]]
    if not judged["curves"]:
        print("check failed (%s): the part has no curves" % part, file=sys.stderr)
        return False
    low = {k: v["recall"] for k, v in judged["labels"].items() if v["recall"] < recall_min}
    fa = judged["healthy"]["false_alarms"]
    noisy = judged["notifications"]["max"] or 0
    too_many = max_notifications is not None and noisy > max_notifications
    if low or fa > fa_max or too_many:
        print("check failed (%s): recall below %.2f for %s; false alarms %d (max %d); notifications per incident "
              "up to %d (max %s)" % (part, recall_min, low or "no label", fa, fa_max, noisy,
                                     max_notifications if max_notifications is not None else "-"), file=sys.stderr)
        return False
    return True


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default=os.environ.get("SIDECAR_CLI") or os.path.join(ROOT, "build", "test", "cli", "sidecar-cli"))
    ap.add_argument("--corpus", default=CORPUS)
    ap.add_argument("--json", action="store_true", help="print a machine-readable summary")
    ap.add_argument("--verbose", action="store_true", help="one line per dev curve")
    ap.add_argument("--reveal-held-aside", action="store_true",
                    help="with --verbose/--json: also list held, fresh, blind, %s curves one by one (sealed ones never)"
                         % ", ".join(MEASURED))
    ap.add_argument("--unseal", action="store_true",
                    help=f"also replay the sealed part (round {SEALED_ROUND}) and count it; only once the rules are done")
    ap.add_argument("--only", action="append", default=[], metavar="ID")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--check", nargs=2, type=float, metavar=("RECALL", "FA"))
    ap.add_argument("--check-part", type=parse_parts, default=("all",), metavar="PART[,PART...]",
                    help="the parts --check judges, each on its own: a comma list of %s "
                         "(default all; the tuned parts: %s; sealed needs --unseal)"
                         % (", ".join(CHECK_PARTS), TUNED_CHECK_PARTS))
    ap.add_argument("--max-notifications", type=int, metavar="N",
                    help="with --check: also fail when an incident of a judged part notified more than N times")
    return ap.parse_args()


def print_verbose(shown):
    for r in shown:
        alerts = ", ".join("%s@%s" % (a["syndrome"], a["step"]) for a in r["alerts"]) or "-"
        verdict = "ERROR" if r["error"] else ("ok" if r["label"] == "none" and not r["alerts"] else
                                               "FA" if r["label"] == "none" else
                                               "caught" if r["caught"] else "MISSED")
        print("%-40s %-10s %-16s %-7s %s" % (r["id"], r["part"], r["label"], verdict, alerts))
    print()


def main():
    args = parse_args()
    if not os.access(args.cli, os.X_OK):
        print("curves_report: no sidecar-cli at %s (use --cli or $SIDECAR_CLI)" % args.cli, file=sys.stderr)
        return 2
    entries = load_manifest(args.corpus)
    sealed_left_out = 0
    if not args.unseal:
        if args.check and "sealed" in args.check_part:
            print("curves_report: --check-part sealed needs --unseal", file=sys.stderr)
            return 2
        sealed_left_out = sum(part_of(e) == "sealed" for e in entries)
        entries = [e for e in entries if part_of(e) != "sealed"]
    if args.only:
        if any(e["id"] in args.only and part_of(e) == "sealed" for e in entries):
            print("curves_report: --only leaves out sealed curves (they are reported as a whole)", file=sys.stderr)
        entries = [e for e in entries if e["id"] in args.only and part_of(e) != "sealed"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda e: evaluate(e, args.cli, args.corpus), entries))
    parts = {name: [r for r in results if r["part"] == name] for name in PARTS}
    parts["all"] = results
    summary = {name: summarize(rs) for name, rs in parts.items()}
    shown = [r for r in results if r["part"] == "dev" or (args.reveal_held_aside and r["part"] in REVEALABLE)]
    hide(summary, {r["id"] for r in shown}, args.reveal_held_aside)
    if sealed_left_out:
        del summary["sealed"]
    if args.json:
        summary["curves"] = shown if args.verbose else None
        summary["sealed_left_out"] = sealed_left_out
        print(json.dumps(summary, indent=1))
    else:
        if args.verbose:
            print_verbose(shown)
        if sealed_left_out:
            print("sealed part: %d curves not replayed and left out of every figure (--unseal)" % sealed_left_out)
        for name in PARTS + ("all",):
            if name in summary:
                print_part(PART_TITLES[name], summary[name])
    if summary["all"]["errors"]:
        return 2
    if args.check:
        passed = [check(summary, part, args.check[0], args.check[1], args.max_notifications)
                  for part in args.check_part]
        if not all(passed):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
