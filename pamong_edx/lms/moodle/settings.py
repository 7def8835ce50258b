"""What a Moodle profile may set, in its `[profiles.NAME.moodle]` table, with the defaults of a stock site.

    [profiles.lampung]
    lms = "moodle"
    lms_url = "https://elearning.lampungprov.go.id"
    client_secret_env = "PAMONG_LAMPUNG_TOKEN"      # the variable holding the web-service token

    [profiles.lampung.moodle]
    auth = "manual"                  # new accounts: Moodle makes a password and mails it (or "oauth2", ...)
    roles = {student = 5}            # role ids by the name the rules' `mode` uses
    profile_fields = {kode_wilayah = "kodewilayah", jabatan = ""}   # custom field short names ("" = not written)
    user_fields = {institution = "{jenis_desa} {desa}"}             # standard fields, as templates
    nik_field = ""                   # "" (default): the NIK never goes to Moodle; "idnumber" or a field short name
    max_input_vars = 1000            # PHP's limit on the site
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pamong_edx.lms.errors import ConfigError

REGION_KEYS = ("kode_wilayah", "provinsi", "kabupaten", "kecamatan", "desa", "jabatan")
DEFAULT_PROFILE_FIELDS = {"kode_wilayah": "kodewilayah", "provinsi": "provinsi", "kabupaten": "kabupaten",
                          "kecamatan": "kecamatan", "desa": "desa", "jabatan": "jabatan"}
USER_FIELDS = ("institution", "department", "city")
DEFAULT_USER_FIELDS = {"institution": "{jenis_desa} {desa}", "department": "Kecamatan {kecamatan}",
                       "city": "{kabupaten}"}
TEMPLATE_KEYS = {"kode", "provinsi", "kabupaten", "kecamatan", "desa", "jenis_desa", "jabatan"}
# A stock install's role ids. Open edX's learner modes mean the student role, so one rules file serves both LMSs.
DEFAULT_ROLES = {"student": 5, "teacher": 4, "editingteacher": 3, "audit": 5, "honor": 5, "verified": 5}
SHORTNAME = re.compile(r"^[A-Za-z0-9_-]+$")  # PARAM_ALPHANUMEXT, as Moodle checks a custom field's short name
AUTH = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9]$")
DEFAULT_AUTH = "manual"  # what core_user_create_users uses when `auth` is not sent
KNOWN = {"auth", "roles", "default_role", "profile_fields", "user_fields", "country", "nik_field", "max_input_vars",
         "batch_size", "cohort_prefix"}


@dataclass(frozen=True)
class MoodleSettings:
    auth: str = "manual"
    roles: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    default_role: str = "student"
    profile_fields: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PROFILE_FIELDS))
    user_fields: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_USER_FIELDS))
    country: str = "ID"
    nik_field: str = ""
    max_input_vars: int = 1000
    batch_size: int = 1000  # records per call at most, whatever the field budget allows
    cohort_prefix: str = "pamong:"

    @property
    def field_budget(self) -> int:
        """POST fields a call may carry: PHP's limit less the token. PHP counts the query string's variables
        (wsfunction, moodlewsrestformat) apart from the body's."""
        return self.max_input_vars - 1

    @property
    def new_account_fields(self) -> int:
        """The most POST fields one new account takes (accounts.py `new_record`): name, email and username, the
        auth method unless Moodle's default, the password request, the user fields, the country and two per
        custom profile field (the NIK's too, when mapped)."""
        custom = sum(1 for short in self.profile_fields.values() if short) + bool(self.nik_field)
        return (4 + (self.auth != DEFAULT_AUTH) + self.password_by_moodle
                + sum(1 for template in self.user_fields.values() if template) + bool(self.country) + 2 * custom
                - (self.nik_field == "idnumber"))

    @property
    def enrol_batch(self) -> int:
        """Officials per enrol call the engine should hand over: what one email lookup carries, rounded down to
        whole account creations, so that each call that follows is filled (lookup, create, enrol, cohort)."""
        per_create = max(1, self.field_budget // self.new_account_fields)
        lookup = self.field_budget - 1
        return max(per_create, lookup // per_create * per_create)

    @property
    def password_by_moodle(self) -> bool:
        """Internal auth needs a password: Moodle makes one and mails it. Other methods (oauth2, ldap) need none."""
        return self.auth in ("manual", "email")

    def role_id(self, name: str | None) -> int | None:
        return self.roles.get(name or self.default_role)

    @classmethod
    def from_options(cls, options: Mapping[str, Any], where: str) -> MoodleSettings:
        unknown = sorted(set(options) - KNOWN)
        if unknown:
            raise ConfigError(f"{where} has unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOWN))}")
        values: dict[str, Any] = {}
        if "auth" in options:
            auth = options["auth"]
            if not isinstance(auth, str) or not AUTH.match(auth) or auth in ("mnet", "webservice"):
                raise ConfigError(f"{where}: auth '{auth}' is not an auth plugin Moodle creates accounts with; use "
                                  "manual (Moodle mails a password), oauth2, ldap, ...")
            values["auth"] = auth
        if "roles" in options:
            roles = options["roles"]
            if not isinstance(roles, dict) or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                                                      for v in roles.values()):
                raise ConfigError(f"{where}: roles must map role names to Moodle role ids, e.g. {{student = 5}}")
            values["roles"] = {**DEFAULT_ROLES, **{str(k): int(v) for k, v in roles.items()}}
        if "default_role" in options:
            values["default_role"] = str(options["default_role"])
        default_role = values.get("default_role", "student")
        if default_role not in values.get("roles", DEFAULT_ROLES):
            raise ConfigError(f"{where}: default_role '{default_role}' is not in roles; add its id there")
        if "profile_fields" in options:
            values["profile_fields"] = _profile_fields(options["profile_fields"], where)
        if "user_fields" in options:
            values["user_fields"] = _user_fields(options["user_fields"], where)
        if "country" in options:
            country = options["country"]
            if not isinstance(country, str) or not (country == "" or re.fullmatch(r"[A-Z]{2}", country)):
                raise ConfigError(f"{where}: country must be a two-letter ISO code such as ID, or \"\"")
            values["country"] = country
        if "nik_field" in options:
            nik = options["nik_field"]
            if not isinstance(nik, str) or not (nik == "" or SHORTNAME.match(nik)):
                raise ConfigError(f"{where}: nik_field must be \"\", \"idnumber\" or a profile field short name")
            values["nik_field"] = nik
        for key, low, high in (("max_input_vars", 50, 1_000_000), ("batch_size", 1, 1000)):
            if key in options:
                value = options[key]
                if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                    raise ConfigError(f"{where}: {key} must be a whole number from {low} to {high}")
                values[key] = value
        if "cohort_prefix" in options:
            prefix = options["cohort_prefix"]
            if not isinstance(prefix, str) or not prefix or len(prefix) > 40:
                raise ConfigError(f"{where}: cohort_prefix must be a short text such as \"pamong:\"")
            values["cohort_prefix"] = prefix
        return cls(**values)


def _profile_fields(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: profile_fields must be a table such as {{kode_wilayah = \"kodewilayah\"}}")
    unknown = sorted(set(table) - set(REGION_KEYS))
    if unknown:
        raise ConfigError(f"{where}: profile_fields has unknown key(s) {', '.join(unknown)}; "
                          f"known: {', '.join(REGION_KEYS)}")
    out = dict(DEFAULT_PROFILE_FIELDS)
    for key, shortname in table.items():
        if not isinstance(shortname, str) or not (shortname == "" or SHORTNAME.match(shortname)):
            raise ConfigError(f"{where}: profile_fields.{key} = '{shortname}' is not a profile field short name "
                              "(letters, digits, _ and -), or \"\" to leave it out")
        out[key] = shortname
    return out


def _user_fields(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: user_fields must be a table such as {{city = \"{{kabupaten}}\"}}")
    unknown = sorted(set(table) - set(USER_FIELDS))
    if unknown:
        raise ConfigError(f"{where}: user_fields has unknown key(s) {', '.join(unknown)}; "
                          f"known: {', '.join(USER_FIELDS)}")
    out = dict(DEFAULT_USER_FIELDS)
    for key, template in table.items():
        if not isinstance(template, str):
            raise ConfigError(f"{where}: user_fields.{key} must be a text template")
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        except ValueError as exc:
            raise ConfigError(f"{where}: user_fields.{key} '{template}' is not a valid template ({exc})") from None
        bad = sorted(names - TEMPLATE_KEYS)
        if bad:
            raise ConfigError(f"{where}: user_fields.{key} uses {', '.join('{' + b + '}' for b in bad)}; "
                              f"known: {', '.join('{' + k + '}' for k in sorted(TEMPLATE_KEYS))}")
        out[key] = template
    return out
