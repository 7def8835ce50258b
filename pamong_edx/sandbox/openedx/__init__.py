"""The Open edX stand-in: LMS and Studio REST surface from the contract in shared/specs/openedx.md."""

from __future__ import annotations

from pathlib import Path

from pamong_edx.sandbox.core.faults import FaultConfig
from pamong_edx.sandbox.core.serving import SandboxServer, bind
from pamong_edx.sandbox.openedx.app import OpenEdxApp, Settings


def openedx_sandbox(
    data_dir: Path | None = None,
    *,
    port: int = 0,
    client_id: str | None = None,
    client_secret: str | None = None,
    faults: FaultConfig | None = None,
    settings: Settings | None = None,
) -> SandboxServer:
    """A server bound to 127.0.0.1 (a free port by default), not yet started: use it as a context manager."""
    return bind(OpenEdxApp(data_dir, client_id=client_id, client_secret=client_secret, settings=settings), port=port, faults=faults)


__all__ = ["FaultConfig", "OpenEdxApp", "SandboxServer", "Settings", "openedx_sandbox"]
