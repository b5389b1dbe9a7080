"""The RNN vs LSTM vs GRU lab: experiments that measure what the seed's comparison table claims.

* :func:`run_gradient_flow`: ``||dL/dh||`` against distance, at initialisation and after training
  (vanishing gradients);
* :func:`run_memory`: the adding problem and first-token recall at growing lengths (long-range memory);
* :func:`run_exploding`: an RNN whose gradients explode, without clipping and clipped by norm or value;
* :func:`explain_gates`: an LSTM's forget, input and output gates, or a GRU's reset and update gates,
  per token of a text.

Each ``run_*`` takes a frozen config (``Config()`` for the documented defaults, ``Config.quick()``
for a seconds-long version) and returns a result with ``summary()`` and ``write(folder)`` (PNG, CSV,
Markdown). ``rnnkit lab ...`` and ``rnnkit explain gates`` are the same calls from the shell;
``docs/rnn-vs-lstm.md`` holds the measured figures.
"""

from rnnkit.lab.exploding import ExplodingConfig, ExplodingResult, run_exploding
from rnnkit.lab.gates import GateReport, explain_gates
from rnnkit.lab.gradients import GradientFlowConfig, GradientFlowResult, run_gradient_flow
from rnnkit.lab.memory import MemoryConfig, MemoryResult, run_memory
from rnnkit.lab.model import LabModel
from rnnkit.lab.tasks import TASKS, Task, make_batch, task_spec

__all__ = [
    "ExplodingConfig",
    "ExplodingResult",
    "GateReport",
    "GradientFlowConfig",
    "GradientFlowResult",
    "LabModel",
    "MemoryConfig",
    "MemoryResult",
    "TASKS",
    "Task",
    "explain_gates",
    "make_batch",
    "run_exploding",
    "run_gradient_flow",
    "run_memory",
    "task_spec",
]
