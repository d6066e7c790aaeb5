#!/usr/bin/python3
"""Rebuild the real-curve corpus from the verbatim pastes in raw/.

Every curve starts as raw/<id>.txt: the rows exactly as they were posted in
the thread its entry names (paste debris such as backticks and `>` markers
dropped; a row cut off mid-line dropped). This script only converts those
rows to sidecar metrics JSONL, one object per logged row, keys as the source
logged them; it never edits a number. Run it after adding an entry:

    /usr/bin/python3 tests/data/real_curves/build_corpus.py          # rewrite
    /usr/bin/python3 tests/data/real_curves/build_corpus.py --check  # verify

Entries are data: the "entries" list of entries.json (the dev and round-2
held parts, split by a hash of the source), entries_fresh.json (round 3's
fresh part, written to the manifest with "part": "fresh") and
entries_blind.json (round 4's blind part, "part": "blind"), entries_r5.json
(round 5's held-aside part, "part": "r5"), entries_r6.json (round 6's,
"part": "r6"), entries_r7.json (round 7's, "part": "r7"), entries_r8.json
(round 8's, "part": "r8"), entries_r9.json (round 9's, "part": "r9"),
entries_r10.json (round 10's, "part": "r10"), entries_r11.json (round 11's,
"part": "r11"), entries_r12.json (round 12's, "part": "r12"), entries_r13.json
(round 13's, "part": "r13"), entries_r14.json (round 14's, "part": "r14"),
entries_r15.json (round 15's, "part": "r15"), entries_r16.json (round
16's, "part": "r16"), entries_r17.json (round 17's, "part": "r17"),
entries_r18.json (round 18's, "part": "r18"), entries_r19.json (round
19's, "part": "r19"), entries_r20.json (round 20's, "part": "r20"),
entries_r21.json (round 21's, "part": "r21"), entries_r22.json (round 22's,
"part": "r22"), entries_r23.json (round 23's, "part": "r23"), entries_r24.json
(round 24's, "part": "r24"), entries_r25.json (round 25's, "part": "r25"),
entries_r26.json (round 26's, "part": "r26"), entries_r27.json (round 27's,
"part": "r27"), entries_r28.json (round 28's, "part": "r28"),
entries_r29.json (round 29's, "part": "r29"), entries_r30.json (round 30's,
"part": "r30"), entries_r31.json (round 31's, "part": "r31"),
entries_r32.json (round 32's, "part": "r32"), entries_r33.json (round 33's,
"part": "r33"), entries_r34.json (round 34's, "part": "r34"),
entries_r35.json (round 35's, "part": "r35"), entries_r36.json (round 36's,
"part": "r36"), entries_r37.json (round 37's, "part": "r37"),
entries_r38.json (round 38's, "part": "r38"), entries_r39.json (round 39's,
"part": "r39"), entries_r40.json (round 40's, "part": "r40"),
entries_r41.json (round 41's, "part": "r41"), entries_r42.json (round 42's,
"part": "r42"), entries_r43.json (round 43's, "part": "r43"),
entries_r44.json (round 44's, "part": "r44"), entries_r45.json (round
45's, "part": "r45") and entries_sealed.json (round 46's sealed part,
"part": "sealed"). A thread feeds
one part only. Every entry has id, fmt, source, source_kind, framework,
label, visible_step, also_ok, what_happened, plus the options below.

Entry options: "only"/"skip" (regex) keep/drop lines of another record kind
in the same paste (the raw file stays complete), "step_key" names the
counter that becomes `step`, "drop_keys" removes keys cut off in the paste,
"merge_on" (regex) joins consecutive lines of one logged record into one row,
"units" (kv) accepts a unit glued to a value ("1612.0min" -> 1612.0),
"step_time_units" (kv) names a key by the time-per-step unit printed after its value, as sidecar's
text parser does ("speed: 0.72(0.65s r0.07)s/itr" -> "speed (s/itr)": 0.72),
"seg_skip" (pipe) ignores separator-split segments matching a regex (counters),
"kv_re" (kv) replaces the key/value pattern (%s stands for a number),
"vk_re" (kv) also reads value-then-key pairs (group 1 the number, group 2 the key),
"split_re" (keras_inline) replaces the "Epoch N/M" header the rows are split at.

Formats (per entry "fmt"):
  dict   HF Trainer / TRL dict lines: {'loss': 0.1, 'grad_norm': nan, ...}
  pipe   Megatron / fairseq / mmcv lines: key: value | key: value ...
  kv     one row per line, every `key: value` / `key=value` / `key value` pair
  keras  Keras: "Epoch N/M" line followed by "... - loss: x - acc: y"
  keras_inline  the same pasted as one line
  block  multi-line records opened by a line matching start_re ("line_re"
         reads one `key value` line, "pairs_re" several pairs per line,
         "last_cut" drops a record cut by the paste, "value_re" reads a
         line holding only values, named in order by "value_keys": rich
         progress tables print the column names on another line)
  table  Stable-Baselines3 tables (| key | value |), one row per table
  coltable  a header of column names, then one row of values per line
"""
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# (file, part written to the manifest or None); a later file's threads must not appear in an earlier one
# (entries_rN.json: round N's sealed part, measured once, then opened for tuning; found by name, in round order)
MEASURED_FILES = sorted((f for f in os.listdir(HERE) if re.fullmatch(r"entries_r\d+\.json", f)),
                        key=lambda f: int(f[len("entries_r"):-len(".json")]))
