"""The region reference: every Kemendagri code with its name, loaded from the file the user points to.

The file is CSV with a header row and at least the columns ``kode`` and ``nama`` (see docs/regions.md).
Loading keeps one dict of dotted code -> name (about 20 MB for the 91,599 rows of 2025); everything else
(children lists, name keys for search) is built the first time something asks for it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from pamong_edx.errors import PamongError
from pamong_edx.i18n import _
from pamong_edx.personal import safe_message
from pamong_edx.regions import cache
from pamong_edx.regions.codes import (
    LEVEL_NAMES,
    is_dotted,
    level_of,
    normalise_code,
    parent_code,
    region_type,
)
from pamong_edx.regions.names import close_keys, name_key, village_name_keys


class RegionFileError(PamongError):
    """The region file cannot be read or is not in the kode,nama format."""


class UnknownRegion(PamongError, KeyError):
    """A code that is not in the region reference."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # dotted: 18.71.01.1003
    name: str  # as in the reference file

    @property
    def level(self) -> int:
        """1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan."""
        return level_of(self.code)

    @property
    def type(self) -> str:
        """provinsi, kabupaten, kota, kecamatan, desa, kelurahan or desa adat."""
        return region_type(self.code, self.name)

    @property
    def parent_code(self) -> str | None:
        return parent_code(self.code)

    @property
    def label(self) -> str:
        """Code and name, as used for cohort names: ``18.71 Kota Bandar Lampung``."""
        return f"{self.code} {self.name}"


@dataclass(frozen=True, slots=True)
class NameMatch:
    region: Region
    how: str  # "exact" (same name ignoring case, spaces, punctuation), "contains" or "close"


class Regions:
    """Lookup by code in any spelling, the hierarchy above and below a code, and search by name."""

    def __init__(self, names: dict[str, str], source: Path | None = None) -> None:
        self.names = names  # dotted code -> name; read it, do not change it
        self.source = source
        self._children: dict[str, list[str]] | None = None
        self._keys: dict[str, str] | None = None

    # --- lookup ---------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.resolve(code) is not None

    def __iter__(self) -> Iterator[Region]:
        return (Region(c, n) for c, n in self.names.items())

    def resolve(self, code: str) -> str | None:
        """The dotted form of code if the reference has it, whatever the spelling; else None."""
        if code in self.names:
            return code
        dotted = normalise_code(code)
        return dotted if dotted in self.names else None

    def get(self, code: str) -> Region | None:
        dotted = self.resolve(code)
        return Region(dotted, self.names[dotted]) if dotted else None

    def __getitem__(self, code: str) -> Region:
        region = self.get(code)
        if region is None:
            raise UnknownRegion(self.explain_unknown(code))
        return region

    def name(self, code: str) -> str:
        """The official name; raises UnknownRegion for a code the reference does not have."""
        return self[code].name

    def label(self, code: str) -> str:
        """``18.71 Kota Bandar Lampung``: the dotted code and the name."""
        return self[code].label

    # --- hierarchy ------------------------------------------------------------------------------------

    def parents(self, code: str) -> list[Region]:
        """The regions above code, province first (empty for a province)."""
        region = self[code]
        above = []
        up = region.parent_code
        while up is not None:
            if up in self.names:
                above.append(Region(up, self.names[up]))
            up = parent_code(up)
        return above[::-1]

    def lineage(self, code: str) -> list[Region]:
        """The regions above code and code itself, province first."""
        return [*self.parents(code), self[code]]

    def children(self, code: str | None = None) -> list[Region]:
        """The regions one level below code (the provinces when code is None), in code order."""
        parent = "" if code is None else self[code].code
        return [Region(c, self.names[c]) for c in self._child_index().get(parent, ())]

    def _child_index(self) -> dict[str, list[str]]:
        if self._children is None:
            index: dict[str, list[str]] = {}
            for code in sorted(self.names):
                index.setdefault(parent_code(code) or "", []).append(code)
            self._children = index
        return self._children

    def explain_unknown(self, code: str) -> str:
        """Why code is not a region, naming the nearest region above it that does exist."""
        dotted = normalise_code(code)
        if dotted is None:
            return _("'{code}' is not a region code: expected 2, 4, 6 or 10 digits, with or without dots (18, "
                     "18.71, 18.71.01, 18.71.01.1003)").format(code=safe_message(code)[:80])
        up = parent_code(dotted)
        while up is not None and up not in self.names:
            up = parent_code(up)
        if up is None:
            return _("region code {code} is not in the region reference (no such province)").format(code=dotted)
        known = Region(up, self.names[up])
        missing_level = LEVEL_NAMES[level_of(known.code) + 1]
        return _("region code {code} is not in the region reference: {type} {region} exists but has no {level} "
                 "{part}").format(code=dotted, type=known.type, region=known.label, level=missing_level,
                                  part=dotted.split(".")[level_of(known.code)])

    # --- names ----------------------------------------------------------------------------------------

    def _name_keys(self) -> dict[str, str]:
        if self._keys is None:
            self._keys = {code: name_key(name) for code, name in self.names.items()}
        return self._keys

    def find(self, name: str, within: str | None = None, level: int | None = None,
             limit: int = 20) -> list[NameMatch]:
        """Regions whose name matches, ignoring case, spaces and punctuation.

        Exact matches come first, then names that contain the query; when neither exists, the closest
        names (so a typo still finds its village). ``within`` limits the search to the regions below a
        code, ``level`` to one level (1-4).
        """
        key = name_key(name)
        if not key:
            raise PamongError(_("'{name}' has no letters or digits to search for").format(name=name))
        prefix = ""
        if within is not None:
            prefix = self[within].code + "."
        keys = self._name_keys()
        scope = [(c, k) for c, k in keys.items()
                 if c.startswith(prefix) and (level is None or level_of(c) == level)]
        exact = [c for c, k in scope if k == key]
        contains = [c for c, k in scope if key in k and k != key]
        found = [(c, "exact") for c in sorted(exact, key=_by_level)]
        found += [(c, "contains") for c in sorted(contains, key=_by_level)]
        if not found:
            by_key: dict[str, list[str]] = {}
            for c, k in scope:
                by_key.setdefault(k, []).append(c)
            for k in close_keys(key, list(by_key), limit, 0.75):
                found += [(c, "close") for c in by_key[k]]
        return [NameMatch(Region(c, self.names[c]), how) for c, how in found[:limit]]

    def villages_named(self, name: str, kecamatan: str) -> list[Region]:
        """The villages of a kecamatan whose name is name (ignoring case, spaces, punctuation, "Desa ...")."""
        keys = village_name_keys(name)
        return [Region(c, self.names[c]) for c in self._child_index().get(kecamatan, ())
                if name_key(self.names[c]) in keys]

    def closest_village(self, name: str, kecamatan: str) -> Region | None:
        """The village of a kecamatan whose name is nearest to name, if any is reasonably near."""
        named = self.villages_named(name, kecamatan)
        if named:
            return named[0]
        by_key = {name_key(self.names[c]): c for c in self._child_index().get(kecamatan, ())}
        for key in village_name_keys(name):
            best = close_keys(key, list(by_key), 1, 0.6)
            if best:
                code = by_key[best[0]]
                return Region(code, self.names[code])
        return None

    def name_matches(self, code: str, name: str) -> bool:
        """Whether a typed village name is the reference name of code (case, spaces, punctuation and a
        leading "Desa"/"Kel." aside). code must be a dotted code the reference has."""
        official = self.names[code]
        return name == official or name_key(official) in village_name_keys(name)


