"""Deploying course packages: make sure the course exists, import the package, follow it to the end.

Works through the LMS protocol only, so any backend that can describe, create and import a course can
deploy (`features.course_import`); a backend without an import API (`features.manual_deploy`) gives the steps a
person follows instead. Safe to repeat: an existing course is reused, and importing the same package again
replaces the content with the same content.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from pamong_edx.errors import UsageError
from pamong_edx.i18n import _
from pamong_edx.lms.errors import LmsError
from pamong_edx.lms.protocol import LmsBackend, PackageInfo
from pamong_edx.units import format_size

Echo = Callable[[str], None]


@dataclass(frozen=True)
class DeployResult:
    package: PackageInfo
    created: bool
    state: str  # the final import state, or "planned" for a dry run
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def deploy_package(
    backend: LmsBackend,
    package: PackageInfo,
    *,
    echo: Echo,
    dry_run: bool = False,
    poll_interval: float = 1.0,
    wait_timeout: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> DeployResult:
    echo(f"{package.path.name} -> {package.course_id} \"{package.title}\"")
    for note in package.notes:
        echo(f"  note: {note}")
    if not backend.features.course_import:  # an LMS with no API to import a package (Moodle and SCORM)
        if not backend.features.manual_deploy:
            raise UsageError(_("this LMS backend can neither import a package nor say how to add one by hand"))
        for line in backend.deploy_steps(package):
            echo(f"  {line}")
        return DeployResult(package, created=False, state="manual")
    existing = backend.get_course(package.course_id)
    size = format_size(package.path.stat().st_size)
    if dry_run:
        if existing is None:
            pacing = "self-paced" if package.self_paced else "instructor-paced"
            echo(f"  would create the course run (start {package.start or 'default'}, {pacing})")
        else:
            echo("  the course run exists: would import over its content")
        echo(f"  would upload {package.path.name} ({size}) and follow the import")
        return DeployResult(package, created=False, state="planned")
    created = False
    if existing is None:
        backend.create_course(package)
        created = True
        echo("  created the course run")
    else:
        echo("  the course run exists: importing over its content")
    ticket = backend.start_import(package.course_id, package.path)
    echo(f"  uploaded {package.path.name} ({size}); import task {ticket.task_id}")
    started = clock()
    last = None
    while True:
        status = backend.import_status(ticket)
        if status.state != last:
            echo(f"  [{clock() - started:5.1f}s] {status.state}")
            last = status.state
        if status.finished:
            break
        if clock() - started > wait_timeout:
            return DeployResult(package, created, status.state,
                                error=f"the import was still '{status.state}' after {wait_timeout:.0f} s; "
                                      "check it in Studio, then deploy again if needed")
        sleep(poll_interval)
    if status.succeeded:
        return DeployResult(package, created, status.state)
    try:
        message = backend.import_failure(ticket)
    except LmsError as exc:
        message = f"(could not read the task's error artifact: {exc})"
    for line in message.splitlines() or [""]:
        echo(f"  platform says: {line}")
    return DeployResult(package, created, status.state, error=message or status.state)

