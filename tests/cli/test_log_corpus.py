"""The real log-line corpus (tests/data/log_corpus, issue 17): well formed, and its report runs.

The patterns are tuned on the dev, held, fresh, blind, r5 ... rN parts (blind_, round 4, and r5_ to rN_, the sealed
parts of rounds 5 to N, were each measured once and then opened for tuning; the report's SEALED_ROUND says which
round the sealed part is, and the parts follow from it); bench/log_corpus_report.py --check is the gate. The sealed_
part is checked here only for its
form and its threads: the report does not even scan it unless --unseal is
given, so no test here prints or asserts anything about how it is detected.
"""
import collections
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = pathlib.Path(os.environ.get("SIDECAR_TEST_DATA", ROOT / "tests" / "data")) / "log_corpus"
REPORT = ROOT / "bench" / "log_corpus_report.py"


def report_module():
    sys.path.insert(0, str(REPORT.parent))
    try:
        import log_corpus_report
    finally:
        sys.path.pop(0)
    return log_corpus_report


MEASURED = report_module().MEASURED  # r5 .. the round before the sealed one
SEALED_ROUND = report_module().SEALED_ROUND
LABELS = {
    "cuda_oom", "host_oom", "gpu_busy", "nccl_timeout", "nccl_error", "cuda_error", "xid",
    "dist_child_failed", "segfault", "disk_full", "traceback", "loss_scale_overflow", "nan_in_log",
    "hang", "benign",
}
PREFIXES = ("a_", "b_", "c_", "fresh_", "blind_", *(p + "_" for p in MEASURED), "sealed_")
REQUIRED = {"text", "label", "source", "stack"}
OPTIONAL = {"note", "also_ok"}