ENTRY_FILES = (("entries.json", None), ("entries_fresh.json", "fresh"), ("entries_blind.json", "blind"),
               *((f, f[len("entries_"):-len(".json")]) for f in MEASURED_FILES),
               ("entries_sealed.json", "sealed"))

NUM = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|NaN|NAN|inf|Inf|INF|Infinity)"
NUM_RE = re.compile(r"^(?:%s)$" % NUM)
# a time-per-step unit printed after a value ("0.72(0.65s r0.07)s/itr"); sidecar's text parser appends it to the key
STEP_TIME_UNIT = r"(?:ms|sec|s)/(?:itr|iter|it|step|batch)"


def value(tok):
    tok = tok.strip()
    if not NUM_RE.match(tok):
        return None
    low = tok.lower().lstrip("+")
    if low in ("nan", "-nan"):
        return math.nan
    if low in ("inf", "infinity"):
        return math.inf
    if low in ("-inf", "-infinity"):
        return -math.inf
    if re.match(r"^[-+]?\d+$", tok):
        return int(tok)
    return float(tok)


def set_step(row, key, v, step_key):
    if step_key and key == step_key and isinstance(v, (int, float)) and not isinstance(v, bool):
        row["step"] = v
    else:
        row[key] = v


def add_pairs(row, pairs, e):
    """Put each (key, token) pair that is a number into row (the step_key one as `step`)."""
    for k, tok in pairs:
        v = value(tok)
        if v is not None:
            set_step(row, k.strip(), v, e.get("step_key"))


def end_row(rows, row, line, e):
    """Take `step` from the entry's step_re if it matches the line, then keep the row if it has
    anything (a row with only a step is dropped later, in build())."""
    m = re.search(e["step_re"], line) if e.get("step_re") else None
    if m:
        row["step"] = int(m.group(1))
    if row:
        rows.append(row)


def parse_dict(lines, e):
    rows = []
    pair = re.compile(r"""['"]([^'"]+)['"]\s*:\s*([^,}]+)""")
    for line in lines:
        if "{" not in line:
            continue
        row = {}
        pairs = pair.findall(line[line.index("{"):])
        if "}" not in line and pairs:
            pairs = pairs[:-1]  # the paste was cut inside this row: its last value may be cut too
        add_pairs(row, pairs, e)
        end_row(rows, row, line, e)
    return rows


def parse_pipe(lines, e):
    rows = []
    sep = e.get("sep", r"\|")
    eq = re.compile(r"([A-Za-z_][\w/.]*)=(%s)(?![\w.])" % NUM)
    whole = re.compile(r"^([A-Za-z_][^:=]*?[A-Za-z)\]])\s*[:=]?\s+(%s)(?:\s*/\s*\d+)?(?:\s*\(.*\))?%%?$" % NUM)
    for line in lines:
        row = {}
        for seg in re.split(sep, line):
            seg = seg.strip()
            if e.get("seg_skip") and re.search(e["seg_skip"], seg):
                continue
            pairs = eq.findall(seg)
            if not pairs:
                m = whole.match(seg)
                pairs = [(m.group(1), m.group(2))] if m else []
            add_pairs(row, pairs, e)
        end_row(rows, row, line, e)
    return rows


