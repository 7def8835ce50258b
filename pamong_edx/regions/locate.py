"""Where the region file comes from: ``--regions PATH``, else ``$PAMONG_REGIONS``, else ``regions = "PATH"``
at the top level of ``pamong.toml`` in the working directory (a relative path there is relative to that file).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pamong_edx.errors import UsageError
from pamong_edx.i18n import N_, _
from pamong_edx.regions.reference import Regions, load_regions

ENV_VAR = "PAMONG_REGIONS"
CONFIG_FILE = "pamong.toml"

HOW_TO_POINT = N_("pass --regions PATH, set {variable}=PATH, or put regions = \"PATH\" in {config} (the Kemendagri "
                  "code file, CSV with columns kode,nama; see docs/regions.md)")


def how_to_point() -> str:
    return _(HOW_TO_POINT).format(variable=ENV_VAR, config=CONFIG_FILE)


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
            settings = tomllib.loads(config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(_("{path}: not valid TOML ({reason})").format(path=config, reason=exc)) from None
        value = settings.get("regions")
        if value is not None:
            if not isinstance(value, str) or not value:
                raise UsageError(_("{path}: regions must be a path string, e.g. regions = \"data/wilayah.csv\"")
                                 .format(path=config))
            return config.parent / Path(value).expanduser(), str(config)
    raise UsageError(_("no region file given: {how}").format(how=how_to_point()))


def open_regions(option: str | os.PathLike | None = None, *, cwd: Path | None = None,
                 environ: Mapping[str, str] | None = None) -> Regions:
    """Load the region file chosen by locate_regions, saying where the path came from if it is missing."""
    path, origin = locate_regions(option, cwd=cwd, environ=environ)
    if not path.is_file():
        raise UsageError(_("region file {path} (from {origin}) does not exist; {how}").format(
            path=path, origin=origin, how=how_to_point()))
    return load_regions(path)
