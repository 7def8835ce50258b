"""Profiles: where an LMS is and how to authenticate to it, from pamong.toml or the environment.

    [profiles.sandbox]
    lms = "openedx"                      # the lms plugin name
    lms_url = "http://127.0.0.1:8000"
    studio_url = "http://127.0.0.1:8000" # Open edX CMS; defaults to lms_url
    client_id = "pamong-sandbox"
    client_secret_env = "PAMONG_SANDBOX_SECRET"   # the NAME of the variable holding the secret
    ca_bundle = "/etc/ssl/certs/our-ca.pem"        # optional
    insecure = false                                # allow plain http:// to a non-loopback host
    timeout = 30                                    # seconds to wait for an answer

A table named after the LMS holds that backend's own settings (`[profiles.NAME.moodle]`, see
docs/moodle.md); what a backend needs beyond `lms_url` its `from_profile` checks (Open edX: a client_id; Moodle
signs in with the web-service token alone). A `limits` table
changes how much the toolkit accepts from the LMS (`[profiles.NAME.limits]`, see lms/limits.py and
docs/security.md).

The file is looked for at $PAMONG_CONFIG, else ./pamong.toml, else <user config dir>/pamong/pamong.toml
($XDG_CONFIG_HOME or ~/.config). PAMONG_LMS_URL, PAMONG_STUDIO_URL, PAMONG_CLIENT_ID and
PAMONG_CLIENT_SECRET override a profile's values, or make one (named "env") when no --profile is given.
Secrets never live in the file.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pamong_edx.config import CONFIG_NAME, config_files, user_config_dir  # noqa: F401 (re-exported)
from pamong_edx.i18n import _
from pamong_edx.lms.errors import ConfigError
from pamong_edx.lms.limits import Limits
from pamong_edx.nesting import TooDeep, toml_loads

ENV_PROFILE = "env"
KNOWN_KEYS = {"lms", "lms_url", "studio_url", "client_id", "client_secret_env", "ca_bundle", "insecure", "timeout",
              "limits"}
ENV_KEYS = {
    "lms": "PAMONG_LMS",
    "lms_url": "PAMONG_LMS_URL",
    "studio_url": "PAMONG_STUDIO_URL",
    "client_id": "PAMONG_CLIENT_ID",
}
SECRET_ENV = "PAMONG_CLIENT_SECRET"
PROFILE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Profile:
    name: str
    lms: str
    lms_url: str
    studio_url: str
    client_id: str
    client_secret: str = field(repr=False)
    source: str  # the file (or "environment") it came from, for messages
    ca_bundle: str | None = None
    insecure: bool = False
    timeout: float = 30.0
    options: dict = field(default_factory=dict, compare=False)  # the [profiles.NAME.<lms>] table
    limits: Limits = field(default_factory=Limits)  # the [profiles.NAME.limits] table


def user_state_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "pamong"


def state_dir(profile: str, env: Mapping[str, str] | None = None, create: bool = True) -> Path:
    """Where jobs keep state for one profile (e.g. the enrolment journal): $PAMONG_STATE_DIR/<profile>
    or $XDG_STATE_HOME/pamong/<profile>."""
    env = os.environ if env is None else env
    if not PROFILE_NAME.match(profile):
        raise ConfigError(_("profile name '{profile}' may use only letters, digits, '.', '_' and '-'").format(
            profile=profile))
    base = Path(env["PAMONG_STATE_DIR"]) if env.get("PAMONG_STATE_DIR") else user_state_dir(env)
    path = base / profile
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def _read_profiles(path: Path) -> dict[str, dict]:
    try:
        data = toml_loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{path}: not valid TOML: {error}").format(path=path, error=exc)) from None
    except TooDeep as exc:
        raise ConfigError(_("{path}: {problem}; a profile needs only a few").format(path=path, problem=exc)) \
            from None
    except OSError as exc:
        raise ConfigError(_("{path}: cannot read: {reason}").format(path=path, reason=exc.strerror)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(_("{path}: not UTF-8 text (byte {byte}); save it as UTF-8").format(path=path,
                                                                                               byte=exc.start)) from None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(_("{path}: 'profiles' must be a table of [profiles.NAME] tables").format(path=path))
    return profiles


def available_profiles(cwd: Path | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    names: set[str] = set()
    for path in config_files(cwd, env):
        names.update(_read_profiles(path))
    return sorted(names)


def chosen_profile(option: str | None, env: Mapping[str, str] | None = None) -> str:
    """The profile a command uses: --profile, else PAMONG_PROFILE, else the environment's own (PAMONG_LMS_URL)."""
    env = os.environ if env is None else env
    name = option or env.get("PAMONG_PROFILE")
    if name:
        return name
    if env.get("PAMONG_LMS_URL"):
        return ENV_PROFILE
    raise ConfigError(
        _("no LMS profile: pass --profile NAME (a [profiles.NAME] table in {config}) or set PAMONG_LMS_URL, "
          "PAMONG_CLIENT_ID and PAMONG_CLIENT_SECRET").format(config=CONFIG_NAME)
    )


