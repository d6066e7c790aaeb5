"""docs/playbook.md states the defaults that `playbook show` prints (issue 14).

`playbook show` prints the effective default playbook, which is what the
reader fills the options structs from. Every default the docs name must be
the one it prints: each `key: value` in a detectors-table row, each row of a
`| key | default | meaning |` table, each key of the defaults block right
under a `### `section:`` heading, and those tables and blocks list every key
of their section. A default changed in one place and not the other fails here.
"""
import os
import pathlib
import re

import pytest
import yaml

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "playbook.md"


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


def sections(text):
    """(section name, body up to the next heading) for each ### `name:` heading."""
    parts = re.split(r"^### `([a-z_]+):`\s*$", text, flags=re.M)
    for i in range(1, len(parts), 2):
        yield parts[i], re.split(r"^#", parts[i + 1], maxsplit=1, flags=re.M)[0]


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


def test_key_default_tables_match_and_are_complete(shown):
    tables = 0
    for name, body in sections(DOC.read_text()):
        if "| key | default | meaning |" not in body:
            continue
        tables += 1
        rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", body, flags=re.M))
        assert set(rows) == set(shown[name]), f"docs table of {name}: vs shown"
        for key, value in rows.items():
            assert same(value, shown[name][key]), f"docs: {name}.{key}: {value}, shown: {shown[name][key]}"
    assert tables >= 1


def test_defaults_blocks_match_and_are_complete(shown):
    blocks = 0
    for name, body in sections(DOC.read_text()):
        m = re.match(r"\s*```yaml\n(.*?)```", body, flags=re.S)
        if not m or not m.group(1).startswith(name + ":"):
            continue
        block = yaml.safe_load(m.group(1))[name]
        blocks += 1
        assert set(block) <= set(shown[name]), f"docs block of {name} names unknown keys"
        for key, value in shown[name].items():
            if isinstance(value, (list, dict)):
                continue  # lists are abbreviated in the docs
            assert key in block, f"docs block of {name} lacks {key} (default {value})"
            assert same(str(block[key]).lower() if isinstance(block[key], bool) else str(block[key]), value), (
                f"docs: {name}.{key}: {block[key]}, shown: {value}")
    assert blocks >= 3, blocks  # dedupe, snapshot, history


BEGIN = "<!-- begin: sidecar-cli playbook show --format md -->\n"
END = "<!-- end: sidecar-cli playbook show --format md -->\n"


def test_detector_option_tables_are_the_generated_ones(cli):
    """The detectors' option tables in the docs are `playbook show --format md`,
    produced from the option tables next to the structs (issue 14: a default is
    written once). Regenerate with SIDECAR_UPDATE_DOCS=1 and this test."""
    r = cli("playbook", "show", "--format", "md")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("#### `detectors.") == 18 and "| `threshold` | `8.0` |" in r.stdout
    text = DOC.read_text()
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    head, rest = text.split(BEGIN)
    block, tail = rest.split(END)
    if os.environ.get("SIDECAR_UPDATE_DOCS") == "1" and block != r.stdout:
        DOC.write_text(head + BEGIN + r.stdout + END + tail)
        block = r.stdout
    assert block == r.stdout, "docs/playbook.md: rerun this test with SIDECAR_UPDATE_DOCS=1 to regenerate the tables"


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


def test_every_detector_option_has_a_table_row():
    """Each field of each options struct in core/detectors/ has its row in the
    OptionTable next to it, in the same order (a field without one could not be
    set from a playbook, shown, or documented)."""
    root = DOC.parents[1] / "libsidecar" / "include" / "sidecar" / "core" / "detectors"
    structs = 0
    for header in sorted(root.glob("*.h")):
        text = header.read_text()
        for m in re.finditer(r"^struct (\w+Options) \{\n(.*?)^\};", text, flags=re.S | re.M):
            fields = re.findall(r"^  (?:bool|int|double|Severity) (\w+)(?: = |\{)", m.group(2), flags=re.M)
            table = re.search(r"struct OptionTable<" + m.group(1) + r"> \{(.*?)\n\};", text, flags=re.S)
            assert table, f"{header.name}: {m.group(1)} has no OptionTable"
            rows = re.findall(r"\{\"(\w+)\",\s*&O::(\w+)", table.group(1))
            assert [r[0] for r in rows] == fields, f"{header.name}: {m.group(1)}: table rows vs fields"
            assert all(a == b for a, b in rows), f"{header.name}: {m.group(1)}: a key names another member"
            structs += 1
    assert structs >= 18, structs
