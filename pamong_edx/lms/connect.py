"""From a profile to a live backend: the one way every command opens an LMS (`lms check`, `deploy`, `enrol`)."""

from __future__ import annotations

import dataclasses

from pamong_edx.lms.profiles import ENV_PROFILE, Profile, load_profile
from pamong_edx.lms.protocol import LmsBackend
from pamong_edx.plugins import registry


def open_backend(profile: Profile) -> LmsBackend:
    """The `lms` plugin the profile names, built from the profile."""
    backend_class = registry().get("lms", profile.lms)
    return backend_class.from_profile(profile)


def backend_for(profile_name: str | None, *, insecure: bool = False) -> tuple[Profile, LmsBackend]:
    """The named profile (None or "env": the environment alone) and its backend; `insecure` as --insecure."""
    profile = load_profile(None if profile_name == ENV_PROFILE else profile_name)
    if insecure and not profile.insecure:
        profile = dataclasses.replace(profile, insecure=True)
    return profile, open_backend(profile)
