"""Course assets in an OLX package: their flat names under static/ and the links that point at them.

Studio imports every file under static/ into the course's contentstore and flattens subfolders
(`static/img/a.png` becomes the asset `img_a.png`), so names that clash after flattening silently overwrite
each other. The package therefore holds static/ flat already, under names that are safe as asset keys and
URLs, and every `assets/<name>` link in the course's HTML is rewritten to `/static/<flat name>`.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from urllib.parse import unquote

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# An attribute value that links into the course's assets/ folder (markdown-it percent-encodes the path).
_ASSET_LINK = re.compile(
    r"""(?P<attr>\b(?:src|href)\s*=\s*)(?P<q>["'])(?:\./)?assets/(?P<path>[^"'#?]*)(?P<rest>[^"']*)(?P=q)""")


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


class LinkRewriter:
    """Rewrites `assets/<name>` in src/href attributes of HTML text to `/static/<flat name>`."""

    def __init__(self, names: dict[str, str]):
        self.names = names

    def _replace(self, match: re.Match[str]) -> str:
        name = unquote(html.unescape(match["path"]))
        flat = self.names.get(name)
        if flat is None:  # not an asset of this course; leave the link as written
            return match[0]
        return f'{match["attr"]}{match["q"]}/static/{flat}{match["rest"]}{match["q"]}'

    def __call__(self, text: str) -> str:
        if "assets/" not in text:
            return text
        return _ASSET_LINK.sub(self._replace, text)
