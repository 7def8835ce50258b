"""Kemendagri region reference: lookup by code in any spelling, hierarchy, and search by name.

    from pamong_edx.regions import load_regions
    regions = load_regions("wilayah_2025.csv")
    regions.get("1871011003")            # Region(code='18.71.01.1003', name=...)
    regions.name("18.71")                # 'Kota Bandar Lampung'
    regions.label("1871")                # '18.71 Kota Bandar Lampung'
    regions.parents("18.71.01.1003")     # [provinsi, kota, kecamatan]
    regions.find("way halim", within="18.71")

See docs/regions.md for the file format and where the CLI finds the file.
"""

from pamong_edx.regions.codes import normalise_code
from pamong_edx.regions.locate import locate_regions, open_regions
from pamong_edx.regions.names import name_key
from pamong_edx.regions.reference import (
    NameMatch,
    Region,
    RegionFileError,
    Regions,
    UnknownRegion,
    load_regions,
)

__all__ = [
    "NameMatch",
    "Region",
    "RegionFileError",
    "Regions",
    "UnknownRegion",
    "load_regions",
    "locate_regions",
    "name_key",
    "normalise_code",
    "open_regions",
]
