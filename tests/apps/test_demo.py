"""The demo's LSTM section: the fused layer and the transparent cells give the same numbers."""

import re

from rnnkit.apps.demo import run_demo


def test_demo_fused_and_transparent_agree():
    text = run_demo(seed=1)
    diff = float(re.search(r"max \|difference\| = (\S+)", text).group(1))
    assert diff < 1e-5


def test_demo_is_deterministic_for_a_seed():
    assert run_demo(seed=3) == run_demo(seed=3)
