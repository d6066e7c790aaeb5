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


COMMANDS = ["run", "watch", "scan", "replay", "preflight", "playbook", "history", "context", "report"]


def test_every_command_prints_its_help_the_same_way(cli):
    # One show_help() (cli/flags.h): usage line, summary, the flag table, exit 0, stdout only.
    for c in COMMANDS:
        r = cli(c, "--help")
        assert r.returncode == 0 and r.stderr == "", c
        assert r.stdout.startswith(f"usage: sidecar-cli {c}"), c
        assert "\noptions:\n" in r.stdout and r.stdout.rstrip("\n").endswith("show this help"), c
        assert not r.stdout.endswith("\n\n"), c


def test_every_reporting_command_checks_format_and_fail_on_alike(cli, tmp_path):
    # output_flags(): --format first, then --fail-on, with the same messages everywhere.
    log = tmp_path / "x.log"
    log.write_text("hello\n")
    metrics = tmp_path / "m.jsonl"
    metrics.write_text('{"step": 1, "loss": 1.0}\n')
    for args in (["scan", str(log)], ["replay", str(metrics)], ["watch", str(tmp_path), "--once"]):
        r = cli(*args, "--format", "yaml")
        assert r.returncode == 2 and "--format: expected text or jsonl, got 'yaml'" in r.stderr, args
        r = cli(*args, "--fail-on", "fatal")
        assert r.returncode == 2 and "--fail-on: expected info, warning or critical, got 'fatal'" in r.stderr, args