def _by_level(code: str) -> tuple[int, str]:
    return level_of(code), code


def load_regions(path: str | Path) -> Regions:
    """Read a region file (CSV with columns kode,nama; the level is the number of dot-separated parts). A file
    read before is loaded from its checked copy in the cache folder (regions/cache.py)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegionFileError(_("cannot open region file {path}: {reason}").format(path=path, reason=exc.strerror)) \
            from None
    names = cache.load(raw)
    if names is not None:
        return Regions(names, source=path)
    try:
        text = raw.decode("utf-8-sig")
        pairs = _columns(csv.reader(io.StringIO(text, newline="")))
        names = _checked(*pairs) if pairs is not None else None
        if names is None:  # something is wrong: read it again row by row to say which row
            _find_problem(csv.reader(io.StringIO(text, newline="")), path)
    except UnicodeDecodeError:
        raise RegionFileError(_("{path}: not UTF-8 text; save the region file as UTF-8 CSV").format(path=path)) from None
    except csv.Error as exc:
        raise RegionFileError(_("{path}: not a readable CSV file ({reason})").format(path=path, reason=exc)) from None
    cache.store(raw, names)
    return Regions(names, source=path)


_CODE_SHAPES = {b"99", b"99.99", b"99.99.99", b"99.99.99.9999"}
_DIGITS_AS_9 = bytes.maketrans(b"0123456789", b"9999999999")


def _columns(reader) -> tuple[list[str], list[str]] | None:
    """(codes, names) through the csv module, or None when a row is too short or the header is wrong."""
    header = [h.strip().lower() for h in next(reader, [])]
    if "kode" not in header or "nama" not in header:
        return None
    i_code, i_name = header.index("kode"), header.index("nama")
    rows = list(reader)
    if [] in rows:  # blank lines
        rows = [row for row in rows if row]
    if not rows or min(map(len, rows)) <= max(i_code, i_name):
        return None
    return list(map(itemgetter(i_code), rows)), list(map(itemgetter(i_name), rows))


def _checked(codes: list[str], names: list[str]) -> dict[str, str] | None:
    """code -> name, or None when any code is not dotted or appears twice. Checked whole, by a translate and
    a set over the code column; _find_problem names the row when this fails."""
    table = dict(zip(codes, names))
    column = "\n".join(codes)
    shapes = set(column.encode("utf-8").translate(_DIGITS_AS_9).split(b"\n"))
    if not codes or not shapes <= _CODE_SHAPES or len(table) != len(codes) or column.count("\n") != len(codes) - 1:
        return None
    return table


def _find_problem(reader, path: Path) -> None:
    """Raise RegionFileError naming the first wrong row (by its line in the file)."""
    header = [h.strip().lower() for h in next(reader, [])]
    if "kode" not in header or "nama" not in header:
        raise RegionFileError(_("{path}:1: expected a header row with the columns kode,nama (found {found}); "
                                "see docs/regions.md").format(path=path, found=safe_message(",".join(header))[:200]
                                                              or _("an empty file")))
    i_code, i_name = header.index("kode"), header.index("nama")
    width = max(i_code, i_name) + 1
    seen: set[str] = set()
    for row in reader:
        if len(row) < width:
            if not any(row):
                continue
            raise RegionFileError(_("{path}:{line}: expected {expected} columns, found {found}").format(
                path=path, line=reader.line_num, expected=len(header), found=len(row)))
        code = row[i_code]
        if not is_dotted(code):
            raise RegionFileError(_("{path}:{line}: '{code}' is not a dotted region code (18, 18.71, 18.71.01 or "
                                    "18.71.01.1003)").format(path=path, line=reader.line_num,
                                                             code=safe_message(code)[:40]))
        if code in seen:
            raise RegionFileError(_("{path}:{line}: code {code} appears twice").format(
                path=path, line=reader.line_num, code=code))
        seen.add(code)
    raise RegionFileError(_("{path}: no regions in the file").format(path=path))
