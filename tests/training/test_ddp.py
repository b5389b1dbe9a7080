"""DDP: the same Trainer under torchrun with two CPU processes ends with identical weights on both ranks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from rnnkit.errors import ConfigError
from rnnkit.training import DistInfo, dist_info_from_env, load_checkpoint, select_device

WORKER = Path(__file__).with_name("ddp_worker.py")
TIMEOUT_S = 120  # the launch can never hang the test suite


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _launch(out: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nnodes=1", "--nproc_per_node=2",
           "--master_addr=127.0.0.1", f"--master_port={_free_port()}", str(WORKER), str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # torchrun and both workers
        proc.communicate()
        pytest.fail(f"torchrun did not finish within {TIMEOUT_S} s")
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


@pytest.mark.slow
def test_two_cpu_ranks_train_to_identical_weights(tmp_path):
    proc = _launch(tmp_path)
    assert proc.returncode == 0, proc.stderr[-4000:]
    for name in ("classifier", "language_model"):
        ranks = [torch.load(tmp_path / f"{name}-rank{r}.pt", weights_only=True) for r in range(2)]
        for key, value in ranks[0]["final"].items():
            assert torch.equal(value, ranks[1]["final"][key]), f"{name}: {key} differs between ranks"
            assert torch.equal(ranks[0]["initial"][key], ranks[1]["initial"][key])  # rank 0's weights broadcast
        assert any(not torch.equal(v, ranks[0]["initial"][k]) for k, v in ranks[0]["final"].items())
        assert ranks[0]["history"] == ranks[1]["history"]  # losses and validation metrics all-reduced
        assert [r["progress"] for r in ranks] == [True, False]  # only rank 0 shows progress
        saved = load_checkpoint(tmp_path / f"{name}.pt")
        assert saved["trainer_state"]["world_size"] == 2 and len(saved["trainer_state"]["ranks"]) == 2
        assert saved["metrics"]["step"] == ranks[0]["steps"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_environment_is_read_like_torchrun_sets_it():
    assert dist_info_from_env({}) == DistInfo(0, 1, 0)
    info = dist_info_from_env({"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1"})
    assert info.enabled and not info.is_main
    with pytest.raises(ConfigError, match="RANK must be an integer"):
        dist_info_from_env({"RANK": "one"})
    with pytest.raises(ConfigError, match="do not fit together"):
        dist_info_from_env({"RANK": "2", "WORLD_SIZE": "2"})


def test_device_falls_back_to_cpu_without_cuda():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert select_device("", DistInfo()).type == expected
    assert select_device("cpu", DistInfo()) == torch.device("cpu")