def load_profile(
    name: str | None = None, *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Profile:
    """The named profile with environment overrides, or the environment alone when no name is given."""
    env = os.environ if env is None else env
    name = chosen_profile(name, env)
    values: dict = {}
    source = "environment"
    if name != ENV_PROFILE:
        files = config_files(cwd, env)
        for path in files:
            table = _read_profiles(path).get(name)
            if table is not None:
                if not isinstance(table, dict):
                    raise ConfigError(_("{path}: [profiles.{name}] must be a table").format(path=path, name=name))
                values, source = dict(table), str(path)
                break
        else:
            searched = ", ".join(str(p) for p in files) or _("{here} and {user}").format(
                here=f"./{CONFIG_NAME}", user=user_config_dir(env) / CONFIG_NAME)
            known = available_profiles(cwd, env)
            hint = (_("known profiles: {names}").format(names=", ".join(known)) if known
                    else _("no profiles defined"))
            raise ConfigError(_("no profile '{name}' in {searched} ({hint}); add a [profiles.{name}] table").format(
                name=name, searched=searched, hint=hint))
        _check_keys(values, source, name)
    for key, var in ENV_KEYS.items():
        if env.get(var):
            values[key] = env[var]
    where = _("profile '{name}' ({source})").format(name=name, source=source)
    lms = str(values.get("lms", "openedx"))
    if not values.get("lms_url"):  # what else a profile needs (a client_id...) its backend's from_profile says
        raise ConfigError(missing(where, "lms_url"))
    return Profile(
        name=name,
        lms=lms,
        lms_url=str(values["lms_url"]).rstrip("/"),
        studio_url=str(values.get("studio_url") or values["lms_url"]).rstrip("/"),
        client_id=str(values.get("client_id", "")),
        client_secret=_secret(values, env, where),
        source=source,
        ca_bundle=str(values["ca_bundle"]) if values.get("ca_bundle") else None,
        insecure=_bool(values.get("insecure", False), where, "insecure"),
        timeout=_timeout(values.get("timeout", 30), where),
        options=dict(values.get(lms) or {}),
        limits=Limits.from_table(values.get("limits") or {}, where),
    )


def missing(where: str, key: str) -> str:
    """The message for a profile key its backend needs and does not have."""
    var = ENV_KEYS.get(key)
    if var:
        return _("{where}: '{key}' is missing; set it in the profile or in {var}").format(where=where, key=key, var=var)
    return _("{where}: '{key}' is missing; set it in the profile").format(where=where, key=key)


def _check_keys(values: dict, source: str, name: str) -> None:
    if "client_secret" in values:
        raise ConfigError(
            _("{source}: [profiles.{name}] holds client_secret; secrets never go in the file: put it in an "
              "environment variable and name that variable in client_secret_env").format(source=source, name=name)
        )
    lms = values.get("lms", "openedx")
    for table in (lms, "limits"):
        if table in values and not isinstance(values[table], dict):
            raise ConfigError(_("{source}: [profiles.{name}] has '{table}' = ...; the {table} settings go in a "
                                "[profiles.{name}.{table}] table").format(source=source, name=name, table=table))
    unknown = sorted(set(values) - KNOWN_KEYS - {lms})
    if unknown:
        raise ConfigError(
            _("{source}: [profiles.{name}] has unknown key(s) {keys}; known: {known}").format(
                source=source, name=name, keys=", ".join(unknown), known=", ".join(sorted(KNOWN_KEYS)))
        )


def _secret(values: dict, env: Mapping[str, str], where: str) -> str:
    var = values.get("client_secret_env")
    if var:
        secret = env.get(str(var))
        if not secret:
            raise ConfigError(_("{where}: environment variable {var} is not set; it must hold the client secret")
                              .format(where=where, var=var))
        return secret
    secret = env.get(SECRET_ENV)
    if not secret:
        raise ConfigError(_("{where}: no client secret: set client_secret_env in the profile, or {var}").format(
            where=where, var=SECRET_ENV))
    return secret


def _bool(value: object, where: str, key: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(_("{where}: '{key}' must be true or false").format(where=where, key=key))


def _timeout(value: object, where: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    raise ConfigError(_("{where}: 'timeout' must be a positive number of seconds").format(where=where))
