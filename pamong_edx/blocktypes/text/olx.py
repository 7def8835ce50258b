"""text in OLX: an HTML component."""

from __future__ import annotations

from pamong_edx.course.model import TextBlock
from pamong_edx.exporters.olx_output import OlxOutput, OlxRenderer


class TextOlx(OlxRenderer):
    def render(self, block: TextBlock, out: OlxOutput) -> None:
        out.html_component(block.id, out.title(block), block.html)
