"""The build cache: what a build learnt from unchanged sources, kept for the next build (and for `pamong preview`).

Two stores, in the user's cache folder (`$PAMONG_CACHE_DIR`, else `$XDG_CACHE_HOME/pamong-edx`, else
`~/.cache/pamong-edx`), never inside the course directory, so course sources stay exactly what authors wrote:

* a **file index**: for every source file read, its size, modification time, inode, device and change time,
  and the SHA-256 of its bytes. A file whose metadata did not change is not read again: its
  digest comes from the index (`digest`).
* **objects**, content-addressed: a value (a loaded chapter, the files an exporter wrote for it, a compressed
  stretch of an archive) is stored under the SHA-256 of everything it was made from (`key`), so an entry can
  never be stale: a change in any input gives another key. Entries are written atomically; a damaged or
  unreadable one is a miss.

    cache = BuildCache.default()           # or BuildCache(None): disabled, every lookup misses
    key = cache.key("chapter", digest, context)
    value = cache.get(key)
    if value is None:
        value = make()
        cache.put(key, value)
    cache.save()                           # the file index, once per build

hashlib, pickle and tempfile are imported on first use: `pamong validate` without a cache needs none of them.
Nothing here knows what is cached; the loader (chapters), the OLX exporter (its files per chapter) and the
tar writer (compressed stretches) decide their keys. `pamong build --no-cache` passes a disabled cache; the
packages are byte-identical either way (tests/build/test_cache.py).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from pamong_edx import __version__
from pamong_edx.config import user_cache_dir

# Part of every key: a new release, or a new layout of cached values, never reads an old entry.
FORMAT = 1
MAX_BYTES = 1 << 30  # pruned back to this size (oldest entries first), at most once a day
_PICKLE = 5  # pickle.HIGHEST_PROTOCOL of every Python the toolkit runs on


def _signature(info: os.stat_result) -> tuple[int, int, int, int, int]:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev, info.st_ctime_ns)


class BuildCache:
    def __init__(self, directory: Path | str | None):
        self.directory = Path(directory) if directory is not None else None
        self._index: dict[str, tuple[tuple[int, int, int, int, int], str]] | None = None  # path -> (metadata, digest)
        self._dirty = False
        # The cache key of each loaded chapter (by object identity, with the object kept alive), so that an
        # exporter can key its own output for that chapter without looking at its sources again.
        self._sources: dict[int, tuple[Any, str]] = {}

    @classmethod
    def default(cls) -> "BuildCache":
        return cls(user_cache_dir())

    @classmethod
    def disabled(cls) -> "BuildCache":
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    # ------------------------------------------------------------------------------------------- keys

    @staticmethod
    def key(*parts: Any) -> str:
        """The SHA-256 of the parts (strings, bytes, numbers, tuples of them), with the cache format and the
        toolkit's version, as hex."""
        import hashlib

        digest = hashlib.sha256(repr((FORMAT, __version__)).encode())
        for part in parts:
            data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
        return digest.hexdigest()

    # ------------------------------------------------------------------------------------------- files

    def digest(self, path: Path | str) -> str | None:
        """The SHA-256 of a regular file's bytes, read only when its metadata changed; None when it cannot be
        read (the caller then reads it itself and reports why)."""
        path = os.path.abspath(path)
        try:
            info = os.stat(path)
        except OSError:
            return None
        signature = _signature(info)
        known = self._files().get(path) if self.enabled else None
        if known is not None and known[0] == signature:
            return known[1]
        import hashlib

        try:
            with open(path, "rb") as source:
                digest = hashlib.file_digest(source, "sha256").hexdigest()
        except OSError:
            return None
        self.remember(path, signature, digest)
        return digest

    def digest_of_bytes(self, path: Path | str, data: bytes) -> str:
        """The digest of a file just read for its content (so it is not read twice), remembered in the index."""
        import hashlib

        digest = hashlib.sha256(data).hexdigest()
        path = os.path.abspath(path)
        try:
            self.remember(path, _signature(os.stat(path)), digest)
        except OSError:
            pass
        return digest

    def stat_signature(self, path: Path | str) -> tuple[int, int, int, int, int] | None:
        try:
            return _signature(os.stat(path))
        except OSError:
            return None

    def remember(self, path: str, signature: tuple[int, int, int, int, int], digest: str) -> None:
        if not self.enabled:
            return
        index = self._files()
        if index.get(path) != (signature, digest):
            index[path] = (signature, digest)
            self._dirty = True

    def _files(self) -> dict:
        """The file index, read from the cache folder on first use."""
        if self._index is None:
            found = self._read(self._index_path())
            self._index = found if isinstance(found, dict) else {}
        return self._index

    def _index_path(self) -> Path:
        return self.directory / "files.pickle"  # type: ignore[operator]

    # ------------------------------------------------------------------------------------------- objects

    def get(self, key: str) -> Any | None:
        if not self.enabled:
            return None
        return self._read(self._object_path(key))

    def put(self, key: str, value: Any) -> None:
        if not self.enabled:
            return
        self._write(self._object_path(key), value)

    def remember_source(self, chapter: Any, key: str) -> None:
        self._sources[id(chapter)] = (chapter, key)

    def source_key(self, chapter: Any) -> str | None:
        """The key the loader gave a chapter's sources, or None (an inline chapter, or no cache)."""
        found = self._sources.get(id(chapter))
        return found[1] if found is not None and found[0] is chapter else None

    def save(self) -> None:
        """Write the file index if it changed."""
        if self.enabled and self._dirty and self._index is not None:
            self._write(self._index_path(), self._index)
            self._dirty = False

    def prune(self, keep: int = MAX_BYTES, every: float = 86_400.0) -> None:
        """Once a day at most: delete the oldest objects while the cache holds more than `keep` bytes."""
        if not self.enabled:
            return
        marker = self.directory / "pruned"  # type: ignore[operator]
        try:
            if time.time() - marker.stat().st_mtime < every:
                return
        except FileNotFoundError:
            pass
        try:
            entries = []
            for path in (self.directory / "objects").glob("*/*"):  # type: ignore[operator]
                info = path.stat()
                entries.append((info.st_mtime, info.st_size, path))
            total = sum(size for _, size, _ in entries)
            for _, size, path in sorted(entries):
                if total <= keep:
                    break
                path.unlink(missing_ok=True)
                total -= size
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # pruning is housekeeping; a build never fails for it

    def bundle(self, *name: Any) -> "Bundle":
        """The entries one package's build reads together (see Bundle), under a name of the caller's."""
        return Bundle(self, name)

    def _object_path(self, key: str) -> Path:
        return self.directory / "objects" / key[:2] / key[2:]  # type: ignore[operator]

    @staticmethod
    def _read(path: Path) -> Any | None:
        import pickle

        try:
            with open(path, "rb") as source:
                return pickle.load(source)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry (a crash mid-write on a file system without atomic rename) is a miss
            return None

    def _write(self, path: Path, value: Any) -> None:
        import pickle
        import tempfile

        try:
            if not self.directory.is_dir():  # type: ignore[union-attr]
                # its pickles run code when read: the owner's alone
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # type: ignore[union-attr]
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, partial = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as out:
                pickle.dump(value, out, protocol=_PICKLE)
            os.replace(partial, path)
        except OSError:
            # A cache that cannot be written costs speed, never a build.
            try:
                os.unlink(partial)  # type: ignore[possibly-undefined]
            except (OSError, UnboundLocalError):
                pass


class Bundle:
    """Many small content-addressed entries that one package's build reads together (its compressed pieces, its
    pages), kept as one cache object: a rebuild reads one file, not one per entry, and the object is written
    back, with only the entries this build used, when they differ from those it found. Each entry's key names
    everything it was made from, as `BuildCache.key` does, so an entry from any earlier build is still right.

        pages = cache.bundle("scorm-pages", package_name)
        page = pages.get(key)
        if page is None:
            page = render()
            pages.put(key, page)
        pages.save()
    """

    def __init__(self, cache: BuildCache, name: tuple):
        self.cache = cache if cache.enabled else None
        self.key = cache.key("bundle", *name) if self.cache is not None else ""
        found = self.cache.get(self.key) if self.cache is not None else None
        self.known: dict = found if isinstance(found, dict) else {}
        self.used: dict = {}

    @property
    def enabled(self) -> bool:
        return self.cache is not None

    def get(self, key: Any) -> Any | None:
        value = self.known.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: Any, value: Any) -> None:
        self.used[key] = value

    def save(self) -> None:
        if self.cache is not None and self.used.keys() != self.known.keys():
            self.cache.put(self.key, self.used)
