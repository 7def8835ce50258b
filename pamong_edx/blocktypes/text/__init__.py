"""`text`: Markdown, inline or from a file under content/, shown as it is written."""

from __future__ import annotations

from pamong_edx.course.blocks import BlockType
from pamong_edx.course.context import LoadContext
from pamong_edx.course.model import Block, TextBlock
from pamong_edx.course.schema import MARKDOWN, PATH
from pamong_edx.course.yamlsource import Fields


class TextBlockType(BlockType):
    component = "block_text"
    name = "text"
    description = "Markdown text, inline or from a file under content/."
    renderers = {
        "olx": "pamong_edx.blocktypes.text.olx:TextOlx",
        "scorm": "pamong_edx.blocktypes.text.player:TextPlayer",
    }
    schema = {
        "properties": {"markdown": MARKDOWN, "file": PATH | {"description": "A Markdown file, e.g. content/x.md."}},
        "oneOf": [{"required": ["markdown"]}, {"required": ["file"]}],
    }

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        if raw.given("markdown") and raw.given("file"):
            ctx.error("E105", "give either 'markdown' or 'file', not both", raw.key_loc("file"))
        if raw.given("markdown"):
            rendered = ctx.markdown(raw, "markdown")
        elif raw.given("file"):
            rendered = ctx.markdown_file(raw, "file")
        else:
            ctx.error("E102", "a text block needs 'markdown' or 'file'", raw)
            rendered = ctx.markdown(raw, "markdown")
        return TextBlock(**ctx.common(), markdown=rendered.markdown, html=rendered.html, assets=rendered.assets)

    @staticmethod
    def to_html(block: TextBlock) -> str:
        return block.html
