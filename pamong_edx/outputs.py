"""Output paths: a command never writes over one of its own inputs.

`pamong enrol R.csv --dry-run --plan R.csv` would replace the roster it is reading; every command that writes
files checks its outputs against its inputs first, before anything is read or sent.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pamong_edx.errors import UsageError
from pamong_edx.i18n import _


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return a.resolve() == b.resolve()


def refuse_overwriting_inputs(outputs: Iterable[str | os.PathLike | None],
                              inputs: Iterable[str | os.PathLike | None]) -> None:
    """Raise UsageError when an output path is, or resolves to (links, `..`, case aside), one of the input files."""
    ins = [Path(p) for p in inputs if p is not None]
    for out in (Path(p) for p in outputs if p is not None):
        for source in ins:
            if _same_file(out, source):
                raise UsageError(
                    _("output {output} would overwrite the input {input}; write the output to another file")
                    .format(output=out, input=source)
                )
