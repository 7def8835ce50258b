"""Files referenced from a course: path safety and the inventory of assets/.

Every path is relative to the course directory and must stay inside it: `..`, absolute paths and symlinks
whose target lies outside are refused (E110) before anything is read.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pamong_edx.course.limits import too_large
from pamong_edx.course.media import MediaProblem, check_asset
from pamong_edx.course.model import Asset
from pamong_edx.diagnostics import display_path
from pamong_edx.i18n import _

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

    def resolve(self, raw: str, missing_code: str, what: str | None = None) -> tuple[str, Path]:
        """(relative posix path, absolute path) of an existing file; raises PathProblem. `what` names the file
        in messages, in the user's language ("file" by default)."""
        what = what or _("file")
        if not raw.strip():
            raise PathProblem("E105", _("empty {what} path").format(what=what))
        if raw.startswith(("/", "\\")) or _DRIVE.match(raw):
            raise PathProblem("E110", _("absolute path '{path}' is refused; write it relative to the course "
                                        "directory").format(path=raw))
        parts = raw.replace("\\", "/").split("/")
        if ".." in parts:
            raise PathProblem("E110", _("path '{path}' leaves the course directory ('..' is refused)").format(path=raw))
        rel = "/".join(p for p in parts if p not in ("", "."))
        path = self.root / rel
        if not self.contains(os.path.realpath(path)):
            raise PathProblem("E110", _("'{path}' is a symlink pointing outside the course directory").format(path=raw))
        if not path.is_file():
            if path.is_dir():
                message = _("{what} '{path}' is a directory, not a file (looked for {full})")
            elif path.exists():
                message = _("{what} '{path}' is not a regular file (a FIFO, device or socket), which is never read "
                            "(looked for {full})")
            else:
                message = _("{what} '{path}' does not exist (looked for {full})")
            raise PathProblem(missing_code, message.format(what=what, path=raw, full=display_path(path)))
        return rel, path

    def resolve_asset(self, raw: str, what: str | None = None) -> str:
        """The asset name (relative to assets/) of a file learners see; raises PathProblem."""
        what = what or _("asset")
        rel, _path = self.resolve(raw, "E109", what)
        prefix = ASSETS_DIR + "/"
        if not rel.startswith(prefix):
            raise PathProblem("E105", _("{what} '{path}' is not under {prefix}: files learners see live in {prefix}")
                              .format(what=what, path=raw, prefix=prefix))
        return rel[len(prefix):]

    def scan_assets(self, html_allowed: bool = False, text_limit: int | None = None) -> "AssetScan":
        """Every file under assets/ that may be packaged, by name, and what is wrong with the others: symlinks
        pointing outside the course, files that are not regular files, media the packages may not carry
        (course/media.py), captions larger than `text_limit`."""
        scan = AssetScan()
        assets, escaping = scan.assets, scan.escaping
        base = self.root / ASSETS_DIR
        if not base.is_dir():
            return scan
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
                try:
                    info = os.stat(full)
                except OSError as exc:
                    scan.refuse(rel, full, "E002", _("cannot read assets/{name}: {why}").format(
                        name=rel, why=exc.strerror or exc))
                    continue
                if not stat.S_ISREG(info.st_mode):
                    scan.refuse(rel, full, "E118", _("assets/{name} is not a regular file (a FIFO, device or socket), "
                                                     "which cannot be packaged; remove it").format(name=rel))
                    continue
                if text_limit is not None and info.st_size > text_limit and rel.lower().endswith((".srt", ".vtt")):
                    scan.refuse(rel, full, "E117", too_large(info.st_size, text_limit, f"assets/{rel}",
                                                             "PAMONG_MAX_MARKDOWN_SIZE"))
                    continue
                try:
                    check_asset(Path(full), rel, html_allowed)
                except MediaProblem as problem:
                    message = _("assets/{name} {problem}").format(name=rel, problem=problem.message)
                    scan.refuse(rel, full, "E118", message, problem.line)
                    continue
                except OSError as exc:
                    scan.refuse(rel, full, "E002", _("cannot read assets/{name}: {why}").format(
                        name=rel, why=exc.strerror or exc))
                    continue
                assets[rel] = Asset(name=rel, path=Path(full))
        return scan


@dataclass
class AssetScan:
    assets: dict[str, Asset] = field(default_factory=dict)  # what may be packaged, by name
    escaping: list[Path] = field(default_factory=list)  # symlinks pointing outside the course
    refused: dict[str, tuple[Path, str, str, int]] = field(default_factory=dict)  # name -> (path, code, message, line)

    def refuse(self, name: str, path: str, code: str, message: str, line: int = 0) -> None:
        self.refused[name] = (Path(path), code, message, line)
