"""docs/cli.md names every flag that `sidecar-cli <command> --help` lists, so
the reference cannot fall behind the binary (a flag added to run, watch,
replay or report without a line in the docs fails here)."""
import pathlib
import re

import pytest

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def help_flags(cli, command):
    r = cli(command, "--help")
    assert r.returncode == 0, r.stderr
    text = r.stdout + r.stderr
    flags = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", text))
    assert len(flags) >= 4, text  # the help was read
    return flags - {"--help"}


@pytest.mark.parametrize("command", ["run", "watch", "replay", "report"])
def test_every_help_flag_is_documented(cli, command):
    doc = DOC.read_text()
    missing = sorted(f for f in help_flags(cli, command) if not re.search(re.escape(f) + r"(?![\w-])", doc))
    assert not missing, "docs/cli.md does not mention %s of `%s --help`" % (", ".join(missing), command)
