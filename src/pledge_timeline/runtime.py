"""Process-wide settings the library changes for the length of a call, and puts back."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, then restored as it was.

    Loading and rendering make hundreds of thousands of small objects without cycles, and the
    collector, started by allocations, would walk all of them again and again while they live,
    for nothing (what that costs: benchmarks/README.md). Reference counting still frees
    whatever is dropped; only cycles wait until the collector is back.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
