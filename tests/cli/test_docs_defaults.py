"""docs/playbook.md states the defaults that `playbook show` prints (issue 14).

Every option's default is written once, in its C++ options struct's row
(SIDECAR_OPTIONS, option_table.h) with its bounds and reason, or in a
hand-written struct with its OptionTable next to it. `playbook show` prints the effective
playbook the reader filled from them, `playbook show --format md` their tables.
The docs' option tables are that output (generated blocks), the `key: value`
hints in the detectors table are the shown defaults, and no hand-written
block restates a default. A default changed in one place and not the other
fails here.
"""
import os
import pathlib
import re

import pytest
import yaml

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "playbook.md"
SINKS_H = DOC.parents[1] / "libsidecar" / "include" / "sidecar" / "sinks.h"


@pytest.fixture
def shown(cli):
    r = cli("playbook", "show")
    assert r.returncode == 0, r.stderr
    tree = yaml.safe_load(r.stdout)
    assert isinstance(tree, dict) and tree.get("detectors"), r.stdout[:200]
    return tree


def same(doc_value, shown_value):
    doc_value = doc_value.strip().strip("`")
    if isinstance(shown_value, bool):
        return doc_value == str(shown_value).lower()
    if isinstance(shown_value, (int, float)):
        try:
            return float(doc_value) == float(shown_value)
        except ValueError:
            return False
    return doc_value == str(shown_value)


def test_detector_table_defaults_are_the_shown_ones(shown):
    detectors = shown["detectors"]
    checked = 0
    for line in DOC.read_text().splitlines():
        m = re.match(r"^\| `([a-z_]+)` \|", line)
        if not m or m.group(1) not in detectors:
            continue
        options = detectors[m.group(1)]
        for key, value in re.findall(r"`([a-z_]+): ([^`]+)`", line):
            assert key in options, f"docs: detectors.{m.group(1)}.{key} is not an option"
            assert same(value, options[key]), f"docs: detectors.{m.group(1)}.{key}: {value}, shown: {options[key]}"
            checked += 1
    assert checked >= 50, checked  # the table was found and read


BEGIN = "<!-- begin: sidecar-cli playbook show --format md ({}) -->\n"
END = "<!-- end: sidecar-cli playbook show --format md ({}) -->\n"
SECTIONS = ("profile", "dedupe", "snapshot", "history", "logs", "gpu", "operator", "sinks", "judge")  # besides detectors


def md_parts(md):
    """`playbook show --format md` cut into its parts: "detectors" (every
    #### `detectors.*` table), "sinks" (every #### `sinks.*` table) and one
    per other section."""
    parts = {}
    for chunk in re.split(r"(?=^#### `)", md, flags=re.M):
        if chunk:
            name = re.match(r"#### `([a-z_]+)", chunk).group(1)
            parts[name] = parts.get(name, "") + chunk
    return parts


def test_option_tables_are_the_generated_ones(cli):
    """The docs' option tables (detectors, profile, dedupe, snapshot, history,
    logs, gpu, operator, sinks, judge) are `playbook show --format md`, produced from the option
    tables next to the structs (issue 14: a default is written once).
    Regenerate with SIDECAR_UPDATE_DOCS=1 and this test."""
    r = cli("playbook", "show", "--format", "md")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("#### `detectors.") == 18 and "| `threshold` | `8.0` |" in r.stdout
    parts = md_parts(r.stdout)
    assert sorted(parts) == sorted(("detectors",) + SECTIONS)
    assert "| `max_conditions` | `512` | 8 – 1000000 |" in parts["dedupe"]
    assert "| `default_action` | `Stop Job` |" in parts["gpu"]
    assert parts["sinks"].count("#### `sinks.") == 4 and "| `resend_s` | `60.0` | 1.0 – 86400.0 |" in parts["sinks"]
    assert "| `max_calls_per_hour` | `30` | 0 – 100000 |" in parts["judge"]
    assert "| `fallback` | `continue` |" in parts["operator"]
    text = DOC.read_text()
    stale = []
    for name, generated in parts.items():
        begin, end = BEGIN.format(name), END.format(name)
        assert text.count(begin) == 1 and text.count(end) == 1, name
        head, rest = text.split(begin)
        block, tail = rest.split(end)
        if block != generated:
            stale.append(name)
            text = head + begin + generated + end + tail
    if stale and os.environ.get("SIDECAR_UPDATE_DOCS") == "1":
        DOC.write_text(text)
        stale = []
    assert not stale, f"docs/playbook.md: {stale}: rerun this test with SIDECAR_UPDATE_DOCS=1 to regenerate the tables"