def parse_coltable(lines, e):
    """A header line of column names then rows of values, split by `|` or spaces."""
    sep = e.get("sep", r"\|")
    header = [h.strip() for h in re.split(sep, lines[0].strip()) if h.strip()]
    rows = []
    for line in lines[1:]:
        cells = [c.strip() for c in re.split(sep, line.strip()) if c.strip()]
        if len(cells) != len(header):
            continue
        row = {}
        add_pairs(row, zip(header, cells), e)
        if row:
            rows.append(row)
    return rows


def parse_kv(lines, e):
    rows = []
    unit = r"(?:[A-Za-z%%]+(?![\w.]))?" if e.get("units") else ""  # "1612.0min": value, unit dropped
    words = "{0,%d}" % (e.get("key_words", 2) - 1)  # keys of up to this many words ("train loss")
    pat = re.compile(r"([A-Za-z_][\w/.\-\[\]]*(?: [A-Za-z_][\w/.\-]*)%s)\s*(?::|=)\s*(%s)%s(?![\w.])" % (words, NUM, unit))
    if e.get("kv_re"):  # keys the generic pattern cannot spell ("Obj(log[Pzx]) = -41.6")
        pat = re.compile(e["kv_re"] % NUM)
    for line in lines:
        row = {}
        pairs = pat.findall(line)
        if e.get("step_time_units"):  # a time per step after the value names the key's unit, as sidecar's parser does
            units = dict(re.findall(r"([A-Za-z_][\w/.\-]*)\s*[:=]\s*(?:%s)(?:\([^)]*\))?\s*(%s)(?![\w/])"
                                    % (NUM, STEP_TIME_UNIT), line))
            pairs = [("%s (%s)" % (k, units[k]) if k in units else k, tok) for k, tok in pairs]
        add_pairs(row, pairs, e)
        if e.get("vk_re"):  # a value printed before its unit-like key ("(729.8 examples/sec; ...")
            add_pairs(row, [(k, tok) for tok, k in re.findall(e["vk_re"] % NUM, line)], e)
        end_row(rows, row, line, e)
    return rows


def parse_block(lines, e):
    """Multi-line records: a line matching start_re (group 1: the step) opens a row,
    then `key   value` lines fill it (pandas Series prints, tqdm summaries)."""
    rows = []
    row = None
    for line in lines:
        m = re.match(e["start_re"], line)
        if m:
            if row:
                rows.append(row)
            row = {"step": int(m.group(1))}
            continue
        if row is not None and e.get("pairs_re"):  # several `key = value` pairs on one line
            for k, tok in re.findall(e["pairs_re"] % NUM, line):
                row[k.strip()] = value(tok)
            continue
        if row is not None and e.get("value_re"):  # a value printed below its (column) header
            vm = re.match(e["value_re"] % NUM, line)
            if vm and len(row) - 1 < len(e["value_keys"]):
                row[e["value_keys"][len(row) - 1]] = value(vm.group(1))
            continue
        kv = re.match(e.get("line_re", r"^\s*([A-Za-z_][\w/.]*)\s+(%s)\s*$") % NUM, line)
        if row is not None and kv:
            row[kv.group(1).strip()] = value(kv.group(2))
    if row:
        rows.append(row)
    if e.get("last_cut"):  # the paste ends inside the last record: leave it out
        rows = rows[:-1]
    return rows


def parse_keras_inline(lines, e):
    """Keras epoch lines pasted without their newlines: split at each "Epoch N/M";
    a fragment before the first header has no epoch number and is left out."""
    text = " ".join(lines)
    parts = re.split(e.get("split_re", r"Epoch (\d+)/\d+"), text)  # split_re: another epoch header
    rows = []
    for step, frag in zip(parts[1::2], parts[2::2]):
        pairs = re.findall(r"(\w+): (%s)(?![\w.])" % NUM, frag)
        if pairs:
            rows.append(dict([("step", int(step))] + [(k, value(t)) for k, t in pairs]))
    return rows


def parse_keras(lines, e):
    rows = []
    step = None
    for line in lines:
        m = re.match(e.get("epoch_re", r"^\s*Epoch (\d+)/\d+"), line)
        if m:
            step = int(m.group(1))
            continue
        pairs = re.findall(r"(\w[\w-]*): (%s)(?![\w.])" % NUM, line)
        if not pairs:
            continue
        row = {}
        if step is not None:
            row["step"] = step
        for k, tok in pairs:
            row[k] = value(tok)
        rows.append(row)
    return rows


