"""load_playbook, Playbook, infer_profile, and exceptions by status."""
import pytest

import sidecar


def test_default_playbook_tree():
    pb = sidecar.load_playbook()
    assert pb.path == "" and "default" in repr(pb)
    tree = pb.tree
    assert isinstance(tree, dict)
    assert {"detectors", "syndromes"} <= set(tree)
    assert isinstance(tree["syndromes"], list)
    names = [s["name"] for s in tree["syndromes"]]
    assert "cuda_oom" in names
    assert "detectors:" in pb.to_yaml()


def test_user_playbook_merges_over_the_default(tmp_path):
    p = tmp_path / "mine.yaml"
    p.write_text("dedupe:\n  ttl_s: 7\n")
    pb = sidecar.load_playbook(str(p))
    assert pb.tree["dedupe"]["ttl_s"] == 7
    assert pb.path == str(p)


def test_errors_by_status(tmp_path):
    with pytest.raises(FileNotFoundError):
        sidecar.load_playbook(str(tmp_path / "missing.yaml"))
    bad_key = tmp_path / "bad_key.yaml"
    bad_key.write_text("dedupe:\n  ttl: 7\n")
    with pytest.raises(sidecar.PlaybookError) as e:
        sidecar.load_playbook(str(bad_key))
    assert "bad_key.yaml:2:" in str(e.value) and "ttl_s" in str(e.value)  # did you mean
    assert isinstance(e.value, ValueError)
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("dedupe: [unclosed\n")
    with pytest.raises(sidecar.PlaybookError, match="bad.yaml"):
        sidecar.load_playbook(str(bad_yaml))


def test_exception_hierarchy():
    # Issue 14: every error is a sidecar.Error; what was sidecar.Error (I/O,
    # nvidia-smi failing) is now OperationError, still a RuntimeError.
    assert issubclass(sidecar.PlaybookError, ValueError)
    assert issubclass(sidecar.PlaybookError, sidecar.ParseError)
    assert issubclass(sidecar.PlaybookError, sidecar.Error)
    assert issubclass(sidecar.OperationError, RuntimeError)


@pytest.mark.parametrize(
    "command, keys, log, expected",
    [
        ("python train_ppo.py --env CartPole-v1", [], "", "reinforcement_learning"),
        ("python train.py", ["val/accuracy", "train/loss"], "", "supervised"),
        ("python run.py --supported-features", [], "", "generic"),  # "supported" is not "ppo"
        ("python main.py", [], "", "generic"),
        ("python main.py", [], "episode 3 reward 12.5", "reinforcement_learning"),
    ],
)
def test_infer_profile_by_whole_tokens(command, keys, log, expected):
    assert sidecar.infer_profile(command, keys, log) == expected


def test_infer_profile_pinned_by_playbook(tmp_path):
    p = tmp_path / "pin.yaml"
    p.write_text("profile:\n  pin: supervised\n")
    assert sidecar.infer_profile("python train_ppo.py", playbook=str(p)) == "supervised"
    assert sidecar.infer_profile("python train_ppo.py", playbook=sidecar.load_playbook(str(p))) == "supervised"
