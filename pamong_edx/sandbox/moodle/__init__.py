"""The Moodle stand-in: the REST web-service functions the Moodle backend uses, from shared/specs/moodle.md."""

from __future__ import annotations

from pathlib import Path

from pamong_edx.sandbox.core.faults import FaultConfig
from pamong_edx.sandbox.core.serving import SandboxServer, bind
from pamong_edx.sandbox.moodle.app import MoodleApp, Settings


def moodle_sandbox(
    data_dir: Path | None = None,
    *,
    port: int = 0,
    token: str | None = None,
    faults: FaultConfig | None = None,
    settings: Settings | None = None,
) -> SandboxServer:
    """A server bound to 127.0.0.1 (a free port by default), not yet started: use it as a context manager."""
    return bind(MoodleApp(data_dir, token=token, settings=settings), port=port, faults=faults)


__all__ = ["FaultConfig", "MoodleApp", "SandboxServer", "Settings", "moodle_sandbox"]
