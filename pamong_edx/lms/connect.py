"""From a profile to a live backend: pick the `lms` plugin the profile names and build it."""

from __future__ import annotations

import dataclasses

from pamong_edx.lms.profiles import Profile, load_profile
from pamong_edx.lms.protocol import LmsBackend
from pamong_edx.plugins import registry


def open_backend(profile: Profile) -> LmsBackend:
    backend_class = registry().get("lms", profile.lms)
    return backend_class.from_profile(profile)


def backend_for(profile_name: str | None, *, insecure: bool = False) -> tuple[Profile, LmsBackend]:
    profile = load_profile(profile_name)
    if insecure and not profile.insecure:
        profile = dataclasses.replace(profile, insecure=True)
    return profile, open_backend(profile)
