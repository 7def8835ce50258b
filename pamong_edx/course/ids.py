"""Stable identifiers: explicit `id:` or derived from the path of titles (docs/course-format.md)."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from pamong_edx.course.model import Location

ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$"
MAX_ID = 64
SHORT_ID = 48  # a derived id longer than MAX_ID keeps this many characters, then a hash of the whole

_VALID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def is_valid_id(value: str) -> bool:
    return _VALID.fullmatch(value) is not None


@functools.lru_cache(maxsize=4096)  # titles recur (units named "Latihan", blocks without a title)
def slugify(title: str) -> str:
    """`Apa Itu Desa?` -> `apa-itu-desa`; accents are folded to ASCII, everything else becomes a dash."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return _NON_SLUG.sub("-", ascii_title.lower()).strip("-")


def derive_id(parent_id: str, title: str, fallback: str) -> str:
    """The parent's id, a dash and the title's slug (`fallback` when the title has no letters or digits)."""
    slug = slugify(title) or fallback
    full = f"{parent_id}-{slug}" if parent_id else slug
    if len(full) <= MAX_ID:
        return full
    digest = hashlib.sha1(full.encode("utf-8")).hexdigest()[:8]
    return f"{full[:SHORT_ID].rstrip('-')}-{digest}"


class IdRegistry:
    """Hands out identifiers and remembers where each was first used, for the whole course."""

    def __init__(self) -> None:
        self.first_use: dict[str, Location] = {}

    def derived(self, base: str, siblings: dict[str, int]) -> str:
        """`base`, or `base-2`, `base-3`… for later siblings deriving the same id."""
        n = siblings.get(base, 0) + 1
        siblings[base] = n
        return base if n == 1 else f"{base}-{n}"

    def claim(self, value: str, loc: Location) -> Location | None:
        """Record `value`; returns where it was used before when it is a duplicate."""
        first = self.first_use.get(value)
        if first is None:
            self.first_use[value] = loc
        return first