def parse_table(lines, e):
    rows = []
    row = {}
    for line in lines:
        if re.match(r"^\s*-{5,}\s*$", line):
            if row and e.get("step_key", "time/total_timesteps") in row.get("_keys", ()):
                pass
            if row.get("_n"):
                rows.append(row)
                row = {}
            continue
        m = re.match(r"^\s*\|\s*(\S.*?)\s*\|\s*(\S+)\s*\|\s*$", line)
        if not m:
            continue
        k, tok = m.group(1), m.group(2)
        v = value(tok)
        if v is None:
            continue
        row["_n"] = 1
        set_step(row, k, v, e.get("step_key"))
    rows = [{k: v for k, v in r.items() if k != "_n"} for r in rows]
    if row.get("_n"):
        rows.append({k: v for k, v in row.items() if k != "_n"})
    return rows


PARSERS = {"dict": parse_dict, "keras_inline": parse_keras_inline, "block": parse_block, "coltable": parse_coltable, "pipe": parse_pipe, "kv": parse_kv, "keras": parse_keras, "table": parse_table}
FIELDS = ("id", "file", "source", "source_kind", "framework", "label", "visible_step", "also_ok",
          "what_happened", "raw_excerpt")


def load_entries(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return json.load(f)["entries"]


def all_entries():
    """The entries of ENTRY_FILES in order, each marked with its file's part
    (none for entries.json, whose dev/held split is by a hash of the source).
    The split is by thread: a thread of one file must not feed another."""
    out, seen = [], {}
    for name, part in ENTRY_FILES:
        entries = load_entries(name)
        reused = sorted({e["source"] for e in entries if seen.get(e["source"], name) != name})
        if reused:
            raise SystemExit("%s reuses threads of another part: %s" % (name, " ".join(reused)))
        for e in entries:
            seen[e["source"]] = name
            out.append(dict(e, part=part) if part else dict(e))
    return out


def build():
    """Return {file name: text} for every curve file and the manifest."""
    out = {}
    manifest = []
    seen = set()
    for e in all_entries():
        assert e["id"] not in seen, e["id"]
        seen.add(e["id"])
        with open(os.path.join(HERE, "raw", e["id"] + ".txt"), encoding="utf-8") as f:
            raw = f.read()
        lines = [ln.rstrip() for ln in raw.splitlines() if ln.strip()]
        excerpt = "\n".join(lines[: e.get("excerpt_lines", 3)])
        if e.get("only"):  # rows come only from the lines matching this pattern
            lines = [ln for ln in lines if re.search(e["only"], ln)]
        if e.get("skip"):  # lines of another record kind in the same paste
            lines = [ln for ln in lines if not re.search(e["skip"], ln)]
        if e.get("merge_on"):  # consecutive lines of one logged record (same match) form one row
            merged, last = [], None
            for ln in lines:
                m = re.search(e["merge_on"], ln)
                key = m.group(0) if m else None
                if merged and key is not None and key == last:
                    merged[-1] += "\t" + re.sub(e["merge_on"], "", ln, count=1)
                else:
                    merged.append(ln)
                last = key
            lines = merged
        rows = PARSERS[e["fmt"]](lines, e)
        drop = set(e.get("drop_keys", ()))
        rows = [{k: v for k, v in r.items() if k not in drop} for r in rows]
        rows = [r for r in rows if any(k != "step" for k in r)]
        if len(rows) < 3:
            raise SystemExit("%s: only %d rows" % (e["id"], len(rows)))
        out[e["id"] + ".jsonl"] = "".join(json.dumps(r) + "\n" for r in rows)
        m = dict(e)
        m["file"] = e["id"] + ".jsonl"
        m["raw_excerpt"] = excerpt[:1500]
        m.setdefault("also_ok", [])
        manifest.append({k: m[k] for k in FIELDS + (("part",) if "part" in e else ())})
    out["manifest.jsonl"] = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in manifest)
    return out


def main():
    files = build()
    if "--check" in sys.argv[1:]:  # the committed files are exactly what raw/ + ENTRIES give
        bad = []
        for name, text in files.items():
            path = os.path.join(HERE, name)
            if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
                bad.append(name)
        if bad:
            print("out of date (rerun build_corpus.py): " + " ".join(sorted(bad)))
            return 1
        print("%d curves, all up to date" % (len(files) - 1))
        return 0
    for name, text in files.items():
        with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
            f.write(text)
    print("%d curves" % (len(files) - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
