"""scan_log, LogStream and LogMatch against the fixture logs."""
import pytest

import sidecar


def test_scan_log_finds_cuda_oom_in_text_and_bytes(data):
    text = (data / "logs" / "cuda_oom" / "pytorch.log").read_text()
    matches = sidecar.scan_log(text, source="pytorch.log")
    assert matches and all(m.syndrome == "cuda_oom" for m in matches)
    m = matches[0]
    assert isinstance(m, sidecar.LogMatch) and sidecar.Match is sidecar.LogMatch
    assert m.severity == "critical" and m.line == 1 and m.offset == 0
    assert m.source == "pytorch.log"
    assert "CUDA out of memory" in m.text
    assert isinstance(m.evidence, dict) and "line" in m.evidence
    assert m.rank is None or isinstance(m.rank, int)
    assert "cuda_oom" in repr(m)
    assert [x.line for x in sidecar.scan_log(text.encode())] == [x.line for x in matches]


@pytest.mark.parametrize("benign", ["training.log", "tqdm.log", "nccl_chatter.log", "cuda_chatter.log"])
def test_benign_logs_stay_quiet(data, benign):
    assert sidecar.scan_log((data / "logs" / "benign" / benign).read_bytes()) == []


def test_invalid_utf8_and_nul_bytes_are_tolerated():
    matches = sidecar.scan_log(b"\xff\xfe\x00garbage\nSegmentation fault (core dumped)\n\x80")
    assert [m.syndrome for m in matches] == ["segfault"]
    assert matches[0].line == 2


def test_scan_log_rejects_non_text():
    with pytest.raises(TypeError):
        sidecar.scan_log(12)


def test_log_stream_results_do_not_depend_on_chunking():
    text = b"ok\nRuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB\nmore\nNo space left on device\n"
    whole = [(m.syndrome, m.line) for m in sidecar.scan_log(text)]
    stream = sidecar.LogStream(source="run.log")
    got = []
    for i in range(0, len(text), 7):
        got += [(m.syndrome, m.line) for m in stream.feed(text[i : i + 7])]
    got += [(m.syndrome, m.line) for m in stream.flush()]
    assert got == whole == [("cuda_oom", 2), ("disk_full", 4)]
    assert stream.bytes_seen == len(text) and stream.lines_seen == 4 and stream.source == "run.log"
    stream.reset()
    assert stream.bytes_seen == 0
    stream.set_default_rank(3)
    (m,) = stream.feed("Segmentation fault\n")
    assert m.rank == 3


def test_user_playbook_extends_the_catalogue(tmp_path):
    pb = tmp_path / "pb.yaml"
    pb.write_text(
        "syndromes:\n"
        "  - name: dataloader_stuck\n"
        "    severity: warning\n"
        "    patterns: ['DataLoader worker \\(pid \\d+\\) is killed']\n"
        "    message: a DataLoader worker died\n"
    )
    line = "RuntimeError: DataLoader worker (pid 4242) is killed by signal: Killed.\n"
    assert "dataloader_stuck" not in [m.syndrome for m in sidecar.scan_log(line)]
    assert "dataloader_stuck" in [m.syndrome for m in sidecar.scan_log(line, playbook=str(pb))]
    assert "dataloader_stuck" in [m.syndrome for m in sidecar.LogStream(playbook=str(pb)).feed(line)]


def test_bad_playbook_patterns_raise_playbook_error(tmp_path):
    pb = tmp_path / "pb.yaml"
    pb.write_text("syndromes:\n  - name: broken\n    patterns: ['(unclosed']\n")
    with pytest.raises(sidecar.PlaybookError, match="broken"):
        sidecar.scan_log("x\n", playbook=str(pb))
    with pytest.raises(FileNotFoundError):
        sidecar.scan_log("x\n", playbook=str(tmp_path / "nope.yaml"))
