"""What every benchmark prints about the machine it ran on."""

from __future__ import annotations

import os
import platform

import torch


def describe() -> str:
    """One line: CPU model, cores, torch version and threads, oneDNN state."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (
        f"machine: {cpu}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, mkldnn {'on' if torch.backends.mkldnn.enabled else 'off'}"
    )
