"""Pausing Python's cyclic garbage collector around allocation-heavy work.

Loading and exporting a course allocate millions of small objects that hold no reference cycles (YAML nodes,
model objects, XML elements); reference counting frees them. The cyclic collector would instead rescan the
ever-growing course many times over, so load and build time would grow faster than the course itself.
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
            gc.enable()