def load(prefix):
    items = []
    for path in sorted(CORPUS.glob(prefix + "*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                items.append((f"{path.name}:{n}", raw))
    return items


def parsed(prefix):
    return [json.loads(raw) for _, raw in load(prefix)]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_items_are_well_formed(prefix):
    items = load(prefix)
    if prefix != "a_" and not items:
        pytest.skip(f"no {prefix}*.jsonl files yet (collected separately)")
    assert items, f"no {prefix}*.jsonl under {CORPUS}"
    seen = set()
    for where, raw in items:
        assert raw.endswith("\n") and raw.strip(), f"{where}: blank or unterminated line"
        item = json.loads(raw)
        assert isinstance(item, dict), where
        keys = set(item)
        assert REQUIRED <= keys, f"{where}: missing {REQUIRED - keys}"
        assert keys <= REQUIRED | OPTIONAL, f"{where}: unknown fields {keys - REQUIRED - OPTIONAL}"
        assert all(isinstance(item[k], str) for k in REQUIRED), where
        assert item["label"] in LABELS, f"{where}: unknown label {item['label']!r}"
        assert item["text"].strip(), f"{where}: empty text"
        # Paste debris is dropped when collecting: no trailing spaces, no blank edges.
        assert item["text"] == item["text"].strip("\n"), f"{where}: leading/trailing newline"
        assert all(line == line.rstrip(" ") for line in item["text"].split("\n")), f"{where}: trailing spaces"
        assert item["source"].startswith("https://") or "#" in item["source"], f"{where}: source {item['source']!r}"
        if "also_ok" in item:
            assert isinstance(item["also_ok"], list) and item["also_ok"], where
            assert set(item["also_ok"]) <= LABELS - {item["label"]}, where
        key = (item["text"], item["source"])
        assert key not in seen, f"{where}: duplicate item"
        seen.add(key)


def test_fresh_part_uses_only_threads_no_other_file_uses():
    fresh = {it["source"] for it in parsed("fresh_")}
    if not fresh:
        pytest.skip("no fresh_*.jsonl files yet")
    seen = {it["source"] for it in parsed("a_") + parsed("b_") + parsed("c_")}
    assert not fresh & seen, f"fresh items from threads already in the corpus: {sorted(fresh & seen)}"


def test_blind_part_uses_only_threads_no_other_part_uses():
    """blind_ (round 4): held aside from everyone tuning, so none of its threads may occur in another file."""
    blind = {it["source"] for it in parsed("blind_")}
    if not blind:
        pytest.skip("no blind_*.jsonl files yet")
    seen = {it["source"] for it in parsed("a_") + parsed("b_") + parsed("c_") + parsed("fresh_")}
    assert not blind & seen, f"blind items from threads already in the corpus: {sorted(blind & seen)}"


def test_every_corpus_file_has_a_known_prefix():
    names = {p.name for p in CORPUS.glob("*.jsonl")}
    known = {p.name for pre in PREFIXES for p in CORPUS.glob(pre + "*.jsonl")}
    assert names == known, f"unknown file prefix: {sorted(names - known)}"


def thread_key(source):
    """One key per thread however the source is spelled: a GitHub issue/PR address is owner/repo#N."""
    s = source.strip().lower()
    m = re.match(r"https?://github\.com/([^/]+/[^/#?]+)/(?:issues|pull|discussions)/(\d+)", s)
    return f"{m.group(1)}#{m.group(2)}" if m else s.rstrip("/")


def test_thread_key_spellings():
    assert thread_key("https://github.com/NVIDIA/nccl/issues/1129") == thread_key("NVIDIA/nccl#1129")
    assert thread_key("https://github.com/a/b/pull/7/files") == "a/b#7"
    assert thread_key("https://forums.developer.nvidia.com/t/x/1/") == "https://forums.developer.nvidia.com/t/x/1"
    assert thread_key("a/b#1") != thread_key("a/b#10")


def file_key(source):
    """thread_key, with a committed file one source at every ref it is cited at (blob/master/x and blob/<sha>/x)."""
    m = re.match(r"https?://github\.com/([^/]+/[^/#?]+)/(?:blob|raw|tree)/[^/]+/(.+)", source.strip().lower())
    return f"{m.group(1)}:{m.group(2)}" if m else thread_key(source)


@pytest.mark.parametrize("prefix", [p + "_" for p in MEASURED] + ["sealed_"])
def test_held_aside_part_uses_only_threads_no_other_part_uses(prefix):
    """r5_ to rN_ (rounds 5-N) and sealed_: each collected from threads no other file uses, however the source is
    spelled. From r42_ on (and sealed_) a file committed to a repository is one source whatever ref it is read at
    (file_key). Earlier parts were checked by address only, and six files reached two parts under two refs (r12/r18,
    r18/r22, r38/r39 twice, r38/r41, r40/r41); those parts stay as measured."""
    key = file_key if prefix == "sealed_" or int(prefix[1:-1]) >= 42 else thread_key
    aside = {key(it["source"]) for it in parsed(prefix)}
    if not aside:
        pytest.skip(f"no {prefix}*.jsonl files yet")
    seen = {key(it["source"]) for pre in PREFIXES if pre != prefix for it in parsed(pre)}
    assert not aside & seen, f"{prefix} items from sources already in the corpus: {sorted(aside & seen)}"


def test_blind_part_covers_every_family_from_many_threads():
    """blind_ (round 4): >= 150 positives from >= 60 threads, every family present, at least as many look-alikes."""
    items = parsed("blind_")
    if not items:
        pytest.skip("no blind_*.jsonl files yet")
    positives = [it for it in items if it["label"] != "benign"]
    assert len(positives) >= 150, f"blind part has {len(positives)} positive items, needs >= 150"
    assert len({it["source"] for it in items}) >= 60, "blind part needs >= 60 distinct threads"
    assert len(items) - len(positives) >= len(positives), "blind part needs at least as many look-alikes"
    labels = collections.Counter(it["label"] for it in positives)
    for label in sorted(LABELS - {"benign"}):
        assert labels[label] >= 4, f"blind part has {labels[label]} {label} items, needs >= 4"


# Families a round could not fill, with exactly what it reached: the index held no more new threads for them. Round
# 19 (r19, its sealed part): every loss-scale-overflow thread the search index returns is used by an earlier part; five
# collectors found 4 items from 4 sources (3 of them training logs checked into repositories). Recall on such a
# family rests on too few items to quote, and the closing note says so. Nothing else is relaxed. Round 22 (r22, its sealed
# part): three collectors found 5 loss-scale-overflow items from 3 sources (2 of them repository training logs); the
# merge keeps one item per source. Round 23 (r23, its sealed part): four collectors found 2 loss-scale-overflow items, one of
# them with a tuned item's text, which the merge leaves out. Round 24 (r24, its sealed part): three collectors found none new.
# Round 25 (r25, its sealed part): none new either. Round 26 (r26, its sealed part): none new. Round 27 (r27, its sealed
# part): none asked for, the index holding none new. Round 28 (r28, its sealed part): likewise. Round 29 (r29, its
# sealed part): likewise. Round 30 (r30, its sealed part): likewise, and short of two families it was to hold 12 of:
# gpu_busy 10 and hang 7 (the index is nearly out of new threads for both; a top-up for each lost most of its items at
# the audit). Round 31 (r31, its sealed part): one found new, and short of two families it was to hold 12 of (gpu_busy
# 7, nan_in_log 11) and of two others (disk_full 7, xid 7): the index is nearly out of new threads for these, and two
# top-ups ran out of look-ups before their shares. Round 32 (r32, its sealed part): two found new, and short of hang,
# which it was to hold 12 of: six collectors and a top-up found 6 items from new threads that the auditors kept (the
# index is nearly out of new threads that settle a hang). Round 33 (r33, its sealed part): none new (a top-up asked
# for them found only used threads and quotes in prose). Round 34 (r34, its sealed part): none new, and short of gpu_busy,
# which it was to hold 12 of, and of dist_child_failed, nccl_error and xid (six collectors and two top-ups; the one for
# gpu_busy, nccl_error and xid found 85 % of the threads its searches returned already used, and the auditors dropped
# the items that quoted a message in prose). Round 35 (r35, its sealed part): none new, and short of gpu_busy and
# nccl_timeout, which it was to hold 12 of, and of disk_full (six collectors and a top-up for disk_full, nccl_timeout and
# loss_scale_overflow that found 1 item in 40 look-ups; the merge left out 44 items whose text is a tuned item's, among
# them most of the gpu_busy ones). Round 36 (r36, its sealed part): none new, and short of hang, which it was to hold 12 of,
# and of disk_full and nan_in_log (six collectors and a top-up for nan_in_log, nccl_timeout, traceback,
# dist_child_failed, loss_scale_overflow and disk_full that found 10 items in 45 look-ups; a second disk_full line from
# one thread was left out so that the short family comes from as many threads as items). Round 37 (r37, its sealed part):
# none new, and short of gpu_busy, which it was to hold 12 of, and of disk_full and traceback (six collectors by stack
# and three top-ups for xid, hang, nccl_timeout and gpu_busy that found 44 positives in 169 look-ups, most threads their
# searches returned being used; the merge left out 23 items an auditor could not find and 21 with a tuned item's text).
# Round 38 (r38, its sealed part): none new, and short of gpu_busy, which it was to hold 12 of, and of disk_full (six
# collectors by stack and four top-ups for hang, nccl_timeout, xid, gpu_busy, nan_in_log, disk_full,
# loss_scale_overflow, dist_child_failed and traceback; most threads their searches returned were used; the merge left
# out 24 items an auditor could not find, 53 with a tuned item's text and one bot message repeated in another thread).
# Round 39 (r39, its sealed part): none new, and short of hang and gpu_busy, which it was to hold 12 of, and of disk_full
# and dist_child_failed (four collectors by stack beside the two of the session before, and three top-ups for hang, xid,
# gpu_busy, nan_in_log, loss_scale_overflow, nccl_error, nccl_timeout, disk_full and segfault and for accelerators other
# than NVIDIA's; most threads their searches returned were used, every loss_scale_overflow thread found; the merge left
# out 12 items an auditor could not find and 23 with a tuned item's text).
# Round 40 (r40, its sealed part): none new, and short of gpu_busy, hang, nan_in_log and xid, which it was to hold 12 of, and
# of host_oom and disk_full (three collectors by source, committed job outputs, non-NVIDIA accelerators and
# frameworks, and three reading a repository that mirrors vLLM, SGLang and llama.cpp issue bodies, and a top-up for
# xid, gpu_busy, host_oom and disk_full that found 13 positives in 50 look-ups, the session's repository fetches used
# up; the merge left out one item an auditor could not find and 27 with a tuned item's text).
# Round 41 (r41, its sealed part): none new, and short of gpu_busy, nccl_error and nccl_timeout, which it was to hold 12 of,
# and of host_oom and disk_full (two readers of the vLLM/SGLang/llama.cpp issue mirror, committed job outputs, and four
# top-ups: issue threads for hang, gpu_busy and xid; forum pages; nan_in_log; notebooks' saved outputs and job logs for
# nccl_timeout, nccl_error, gpu_busy and xid, which found 9 positives in 39 look-ups; most threads their searches
# returned were used; the merge left out 18 items an auditor could not find and 22 with a tuned item's text).
# Round 42 (r42, its sealed part): none new, and short of nccl_timeout, which it was to hold 12 of, and of disk_full and
# loss_scale_overflow (five collectors by stack and source, committed job outputs, and two top-ups for hang, nan_in_log,
# xid and nccl_timeout and for nccl_error and disk_full; most threads their searches returned were used; the merge left
# out 41 items an auditor dropped, 13 with a tuned item's text, 8 from a file a tuned part cites at another ref, 2 from
# plain-http pages and 1 repeat).
# Round 43 (r43, its sealed part): short of nccl_timeout and gpu_busy, which it was to hold 12 of, and of host_oom,
# disk_full and loss_scale_overflow (five collectors by source: forums, application repositories, cluster and
# interconnect, GPU runtimes and kernels, committed job outputs, and a top-up for gpu_busy, xid and nan_in_log; most
# threads their searches returned were used; the merge left out 19 items with a tuned item's text, 16 an auditor
# dropped, 5 from plain-http pages, 2 repeats and 4 second items of one thread in loss_scale_overflow, which came
# from 4 threads).
# Round 44 (r44, its sealed part): short of hang, nccl_error, xid, nccl_timeout and gpu_busy, which it was to hold 12 of,
# and of loss_scale_overflow and disk_full (four collectors by source: application repositories, cluster and
# interconnect, GPU runtimes and kernels, committed job outputs, and top-ups for hang and NCCL, for gpu_busy, xid and
# host_oom, for nan_in_log and for any family; issue-thread searches returned used threads almost only, so most items
# come from files committed to repositories; the merge left out 20 items an auditor dropped, 18 with a tuned item's
# text, 5 repeats and 2 second items of one thread in a family from fewer than 5 threads).
# Round 45 (r45, its sealed part): none asked for; short of host_oom, xid and disk_full, which it was to hold 8 of, and of
# loss_scale_overflow (four collectors by family: hang, gpu_busy and nccl_timeout, NCCL and CUDA errors, segfault and
# nan_in_log, and top-ups for gpu_busy, committed job outputs, cluster logs and small projects' threads; the merge left
# out 39 items an auditor dropped, 24 with a tuned item's text and 4 second items of one thread in a family from fewer
# than 5 threads).
# Round 46 (r46, its sealed part): none asked for; short of segfault, nccl_timeout, gpu_busy, disk_full and xid,
# which it was to hold 8 of, and of loss_scale_overflow (five collectors by family: hang, NCCL and interconnect errors,
# CUDA errors, tracebacks and crashes, nan_in_log and host_oom, and top-ups for committed job outputs (two) and small
# projects' threads; the merge left out 25 items an auditor dropped, 21 with a tuned item's text, 3 unsure items no
# auditor read, a repeat and a second item of one thread in a family from fewer than 5 threads).
# Round 47 (r47, its sealed part): none asked for; short of loss_scale_overflow, disk_full, host_oom, gpu_busy and xid,
# which it was to hold 8 of (five collectors by family: hang, NCCL and interconnect errors, CUDA errors, crashes and
# launcher failures, nan_in_log and host_oom, and top-ups for committed training logs and committed job outputs; the
# merge left out 31 items an auditor dropped, 14 with a tuned item's text, a plain-http page and 2 repeats).
# Round 48 (the sealed part): none asked for.
SHORT_FAMILIES = {"r19": {"loss_scale_overflow": 4}, "r22": {"loss_scale_overflow": 3},
                  "r23": {"loss_scale_overflow": 1}, "r24": {"loss_scale_overflow": 0},
                  "r25": {"loss_scale_overflow": 0}, "r26": {"loss_scale_overflow": 0},
                  "r27": {"loss_scale_overflow": 0}, "r28": {"loss_scale_overflow": 0},
                  "r29": {"loss_scale_overflow": 0},
                  "r30": {"loss_scale_overflow": 0, "gpu_busy": 10, "hang": 7}, "r31": {"loss_scale_overflow": 1, "gpu_busy": 7, "nan_in_log": 11, "disk_full": 7, "xid": 7},
                  "r32": {"loss_scale_overflow": 2, "hang": 6}, "r33": {"loss_scale_overflow": 0},
                  "r34": {"loss_scale_overflow": 0, "gpu_busy": 9, "dist_child_failed": 7, "nccl_error": 3, "xid": 6},
                  "r35": {"loss_scale_overflow": 0, "gpu_busy": 5, "nccl_timeout": 11, "disk_full": 4},
                  "r36": {"loss_scale_overflow": 0, "hang": 9, "disk_full": 4, "nan_in_log": 7},
                  "r37": {"loss_scale_overflow": 0, "gpu_busy": 11, "disk_full": 1, "traceback": 7},
                  "r38": {"loss_scale_overflow": 1, "gpu_busy": 9, "disk_full": 5},
                  "r39": {"loss_scale_overflow": 0, "hang": 11, "gpu_busy": 10, "disk_full": 5, "dist_child_failed": 7},
                  "r40": {"loss_scale_overflow": 0, "gpu_busy": 5, "hang": 11, "nan_in_log": 9, "xid": 9, "host_oom": 7,
                          "disk_full": 2},
                  "r41": {"loss_scale_overflow": 0, "gpu_busy": 8, "nccl_error": 9, "nccl_timeout": 8, "host_oom": 0,
                          "disk_full": 0},
                  "r42": {"loss_scale_overflow": 1, "nccl_timeout": 8, "disk_full": 5},
                  "r43": {"loss_scale_overflow": 4, "nccl_timeout": 11, "gpu_busy": 7, "host_oom": 7, "disk_full": 3},
                  "r44": {"hang": 11, "nccl_error": 11, "xid": 9, "nccl_timeout": 3, "gpu_busy": 2,
                          "loss_scale_overflow": 2, "disk_full": 1},
                  "r45": {"host_oom": 3, "xid": 2, "disk_full": 2, "loss_scale_overflow": 0},
                  "r46": {"segfault": 7, "nccl_timeout": 4, "loss_scale_overflow": 3, "gpu_busy": 2, "disk_full": 2,
                          "xid": 1},
                  "r47": {"loss_scale_overflow": 7, "disk_full": 4, "host_oom": 4, "gpu_busy": 0, "xid": 0},
                  "sealed": {"loss_scale_overflow": 0}}


# A part measured short of the size rule, with exactly what it holds. Round 29 (r29, its sealed part): the auditors
# could not find 26 items in the stored threads (18 of them look-alikes of one file whose sample found two errors),
# which the merge left out: 145 positives and 135 look-alikes. The lead merged and measured it before this test ran;
# a part is topped up before it is measured, never after (merge_logs' counts are checked against this rule first).
SHORT_PARTS = {"r29": {"positives": 145, "look_alikes": 135}}


def held_aside_positives(name, items, strong):
    """The checks every held-aside part since round 5 meets: >= 150 positives from >= 70 threads, at least as many
    look-alikes (a part of SHORT_PARTS: exactly the counts written there), >= 12 items of each family in `strong` and
    >= 8 of the others (a family of SHORT_FAMILIES: exactly the count written there), >= 10 multi-line items
    (tracebacks, dumps, as pasted). Returns the positives for the part's own checks."""
    positives = [it for it in items if it["label"] != "benign"]
    if name in SHORT_PARTS:
        counts = {"positives": len(positives), "look_alikes": len(items) - len(positives)}
        assert counts == SHORT_PARTS[name], f"{name} part holds {counts}, not {SHORT_PARTS[name]}"
    else:
        assert len(positives) >= 150, f"{name} part has {len(positives)} positive items, needs >= 150"
        assert len(items) - len(positives) >= len(positives), f"{name} part needs at least as many look-alikes"
    threads = {thread_key(it["source"]) for it in positives}
    assert len(threads) >= 70, f"{name} positives come from {len(threads)} threads, needs >= 70"
    labels = collections.Counter(it["label"] for it in positives)
    short = SHORT_FAMILIES.get(name, {})
    for label in sorted(LABELS - {"benign"}):
        if label in short:
            assert labels[label] == short[label], f"{name} part's short {label} has {labels[label]} items, not {short[label]}"
            continue
        need = 12 if label in strong else 8
        assert labels[label] >= need, f"{name} part has {labels[label]} {label} items, needs >= {need}"
    assert sum("\n" in it["text"] for it in positives) >= 10, "too few multi-line items"
    return positives


def test_r5_part_covers_every_family_from_many_threads():
    """r5_ (round 5's sealed part): the held-aside checks, with >= 12 items of the families weakest in round 4
    (cuda_error, nccl_error, hang, gpu_busy), and a line glued after a progress bar."""
    positives = held_aside_positives("r5", parsed("r5_"), ("cuda_error", "nccl_error", "hang", "gpu_busy"))
    assert any(re.search(r"(it/s|s/it)\]\S", it["text"]) for it in positives), "no line glued after a progress bar"


def families_from_threads(name, positives, need):
    """No family rests on a few threads: each comes from at least `need` threads."""
    for label in sorted(LABELS - {"benign"}):
        fam = {thread_key(it["source"]) for it in positives if it["label"] == label}
        least = min(need, SHORT_FAMILIES.get(name, {}).get(label, need))  # a short family: one thread per item
        assert len(fam) >= least, f"{name} {label} items come from {len(fam)} threads, needs >= {least}"


def test_r6_part_covers_every_family_from_many_threads():
    """r6_ (round 6's sealed part): the held-aside checks, with >= 12 items of the families real threads word most
    variously (dist_child_failed, hang, cuda_error, gpu_busy, xid, traceback), each family from >= 4 threads."""
    positives = held_aside_positives("r6", parsed("r6_"),
                                     ("dist_child_failed", "hang", "cuda_error", "gpu_busy", "xid", "traceback"))
    families_from_threads("r6", positives, 4)


# Rounds 7-47's sealed parts, since opened for tuning: each needed >= 12 items of the families weakest on the part
# measured the round before (strong_families.json beside the corpus), and every family from >= 5 threads.
STRONG_FAMILIES = {part: tuple(entry["families"]) for part, entry in
                   json.loads((CORPUS / "strong_families.json").read_text())["strong_families"].items()}


@pytest.mark.parametrize("part", sorted(STRONG_FAMILIES))
def test_measured_part_covers_every_family_from_many_threads(part):
    """r7_ to r47_: the held-aside checks with their round's strong families, each family from >= 5 threads."""
    positives = held_aside_positives(part, parsed(part + "_"), STRONG_FAMILIES[part])
    families_from_threads(part, positives, 5)


def test_sealed_part_covers_every_family_from_many_threads():
    """sealed_ (round SEALED_ROUND): the held-aside checks, with >= 12 items of the families weakest on round 47's
    sealed part (hang, nccl_error, nccl_timeout, nan_in_log, dist_child_failed), each family from >= 5 threads. Only
    counts and form: nothing here depends on how the sealed lines are detected."""
    items = parsed("sealed_")
    if not items:
        pytest.skip("no sealed_*.jsonl files yet")
    positives = held_aside_positives("sealed", items,
                                     ("hang", "nccl_error", "nccl_timeout", "nan_in_log", "dist_child_failed"))
    families_from_threads("sealed", positives, 5)


def test_report_knows_every_measured_part():
    """The rounds are written once: the report's SEALED_ROUND names r5_ .. r(SEALED_ROUND - 1)_, which must be the
    rN_ files there are (a new round renames sealed_ to rN_ and bumps the number), and a round's strong families are
    listed once it is measured."""
    present = {f.name.split("_", 1)[0] for f in CORPUS.glob("r*_*.jsonl")}
    assert set(MEASURED) == present, "bump SEALED_ROUND in bench/log_corpus_report.py"
    assert set(STRONG_FAMILIES) == set(MEASURED) - {"r5", "r6"}


def test_part_c_uses_new_threads_and_as_many_benign_items():
    """c_ (round 3, weak families): threads no a_/b_ file uses, at least as many look-alikes as positives."""
    items = parsed("c_")
    if not items:
        pytest.skip("no c_*.jsonl files yet")
    older = {it["source"] for it in parsed("a_") + parsed("b_")}
    sources = {it["source"] for it in items}
    assert not sources & older, f"c_ items from threads already in parts A/B: {sorted(sources & older)}"
    positives = [it for it in items if it["label"] != "benign"]
    assert len(positives) >= 60 and len({it["source"] for it in positives}) >= 30
    assert len(items) - len(positives) >= len(positives)


def test_fresh_part_covers_every_family_from_many_threads():
    items = parsed("fresh_")
    if not items:
        pytest.skip("no fresh_*.jsonl files yet")
    sources = {it["source"] for it in items}
    assert len(sources) >= 50, f"fresh part has {len(sources)} distinct threads, needs >= 50"
    labels = collections.Counter(it["label"] for it in items)
    for label in sorted(LABELS - {"benign"}):
        assert labels[label] >= 6, f"fresh part has {labels[label]} {label} items, needs >= 6"


def test_part_a_covers_enough_threads():
    sources = {it["source"] for it in parsed("a_")}
    assert len(sources) >= 100, f"part A has {len(sources)} distinct threads, needs >= 100"


def test_part_a_has_hangs_and_every_stack_of_its_brief():
    items = parsed("a_")
    labels = collections.Counter(it["label"] for it in items)
    for label in ("hang", "nccl_timeout", "nccl_error", "host_oom", "dist_child_failed", "loss_scale_overflow",
                  "nan_in_log", "traceback"):
        assert labels[label] >= 3, f"part A has {labels[label]} {label} items"
    assert any("\n" in it["text"] for it in items if it["label"] == "traceback"), "no multi-line traceback"
    assert any("During handling of the above exception" in it["text"] for it in items), "no chained exception"


def test_at_least_as_many_benign_as_positive_items():
    items = parsed("a_") + parsed("b_")
    benign = sum(it["label"] == "benign" for it in items)
    assert benign >= len(items) - benign, f"{benign} benign vs {len(items) - benign} positive items"
    part_a = parsed("a_")
    benign_a = sum(it["label"] == "benign" for it in part_a)
    assert benign_a >= len(part_a) - benign_a, f"part A: {benign_a} benign vs {len(part_a) - benign_a} positive"
    fresh = parsed("fresh_")
    benign_f = sum(it["label"] == "benign" for it in fresh)
    assert benign_f >= len(fresh) - benign_f, f"fresh part: {benign_f} benign vs {len(fresh) - benign_f} positive"


def test_whole_corpus_covers_150_threads():
    if not load("b_"):
        pytest.skip("no b_*.jsonl files yet: the 150-thread total needs part B")
    sources = {it["source"] for it in parsed("a_") + parsed("b_")}
    assert len(sources) >= 150, f"{len(sources)} distinct threads across parts A and B, needs >= 150"


def test_split_holds_aside_about_a_third_of_the_threads():
    sys.path.insert(0, str(REPORT.parent))
    try:
        import log_corpus_report
    finally:
        sys.path.pop(0)
    sources = {it["source"] for it in parsed("a_") + parsed("b_")}
    held = sum(log_corpus_report.held_aside(s) for s in sources)
    assert 0.2 < held / len(sources) < 0.45, f"{held} of {len(sources)} threads held aside"


def test_report_runs_end_to_end(tmp_path):
    cli = os.environ.get("SIDECAR_CLI", "")
    if not cli:
        pytest.skip("SIDECAR_CLI is not set (run through ctest)")
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(CORPUS), "--json"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["skipped"] == []
    assert out["sealed_left_out"] == len(parsed("sealed_")), "the sealed part is scanned only with --unseal"
    parts = out["parts"]
    assert "sealed" not in parts or not parsed("sealed_")
    by_file = {p: parsed(p + "_") for p in ("fresh", "blind", *MEASURED)}  # the parts held aside by file
    everything = parsed("a_") + parsed("b_") + parsed("c_") + [it for items in by_file.values() for it in items]
    assert parts["all"]["items"] == len(everything)
    assert sum(parts[p]["items"] for p in ("dev", "held", *by_file)) == len(everything)
    for p, items in by_file.items():
        assert parts[p]["items"] == len(items), p
    assert parts["all"]["threads"] == len({it["source"] for it in everything})
    assert parts["all"]["benign"] == sum(it["label"] == "benign" for it in everything)
    for part in parts.values():
        for s in part["per_syndrome"].values():
            assert 0 <= s["detected"] <= s["items"]
    # The scanner finds something real: the plain watchdog timeout lines are matched today.
    assert parts["all"]["per_syndrome"]["nccl_timeout"]["detected"] > 0

    # Attribution: a small corpus whose answers are known, including a multi-line block.
    small = tmp_path / "corpus"
    small.mkdir()
    rows = [
        {"text": "Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n"
                 "RuntimeError: CUDA error: an illegal memory access was encountered",
         "label": "cuda_error", "source": "t/t#1", "stack": "pytorch"},
        {"text": "NCCL INFO Bootstrap : Using eth0:10.0.0.1<0>", "label": "benign", "source": "t/t#2",
         "stack": "nccl"},
        {"text": "Segmentation fault (core dumped)", "label": "benign", "source": "t/t#3", "stack": "x"},
        {"text": "step 3 loss 2.0", "label": "nan_in_log", "source": "t/t#4", "stack": "x"},
    ]
    (small / "a_t.jsonl").write_text("".join(json.dumps(x) + "\n" for x in rows))
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    a = json.loads(r.stdout)["parts"]["all"]
    assert a["per_syndrome"]["cuda_error"] == {"items": 1, "detected": 1, "recall": 1.0}
    assert a["per_syndrome"]["nan_in_log"]["detected"] == 0
    assert (a["benign"], a["benign_false_alarms"]) == (2, 1)
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--check", "0.95", "0.01",
                        "--check-part", "all"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "check failed" in r.stderr
    # No fresh_ or blind_ file: a check of those parts cannot pass on nothing.
    for part in ("fresh", "blind"):
        r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--check", "0", "1",
                            "--check-part", part], capture_output=True, text=True, timeout=120)
        assert r.returncode == 1 and f"check failed ({part}): the part has no positive items" in r.stderr


