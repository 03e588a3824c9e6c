"""Process-wide settings the library changes for the length of a call, and puts back."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, then restored as it was.

    Loading and rendering make hundreds of thousands of small objects without cycles, which
    every automatic collection walks again: at 100,000 events that was more than half the time
    of validation and of building the model (see benchmarks/README.md). Reference counting
    still frees whatever is dropped; only cycles wait until the collector is back.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
