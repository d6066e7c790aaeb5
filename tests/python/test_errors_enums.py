"""The error hierarchy (sidecar.Error at the root, each also the built-in a
caller would catch) and the str enums Severity, Source and Profile."""
import json
import os
import shutil
import stat

import pytest

import sidecar


def test_every_error_is_a_sidecar_error_and_its_builtin():
    assert issubclass(sidecar.ParseError, sidecar.Error) and issubclass(sidecar.ParseError, ValueError)
    assert issubclass(sidecar.PlaybookError, sidecar.ParseError)
    assert issubclass(sidecar.NotFoundError, sidecar.Error) and issubclass(sidecar.NotFoundError, FileNotFoundError)
    assert issubclass(sidecar.PermissionDeniedError, sidecar.Error)
    assert issubclass(sidecar.PermissionDeniedError, PermissionError)
    assert issubclass(sidecar.OperationError, sidecar.Error) and issubclass(sidecar.OperationError, RuntimeError)
    assert issubclass(sidecar.UnavailableError, sidecar.OperationError)
    assert not issubclass(sidecar.Error, (ValueError, RuntimeError, OSError))
    for cls in (sidecar.Error, sidecar.ParseError, sidecar.PlaybookError, sidecar.NotFoundError):
        assert cls.__module__ == "sidecar" and cls.__doc__


def test_a_bad_playbook_is_a_playbook_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("dedupe:\n  ttl: 7\n")
    with pytest.raises(sidecar.PlaybookError, match="bad.yaml:2:") as e:
        sidecar.load_playbook(str(bad))
    assert isinstance(e.value, sidecar.ParseError) and isinstance(e.value, sidecar.Error)
    broken = tmp_path / "broken.yaml"
    broken.write_text("logs: [unclosed\n")
    with pytest.raises(sidecar.PlaybookError, match="broken.yaml"):
        sidecar.scan_log("x\n", playbook=str(broken))


def test_bad_run_records_are_a_parse_error_not_a_playbook_error(data):
    with pytest.raises(sidecar.ParseError) as e:
        sidecar.parse_run_records((data / "context" / "wrong_shape.json").read_text())
    assert not isinstance(e.value, sidecar.PlaybookError)
    assert isinstance(e.value, ValueError) and isinstance(e.value, sidecar.Error)


def test_garbled_nvidia_smi_output_is_a_parse_error(tmp_path, data):
    d = tmp_path / "garbled"
    shutil.copytree(data / "nvidia-smi" / "scenarios" / "free", d)
    for csv in d.glob("gpu.*.csv"):
        csv.write_text("this is not, the csv, nvidia-smi writes\n")
    exe = d / "nvidia-smi"
    shutil.copy(data / "nvidia-smi" / "fake-nvidia-smi", exe)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    opts = sidecar.GpuOptions(nvidia_smi=str(exe), poll_s=0.01, wait_s=0.05)
    with pytest.raises(sidecar.ParseError) as e:
        sidecar.preflight("CUDA_VISIBLE_DEVICES=0 python train.py", env={}, options=opts)
    assert not isinstance(e.value, sidecar.PlaybookError)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(sidecar.NotFoundError) as e:
        sidecar.load_playbook(str(tmp_path / "missing.yaml"))
    assert isinstance(e.value, FileNotFoundError) and "missing.yaml" in str(e.value)
    if os.geteuid() == 0:
        return  # root reads any file
    locked = tmp_path / "locked.yaml"
    locked.write_text("dedupe: {}\n")
    locked.chmod(0)
    with pytest.raises(sidecar.PermissionDeniedError):
        sidecar.load_playbook(str(locked))


def test_enum_members_come_from_the_library():
    assert [m.value for m in sidecar.Severity] == ["info", "warning", "critical"]
    assert [m.value for m in sidecar.Source] == ["rulebased", "logwatch", "playbook", "baseline", "preflight", "judge"]
    assert [m.value for m in sidecar.Profile] == ["generic", "supervised", "reinforcement_learning"]
    assert sidecar.Severity.CRITICAL.name == "CRITICAL" and sidecar.Severity("warning") is sidecar.Severity.WARNING


def test_enums_behave_like_the_strings_they_replace():
    sev = sidecar.Severity.CRITICAL
    assert isinstance(sev, str) and sev == "critical" and "critical" == sev
    assert str(sev) == "critical" and f"{sev}" == "critical" and "%s" % sev == "critical"
    assert json.dumps({"s": sev}) == '{"s": "critical"}'
    assert {"critical": 1}[sev] == 1 and sev in {"critical"}


def test_alerts_and_matches_carry_enums(monitor_factory):
    mon = monitor_factory()
    alerts = [a for step in range(3) for a in mon.observe({"loss": float("nan") if step == 2 else 1.0}, step=step)]
    alerts += mon.finish()
    nan = [a for a in alerts if a.syndrome == "nan_loss"]
    assert nan, alerts
    assert nan[0].severity is sidecar.Severity.CRITICAL and nan[0].source is sidecar.Source.RULEBASED
    matches = sidecar.scan_log("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\n")
    assert matches and isinstance(matches[0].severity, sidecar.Severity) and matches[0].severity == "critical"


def test_profiles_are_enums(monitor_factory):
    assert sidecar.infer_profile("python train_ppo.py --env CartPole-v1") is sidecar.Profile.REINFORCEMENT_LEARNING
    mon = monitor_factory(profile="supervised")
    assert mon.profile is sidecar.Profile.SUPERVISED
    mon.pin_profile(sidecar.Profile.GENERIC)  # an enum is accepted wherever the string was
    assert mon.profile == "generic"
