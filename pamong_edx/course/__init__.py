"""Course sources: the typed model, the YAML loader and its diagnostics."""

from pamong_edx.course import codes as _codes  # noqa: F401  (registers the course diagnostic codes)
