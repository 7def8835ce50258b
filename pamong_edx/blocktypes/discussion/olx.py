"""discussion in OLX: the prompt as an HTML component, then the discussion component written inline, as Studio
exports it."""

from __future__ import annotations

from lxml import etree

from pamong_edx.course.model import DiscussionBlock
from pamong_edx.exporters.olx_capa import xml_safe
from pamong_edx.exporters.olx_output import OlxOutput, OlxRenderer


class DiscussionOlx(OlxRenderer):
    def render(self, block: DiscussionBlock, out: OlxOutput) -> None:
        title = out.title(block)
        if block.prompt_html:
            out.html_component(out.unique(f"{block.id}-prompt"), title, block.prompt_html)
        course = out.course
        out.append(etree.Element("discussion", {
            "url_name": block.id,
            "xblock-family": "xblock.v1",
            "display_name": xml_safe(title),
            "discussion_category": xml_safe(block.category or out.chapter.title),
            "discussion_target": xml_safe(block.target or out.unit.title),
            # unique across the deployment and free of '.', as the discussion service requires
            "discussion_id": f"{course.org}_{course.number}_{course.run}_{block.id}",
        }))
