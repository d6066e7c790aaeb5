"""parse_cuda_visible_devices and preflight (with the fake nvidia-smi from tests/data)."""
import shutil
import stat

import pytest

import sidecar


def test_parse_from_command_and_environment():
    r = sidecar.parse_cuda_visible_devices("CUDA_VISIBLE_DEVICES=0,1 python train.py", env={})
    assert isinstance(r, sidecar.DeviceRequest)
    assert r.devices == ["0", "1"] and r.specified and r.source == "command" and r.value == "0,1"
    assert "0" in repr(r)
    r = sidecar.parse_cuda_visible_devices("python train.py", env={"CUDA_VISIBLE_DEVICES": "GPU-abc,3"})
    assert r.devices == ["GPU-abc", "3"] and r.source == "environment"
    r = sidecar.parse_cuda_visible_devices("python train.py", env={})
    assert r.devices == [] and not r.specified
    r = sidecar.parse_cuda_visible_devices("CUDA_VISIBLE_DEVICES=-1 python train.py", env={})
    assert r.devices == []
    assert sidecar.parse_cuda_visible_devices is sidecar.parse_requested_devices


def test_parse_env_none_reads_this_process(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "5")
    monkeypatch.setenv("CUDA_DEVICE_ORDER", "PCI_BUS_ID")
    r = sidecar.parse_cuda_visible_devices("python x.py")
    assert r.devices == ["5"] and r.order_trusted


def fake_smi(tmp_path, data, scenario):
    d = tmp_path / scenario
    shutil.copytree(data / "nvidia-smi" / "scenarios" / scenario, d)
    exe = d / "nvidia-smi"
    shutil.copy(data / "nvidia-smi" / "fake-nvidia-smi", exe)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


def test_preflight_free_gpu(tmp_path, data):
    opts = sidecar.GpuOptions(nvidia_smi=fake_smi(tmp_path, data, "free"), poll_s=0.01, wait_s=1.0)
    r = sidecar.preflight("CUDA_VISIBLE_DEVICES=0 python train.py", env={}, options=opts)
    assert isinstance(r, sidecar.PreflightResult)
    assert r.available and not r.timed_out and r.requested == ["0"] and r.busy == []
    assert r.gpus and isinstance(r.gpus[0], sidecar.GpuInfo) and r.gpus[0].uuid
    assert r.verdicts and isinstance(r.verdicts[0], sidecar.GpuVerdict) and not r.verdicts[0].busy
    assert '"type":"preflight"' in r.to_json().replace(" ", "")
    assert str(r)


def test_preflight_busy_times_out_with_progress(tmp_path, data):
    seen = []
    opts = sidecar.GpuOptions(nvidia_smi=fake_smi(tmp_path, data, "busy"), poll_s=0.01, wait_s=0.05)
    r = sidecar.preflight("CUDA_VISIBLE_DEVICES=0 python train.py", env={}, options=opts, progress=seen.append)
    assert not r.available and r.timed_out and r.busy == ["0"]
    assert seen and all(isinstance(p, sidecar.PreflightResult) for p in seen)
    procs = [p for g in r.gpus for p in g.processes]
    assert procs and isinstance(procs[0], sidecar.GpuProcess) and procs[0].pid == 4242


def test_preflight_missing_gpu_and_absent_smi(tmp_path, data):
    opts = sidecar.GpuOptions(nvidia_smi=fake_smi(tmp_path, data, "free"), poll_s=0.01, wait_s=0.05)
    with pytest.raises(FileNotFoundError):
        sidecar.preflight("CUDA_VISIBLE_DEVICES=7 python train.py", env={}, options=opts)
    opts = sidecar.GpuOptions(nvidia_smi=str(tmp_path / "no-such-smi"), poll_s=0.01, wait_s=0.05)
    r = sidecar.preflight("CUDA_VISIBLE_DEVICES=0 python train.py", env={}, options=opts)
    assert r.skipped and r.reason


def test_preflight_nothing_requested_is_skipped():
    r = sidecar.preflight("python train.py", env={})
    assert r.skipped and r.requested == []


def test_gpu_options_defaults_come_from_cpp():
    o = sidecar.GpuOptions()
    assert o.wait_s > 0 and o.poll_s > 0 and o.nvidia_smi
    o2 = sidecar.GpuOptions(wait_s=1.5)
    assert o2.wait_s == 1.5 and o2.poll_s == o.poll_s
    with pytest.raises(TypeError):
        sidecar.GpuOptions(wait=1)
    with pytest.raises(TypeError):
        sidecar.GpuOptions(wait_s="long")
