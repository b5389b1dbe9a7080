"""Writing files safely, without torch: is a folder writable, why a write failed, stale temporary files.

Torch-free, so the CLI can check ``--out`` in a fraction of a second, before torch is even imported;
:mod:`rnnkit.training.checkpoint` writes checkpoints with the same helpers. Temporary files are named
``.NAME.PID.RANDOM.tmp`` beside ``NAME``, so the temporary files of a killed writer can be told from
those of a live one.
"""

from __future__ import annotations

import errno
import glob
import os
import shutil
from pathlib import Path

from rnnkit.errors import CheckpointError, first_line

__all__ = ["TMP_SUFFIX", "check_free_space", "check_writable", "remove_stale_temp_files", "write_error_message"]

TMP_SUFFIX = ".tmp"  # temporary files are ".NAME.PID.RANDOM.tmp" beside NAME


def check_writable(path: str | os.PathLike, what: str = "checkpoint") -> Path:
    """Make sure a ``what`` (checkpoint, model, PNG ...) can be written at ``path`` (its folder created if
    missing), before any work.

    Returns:
        ``path`` as a Path.

    Raises:
        CheckpointError: ``path`` is a folder, or its folder cannot be created or written to.
    """
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"cannot write {what} {path}: it is a directory; give a file name")
    probe = path.with_name(f".{path.name}.{os.getpid()}.probe{TMP_SUFFIX}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        probe.unlink()
    except OSError as err:
        raise CheckpointError(write_error_message(path, err, what)) from err
    return path


def remove_stale_temp_files(path: str | os.PathLike) -> list[Path]:
    """Delete the temporary files of ``path`` that killed writers left (those of live processes stay).

    Returns:
        The files removed.
    """
    path = Path(path)
    removed = []
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*{TMP_SUFFIX}"):
        pid = tmp.name[len(path.name) + 2:].split(".")[0]
        if pid.isdigit() and (int(pid) == os.getpid() or _process_alive(int(pid))):
            continue
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:  # gone already, or not ours to remove: never a reason to fail a save
            continue
    return removed


def write_error_message(path: Path, err: BaseException, what: str = "checkpoint") -> str:
    """One line saying why ``path`` cannot be written: full disk, permission, read-only file system ..."""
    folder = path.parent if str(path.parent) else Path(".")
    code = err.errno if isinstance(err, OSError) else None
    if code in (errno.ENOSPC, errno.EDQUOT):
        reason = f"no space left on the device of {folder}; free some space or write elsewhere"
    elif code == errno.EROFS:
        reason = f"{folder} is on a read-only file system; write elsewhere"
    elif code in (errno.EACCES, errno.EPERM):
        reason = f"permission denied in {folder}; write to a folder you own"
    elif code in (errno.ENOTDIR, errno.EEXIST) and not folder.is_dir():
        reason = f"{folder} is not a folder"
    else:
        reason = first_line(err)
    return f"cannot write {what} {path}: {reason}"


def check_free_space(path: Path, size: int) -> None:
    """Raise CheckpointError if the device of ``path`` has less than ``size`` bytes free (when it can tell)."""
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        return
    if free < size:
        raise CheckpointError(f"cannot write checkpoint {path}: it needs {size / 2**20:,.1f} MiB but the device of "
                              f"{path.parent} has {free / 2**20:,.1f} MiB free; free some space or write elsewhere")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
