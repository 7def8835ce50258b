"""Markdown rendering: markdown-it output, the no-syntax shortcut, local references."""

from __future__ import annotations

import random

import pytest

from pamong_edx.course.markdown import MarkdownRenderer, Reference
from pamong_edx.course.richtext import AssetRef, RichText

renderer = MarkdownRenderer()

SAMPLES = [
    "Desa adalah kesatuan masyarakat hukum.",
    "Berapa persen? 40% dari Rp1.200.000.000",
    'Kutipan "langsung" dan \'tunggal\'',
    "  spasi di depan", "spasi di belakang  ", "    kode karena indentasi",
    "- butir daftar", "+ butir", "* butir", "1. nomor", "2026) tahun", "1986. Tahun yang baik", "2026 adalah tahun",
    "# judul", "> kutipan", "---", "===", "a = b", "a - b", "x_y_z", "**tebal**", "*miring*", "`kode`",
    "[tautan](https://example.id)", "<https://example.id>", "a & b", "&amp;", "a < b > c", "baris\nkedua",
    "paragraf\n\nkedua", "| a | b |\n| - | - |\n| 1 | 2 |", "a\\b", "tab\there", "~~coret~~", "Pasal 1 angka 1",
    "", "\n", "teks\n", "\nteks\n\n", "é ü ñ — “kutip”", "100%", "a|b", "#tagar", "!penting",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("inline", [False, True])
def test_shortcut_renders_exactly_what_markdown_it_renders(text, inline):
    expected = renderer.md.renderInline(text) if inline else renderer.md.render(text)
    assert str(renderer.render(text, inline=inline)) == expected


def test_shortcut_matches_markdown_it_on_random_text():
    rng = random.Random(20260105)
    alphabet = "abc XYZ 019.,:;?()'\"%-+=/é\n\t#*_[]!<>&|~`\\"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        for inline in (False, True):
            expected = renderer.md.renderInline(text) if inline else renderer.md.render(text)
            assert str(renderer.render(text, inline=inline)) == expected, repr(text)


def test_raw_html_is_escaped_and_tables_render():
    html = str(renderer.render("<script>alert(1)</script>\n\n| a | b |\n| - | - |\n| 1 | 2 |\n"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<table>" in html and "<td>2</td>" in html


def test_local_references_are_asset_references_and_located():
    seen: list[Reference] = []

    def check(ref: Reference) -> str | None:
        seen.append(ref)
        return None if ref.path.endswith(".pdf") else ref.path.removeprefix("./").removeprefix("assets/")

    text = ("Paragraf pertama\nmasih pertama ![Bagan](<assets/bagan desa.svg>)\n\n"
            "[formulir](assets/f.pdf#hal-2) dan [situs](https://kemendesa.go.id) dan [bab](#bab-2)\n\n"
            "![](./assets/x.png)\n")
    rich = renderer.render(text, check=check)
    assert seen == [
        Reference("assets/bagan desa.svg", True, "Bagan", 1),
        Reference("assets/f.pdf", False, "", 3),
        Reference("./assets/x.png", True, "", 5),
    ]
    assert rich.assets == ("bagan desa.svg", "x.png")
    html = rich.html(lambda name: f"/static/{name.replace(' ', '_')}")
    assert '<img src="/static/bagan_desa.svg" alt="Bagan" />' in html
    assert '<a href="assets/f.pdf#hal-2">' in html  # left as written when it names no asset
    assert '<a href="https://kemendesa.go.id">' in html and '<a href="#bab-2">' in html
    assert '<img src="/static/x.png" alt="" />' in html
    assert str(rich) == rich.html()  # the course's own layout: assets/<name>, percent-encoded
    assert '<img src="assets/bagan%20desa.svg" alt="Bagan" />' in str(rich)


def test_a_text_is_rendered_once_and_its_references_checked_at_every_use():
    fresh = MarkdownRenderer()
    calls: list[str] = []
    for _ in range(3):
        rich = fresh.render("Lihat ![peta](assets/peta.png).", check=lambda ref: calls.append(ref.path) or "peta.png")
        assert rich == RichText(('<p>Lihat <img src="', AssetRef("peta.png"), '" alt="peta" />.</p>\n'))
    assert calls == ["assets/peta.png"] * 3
    assert len(fresh.memo) == 1


def test_rich_text_composes_and_resolves_urls_as_attributes():
    inner = RichText(("<p>", AssetRef("a&b.png"), "</p>"))
    composed = '<div class="note">' + inner + "</div>"
    assert isinstance(composed, RichText) and composed.assets == ("a&b.png",)
    assert composed.html(lambda name: f'/s/{name}"x') == '<div class="note"><p>/s/a&amp;b.png&quot;x</p></div>'
    assert not RichText((" \n",)) and RichText((AssetRef("x"),)) and not RichText()
