"""`discussion`: a forum topic with a prompt (Open edX discussion; a prompt to take to the forum elsewhere)."""

from __future__ import annotations

from pamong_edx.course.blocks import BlockType
from pamong_edx.course.context import LoadContext
from pamong_edx.course.model import Block, DiscussionBlock
from pamong_edx.course.schema import MARKDOWN, text
from pamong_edx.course.yamlsource import Fields


class DiscussionBlockType(BlockType):
    component = "block_discussion"
    name = "discussion"
    description = "A discussion topic with a prompt."
    renderers = {
        "olx": "pamong_edx.blocktypes.discussion.olx:DiscussionOlx",
        "scorm": "pamong_edx.blocktypes.discussion.player:DiscussionPlayer",
    }
    schema = {
        "properties": {
            "prompt": MARKDOWN | {"description": "What learners are asked to discuss (Markdown)."},
            "category": text("Discussion category; defaults to the chapter title."),
        },
        "required": ["prompt"],
    }

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        prompt = ctx.markdown(raw, "prompt", required=True)
        category = ctx.string(raw, "category") or (ctx.chapter.title if ctx.chapter else "")
        return DiscussionBlock(**ctx.common(), prompt_markdown=prompt.markdown, prompt_html=prompt.html,
                               category=category, target=ctx.unit.title if ctx.unit else "")

    @staticmethod
    def to_html(block: DiscussionBlock) -> str:
        return block.prompt_html
