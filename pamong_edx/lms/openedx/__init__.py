"""The Open edX backend (`lms` plugin `openedx`)."""

from pamong_edx.lms.openedx.backend import OpenEdxBackend

__all__ = ["OpenEdxBackend"]
