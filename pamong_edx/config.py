"""pamong.toml: where it is looked for, and the settings it holds outside the LMS profiles.

    lang = "id"                  # the language of messages (see pamong_edx/i18n.py)

    [profiles.sandbox]           # LMS profiles: pamong_edx/lms/profiles.py
    ...

The file is looked for at $PAMONG_CONFIG, else ./pamong.toml, else <user config dir>/pamong/pamong.toml
($XDG_CONFIG_HOME or ~/.config); a setting is taken from the first of those files that has it. This module is
read at every start-up (for `lang`), so it imports nothing heavy and reads a file only when one exists.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pamong_edx.errors import UsageError
from pamong_edx.i18n import _

CONFIG_NAME = "pamong.toml"


def user_config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pamong"


def user_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where the toolkit keeps what it can compute again (the build cache, the parsed region file):
    $PAMONG_CACHE_DIR, else $XDG_CACHE_HOME/pamong-edx, else ~/.cache/pamong-edx."""
    env = os.environ if env is None else env
    explicit = env.get("PAMONG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pamong-edx"


def config_files(cwd: Path | None = None, env: Mapping[str, str] | None = None) -> list[Path]:
    """The config files in the order they are searched (only those that exist)."""
    env = os.environ if env is None else env
    explicit = env.get("PAMONG_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise UsageError(_("PAMONG_CONFIG names {path}, which does not exist").format(path=path))
        return [path]
    candidates = [(cwd or Path.cwd()) / CONFIG_NAME, user_config_dir(env) / CONFIG_NAME]
    return [p for p in candidates if p.is_file()]


def read(path: Path) -> dict[str, Any]:
    """The whole file as a mapping; a file that cannot be read or parsed is one clear error."""
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(_("{path}: not valid TOML: {detail}").format(path=path, detail=exc)) from None
    except OSError as exc:
        raise UsageError(_("{path}: cannot read: {detail}").format(path=path, detail=exc.strerror)) from None
    except UnicodeDecodeError as exc:
        raise UsageError(_("{path}: not UTF-8 text (byte {at}); save it as UTF-8").format(path=path, at=exc.start)
                         ) from None
    except RecursionError:
        raise UsageError(_("{path}: nested too deeply to read").format(path=path)) from None


def setting(name: str, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> tuple[Any, Path] | None:
    """A top-level setting and the file it came from, or None when no config file sets it."""
    for path in config_files(cwd, env):
        data = read(path)
        if name in data:
            return data[name], path
    return None
