"""DistributedDataParallel helpers: read torchrun's environment, pick a device, reduce numbers.

The same training code runs alone or under ``torchrun --nproc_per_node=N``: torchrun sets
``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; without them the run is a world of one and
nothing here talks to other processes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from rnnkit.errors import ConfigError

__all__ = [
    "DistInfo",
    "all_gather_objects",
    "all_reduce_sum",
    "cleanup_distributed",
    "dist_info_from_env",
    "restart_count",
    "run_id",
    "select_device",
    "setup_distributed",
    "wrap_ddp",
]

_DEVICE_PATTERN = re.compile(r"^(cpu|cuda(:\d+)?|mps)$")


@dataclass(frozen=True)
class DistInfo:
    """Where this process sits in a (possibly one-process) training world."""

    rank: int = 0  # global index of this process
    world_size: int = 1  # number of processes training together
    local_rank: int = 0  # index of this process on its machine (picks the GPU)

    @property
    def enabled(self) -> bool:
        """True when more than one process trains together."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Only the main process (rank 0) writes checkpoints and shows progress."""
        return self.rank == 0


def dist_info_from_env(env: dict[str, str] | None = None) -> DistInfo:
    """Read ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` (as torchrun sets them); absent means one process.

    Raises:
        ConfigError: a variable is not an integer or the values are inconsistent.
    """
    env = os.environ if env is None else env
    values = {}
    for name, default in (("RANK", 0), ("WORLD_SIZE", 1), ("LOCAL_RANK", 0)):
        raw = env.get(name, "")
        try:
            values[name] = int(raw) if raw.strip() else default
        except ValueError as err:
            raise ConfigError(f"environment variable {name} must be an integer, got {raw!r}") from err
    info = DistInfo(values["RANK"], values["WORLD_SIZE"], values["LOCAL_RANK"])
    if info.world_size < 1 or not 0 <= info.rank < info.world_size or info.local_rank < 0:
        raise ConfigError(
            f"RANK={info.rank}, WORLD_SIZE={info.world_size}, LOCAL_RANK={info.local_rank} do not fit together; "
            "launch with torchrun"
        )
    return info


def restart_count(env: dict[str, str] | None = None) -> int:
    """How many times torchrun has restarted this worker group (``TORCHELASTIC_RESTART_COUNT``; 0 outside torchrun)."""
    raw = (os.environ if env is None else env).get("TORCHELASTIC_RESTART_COUNT", "")
    return int(raw) if raw.strip().isdigit() else 0


def run_id(env: dict[str, str] | None = None) -> str:
    """torchrun's id of this job (``TORCHELASTIC_RUN_ID``, kept across its restarts); "" outside torchrun."""
    return (os.environ if env is None else env).get("TORCHELASTIC_RUN_ID", "")


def select_device(requested: str = "", info: DistInfo | None = None) -> torch.device:
    """The device to train on: ``requested`` if given, else this rank's GPU if CUDA works, else the CPU.

    Raises:
        ConfigError: ``requested`` is not "cpu", "cuda", "cuda:N" or "mps", or names a missing device.
    """
    info = info or DistInfo()
    if requested:
        if not _DEVICE_PATTERN.match(requested):
            raise ConfigError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'mps', got {requested!r}")
        if requested.startswith("cuda") and not torch.cuda.is_available():
            raise ConfigError(f"device {requested!r} was requested but CUDA is not available; use 'cpu'")
        if requested == "cuda":
            return torch.device("cuda", info.local_rank)
        return torch.device(requested)
    if torch.cuda.is_available():
        return torch.device("cuda", info.local_rank % torch.cuda.device_count())
    return torch.device("cpu")


def setup_distributed(info: DistInfo, device: torch.device) -> bool:
    """Join the process group (gloo on CPU, nccl on CUDA) if ``info`` is multi-process.

    Returns:
        True if this call created the process group (so the caller may destroy it).
    """
    if not info.enabled or dist.is_initialized():
        return False
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group(backend=backend, rank=info.rank, world_size=info.world_size)
    return True


def cleanup_distributed() -> None:
    """Leave the process group, if one was joined (call once at the end of a torchrun script, on every rank)."""
    if dist.is_initialized():
        # Wait for every rank first: a rank tearing gloo down while its peer still holds the connection
        # was seen to abort the peer ("terminate called without an active exception", once in CI here).
        dist.barrier()
        dist.destroy_process_group()


def wrap_ddp(model: nn.Module, info: DistInfo, device: torch.device) -> nn.Module:
    """Wrap ``model`` in DistributedDataParallel when training with several processes.

    DDP broadcasts rank 0's weights at wrap time, so every rank starts from the same model.
    """
    if not info.enabled:
        return model
    device_ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=device_ids)


def all_reduce_sum(tensor: torch.Tensor, info: DistInfo) -> torch.Tensor:
    """Sum ``tensor`` over all ranks (in place and returned); a no-op for one process."""
    if info.enabled:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def all_gather_objects(obj: Any, info: DistInfo) -> list[Any]:
    """Every rank's ``obj``, in rank order (``[obj]`` for one process)."""
    if not info.enabled:
        return [obj]
    gathered: list[Any] = [None] * info.world_size
    dist.all_gather_object(gathered, obj)
    return gathered
