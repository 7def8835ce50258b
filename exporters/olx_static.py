"""Course assets in an OLX package: their flat names under static/ and the links that point at them.

Studio imports every file under static/ into the course's contentstore and flattens subfolders
(`static/img/a.png` becomes the asset `img_a.png`), so names that clash after flattening silently overwrite
each other. The package therefore holds static/ flat already, under names that are safe as asset keys and
URLs, and every asset reference in the course's rich text resolves to `/static/<flat name>` (`static_url`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def flat_name(name: str) -> str:
    """`img/Peta Désa.png` -> `img_Peta_Desa.png`: ASCII letters, digits, `.`, `_` and `-` only."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    flat = "_".join(_UNSAFE.sub("_", part).strip("_") or "_" for part in ascii_name.split("/"))
    # Studio skips files named `._*`, `.DS_Store` or `*~` (ASSET_IGNORE_REGEX); `~` is already replaced.
    if flat.startswith("."):
        flat = "_" + flat[1:]
    return flat


def static_names(asset_names: list[str]) -> dict[str, str]:
    """Map each asset name to a unique flat name; a later name that clashes gets a short hash of its original."""
    result: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(asset_names):
        result[name] = _claim(flat_name(name), name, taken)
    return result


def caption_names(webvtt_names: list[str], static: dict[str, str]) -> dict[str, str]:
    """Map each WebVTT transcript to the name of the SRT copy made from it, `<flat stem>.srt`, beside the
    assets' flat names (`static`); a name already taken gets a short hash of the transcript's name."""
    taken = set(static.values())
    result: dict[str, str] = {}
    for name in sorted(webvtt_names):
        stem = static[name].rpartition(".")[0] or static[name]
        result[name] = _claim(f"{stem}.srt", name, taken)
    return result


def _claim(flat: str, name: str, taken: set[str]) -> str:
    """`flat`, or `flat` with a short hash of the original `name` when it is taken; marks the result taken."""
    if flat in taken:
        stem, dot, ext = flat.rpartition(".")
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        flat = f"{stem}-{digest}.{ext}" if dot and stem else f"{flat}-{digest}"
    taken.add(flat)
    return flat