def example_options(name, given, shown_section):
    """(path, key, value, the shown options it belongs to) of each option a
    docs example of section `name` sets; sinks: one level deeper (sinks.<sink>.<key>)."""
    if name != "sinks":
        return [(f"{name}.{key}", key, value, shown_section) for key, value in given.items()]
    out = []
    for sink, options in given.items():
        assert sink in shown_section, f"docs example: sinks.{sink} is not a sink"
        out += [(f"sinks.{sink}.{key}", key, value, shown_section[sink]) for key, value in (options or {}).items()]
    return out


def test_no_hand_written_block_restates_a_default(shown):
    """Outside the generated tables, no `| key | default |` table, and a YAML
    example of a section shows only options that exist, each with a value
    other than its default (a restated default would rot)."""
    text = DOC.read_text()
    for name in ("detectors",) + SECTIONS:
        head, rest = text.split(BEGIN.format(name))
        text = head + rest.split(END.format(name))[1]
    assert "| key | default" not in text
    examples = 0
    for block in re.findall(r"```yaml\n(.*?)```", text, flags=re.S):
        tree = yaml.safe_load(block)
        if not isinstance(tree, dict):
            continue
        for name in set(tree) & set(SECTIONS):
            examples += 1
            for path, key, value, options in example_options(name, tree[name] or {}, shown[name]):
                if key in ("extra_hints", "extra_masks"):
                    continue  # they extend the lists
                assert key in options, f"docs example: {path} is not an option"
                if not isinstance(value, (list, dict)):
                    assert not same(str(value).lower() if isinstance(value, bool) else str(value), options[key]), (
                        f"docs example restates the default {path}: {value}")
    assert examples >= 4, examples  # profile, gpu, operator, sinks


def test_gpu_help_defaults_are_the_shown_ones(cli, shown):
    """`preflight --help` and `run --help` name the GPU defaults of GpuOptions, which `playbook show` prints."""
    gpu = shown["gpu"]
    pre = cli("preflight", "--help").stdout
    run = cli("run", "--help").stdout
    for flag, key in (("wait", "wait_s"), ("poll", "poll_s"), ("free-polls", "free_polls_required"),
                      ("answer-timeout", "answer_timeout_s")):
        line = next(line for line in pre.splitlines() if re.match(rf"\s+(-\w, )?--{flag} ", line))
        assert f"default {gpu[key]:g})" in line, (line, gpu[key])
    assert f"(default '{gpu['default_action']}')" in pre
    for flag, key in (("gpu-wait", "wait_s"), ("gpu-poll", "poll_s")):
        line = next(line for line in run.splitlines() if re.match(rf"\s+--{flag} ", line))
        assert f", {gpu[key]:g})" in line, (line, gpu[key])


# The other options structs the playbook reads, and their fields that are no
# table row (read by hand: a pinned profile, nested hint lists; not options:
# what the command line or the session sets, secrets).
OTHER_STRUCTS = (
    ("core/profile.h", "ProfileOptions", {"pin", "rl_hints", "supervised_hints"}),
    ("core/dedupe.h", "DedupeOptions", set()),
    ("core/snapshot.h", "SnapshotOptions", set()),
    ("history.h", "HistoryOptions", set()),
    ("log_scan.h", "LogOptions", {"syndromes", "cache_dir"}),
    ("gpu.h", "GpuOptions", set()),
    ("operator.h", "ActionTable", set()),  # `map` (the actions mapping) is no scalar field
    ("sinks.h", "ServerSinkOptions", {"url", "run_id", "auth_token", "heartbeat_s", "metrics_interval_s",
                                      "metrics_batch_max", "metrics_max_rows", "answer_poll_s", "run_dir", "wandb_dir"}),
    ("sinks.h", "AlertmanagerSinkOptions", {"url", "run_id", "host", "generator_url"}),
    ("notify.h", "SlackSinkOptions", {"webhook_url", "run_id"}),
    ("notify.h", "WebhookSinkOptions", {"url", "headers", "run_id"}),
    ("judge.h", "JudgeOptions", {"max_output"}),
)
# Table keys that are not their member's name.
RENAMED = {"template": "body_template"}
FIELD = (r"^  (?:bool|int|double|Severity|Action|std::size_t|std::string|std::vector<[\w:]+>|std::optional<\w+>)"
         r" (\w+)(?: = |\{|;)")


ROW = r"\{\"(\w+)\",\s*&O::(\w+)"


