"""Every Catch2 test case is one CTest test: catch_discover_tests splits a
name at ';' (one case ran as two broken tests), and CTest keys tests by name.
Needs no binary: it reads tests/cpp."""
import collections
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
# TEST_CASE("name" ...: the name may be split over adjacent string literals
CASE = re.compile(r'TEST_CASE\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', re.S)


def case_names():
    for path in sorted((ROOT / "tests" / "cpp").rglob("*.cc")):
        for m in CASE.finditer(path.read_text(encoding="utf-8")):
            yield path.relative_to(ROOT), "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))


def test_no_semicolon_in_a_test_case_name():
    bad = [f"{path}: {name}" for path, name in case_names() if ";" in name]
    assert not bad, "CTest would split these names at ';':\n" + "\n".join(bad)


def test_test_case_names_are_unique_per_suite():
    by_suite = collections.Counter((path.parts[2], name) for path, name in case_names())
    dup = [f"{suite}: {name}" for (suite, name), n in by_suite.items() if n > 1]
    assert not dup, "duplicate test case names:\n" + "\n".join(dup)


def test_the_scan_finds_the_cases():
    names = [name for _, name in case_names()]
    assert len(names) > 500 and any(n.startswith("round 33:") for n in names)
