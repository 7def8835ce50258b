"""Pausing Python's cyclic garbage collector around allocation-heavy work.

Loading and exporting a course allocate millions of small objects that hold no reference cycles (YAML nodes,
model objects, XML elements); reference counting frees them. The cyclic collector would instead rescan the
ever-growing course many times over, so load and build time would grow faster than the course itself.

What survives a paused stretch is long-lived (the course model, a package's files), so when the pause ends it
is moved to the permanent generation (`gc.freeze`) before the collector is switched back on: otherwise the
collector's first pass after the pause would walk every object the pause left behind, some 50 ms per stretch
for a course of 4,000 blocks, which is a quarter of an incremental rebuild. Frozen objects are still freed by
reference counting when they are dropped; only a reference cycle among them is never collected. A load leaves
a dozen such objects and the model holds none (measured: `gc.collect()` after a load and after dropping the
model), so a long-running `pamong preview` does not grow by more than that per reload.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
