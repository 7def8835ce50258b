"""`pamong new`: a small course that validates cleanly, copied from the template shipped in this package."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import jinja2

from pamong_edx.errors import UsageError
from pamong_edx.i18n import _

TEMPLATE = "template"
RENDERED_SUFFIX = ".j2"  # template files rendered with the course settings, written without the suffix
MAX_COURSE_KEY_PARTS = 65
COURSE_DAYS = 182  # a new course runs for half a year; Studio refuses a course without an end date


def default_settings(directory: Path) -> dict[str, str]:
    name = directory.resolve().name
    return {
        "org": "PamongDesa",
        "number": re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "KURSUS",
        "run": f"{date.today().year}_T1",
        "title": re.sub(r"[-_]+", " ", name).strip().title() or "Kursus Baru",
        "language": "id",
        "start": date.today().isoformat(),
        "end": (date.today() + timedelta(days=COURSE_DAYS)).isoformat(),
    }


def scaffold(directory: Path, **options: str | None) -> Path:
    """Write the template course into `directory`, which must not exist or be empty."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(_("{directory} already exists and is not an empty directory; choose a new one").format(
            directory=directory))
    settings = default_settings(directory) | {k: v for k, v in options.items() if v is not None}
    parts = len(settings["org"]) + len(settings["number"]) + len(settings["run"])
    if parts > MAX_COURSE_KEY_PARTS:
        raise UsageError(_("org, number and run are {parts} characters together; Open edX allows at most {max} (use "
                           "--number or --run to shorten them)").format(parts=parts, max=MAX_COURSE_KEY_PARTS))
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    template = resources.files("pamong_edx.course").joinpath(TEMPLATE)
    directory.mkdir(parents=True, exist_ok=True)
    _copy(template, directory, env, settings)
    return directory


def _copy(source, target: Path, env: jinja2.Environment, settings: dict[str, str]) -> None:
    for item in sorted(source.iterdir(), key=lambda i: i.name):
        if item.is_dir():
            (target / item.name).mkdir(exist_ok=True)
            _copy(item, target / item.name, env, settings)
        elif item.name.endswith(RENDERED_SUFFIX):
            text = env.from_string(item.read_text(encoding="utf-8")).render(settings)
            (target / item.name[: -len(RENDERED_SUFFIX)]).write_text(text, encoding="utf-8")
        else:
            with item.open("rb") as src, open(target / item.name, "wb") as dst:
                shutil.copyfileobj(src, dst)
