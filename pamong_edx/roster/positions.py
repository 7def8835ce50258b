"""Village government positions (perangkat desa) as named by Permendagri 84/2015, and what rosters call them.

Permendagri 84/2015 sets the posts of a village government: the kepala desa; the sekretariat desa led by
the sekretaris desa with at most three kepala urusan (Tata Usaha dan Umum, Keuangan, Perencanaan) or at
least two (Umum dan Perencanaan, Keuangan); at most three kepala seksi (Pemerintahan, Kesejahteraan,
Pelayanan) or at least two (Pemerintahan, Kesejahteraan dan Pelayanan); and the kepala kewilayahan,
usually called kepala dusun.

There is no separate treasurer post: under Permendagri 20/2018 the treasury function (bendahara) is
carried out by the Kaur Keuangan, so "bendahara" maps there. Local names of the village head (keuchik,
wali nagari, peratin, perbekel, hukum tua, ...) map to Kepala Desa; "Pj."/"Plt." (acting) is dropped.
"""

from __future__ import annotations

import re

KEPALA_DESA = "Kepala Desa"
SEKRETARIS_DESA = "Sekretaris Desa"
KEPALA_DUSUN = "Kepala Dusun"

# canonical name -> group (the five kinds of post counted in summaries)
CANONICAL = {
    KEPALA_DESA: "kepala desa",
    SEKRETARIS_DESA: "sekretaris desa",
    "Kaur Tata Usaha dan Umum": "kaur",
    "Kaur Keuangan": "kaur",
    "Kaur Perencanaan": "kaur",
    "Kaur Umum dan Perencanaan": "kaur",
    "Kasi Pemerintahan": "kasi",
    "Kasi Kesejahteraan": "kasi",
    "Kasi Pelayanan": "kasi",
    "Kasi Kesejahteraan dan Pelayanan": "kasi",
    KEPALA_DUSUN: "kepala dusun",
}

# alias key (see _key) -> canonical name; each canonical name is its own alias
_ALIASES = {
    KEPALA_DESA: [
        "kades", "kepdes", "kepala kampung", "kepala pekon", "kepala tiyuh", "kepala lembang", "kepala negeri",
        "kepala gampong", "peratin", "keuchik", "geuchik", "wali nagari", "walinagari", "perbekel", "hukum tua",
        "pambakal", "kuwu", "petinggi", "village head",
    ],
    SEKRETARIS_DESA: [
        "sekdes", "sekretaris", "carik", "sekretaris kampung", "sekretaris pekon", "sekretaris tiyuh",
        "sekretaris nagari", "sekretaris gampong", "sekretaris lembang", "sekretaris negeri",
        "village secretary",
    ],
    "Kaur Tata Usaha dan Umum": ["kaur tu dan umum", "kaur tata usaha umum", "kaur tu umum", "kaur tu", "kaur umum"],
    "Kaur Keuangan": ["kaur keu", "bendahara", "bendahara desa", "treasurer"],
    "Kaur Perencanaan": [],
    "Kaur Umum dan Perencanaan": [],
    "Kasi Pemerintahan": ["kasi pem", "kasi pemerintah"],
    "Kasi Kesejahteraan": ["kasi kesra", "kasi kesejahteraan masyarakat", "kasi kesejahteraan rakyat"],
    "Kasi Pelayanan": ["kasi pelayanan masyarakat", "kasi yanmas"],
    "Kasi Kesejahteraan dan Pelayanan": ["kasi kesra dan pelayanan"],
    KEPALA_DUSUN: [
        "kadus", "kawil", "kepala kewilayahan", "kepala wilayah", "kepala dukuh", "kamituwo", "kepala jorong",
        "hamlet head",
    ],
}

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_ACTING = re.compile(r"^(?:pj|pjs|plt|plh|penjabat|pelaksana tugas|pelaksana harian) ")
_LONG_FORMS = (("kepala urusan ", "kaur "), ("kepala seksi ", "kasi "), ("sekertaris", "sekretaris"))


def _key(text: str) -> str:
    key = " ".join(_NOT_WORD.sub(" ", text.lower().replace("&", " dan ")).split())
    key = _ACTING.sub("", key)
    for long, short in _LONG_FORMS:
        key = key.replace(long, short)
    return key


_LOOKUP = {_key(alias): canonical
           for canonical, aliases in _ALIASES.items() for alias in (canonical, *aliases)}


def canonical_position(text: str) -> str | None:
    """The Permendagri 84/2015 name of a position as typed (any case, abbreviation or local name), or None."""
    return _LOOKUP.get(_key(text))


def position_group(canonical: str) -> str | None:
    """kepala desa, sekretaris desa, kaur, kasi or kepala dusun; None for a position not in the list."""
    return CANONICAL.get(canonical)
