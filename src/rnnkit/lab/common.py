"""What every lab experiment shares: config checks, the thread setting, the progress bar, output files."""

from __future__ import annotations

import contextlib
import csv
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from rnnkit.config import CELL_TYPES, check_bool, check_int, check_number
from rnnkit.errors import ConfigError, InputError

__all__ = ["check_bool", "check_cells", "check_int", "check_ints", "check_number",
           "out_dir", "progress_bar", "threads", "ticker", "write_csv"]


def check_cells(cells: Any) -> None:
    """Raise ConfigError unless ``cells`` is a non-empty tuple of distinct cell names."""
    if not isinstance(cells, tuple) or not cells or len(set(cells)) != len(cells):
        raise ConfigError(f"cells must be a non-empty tuple of distinct names from {', '.join(CELL_TYPES)}, "
                          f"got {cells!r}")
    for cell in cells:
        if cell not in CELL_TYPES:
            raise ConfigError(f"cells must come from {', '.join(CELL_TYPES)}; got {cell!r}")


def check_ints(name: str, values: Any, minimum: int) -> None:
    """Raise ConfigError unless ``values`` is a non-empty tuple of integers >= ``minimum``."""
    if not isinstance(values, tuple) or not values:
        raise ConfigError(f"{name} must be a non-empty tuple of integers, got {values!r}")
    for value in values:
        check_int(f"each of {name}", value, minimum)


@contextlib.contextmanager
def threads(num_threads: int) -> Iterator[None]:
    """Run the block with ``num_threads`` torch CPU threads (0: leave torch's setting), then restore it."""
    before = torch.get_num_threads()
    if num_threads:
        torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def progress_bar(total: int, desc: str, enabled: bool) -> tqdm:
    """A tqdm bar on stderr (disabled: a silent one), like the Trainer's :class:`ProgressBar`."""
    return tqdm(total=total, desc=desc, unit="step", dynamic_ncols=True, file=sys.stderr, disable=not enabled,
                mininterval=0.5)


def ticker(bar: tqdm) -> Callable[[int], bool]:
    """An ``on_step`` callback that advances ``bar`` by one step and never stops training.

    (``tqdm.update`` returns True whenever it redraws; passed on as is, that would stop the run.)
    """
    def tick(_: int) -> bool:
        bar.update(1)
        return False
    return tick


def out_dir(path: str | Path) -> Path:
    """Create the output folder ``path`` if needed and return it.

    Raises:
        InputError: ``path`` exists and is not a folder, or cannot be created.
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create output folder {folder}: {err.strerror or err}") from err
    return folder


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """Write ``rows`` under ``header`` to ``path`` (floats with 6 significant digits); return the path."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([f"{v:.6g}" if isinstance(v, float) else v for v in row])
    return path
