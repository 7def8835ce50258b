"""Watching the course folder, and telling the open pages.

`watchfiles` (the file watcher of uvicorn and others: inotify, FSEvents or ReadDirectoryChangesW through the Rust
`notify` crate) reports changed files in batches; each batch reloads the course once and wakes every open page
waiting on the `Notifier`, which answers its server-sent event stream. Nothing here polls files.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

KEEP_ALIVE = 15.0  # seconds between comments on an idle event stream, so a closed tab frees its thread


class Notifier:
    """The current generation of the course, and a way to wait for the next one."""

    def __init__(self, generation: int = 0):
        self.generation = generation
        self._changed = threading.Condition()

    def publish(self, generation: int) -> None:
        with self._changed:
            self.generation = generation
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float = KEEP_ALIVE) -> int:
        """The generation once it differs from `seen`, or the same one after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation != seen, timeout=timeout)
            return self.generation


class Watcher(threading.Thread):
    """Calls `on_change(paths)` after each batch of changes under `root` (hidden, backup and editor swap files
    are left out by watchfiles' default filter)."""

    def __init__(self, root: Path, on_change: Callable[[set[Path]], None]):
        super().__init__(name="pamong-preview-watcher", daemon=True)
        self.root = root
        self.on_change = on_change
        self.stopping = threading.Event()

    def run(self) -> None:
        # step: a batch ends after 50 ms without a new change (an editor's save is several writes)
        for batch in watchfiles.watch(self.root, stop_event=self.stopping, step=50, debounce=800,
                                      raise_interrupt=False):
            try:
                self.on_change({Path(path) for _, path in batch})
            except Exception as exc:  # a failed reload must not stop the watching; the next save tries again
                from pamong_edx.diagnostics import printable
                from pamong_edx.i18n import _

                print(printable(_("reloading the course failed: {kind}: {detail}").format(
                    kind=type(exc).__name__, detail=exc)), file=sys.stderr, flush=True)

    def stop(self) -> None:
        self.stopping.set()
