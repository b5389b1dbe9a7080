"""Issue 13's hostile copies of the bundled next-word model: seconds and extra peak memory until each is refused.

Each case runs in a fresh process: ``NextWordPredictor.load`` after torch and rnnkit are imported; the
peak resident memory is read before and after the load (the unchecked loader took +3.0 GB and +6.4 GB
on the first two cases). Usage::

    python bench/hostile_files.py
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402
from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH  # noqa: E402

CASES = {
    "vocab_size 2,000,000, empty state dict": lambda p: (p["model_config"].update(vocab_size=2_000_000),
                                                         p.update(state_dict={})),
    "hidden 5000 x 8 layers": lambda p: p["model_config"].update(hidden_size=5000, num_layers=8, embedding_dim=5000),
    "hidden 1500 (fits the limits)": lambda p: p["model_config"].update(hidden_size=1500, embedding_dim=1500),
    "int64 decoder bias": lambda p: p["state_dict"].update(
        {"decoder.bias": p["state_dict"]["decoder.bias"].long()}),
}

PROBE = """
import json, resource, sys, time
import torch
from rnnkit.apps.nextword.predictor import NextWordPredictor
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    NextWordPredictor.load(sys.argv[1])
    error = "LOADED"
except Exception as err:
    error = f"{type(err).__name__}: {err}"
print(json.dumps({"seconds": time.perf_counter() - started, "error": error,
                  "extra_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def deflated(path: Path) -> Path:
    with zipfile.ZipFile(DEFAULT_MODEL_PATH) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, source.read(entry))
    return path


def main() -> None:
    print(describe())
    bundled = torch.load(DEFAULT_MODEL_PATH, weights_only=True)
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, change in CASES.items():
            payload = copy.copy(bundled) | {"model_config": dict(bundled["model_config"]),
                                            "state_dict": dict(bundled["state_dict"])}
            change(payload)
            files[name] = Path(tmp) / f"{len(files)}.pt"
            torch.save(payload, files[name])
        files["deflate-compressed entries"] = deflated(Path(tmp) / "deflated.pt")
        files["the bundled model itself (loads)"] = DEFAULT_MODEL_PATH
        for name, path in files.items():
            out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=True)
            result = json.loads(out.stdout)
            message = result["error"].replace(str(path), "FILE")
            print(f"{name} ({path.stat().st_size / 1e6:.2f} MB): {result['seconds']:.3f} s, "
                  f"peak RSS +{result['extra_mb']:.0f} MB (process peak {result['peak_mb']:.0f} MB); {message}")


if __name__ == "__main__":
    main()
