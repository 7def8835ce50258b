"""The installed package must hold every module of the source tree, and nothing under a generic top-level name."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _source_packages() -> set[str]:
    """Python packages in the tree, by the import name they get once installed."""
    found = set()
    for init in (ROOT / "pamong_edx").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(ROOT).parts))
    for init in (ROOT / "exporters").rglob("__init__.py"):
        found.add(".".join(("pamong_edx",) + init.parent.relative_to(ROOT).parts))
    return {p for p in found if "__pycache__" not in p}


def test_every_source_package_is_installed():
    listed = set(_config()["tool"]["setuptools"]["packages"])
    missing = _source_packages() - listed
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def test_nothing_generic_lands_at_the_top_of_site_packages():
    setuptools = _config()["tool"]["setuptools"]
    top_level = {name.split(".")[0] for name in setuptools["packages"]} | set(setuptools.get("py-modules", []))
    assert top_level == {"pamong_edx"}
    assert setuptools["package-dir"] == {"pamong_edx.exporters": "exporters"}


def test_cli_module_is_the_top_level_cli_file():
    link = ROOT / "pamong_edx" / "cli.py"
    assert link.is_symlink() and link.resolve() == (ROOT / "cli.py").resolve()


def test_builtin_plugins_register_through_the_public_groups():
    from pamong_edx.plugins import PLUGIN_TYPES, group_name

    groups = _config()["project"]["entry-points"]
    assert set(groups) == {group_name(t) for t in PLUGIN_TYPES}
    assert set(groups["pamong_edx.player_lang.v1"]) == {"id", "en"}
    assert {"olx", "scorm12", "scorm2004"} <= set(groups["pamong_edx.exporter.v1"])


def test_no_source_test_or_fixture_file_is_git_ignored():
    """An ignore pattern meant for build output (`build/`) must not hide tests/build/ or its fixtures."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = [p.relative_to(ROOT).as_posix() for top in ("pamong_edx", "exporters", "tests", "course_src")
             for p in (ROOT / top).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert any(f.startswith("tests/build/") for f in files)
    result = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], input="\n".join(files), cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == []
