"""Files referenced from a course: path safety and the inventory of assets/.

Every path is relative to the course directory and must stay inside it: `..`, absolute paths and symlinks
whose target lies outside are refused (E110) before anything is read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from pamong_edx.course.model import Asset
from pamong_edx.diagnostics import display_path

ASSETS_DIR = "assets"
_DRIVE = re.compile(r"[A-Za-z]:[\\/]")


class PathProblem(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class CourseDir:
    root: Path  # absolute, as the user named it (for messages)
    real: str  # its resolved path (for containment checks)

    @classmethod
    def at(cls, root: Path) -> "CourseDir":
        root = Path(os.path.abspath(root))
        return cls(root, os.path.realpath(root))

    def contains(self, real_path: str) -> bool:
        return real_path == self.real or real_path.startswith(self.real + os.sep)

    def resolve(self, raw: str, missing_code: str, what: str = "file") -> tuple[str, Path]:
        """(relative posix path, absolute path) of an existing file; raises PathProblem."""
        if not raw.strip():
            raise PathProblem("E105", f"empty {what} path")
        if raw.startswith(("/", "\\")) or _DRIVE.match(raw):
            raise PathProblem("E110", f"absolute path '{raw}' is refused; write it relative to the course directory")
        parts = raw.replace("\\", "/").split("/")
        if ".." in parts:
            raise PathProblem("E110", f"path '{raw}' leaves the course directory ('..' is refused)")
        rel = "/".join(p for p in parts if p not in ("", "."))
        path = self.root / rel
        if not self.contains(os.path.realpath(path)):
            raise PathProblem("E110", f"'{raw}' is a symlink pointing outside the course directory")
        if not path.is_file():
            reason = "is a directory, not a file" if path.is_dir() else "does not exist"
            raise PathProblem(missing_code, f"{what} '{raw}' {reason} (looked for {display_path(path)})")
        return rel, path

    def resolve_asset(self, raw: str, what: str = "asset") -> str:
        """The asset name (relative to assets/) of a file learners see; raises PathProblem."""
        rel, _ = self.resolve(raw, "E109", what)
        prefix = ASSETS_DIR + "/"
        if not rel.startswith(prefix):
            raise PathProblem("E105", f"{what} '{raw}' is not under {prefix}: files learners see live in {prefix}")
        return rel[len(prefix):]

    def scan_assets(self) -> tuple[dict[str, Asset], list[Path]]:
        """Every file under assets/ by name, and the symlinks there that point outside the course."""
        assets: dict[str, Asset] = {}
        escaping: list[Path] = []
        base = self.root / ASSETS_DIR
        if not base.is_dir():
            return assets, escaping
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in list(dirnames):
                full = os.path.join(dirpath, name)
                if os.path.islink(full):
                    dirnames.remove(name)  # never follow: it could loop or lead out
                    if not self.contains(os.path.realpath(full)):
                        escaping.append(Path(full))
            for name in sorted(filenames):
                if name.startswith(".") or name.endswith("~"):
                    continue  # editor and OS litter (.DS_Store, ._x, backup~), as Open edX skips it
                full = os.path.join(dirpath, name)
                if not self.contains(os.path.realpath(full)):
                    escaping.append(Path(full))
                    continue
                rel = os.path.relpath(full, base).replace(os.sep, "/")
                assets[rel] = Asset(name=rel, path=Path(full))
        return assets, escaping
