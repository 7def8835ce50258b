"""Markdown rendering: markdown-it output, the no-syntax shortcut, local references."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pamong_edx.course import context
from pamong_edx.course.loader import load_courses
from pamong_edx.course.markdown import MarkdownRenderer, Reference, compiled_can_render
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


# ---------------------------------------------------------------------------------------------------------------
# markdown-it-pyrs renders the texts within its subset; they must come out as markdown-it-py renders them.

python_engine = MarkdownRenderer(compiled=False)
BUNDLED = Path(__file__).resolve().parents[2] / "course_src"
WORDS = ["desa", "Kepala", "BPD", "APBDes", "2024", "Rp5.000.000", "(catatan)", "50%", "a.", "b)", "x*y", "_init_",
         "kata-kata", "café", "“kutip”", "'tunggal'", '"ganda"', "e.g.", "#tag", "~tilde~", "!", "?", "[x]", "{a}",
         "--", "—", "…", "$100", "Ñ", "½", "·", "a & b", "R&D"]
# outside the subset
RISKY = ["&amp;", "&copy;", "&#39;", "a|b", "`kode`", "a\\*b", "<b>", "é\u00a0é", "☃", "~~~", "]:"]
URLS = ["assets/img/a.png", "assets/peta desa.png", "assets/%20x.pdf", "assets/a.png#frag", "./assets/x.png",
        "https://kemendagri.go.id/a?b=c&d", "mailto:a@b.c", "#bagian", "?q=1", "//cdn.example/y", "assets/ü.png",
        "assets/(x).png", "<assets/a b.png>", "http://example.com/ü", "http://ü.example/", "https://[::1]/a.png",
        "../x.png", "assets/x.png?v=1", "", "assets/x%zz.png", "assets/a\"b.png", "javascript:alert(1)"]


def generated_markdown(rng: random.Random) -> str:
    """A text mixing CommonMark's constructs (and the ones outside the compiled subset) at random."""

    def word() -> str:
        return rng.choice(RISKY if rng.random() < 0.02 else WORDS)

    def url() -> str:
        return rng.choice(URLS)

    spans = [lambda: f"*{word()}*", lambda: f"**{word()}**", lambda: f"_{word()}_", lambda: f"***{word()}***",
             lambda: f"*{word()} {word()}", lambda: f"**{word()}*", lambda: f"[{word()}]({url()})",
             lambda: f'[{word()}]({url()} "{word()}")', lambda: f"![{word()}]({url()})", lambda: f"![]({url()})",
             lambda: f"![{word()} *{word()}*]({url()} '{word()}')", lambda: f"[![{word()}]({url()})]({url()})",
             lambda: f"[{word()}][r{rng.randint(0, 2)}]", lambda: "  \n", lambda: "\n", lambda: "![" + word(),
             lambda: "](" + word(), lambda: "\t"]

    def inline(n: int) -> str:
        out = []
        for _ in range(n):
            out.append(rng.choice(spans)() if rng.random() < 0.4 else word())
            out.append(rng.choice([" ", " ", "", ", ", ". ", "\n"]))
        return "".join(out).strip(" ")

    def block() -> str:
        kind = rng.randint(0, 13)
        if kind == 0:
            return "#" * rng.randint(1, 7) + " " + inline(3)
        if kind == 1:
            return inline(4) + "\n" + rng.choice(["===", "---", "-"])
        if kind == 2:
            return "\n".join(rng.choice(["- ", "* ", "+ ", "1. ", "2) ", "  - ", "    - ", "10. "]) + inline(3)
                             for _ in range(rng.randint(1, 4)))
        if kind == 3:
            return rng.choice(["---", "***", "___", " - - -", "* * *"])
        if kind == 4:
            cols = rng.randint(1, 3)
            rows = ["| " + " | ".join(inline(1).replace("\n", " ") for _ in range(cols)) + " |"
                    for _ in range(rng.randint(0, 3))]
            return "\n".join(["| " + " | ".join(word() for _ in range(cols)) + " |",
                              "|" + "|".join(rng.choice(["---", ":---", "---:", ":-:"]) for _ in range(cols)) + "|"]
                             + rows)
        if kind == 5:
            return rng.choice(["```", "~~~"]) + "\n" + inline(3) + rng.choice(["\n```", "\n~~~", ""])
        if kind == 6:
            return "    " + inline(2).replace("\n", "\n    ")
        if kind == 7:
            return f"[r{rng.randint(0, 2)}]: {url()}" + rng.choice(["", ' "judul"', "\n  'j'"])
        if kind == 8:
            return "1. " + inline(2) + "\n\n   " + inline(2) + "\n2. " + inline(1)
        if kind == 9:
            return "> " + inline(2) + rng.choice(["", "\n>", "\n> - " + word()])
        return inline(rng.randint(1, 8))

    text = "\n\n".join(block() for _ in range(rng.randint(1, 5)))
    return text.replace("\n\n", "\n") if rng.random() < 0.3 else text


@pytest.fixture(scope="module")
def pyrs_engine():
    pytest.importorskip("markdown_it_pyrs")
    engine = MarkdownRenderer()
    assert engine.compiled is not None
    return engine


