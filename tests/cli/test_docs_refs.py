"""Doc rot: every repository file, header and section that docs/*.md and
README.md name exists, and nothing cites SPEC or DOMAIN sections (neither
document ships with the project). Needs no binary: it reads the tree."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = sorted(ROOT.glob("docs/*.md")) + [ROOT / "README.md"]
TOP = ("libsidecar", "docs", "tests", "bench", "examples", "scripts", "cli", "bindings", "cmake", "build_backend")
# A path into the tree: starts at a top-level folder, or is an installed header ("sidecar/x.h").
REPO_PATH = re.compile(r"(?<![\w./~$-])((?:%s)/[\w./*-]*[\w*]|sidecar/[\w/]+\.h)(?![\w/])" % "|".join(TOP))
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
UNSHIPPED = re.compile(r"\b(SPEC|DOMAIN)\s+§?\s*\d")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path):
    out, in_code = set(), False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (m := HEADING.match(line)):
            out.add(slug(m.group(1)))
    return out


def exists(ref):
    if ref.startswith("sidecar/"):
        return (ROOT / "libsidecar/include" / ref).is_file()
    return any(ROOT.glob(ref)) if "*" in ref else (ROOT / ref).exists()


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_named_files_exist(doc):
    missing = [ref for ref in sorted(set(REPO_PATH.findall(doc.read_text()))) if not exists(ref)]
    assert not missing, f"{doc.name} names files that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_links_and_sections_exist(doc):
    broken = []
    for target in LINK.findall(doc.read_text()):
        if re.match(r"^[a-z]+:", target):
            continue  # http(s), mailto: not ours to check
        file_part, _, anchor = target.partition("#")
        path = (doc.parent / file_part).resolve() if file_part else doc
        if not path.exists():
            broken.append(target)
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(target)
    assert not broken, f"{doc.name} links to files or sections that do not exist: {broken}"


@pytest.mark.parametrize("doc", DOCS + sorted(ROOT.glob("cli/**/*.cc")), ids=lambda p: p.name)
def test_no_citations_of_unshipped_documents(doc):
    cited = sorted({m.group(0) for m in UNSHIPPED.finditer(doc.read_text())})
    assert not cited, f"{doc.name} cites {cited}; SPEC.md and DOMAIN.md do not ship: say it in place"


def test_the_checks_can_fail(tmp_path):
    assert slug("Which sources (`discover_metrics_sources`), used by run and watch") == \
        "which-sources-discover_metrics_sources-used-by-run-and-watch"
    assert not exists("bench/run.sh") and exists("docs/cli.md") and exists("sidecar/report.h")
    assert REPO_PATH.findall("see `bench/run.sh` and RUN_DIR/sidecar/report.html") == ["bench/run.sh"]
    assert UNSHIPPED.search("(SPEC §6)") and UNSHIPPED.search("DOMAIN 2.1") and not UNSHIPPED.search("SPECS")
