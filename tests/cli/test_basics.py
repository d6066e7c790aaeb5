"""Top-level behaviour of sidecar-cli: help, version, unknown commands."""
import re


def test_version(cli):
    r = cli("--version")
    assert r.returncode == 0
    assert re.match(r"sidecar-cli \d+\.\d+\.\d+", r.stdout)


def test_help_lists_commands(cli):
    r = cli("--help")
    assert r.returncode == 0
    for c in ["run", "watch", "scan", "replay", "preflight", "playbook", "history", "context"]:
        assert f"  {c} " in r.stdout


def test_unknown_command_suggests(cli):
    r = cli("sacn")
    assert r.returncode == 2
    assert r.stderr.startswith("sidecar-cli: unknown command 'sacn' (did you mean 'scan'?)")


def test_no_arguments_is_an_error(cli):
    r = cli()
    assert r.returncode == 2
    assert "usage:" in r.stderr