def test_compiled_engine_gives_markdown_it_py_renderings_on_generated_texts(pyrs_engine):
    rng = random.Random(20261203)
    used = 0
    for _ in range(4000):
        text = generated_markdown(rng)
        used += compiled_can_render(text)
        assert pyrs_engine._render(text, False) == python_engine._render(text, False), repr(text)
    assert used > 500  # the subset is exercised, not only the texts that fall back


def test_compiled_engine_gives_markdown_it_py_renderings_of_inline_texts(pyrs_engine):
    """Choices and hints: pyrs has no inline mode, so a one-paragraph text is rendered as a block, <p> taken off."""
    rng = random.Random(20261204)
    used = 0
    for _ in range(3000):
        line = generated_markdown(rng).split("\n")[0]
        start = rng.choice(["", " ", "1. ", "- ", "# ", "_", "Ya ", "Kepala ", "Desa "])
        text = start + line + rng.choice(["", "", " ", "*"])
        used += compiled_can_render(text) and pyrs_engine._render_compiled(text, True) is not None
        assert pyrs_engine._render(text, True) == python_engine._render(text, True), repr(text)
    assert used > 300  # the compiled path is exercised


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("inline", [False, True])
def test_compiled_engine_gives_markdown_it_py_renderings_on_samples(pyrs_engine, text, inline):
    assert pyrs_engine._render(text, inline) == python_engine._render(text, inline)


def test_compiled_engine_gives_markdown_it_py_renderings_on_the_bundled_courses(pyrs_engine, monkeypatch):
    texts: list[tuple[str, bool]] = []
    record = MarkdownRenderer._render

    def recording(self, text, inline):
        texts.append((text, inline))
        return record(self, text, inline)

    monkeypatch.setattr(MarkdownRenderer, "_render", recording)
    monkeypatch.setattr(context, "_renderer", None)
    courses, diagnostics = load_courses(sorted(p for p in BUNDLED.iterdir() if (p / "course.yaml").exists()))
    assert courses and not [d for d in diagnostics if d.is_error]
    monkeypatch.undo()
    assert sum(1 for text, inline in texts if not inline and compiled_can_render(text)) > 100
    for text, inline in texts:
        assert pyrs_engine._render(text, inline) == python_engine._render(text, inline), repr(text)


@pytest.mark.parametrize("text", [
    "![a \\* b](x.png)", "![a &amp; b](x.png)", "`   `", "[foo `bar` baz`", "| a |\n| - |\n| 1 |", "~~~\nkode",
    "[a]: /url\n\n[a]", ">", "*€*uang", "[a](http://ü.example/)", "[a](https://[::1]/)", "a\r\nb", "<b>",
])
def test_what_the_engines_render_differently_is_outside_the_subset(pyrs_engine, text):
    assert not compiled_can_render(text)
    assert pyrs_engine._render(text, False) == python_engine._render(text, False)


def test_compiled_references_are_placed_as_markdown_it_py_places_them(pyrs_engine):
    # (a path written percent-encoded is not in the text as such: markdown-it-py places it at its paragraph)
    text = ("Pengantar\n\n- butir ![Bagan desa](assets/bagan.svg \"judul\")\n  dan [formulir](assets/f%20a.pdf#hal-2)\n"
            "- [situs](https://kemendesa.go.id) [bab](#bab-2)\n\n[![ikon](assets/ikon.png)](assets/besar.png)\n")
    rendering = pyrs_engine._render(text, False)
    assert rendering == python_engine._render(text, False)
    assert [(r.path, r.is_image, r.alt, r.line) for r in rendering.refs] == [
        ("assets/bagan.svg", True, "Bagan desa", 2), ("assets/f a.pdf", False, "", 2),
        ("assets/besar.png", False, "", 6), ("assets/ikon.png", True, "ikon", 6)]


def test_a_path_that_occurs_twice_is_placed_by_markdown_it_py(pyrs_engine, monkeypatch):
    text = "Berkas assets/f.pdf\ndi sini: [unduh](assets/f.pdf)\n\n![x](assets/a.png) lagi ![y](assets/a.png)\n"
    assert pyrs_engine._render_compiled(text) is None  # the python engine knows the paragraph it sits in
    assert pyrs_engine._render(text, False) == python_engine._render(text, False)
    assert [r.line for r in python_engine._render(text, False).refs] == [0, 3, 3]


def test_without_the_compiled_engine_everything_renders_in_python():
    engine = MarkdownRenderer(compiled=False)
    assert engine.compiled is None
    assert str(engine.render("**tebal** & *miring*")) == "<p><strong>tebal</strong> &amp; <em>miring</em></p>\n"


def test_the_compiled_engine_places_references_itself(pyrs_engine):
    text = ("Pengantar\n\n- butir ![Bagan desa](assets/bagan.svg \"judul\")\n  dan [formulir](assets/f.pdf#hal-2)\n"
            "- [situs](https://kemendesa.go.id) [bab](#bab-2)\n\n1. ![](assets/ikon.png) & *x*\n")
    rendering = pyrs_engine._render_compiled(text)
    assert rendering is not None and rendering == python_engine._render(text, False)
    assert [(r.path, r.is_image, r.alt, r.line) for r in rendering.refs] == [
        ("assets/bagan.svg", True, "Bagan desa", 2), ("assets/f.pdf", False, "", 3), ("assets/ikon.png", True, "", 6)]
    assert rendering.written == ("assets/bagan.svg", "assets/f.pdf", "assets/ikon.png")
