"""Comparing region names the way people type them: case, spaces, punctuation and accents do not count."""

from __future__ import annotations

import difflib
import re
import unicodedata

_NOT_ALNUM = re.compile(r"[\W_]+")

# Words an office may put before a village name that are not part of the name in the reference file
# ("Desa Sukamaju", "Kel. Way Halim"). Tried only when the name as written does not match.
_VILLAGE_PREFIXES = re.compile(r"^(?:desa|ds|kelurahan|kel|kampung|kp|gampong|pekon|tiyuh|nagari)\b[\W_]*", re.I)


def name_key(name: str) -> str:
    """The comparison key of a name: lower case, letters and digits only, accents dropped."""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NOT_ALNUM.sub("", name.lower())


def village_name_keys(name: str) -> tuple[str, ...]:
    """The keys a typed village name may match: as written, and without a leading "Desa"/"Kel." word."""
    key = name_key(name)
    bare = _VILLAGE_PREFIXES.sub("", name.strip())
    if bare and bare != name.strip():
        return (key, name_key(bare))
    return (key,)


def close_keys(key: str, candidates: list[str], limit: int, cutoff: float) -> list[str]:
    """The candidate keys most similar to key, best first (difflib's ratio, at least cutoff)."""
    return difflib.get_close_matches(key, candidates, n=limit, cutoff=cutoff)
