"""Remembering the first row of every NIK and email in a roster, in flat arrays.

A dict of a million keys with their int objects costs some 100 bytes an entry; this open-addressing table
costs 12 bytes a slot (a 64-bit key and a 32-bit row number), so duplicate checks on a million-row roster
fit in about 50 MB and memory stays bounded by the rows, not by Python objects.
"""

from __future__ import annotations

from array import array

_MASK64 = (1 << 64) - 1
_MIX = 0x9E3779B97F4A7C15  # Fibonacci hashing: spreads keys whose low bits are alike (NIK serials)


class FirstSeen:
    """Maps a non-zero 64-bit key to the row where it first appeared."""

    def __init__(self, bits: int = 16) -> None:
        self._alloc(bits)
        self._used = 0

    def _alloc(self, bits: int) -> None:
        self._bits = bits
        self._shift = 64 - bits
        self._mask = (1 << bits) - 1
        self._keys = array("Q", bytes(8 << bits))
        self._rows = array("I", bytes(4 << bits))
        self._limit = (1 << bits) * 6 // 10

    def first(self, key: int, row: int) -> int:
        """Record key at row unless seen before; return the earlier row, or 0 when key is new."""
        keys = self._keys
        mask = self._mask
        slot = ((key * _MIX) & _MASK64) >> self._shift
        while True:
            found = keys[slot]
            if found == key:
                return self._rows[slot]
            if found == 0:
                keys[slot] = key
                self._rows[slot] = row
                self._used += 1
                if self._used > self._limit:
                    self._grow()
                return 0
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old_keys, old_rows = self._keys, self._rows
        self._alloc(self._bits + 1)
        keys, rows, mask, shift = self._keys, self._rows, self._mask, self._shift
        for key, row in zip(old_keys, old_rows, strict=True):
            if key:
                slot = ((key * _MIX) & _MASK64) >> shift
                while keys[slot]:
                    slot = (slot + 1) & mask
                keys[slot] = key
                rows[slot] = row

    def __len__(self) -> int:
        return self._used


def text_key(text: str) -> int:
    """A non-zero 64-bit key for a string (Python's string hash, stable within one run)."""
    return (hash(text) & _MASK64) or 1
