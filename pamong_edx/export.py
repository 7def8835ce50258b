"""The exporter lifecycle every format plugin follows (in the manner of Sphinx builders).

    exporter = ExporterClass(course, out_dir, options)
    exporter.prepare()        # check the course fits this format; raise ExportError with located diagnostics
    exporter.write()          # render every chapter, sequential, unit and block
    result = exporter.finish()  # assemble the package on disk, reproducibly, and report what it holds

A block type the exporter does not render itself is still supported when its block plugin offers
`to_html(block) -> RichText | str`: the exporter places that HTML as static content. Anything else is reported by
`unsupported_blocks()` before any file is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Iterable

from pamong_edx.course.model import Block, Course
from pamong_edx.diagnostics import Diagnostic, to_text
from pamong_edx.errors import PamongError
from pamong_edx.i18n import _


class ExportError(PamongError):
    """The course cannot be exported in this format: every reason, as a located Diagnostic.

    An exporter reports only what its format cannot hold; what the loader checked (identifiers, references,
    assets, answers) is an invariant of the model, which exporters trust."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(to_text(self.diagnostics))


# Fixed timestamp for every archive entry so that the same source gives byte-identical packages
# (2020-01-01T00:00:00Z; zip cannot store dates before 1980).
REPRODUCIBLE_MTIME = 1577836800


@dataclass
class BuildResult:
    format: str
    path: Path
    size: int
    counts: dict[str, int] = field(default_factory=dict)  # e.g. {"blocks": 12, "problems": 5, "assets": 3}
    largest_files: list[tuple[str, int]] = field(default_factory=list)  # (name in package, bytes), largest first
    warnings: list[str] = field(default_factory=list)


class Exporter:
    """Base class of exporter plugins. Subclasses set the class attributes and implement the lifecycle."""

    component: ClassVar[str] = ""
    name: ClassVar[str] = ""
    version: ClassVar[str] = ""
    requires: ClassVar[str] = ">=0.1,<1"
    suffix: ClassVar[str] = ""  # appended to course.slug, e.g. ".olx.tar.gz"
    supported_blocks: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, course: Course, out_dir: Path, options: dict[str, Any] | None = None):
        self.course = course
        self.out_dir = Path(out_dir)
        self.options = dict(options or {})

    @property
    def output_path(self) -> Path:
        return self.out_dir / f"{self.course.slug}{self.suffix}"

    def html_fallback(self, block: Block):
        """The block plugin's `to_html`, for block types this exporter does not render natively."""
        from pamong_edx.plugins import block_types

        plugin = block_types().get(block.type)
        return getattr(plugin, "to_html", None) if plugin is not None else None

    def unsupported_blocks(self) -> list[Block]:
        return [
            b for b in self.course.blocks()
            if b.type not in self.supported_blocks and self.html_fallback(b) is None
        ]

    def prepare(self) -> None:
        bad = self.unsupported_blocks()
        if bad:
            raise ExportError(
                Diagnostic("E114", _("block type '{type}' is not supported by the {exporter} exporter").format(
                    type=b.type, exporter=self.name), b.loc)
                for b in bad)

    def write(self) -> None:
        raise NotImplementedError

    def finish(self) -> BuildResult:
        raise NotImplementedError

    def build(self) -> BuildResult:
        self.prepare()
        self.write()
        return self.finish()
