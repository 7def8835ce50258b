"""Pausing Python's cyclic garbage collector around allocation-heavy work.

Loading and exporting a course allocate millions of small objects that hold no reference cycles (YAML nodes,
model objects, XML elements); reference counting frees them. The cyclic collector would instead rescan the
ever-growing course many times over, so load and build time would grow faster than the course itself.

What survives a paused stretch is long-lived (the course model, a package's files). Switched back on as it
was, the collector's first pass would walk every object the pause left behind in its youngest generation: some
50 ms per stretch for a course of 4,000 blocks, a quarter of an incremental rebuild. So the survivors are moved
to the oldest generation first, without a pass (`gc.freeze()` then `gc.unfreeze()`: two list splices, and the
counts start again from zero). There they are examined only by a full collection, which the collector runs
rarely, and which still collects any reference cycle among them: nothing is kept longer than that (a long
`pamong preview` included).
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
            gc.unfreeze()
            gc.enable()
