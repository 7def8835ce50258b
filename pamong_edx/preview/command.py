"""`pamong preview COURSE_DIR`: serve the course on 127.0.0.1 and reload the open page as its files change."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from pamong_edx.errors import UsageError
from pamong_edx.i18n import N_, _


@click.command(help=N_("Serve a course on 127.0.0.1 through the SCORM player, with an 'as Open edX' view, and "
                       "reload the open page whenever a course file changes."))
@click.argument("course_dir", type=click.Path(path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help=N_("Port on 127.0.0.1 (0: any free port)."))
@click.option("--open", "open_browser", is_flag=True, help=N_("Open the page in the default web browser."))
@click.option("--device", type=click.Choice(["desktop", "phone"]), default="desktop", show_default=True,
              help=N_("The frame whose record the page shows first (both frames are shown)."))
def preview(course_dir: Path, port: int, open_browser: bool, device: str) -> None:
    try:
        from pamong_edx.preview.server import Server
        from pamong_edx.preview.state import Preview
    except ImportError as exc:
        raise UsageError(_("pamong preview needs {module}: pip install 'pamong-edx[preview]'").format(
            module=exc.name)) from None
    if not course_dir.is_dir():
        raise UsageError(_("{path} is not a course folder").format(path=course_dir))
    try:
        server = Server(Preview(course_dir), port=port, device=device)
    except OSError as exc:
        raise UsageError(_("cannot listen on 127.0.0.1:{port}: {reason}; choose another with --port").format(
            port=port, reason=exc.strerror or exc)) from None
    server.start()
    snapshot = server.app.preview.snapshot
    errors = sum(1 for d in snapshot.diagnostics if d.is_error)
    click.echo(_("Previewing {path} at {url} (Ctrl+C stops)").format(path=course_dir, url=server.url))
    if errors:
        click.echo(_("The course has errors; the page lists them until they are fixed."))
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
