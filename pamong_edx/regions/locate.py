"""Where the region file comes from: ``--regions PATH``, else ``$PAMONG_REGIONS``, else ``regions = "PATH"``
at the top level of ``pamong.toml`` in the working directory (a relative path there is relative to that file).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pamong_edx.errors import UsageError
from pamong_edx.nesting import TooDeep, toml_loads
from pamong_edx.regions.reference import Regions, load_regions

ENV_VAR = "PAMONG_REGIONS"
CONFIG_FILE = "pamong.toml"

HOW_TO_POINT = (f"pass --regions PATH, set {ENV_VAR}=PATH, or put regions = \"PATH\" in {CONFIG_FILE} "
                "(the Kemendagri code file, CSV with columns kode,nama; see docs/regions.md)")


def locate_regions(option: str | os.PathLike | None = None, *, cwd: Path | None = None,
                   environ: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """The region file to use and where that choice came from (for messages)."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    if option:
        return Path(option), "--regions"
    if environ.get(ENV_VAR):
        return Path(environ[ENV_VAR]), ENV_VAR
    config = cwd / CONFIG_FILE
    if config.is_file():
        try:
            settings = toml_loads(config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, TooDeep) as exc:
            raise UsageError(f"{config}: not valid TOML ({exc})") from None
        value = settings.get("regions")
        if value is not None:
            if not isinstance(value, str) or not value:
                raise UsageError(f"{config}: regions must be a path string, e.g. regions = \"data/wilayah.csv\"")
            return config.parent / Path(value).expanduser(), str(config)
    raise UsageError(f"no region file given: {HOW_TO_POINT}")


def open_regions(option: str | os.PathLike | None = None, *, cwd: Path | None = None,
                 environ: Mapping[str, str] | None = None) -> Regions:
    """Load the region file chosen by locate_regions, saying where the path came from if it is missing."""
    path, origin = locate_regions(option, cwd=cwd, environ=environ)
    if not path.is_file():
        raise UsageError(f"region file {path} (from {origin}) does not exist; {HOW_TO_POINT}")
    return load_regions(path)