def rn_marker(part):
    return f"90{part[1:]:>02}9"  # r5 -> 90059, r10 -> 90109


def write_parts_corpus(small):
    """One item per part marker (dev 11111, held 22222, fresh 33333/44444, blind 55555/66666, rN "9NN9" (r5 90059,
    r10 90109), sealed 77777/88888)."""
    mod = report_module()
    # held_src's hash holds it aside in round 2 (held); in a fresh_, blind_, rN_ or sealed_ file the hash does not
    # matter.
    held_src = next(f"t/t#{n}" for n in range(100) if mod.held_aside(f"t/t#{n}"))
    dev_src = next(f"t/t#{n}" for n in range(100) if not mod.held_aside(f"t/t#{n}"))
    rows = {
        "a_t.jsonl": [{"text": "dev line one 11111", "label": "nan_in_log", "source": dev_src, "stack": "x"},
                      {"text": "held line two 22222", "label": "nan_in_log", "source": held_src, "stack": "x"}],
        "fresh_t.jsonl": [{"text": "fresh line three 33333", "label": "nan_in_log", "source": held_src,
                           "stack": "x"},
                          {"text": "fresh line four 44444", "label": "nan_in_log", "source": dev_src, "stack": "x"}],
        "blind_t.jsonl": [{"text": "blind line five 55555", "label": "nan_in_log", "source": held_src,
                           "stack": "x"},
                          {"text": "blind line six 66666", "label": "nan_in_log", "source": dev_src, "stack": "x"},
                          {"text": "Segmentation fault (core dumped)", "label": "benign", "source": "t/t#b",
                           "stack": "x"}],
        "sealed_t.jsonl": [{"text": "sealed line seven 77777", "label": "nan_in_log", "source": held_src,
                            "stack": "x"},
                           {"text": "sealed line eight 88888", "label": "nan_in_log", "source": dev_src,
                            "stack": "x"},
                           {"text": "Segmentation fault (core dumped) 99999", "label": "benign", "source": "t/t#s",
                            "stack": "x"}],
    }
    for n, part in enumerate(MEASURED):
        rows[part + "_t.jsonl"] = [{"text": f"{part} line {rn_marker(part)}", "label": "nan_in_log",
                                    "source": (held_src, dev_src)[n % 2], "stack": "x"}]
    for name, items in rows.items():
        (small / name).write_text("".join(json.dumps(x) + "\n" for x in items))


