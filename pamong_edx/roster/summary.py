"""Counting a checked roster: rows by status, region and position, and diagnostics by code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter

from pamong_edx.diagnostics import ERROR, lookup
from pamong_edx.i18n import _
from pamong_edx.regions.reference import Regions
from pamong_edx.roster.checks import Block, CheckedRow, label, status_of
from pamong_edx.roster.positions import CANONICAL

UNKNOWN = ""  # the key for rows whose region or position is not recognised
_KABUPATEN = itemgetter(slice(0, 5))


@dataclass
class Summary:
    regions: Regions
    rows: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    provinces: Counter[str] = field(default_factory=Counter)
    kabupaten: Counter[str] = field(default_factory=Counter)
    positions: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)  # diagnostic code -> how many
    _villages: Counter[str] = field(default_factory=Counter)  # kabupaten of rows with a real village code

    def _fold(self) -> None:
        """Move the rows counted by village kabupaten into the province and kabupaten counts."""
        for kabupaten, n in self._villages.items():
            self.kabupaten[kabupaten] += n
            self.provinces[kabupaten[:2]] += n
        self._villages.clear()

    def add_block(self, block: Block) -> None:
        """Count a block of checked rows; only codes of real villages and recognised positions are keys."""
        n = len(block)
        self.rows += n
        self.statuses["ok"] += n - len(block.problems)
        for diagnostics in block.problems.values():
            self.statuses[status_of(diagnostics)] += 1
            self.kinds.update(d.code for d in diagnostics)
        codes, positions = block.kode_desa, block.jabatan
        if block.regions_unknown:  # a prefix counts when the region file has it; others are UNKNOWN
            names = self.regions.names
            for i in block.regions_unknown:
                province, kabupaten = codes[i][:2], codes[i][:5]
                self.provinces[province if province in names else UNKNOWN] += 1
                self.kabupaten[kabupaten if len(kabupaten) == 5 and kabupaten in names else UNKNOWN] += 1
            codes = list(compress(codes, (i not in block.regions_unknown for i in range(n))))
        self._villages.update(map(_KABUPATEN, codes))  # provinces are summed from these when reported
        if block.positions_unknown:
            positions = list(compress(positions, (i not in block.positions_unknown for i in range(n))))
            self.positions[UNKNOWN] += n - len(positions)
        self.positions.update(positions)

    def add(self, checked: CheckedRow) -> None:
        """Count one checked row (for callers that read rows one at a time)."""
        self.rows += 1
        self.statuses[checked.status] += 1
        record = checked.record
        names = self.regions.names
        province, kabupaten = record.kode_desa[:2], record.kode_desa[:5]
        self.provinces[province if province in names else UNKNOWN] += 1
        self.kabupaten[kabupaten if len(kabupaten) == 5 and kabupaten in names else UNKNOWN] += 1
        self.positions[record.jabatan if record.jabatan in CANONICAL else UNKNOWN] += 1
        self.kinds.update(d.code for d in checked.diagnostics)

    @property
    def errors(self) -> int:
        return self.statuses["error"]

    def as_dict(self) -> dict[str, object]:
        self._fold()
        return {
            "rows": self.rows,
            "ok": self.statuses["ok"],
            "warning": self.statuses["warning"],
            "error": self.statuses["error"],
            "by_province": self._regional(self.provinces),
            "by_kabupaten": self._regional(self.kabupaten),
            "by_position": {name or _("(not recognised)"): n for name, n in _ordered(self.positions, CANONICAL)},
            "errors_by_kind": self._kinds(error=True),
            "warnings_by_kind": self._kinds(error=False),
        }

    def _regional(self, counts: Counter[str]) -> list[dict[str, object]]:
        names = self.regions.names
        return [{"code": code, "name": names[code] if code else _("(code not recognised)"), "rows": n}
                for code, n in sorted(counts.items(), key=lambda item: (item[0] == UNKNOWN, item[0])) if n]

    def _kinds(self, error: bool, named=lambda code: lookup(code).name) -> dict[str, int]:
        """`CODE name` -> diagnostics of that code: the stable names (JSON), or others (`named`) for people."""
        out = {}
        for code, n in sorted(self.kinds.items()):
            known = lookup(code)
            if (known is None or known.severity == ERROR) == error:
                out[f"{code} {named(code)}" if known else code] = n
        return out

    def text(self) -> str:
        data = self.as_dict()
        lines = [_("{rows} rows read: {ok} ok, {warning} warning, {error} error").format(
            rows=self.rows, ok=data["ok"], warning=data["warning"], error=data["error"])]

        def block(title: str, items: list[tuple[str, int]]) -> None:
            if items:
                lines.append(f"{title}:")
                width = max(len(label) for label, _n in items)
                lines.extend(f"  {label:<{width}}  {n:>7}" for label, n in items)

        block(_("By province"), [(f"{r['code']} {r['name']}".strip(), r["rows"]) for r in data["by_province"]])
        block(_("By kabupaten/kota"), [(f"{r['code']} {r['name']}".strip(), r["rows"]) for r in data["by_kabupaten"]])
        block(_("By position"), list(data["by_position"].items()))
        block(_("Errors by kind"), list(self._kinds(error=True, named=label).items()))
        block(_("Warnings by kind"), list(self._kinds(error=False, named=label).items()))
        return "\n".join(lines)


def _ordered(counts: Counter[str], order: dict[str, object]) -> list[tuple[str, int]]:
    """Known names in their canonical order, then the unrecognised count."""
    known = [(name, counts[name]) for name in order if counts[name]]
    return known + ([(UNKNOWN, counts[UNKNOWN])] if counts[UNKNOWN] else [])
