"""Counting a checked roster: rows by status, region and position, and diagnostics by kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pamong_edx.regions.reference import Regions
from pamong_edx.roster.checks import CheckedRow
from pamong_edx.roster.diagnostics import ERROR, KINDS
from pamong_edx.roster.positions import CANONICAL

UNKNOWN = ""  # the key for rows whose region or position is not recognised


@dataclass
class Summary:
    regions: Regions
    rows: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    provinces: Counter[str] = field(default_factory=Counter)
    kabupaten: Counter[str] = field(default_factory=Counter)
    positions: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)  # diagnostic code -> how many

    def add(self, checked: CheckedRow) -> None:
        self.rows += 1
        self.statuses[checked.status] += 1
        record = checked.record
        names = self.regions.names
        province, kabupaten = record.kode_desa[:2], record.kode_desa[:5]
        self.provinces[province if province in names else UNKNOWN] += 1
        self.kabupaten[kabupaten if len(kabupaten) == 5 and kabupaten in names else UNKNOWN] += 1
        self.positions[record.jabatan if record.jabatan in CANONICAL else UNKNOWN] += 1
        for diag in checked.diagnostics:
            self.kinds[diag.kind.code] += 1

    @property
    def errors(self) -> int:
        return self.statuses["error"]

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "ok": self.statuses["ok"],
            "warning": self.statuses["warning"],
            "error": self.statuses["error"],
            "by_province": self._regional(self.provinces),
            "by_kabupaten": self._regional(self.kabupaten),
            "by_position": {name or "(not recognised)": n for name, n in _ordered(self.positions, CANONICAL)},
            "errors_by_kind": self._kinds(error=True),
            "warnings_by_kind": self._kinds(error=False),
        }

    def _regional(self, counts: Counter[str]) -> list[dict[str, object]]:
        return [{"code": code, "name": self.regions.names[code] if code else "(code not recognised)", "rows": n}
                for code, n in sorted(counts.items(), key=lambda item: (item[0] == UNKNOWN, item[0]))]

    def _kinds(self, error: bool) -> dict[str, int]:
        return {str(KINDS[code]): n for code, n in sorted(self.kinds.items())
                if (KINDS[code].severity == ERROR) == error}

    def text(self) -> str:
        data = self.as_dict()
        lines = [f"{self.rows} rows read: {data['ok']} ok, {data['warning']} warning, {data['error']} error"]

        def block(title: str, items: list[tuple[str, int]]) -> None:
            if items:
                lines.append(f"{title}:")
                width = max(len(label) for label, _ in items)
                lines.extend(f"  {label:<{width}}  {n:>7}" for label, n in items)

        block("By province", [(f"{r['code']} {r['name']}".strip(), r["rows"]) for r in data["by_province"]])
        block("By kabupaten/kota", [(f"{r['code']} {r['name']}".strip(), r["rows"]) for r in data["by_kabupaten"]])
        block("By position", list(data["by_position"].items()))
        block("Errors by kind", list(data["errors_by_kind"].items()))
        block("Warnings by kind", list(data["warnings_by_kind"].items()))
        return "\n".join(lines)


def _ordered(counts: Counter[str], order: dict[str, object]) -> list[tuple[str, int]]:
    """Known names in their canonical order, then the unrecognised count."""
    known = [(name, counts[name]) for name in order if counts[name]]
    return known + ([(UNKNOWN, counts[UNKNOWN])] if counts[UNKNOWN] else [])