def test_parts_are_counted_apart_and_sealed_is_left_out(tmp_path):
    """blind_ (round 4), r5_ to rN_ (rounds 5-N) are tuned parts now: counted and listed. sealed_ is neither scanned nor
    counted nor listed without --unseal (the lead unseals it once; no test here does)."""
    cli = os.environ.get("SIDECAR_CLI", "")
    if not cli:
        pytest.skip("SIDECAR_CLI is not set (run through ctest)")
    small = tmp_path / "corpus"
    small.mkdir()
    write_parts_corpus(small)
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    parts = out["parts"]
    assert "sealed" not in parts and out["sealed_left_out"] == 3
    assert [parts[p]["items"] for p in ("dev", "held", "fresh", "blind", *MEASURED, "all")] == [
        1, 1, 2, 3, *[1] * len(MEASURED), 7 + len(MEASURED)]
    for p in MEASURED:
        assert parts[p]["per_syndrome"]["nan_in_log"] == {"items": 1, "detected": 0, "recall": 0.0}, p
    assert parts["blind"]["per_syndrome"]["nan_in_log"] == {"items": 2, "detected": 0, "recall": 0.0}
    assert (parts["blind"]["benign"], parts["blind"]["benign_false_alarms"]) == (1, 1)
    assert parts["fresh"]["per_syndrome"]["nan_in_log"] == {"items": 2, "detected": 0, "recall": 0.0}
    assert (parts["all"]["benign"], parts["all"]["benign_false_alarms"]) == (1, 1), "a sealed look-alike was scanned"
    # Misses of the tuned parts (dev, held, fresh, blind, r5 to rN) are listed; sealed items never are.
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--dev-misses"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "sealed part: 3 items not scanned" in r.stdout, r.stdout
    assert all(n in r.stdout for n in ("11111", "22222", "33333", "44444", "55555", "66666",
                                       *map(rn_marker, MEASURED))), r.stdout
    assert not any(n in r.stdout for n in ("77777", "88888", "99999")), r.stdout
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--check", "0.95", "0.01",
                        "--check-part", "blind"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "check failed (blind): nan_in_log recall" in r.stderr
    # Gating the sealed part needs --unseal: asking without it is a usage error, and no figure is printed.
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--check", "0", "1",
                        "--check-part", "dev,sealed"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "needs --unseal" in r.stderr and not r.stdout, r.stdout + r.stderr
    # A corpus of sealed items only has nothing to report without --unseal.
    only = tmp_path / "only_sealed"
    only.mkdir()
    (only / "sealed_t.jsonl").write_text((small / "sealed_t.jsonl").read_text())
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(only), "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "no corpus items" in r.stderr and not r.stdout
    # With --unseal (on this made-up corpus, never on the real sealed part) sealed items are scanned and counted,
    # gated on request, and still never listed.
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--json", "--unseal"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["sealed_left_out"] == 0 and out["parts"]["sealed"]["items"] == 3 and out["parts"]["all"]["items"] == 10 + len(MEASURED)
    assert out["parts"]["sealed"]["per_syndrome"]["nan_in_log"] == {"items": 2, "detected": 0, "recall": 0.0}
    assert (out["parts"]["sealed"]["benign"], out["parts"]["sealed"]["benign_false_alarms"]) == (1, 1)
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--unseal", "--dev-misses",
                        "--check", "0.95", "0.01", "--check-part", "sealed"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 1 and "check failed (sealed): nan_in_log recall" in r.stderr, r.stderr
    assert f"sealed (r{SEALED_ROUND})" in r.stdout and not any(n in r.stdout for n in ("77777", "88888", "99999")), r.stdout
    # A comma list gates every part it names: each failing part is reported.
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--check", "0.95", "0.01",
                        "--check-part", "dev,held,fresh"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert all(f"check failed ({p}): nan_in_log recall" in r.stderr for p in ("dev", "held", "fresh")), r.stderr
    assert "check failed (blind)" not in r.stderr
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--check", "0", "1",
                        "--check-part", "dev,fresh"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(small), "--check", "0", "1",
                        "--check-part", "dev,nope"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "nope" in r.stderr


def test_tuned_parts_reach_the_gate():
    """dev, held, fresh and blind (the parts patterns are tuned on): every family's recall >= 0.95, benign
    false alarms <= 1 %, each part judged on its own. A pattern change that loses a family fails here."""
    cli = os.environ.get("SIDECAR_CLI", "")
    if not cli:
        pytest.skip("SIDECAR_CLI is not set (run through ctest)")
    r = subprocess.run([sys.executable, str(REPORT), "--cli", cli, "--corpus", str(CORPUS), "--check", "0.95", "0.01",
                        "--check-part", "dev,held,fresh,blind"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
