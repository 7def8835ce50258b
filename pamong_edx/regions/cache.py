"""The region file, parsed once: a checked copy of its codes and names in the user's cache folder.

Every command that checks codes loads the same region file (91,599 rows), and parsing and checking it costs
about 0.1 s of CPU each time. The first load writes what it read, already checked, into the cache folder
(`$PAMONG_CACHE_DIR`, else `$XDG_CACHE_HOME/pamong-edx`, else `~/.cache/pamong-edx`, the folder the build
cache uses) under the SHA-256 of the region file's bytes, so a changed region file is never answered from an
old copy. The copy is plain text (never code): a format line, the number of regions, the codes, then the
names, one a line; loading it is a read and two splits. A copy that cannot be read is ignored and written
again; where the folder cannot be written, nothing is cached and loading is as before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from pamong_edx.config import user_cache_dir

FORMAT = "pamong-regions/1"


def _path(raw: bytes) -> Path:
    return user_cache_dir() / f"regions-{hashlib.sha256(raw).hexdigest()}.txt"


def load(raw: bytes) -> dict[str, str] | None:
    """The code -> name table stored for a region file with these bytes, or None."""
    try:
        text = _path(raw).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.split("\n")
    if len(lines) < 2 or lines[0] != FORMAT or not lines[1].isdigit():
        return None
    count = int(lines[1])
    if len(lines) != 2 + 2 * count:
        return None
    return dict(zip(lines[2:2 + count], lines[2 + count:]))


def store(raw: bytes, names: dict[str, str]) -> None:
    """Keep the checked table for the next load; silently nothing when it cannot be written."""
    body = "\n".join(names.values())
    if body.count("\n") != len(names) - 1:  # a name with a line break: the plain format cannot hold it
        return
    text = "\n".join((FORMAT, str(len(names)), *names, body))
    target = _path(raw)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".regions-", suffix=".part")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(partial, target)
        except OSError:
            os.unlink(partial)
            raise
    except OSError:
        pass
