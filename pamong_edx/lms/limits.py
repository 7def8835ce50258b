"""How much the toolkit accepts from an LMS before it calls the answer hostile, and how to raise it.

A misconfigured or compromised server must not hold a job forever or fill the machine's memory, so every call
and every package read for deploy is bounded. The defaults are far above what a healthy Open edX or Moodle
sends; a profile may change any of them in its `[profiles.NAME.limits]` table:

    [profiles.nasional.limits]
    deadline = 300            # seconds one LMS call may take in all: retries, waits and reading the answer
    max_response_mb = 64      # the largest answer read (after decompression)
    max_json_depth = 100      # arrays and objects nested deeper are refused
    max_pages = 10000         # pages followed through one listing
    max_package_mb = 4096     # deploy: the most a package may hold once unpacked
    max_package_files = 200000  # deploy: the most files a package may hold
    max_metadata_mb = 16      # deploy: the largest course.xml, course/<run>.xml or policy.json read
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pamong_edx.i18n import _
from pamong_edx.lms.errors import ConfigError

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    deadline: float = 120.0
    max_response_mb: float = 64.0
    max_json_depth: int = 100
    max_pages: int = 10_000
    max_package_mb: float = 4096.0
    max_package_files: int = 200_000
    max_metadata_mb: float = 16.0

    @property
    def max_response_bytes(self) -> int:
        return int(self.max_response_mb * MB)

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str) -> Limits:
        if not isinstance(table, Mapping):
            raise ConfigError(_("{where}: limits must be a table ([profiles.NAME.limits])").format(where=where))
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(table) - set(fields))
        if unknown:
            raise ConfigError(_("{where}: [limits] has unknown key(s) {keys}; known: {known}").format(
                where=where, keys=", ".join(unknown), known=", ".join(fields)))
        values = {}
        for key, value in table.items():
            whole = fields[key].type == "int"
            kinds = (int,) if whole else (int, float)
            if isinstance(value, bool) or not isinstance(value, kinds) or value <= 0:
                what = _("a positive whole number") if whole else _("a positive number")
                raise ConfigError(_("{where}: limits.{key} must be {what}, not {value!r}")
                                  .format(where=where, key=key, what=what, value=value))
            values[key] = value
        return cls(**values)
