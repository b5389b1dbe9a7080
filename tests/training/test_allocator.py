"""The allocator tweak is applied once, reports what it did, and never breaks a process."""

import sys

import pytest

from rnnkit.training import allocator


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_keep_freed_memory_sets_glibc_thresholds_once():
    assert allocator.keep_freed_memory() is True
    assert allocator.keep_freed_memory() is True  # idempotent


def test_thresholds_are_the_measured_values():
    assert allocator.MMAP_THRESHOLD == 268435456  # the MALLOC_MMAP_THRESHOLD_ of bench/nextword_train.py
    assert allocator.TRIM_THRESHOLD == 1073741824  # the MALLOC_TRIM_THRESHOLD_ of bench/nextword_train.py
