"""What every stand-in's state has: a data directory (given, or temporary), one SQLite database with the
app's schema, and a `settings` table of key/value pairs (the schema must create it)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import ClassVar

from pamong_edx.sandbox.core.db import Database


class Store:
    schema: ClassVar[str]

    def __init__(self, path: Path) -> None:
        self.db = Database(path, self.schema)

    def close(self) -> None:
        self.db.close()

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.one("SELECT value FROM settings WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))


class DataDir:
    """Where a stand-in keeps its state: the directory given, or a temporary one that cleanup() removes."""

    def __init__(self, path: Path | None, prefix: str) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix=prefix) if path is None else None
        self.path = Path(self._tmp.name) if self._tmp is not None else path
        self.path.mkdir(parents=True, exist_ok=True)

    def cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
