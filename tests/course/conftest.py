"""Shared fixtures for the course tests: fixture courses, fixture plugins made discoverable, the CLI.

Test modules locate tests/fixtures/ from their own path rather than importing from here: several test
folders have a conftest.py, and `import conftest` would pick whichever was imported first."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pamong_edx.cli import main
from pamong_edx.player import lang
from pamong_edx.plugins import registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
COURSES = FIXTURES / "courses"
PLUGINS = FIXTURES / "plugins"
LANGUAGE_PLUGIN = FIXTURES / "scorm" / "lang_plugin"  # adds jv and su; its id and xx packs are refused


@pytest.fixture
def course_copy(tmp_path):
    """Copy a fixture course into tmp_path (to change it, or to add symlinks) and return its directory."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(COURSES / name, target, symlinks=True)
        return target

    return copy


def write_dist_info(source: Path, site: Path) -> Path:
    """Write the installed-distribution metadata of the project in `source` into `site`, as pip would:
    <name>-<version>.dist-info holding METADATA and entry_points.txt (taken from its pyproject.toml)."""
    project = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dist_name = project["name"].replace("-", "_")
    info = site / f"{dist_name}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n", encoding="utf-8")
    groups = project.get("entry-points", {})
    (info / "entry_points.txt").write_text(
        "".join(f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in eps.items()) + "\n"
                for group, eps in groups.items()),
        encoding="utf-8")
    return info


@pytest.fixture
def install_plugin(tmp_path, monkeypatch):
    """Make a fixture plugin project discoverable by importlib.metadata exactly as if it were installed:
    its source directory and a generated .dist-info go on sys.path, and the plugin registry is rediscovered.
    Returns an environment whose PYTHONPATH does the same for a subprocess."""

    def install(name: str) -> dict[str, str]:
        source = PLUGINS / name
        site = tmp_path / f"site-{name}"
        write_dist_info(source, site)
        monkeypatch.syspath_prepend(str(source))
        monkeypatch.syspath_prepend(str(site))
        registry.cache_clear()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), str(source), env.get("PYTHONPATH")]))
        return env

    yield install
    registry.cache_clear()


@pytest.fixture
def language_plugin(monkeypatch):
    """The fixture distribution with player language plugins on sys.path, as `pip install` would put it."""
    monkeypatch.syspath_prepend(str(LANGUAGE_PLUGIN))
    importlib.invalidate_caches()
    lang.clear_cache()
    yield
    lang.clear_cache()
    sys.modules.pop("pamong_lang_extra", None)


@pytest.fixture
def run_pamong():
    """The real command line in a subprocess."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pamong_edx", *args], capture_output=True, text=True,
                              env=env, cwd=cwd, timeout=120)

    return run


@pytest.fixture
def pamong(capsys):
    """The command line in-process: returns (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        out = capsys.readouterr()
        return exit_info.value.code, out.out, out.err

    return run
