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


def test_old_detector_keys_warn_and_are_listed(tmp_path):
    """A detector under its former key (val_acc_drop, now validation_drop) is
    read as the new one, with the CLI's one-line notice as a FutureWarning
    and on Playbook.notices; the default playbook has none."""
    p = tmp_path / "old.yaml"
    p.write_text("detectors:\n  val_acc_drop: {min_drop: 0.2}\n")
    with pytest.warns(FutureWarning, match=r"old.yaml:2:.*detectors.val_acc_drop is now detectors.validation_drop"):
        pb = sidecar.load_playbook(str(p))
    assert pb.tree["detectors"]["validation_drop"]["min_drop"] == 0.2
    assert "val_acc_drop" not in pb.tree["detectors"]
    assert len(pb.notices) == 1 and "validation_drop" in pb.notices[0] and "\n" not in pb.notices[0]
    with pytest.warns(FutureWarning, match="val_acc_drop"):
        sidecar.Monitor(playbook=str(p), history=False).finish()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sidecar.load_playbook().notices == []


def test_section_defaults_come_from_the_structs():
    """dedupe/snapshot/history/logs/gpu are shown with every option though the
    embedded YAML restates none of them (their defaults are the C++ structs')."""
    tree = sidecar.load_playbook().tree
    assert tree["dedupe"]["max_conditions"] == 512
    assert tree["gpu"]["default_action"] == "Stop Job"
    assert tree["logs"]["max_traceback_lines"] == 500
    assert "--seed" in tree["history"]["masks"]
    assert "ppo" in tree["profile"]["hints"]["reinforcement_learning"]
    assert "loss" in tree["roles"]["loss"]["aliases"]
