"""Remembering the first row of every NIK and email in a roster: in a dict while the roster is small, then
in flat arrays.

A dict checks a whole block of keys in C (are they disjoint from the keys seen, then one update) but costs some 110 bytes an entry with its int objects; up to SMALL keys that is at most about
15 MB an index. Beyond, an open-addressing table costs 12 bytes a slot (a 64-bit key and a 32-bit row
number), so the duplicate checks of a million-row roster fit in about 50 MB and memory is bounded by the
rows, not by Python objects; its probe is a Python loop. The table is sized up front from the number of rows
the file is expected to hold, so it rarely grows (growing holds the old and the new arrays at once).

Keys are Python's 64-bit string hashes (random, so the low bits pick the slot as they are): two different
NIKs or emails are taken for the same with a chance of about 3 in 100 million in a 1,000,000-row roster.
Keys arrive a block of rows at a time; only the probe itself is a Python loop.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import and_

_MIN_BITS = 12
_MAX_LOAD = 0.6
SMALL = 1 << 17  # keys kept in a dict before the index moves to arrays


class FirstSeen:
    """Maps a non-zero 64-bit signed key to the row where it first appeared."""

    def __init__(self, expected: int = 0) -> None:
        self._expected = expected
        self._small: dict[int, int] | None = {} if expected <= SMALL else None
        self._used = 0
        if self._small is None:
            self._alloc(_bits_for(expected))

    def _alloc(self, bits: int) -> None:
        self._bits = bits
        self._mask = (1 << bits) - 1
        self._keys = array("q", bytes(8 << bits))
        self._rows = array("I", bytes(4 << bits))
        self._limit = int((1 << bits) * _MAX_LOAD)

    def first_rows(self, keys: Sequence[int], rows: Sequence[int]) -> list[tuple[int, int]]:
        """Record each key at its row, in order, unless seen before. Returns (row, earlier row) for the keys
        seen before: in an earlier block, or earlier in this one."""
        if self._small is not None:
            if len(self._small) + len(keys) <= SMALL:
                return self._small_first_rows(keys, rows)
            self._to_arrays(len(self._small) + len(keys))
        if self._used + len(keys) > self._limit:
            self._grow(self._used + len(keys))
        table, found_rows, mask = self._keys, self._rows, self._mask
        seen: list[tuple[int, int]] = []
        for slot, key, row in zip(map(and_, keys, repeat(mask)), keys, rows):
            found = table[slot]
            while found:
                if found == key:
                    seen.append((row, found_rows[slot]))
                    break
                slot = (slot + 1) & mask
                found = table[slot]
            else:
                table[slot] = key
                found_rows[slot] = row
        self._used += len(keys) - len(seen)
        return seen

    def _small_first_rows(self, keys: Sequence[int], rows: Sequence[int]) -> list[tuple[int, int]]:
        table = self._small
        seen: list[tuple[int, int]] = []
        if not table.keys().isdisjoint(keys):  # a key seen in an earlier block (rare): one at a time
            for key, row in zip(keys, rows):
                first = table.setdefault(key, row)
                if first != row:
                    seen.append((row, first))
            return seen
        before = len(table)
        table.update(zip(keys, rows))
        if len(table) - before == len(keys):  # all new: the common case, two C-level passes
            return seen
        first_rows: dict[int, int] = {}  # a key twice in this block: the update kept its last row
        for key, row in zip(keys, rows):
            first = first_rows.setdefault(key, row)
            if first != row:
                seen.append((row, first))
        table.update(first_rows)
        return seen

    def _to_arrays(self, needed: int) -> None:
        small, self._small = self._small, None
        self._alloc(_bits_for(max(self._expected, 2 * needed)))
        self._used = 0
        self.first_rows(array("q", small.keys()), array("I", small.values()))

    def first(self, key: int, row: int) -> int:
        """Record key at row unless seen before; return the earlier row, or 0 when key is new."""
        seen = self.first_rows([key], [row])
        return seen[0][1] if seen else 0

    def _grow(self, needed: int) -> None:
        old_keys, old_rows = self._keys, self._rows
        self._alloc(max(_bits_for(needed), self._bits + 1))
        keys = array("q", filter(None, old_keys))
        rows = array("I", compress(old_rows, old_keys))
        del old_keys, old_rows
        self._used = 0
        self.first_rows(keys, rows)

    def __len__(self) -> int:
        return len(self._small) if self._small is not None else self._used


def _bits_for(expected: int) -> int:
    bits = _MIN_BITS
    while (1 << bits) * _MAX_LOAD < expected:
        bits += 1
    return bits


def text_keys(texts: Iterable[str]) -> list[int]:
    """Non-zero 64-bit keys for strings (Python's string hash, stable within one run)."""
    keys = list(map(hash, texts))
    if 0 in keys:
        keys = [k or 1 for k in keys]
    return keys
