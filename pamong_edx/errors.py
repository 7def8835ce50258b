"""The one exception root. The CLI catches PamongError and prints one line; anything else is a bug."""

from __future__ import annotations


class PamongError(Exception):
    """An error the user can act on: the message says what went wrong and what to do."""

    exit_code = 1


class UsageError(PamongError):
    """Bad arguments or configuration given by the user."""

    exit_code = 2


class DiagnosticsFailed(PamongError):
    """Validation found errors; they have already been printed."""