def macro_rows(text, struct):
    """(fields, (key, member) rows) of a struct declared by SIDECAR_OPTIONS
    (option_table.h) from its rows list, or None: one row per option, whose
    name is both the member and the key; members after the list have no row."""
    m = re.search(r"^SIDECAR_OPTIONS\(" + struct + r", (\w+)(.*?)\);$", text, flags=re.S | re.M)
    if not m:
        return None
    rows = re.search(r"^#define " + m.group(1) + r"\(X\)((?:.*\\\n)*.*)$", text, flags=re.M)
    assert rows, f"{struct}: no #define {m.group(1)}(X)"
    names = re.findall(r"^  X\([\w:<>]+, (\w+),", rows.group(1), flags=re.M)
    extra = re.findall(r"[\w:<>]+ (\w+) = ", m.group(2))
    return names + extra, [(n, n) for n in names]


def table_rows(text, struct):
    """(fields of `struct`, (key, member) rows of its OptionTable) in a header's text.
    A struct with a base (`struct X : DeliveryOptions`) has its own fields and
    rows here; its table takes the base's rows from the base's row function
    (delivery_rows, sinks.h), whose rows are checked against the base's fields."""
    from_macro = macro_rows(text, struct)
    if from_macro:
        return from_macro
    m = re.search(r"^struct " + struct + r"(?: : (\w+))? \{\n(.*?)^\};", text, flags=re.S | re.M)
    assert m, struct
    fields = re.findall(FIELD, m.group(2), flags=re.M)
    table = re.search(r"struct OptionTable<" + struct + r"> \{(.*?)\n\};", text, flags=re.S)
    assert table, f"{struct} has no OptionTable"
    if m.group(1):
        base = SINKS_H.read_text()
        base_fields = re.findall(FIELD, re.search(r"^struct " + m.group(1) + r" \{\n(.*?)^\};", base,
                                                  flags=re.S | re.M).group(1), flags=re.M)
        body = re.search(r"delivery_rows\(std::string_view waiting\) \{(.*?)\n\}", base, flags=re.S).group(1)
        base_rows = re.findall(ROW, body)
        assert [r[1] for r in base_rows] == base_fields and all(a == b for a, b in base_rows), m.group(1)
        assert table.group(1).count("delivery_rows<O>(") == 1, f"{struct}: the base's rows, once"
    return fields, re.findall(ROW, table.group(1))


def test_history_and_nvidia_smi_help_defaults_are_the_shown_ones(cli, shown):
    """`run`/`watch --help` name history.path's default and `preflight --help`
    gpu.nvidia_smi's, taken from the structs (the ones `playbook show` prints)."""
    for command in ("run", "watch"):
        line = next(line for line in cli(command, "--help").stdout.splitlines() if re.match(r"\s+--history ", line))
        assert f"history.path, {shown['history']['path']};" in line, line
    line = next(line for line in cli("preflight", "--help").stdout.splitlines() if re.match(r"\s+--nvidia-smi ", line))
    assert f"(default: {shown['gpu']['nvidia_smi']}," in line, line


def test_every_option_has_a_table_row():
    """Each field of each options struct the playbook reads (core/detectors/,
    profile, dedupe, snapshot, history, logs, gpu, operator, sinks, judge) has its row in the
    OptionTable next to it, in the same order (a field without one could not
    be set from a playbook, shown, or documented)."""
    include = DOC.parents[1] / "libsidecar" / "include" / "sidecar"
    structs = 0
    for header in sorted((include / "core" / "detectors").glob("*.h")):
        text = header.read_text()
        for m in re.finditer(r"^(?:struct |SIDECAR_OPTIONS\()(\w+Options)\b", text, flags=re.M):
            fields, rows = table_rows(text, m.group(1))
            assert [r[0] for r in rows] == fields, f"{header.name}: {m.group(1)}: table rows vs fields"
            assert all(a == b for a, b in rows), f"{header.name}: {m.group(1)}: a key names another member"
            structs += 1
    assert structs >= 18, structs
    for path, struct, by_hand in OTHER_STRUCTS:
        fields, rows = table_rows((include / path).read_text(), struct)
        assert [r[1] for r in rows] == [f for f in fields if f not in by_hand], f"{path}: {struct}: table rows vs fields"
        assert all(RENAMED.get(a, a) == b for a, b in rows), f"{path}: {struct}: a key names another member"
        assert by_hand <= set(fields), f"{path}: {struct}: {by_hand - set(fields)} are gone"
