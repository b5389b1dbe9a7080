"""Launched by test_ddp.py under torchrun: tiny DDP trainings; each rank saves what it ended with.

Usage: python -m torch.distributed.run --nproc_per_node=2 ddp_worker.py OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from conftest import TinyClassifier, TinyLM, make_labelled, make_stream  # this script's folder is on sys.path
from rnnkit.config import TrainConfig
from rnnkit.training import ClassificationTask, LanguageModelTask, ProgressBar, Trainer
from rnnkit.training.distributed import cleanup_distributed, dist_info_from_env

RUNS = {
    "classifier": (TinyClassifier, ClassificationTask, make_labelled(), make_labelled(21, seed=1)),
    "language_model": (TinyLM, LanguageModelTask, make_stream(), make_stream(200, seed=1)),
}


def main(out: Path) -> None:
    torch.set_num_threads(1)
    rank = dist_info_from_env().rank
    for name, (make_model, make_task, train, val) in RUNS.items():
        torch.manual_seed(100 + rank)  # different initial weights per rank: DDP must broadcast rank 0's
        model = make_model(dropout=0.2)
        config = TrainConfig(epochs=2, batch_size=4, seq_len=5, learning_rate=0.05, eval_every=5,
                             progress=True, device="cpu", seed=3)
        trainer = Trainer(model, config, make_task(), checkpoint_path=out / f"{name}.pt")
        initial = {k: v.clone() for k, v in model.state_dict().items()}
        result = trainer.fit(train, val)
        torch.save({"initial": initial, "final": model.state_dict(), "history": result.history,
                    "steps": result.steps, "progress": any(isinstance(cb, ProgressBar) for cb in trainer.callbacks)},
                   out / f"{name}-rank{rank}.pt")
    cleanup_distributed()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
