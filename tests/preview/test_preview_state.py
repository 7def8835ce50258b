"""The preview's model side, without a browser: reloads through the build cache, pages kept while their sources
are unchanged, answer keys asked of each question type, diagnostics linked to their blocks, the OLX view."""

from __future__ import annotations

import shutil

import pytest
from lxml import etree

from pamong_edx.course.cache import BuildCache
from pamong_edx.diagnostics import Location
from pamong_edx.preview import olx_view
from pamong_edx.preview.state import Preview, target_of

from preview_support import FIXTURE


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    shutil.copytree(FIXTURE, folder)
    return folder


@pytest.fixture
def preview(course, tmp_path):
    return Preview(course, BuildCache(tmp_path / "cache"))


def test_a_reload_rebuilds_only_what_changed(preview, course):
    first = preview.snapshot.build
    closing = first.course.chapters[1]
    summary_page = preview.page(first, "summary")
    lesson_page = preview.page(first, "lesson")
    closing_key = first.cache.source_key(closing)
    assert closing_key is not None

    (course / "content" / "intro.md").write_text("The budget is agreed with the BPD.\n", encoding="utf-8")
    second = preview.reload().build
    assert second is not first and preview.snapshot.generation == 2
    # the untouched chapter came from the cache with the same sources, and its page was not rendered again
    assert second.cache.source_key(second.course.chapters[1]) == closing_key
    assert preview.page(second, "summary") is summary_page
    # the edited one was
    assert preview.page(second, "lesson") is not lesson_page
    assert "agreed with the BPD" in preview.page(second, "lesson")[0]


def test_the_answer_key_is_asked_of_each_question_type(preview):
    build = preview.snapshot.build
    # single_choice: the position of its right choice; numerical: the number in plain digits; text: its first answer
    assert preview.answer_keys(build, "quiz") == ["1", "40", "APBDes"]
    assert preview.answer_keys(build, "lesson") == []


def test_errors_keep_the_last_good_build_and_link_to_their_block(preview, course):
    good = preview.snapshot.build
    chapter = course / "chapters" / "01-budget.yaml"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("answer: b", "answer: z"), encoding="utf-8")  # names no choice
    snapshot = preview.reload()
    assert snapshot.has_errors and snapshot.shown is good
    error = next(d for d in snapshot.diagnostics if d.is_error)
    assert error.code == "E107"
    target = target_of(snapshot.shown, error.location)
    assert (target.sco, target.page, target.block) == ("quiz", "quiz-questions", "q-who")

    chapter.write_text(text, encoding="utf-8")
    fixed = preview.reload()
    assert not fixed.has_errors and not [d for d in fixed.diagnostics if d.is_error]


def test_a_location_outside_the_course_links_nowhere(preview):
    assert target_of(preview.snapshot.build, Location("elsewhere.yaml", 3, 1)) is None
    assert target_of(preview.snapshot.build, None) is None


def test_the_olx_view_renders_the_capa_the_exporter_writes(preview):
    files, problems = preview.olx_files(preview.snapshot.build)
    assert problems == []
    units = olx_view.sequential_view(files, "quiz")
    assert [u.title for u in units] == ["Questions"]
    html = "\n".join(units[0].items)
    doc = etree.fromstring(f"<div>{html}</div>", etree.HTMLParser())
    who = doc.xpath('//section[@data-url-name="q-who"]')[0]
    assert who.xpath('.//p[@class="problem-label"]')[0].text == "Who signs the village budget regulation?"
    assert [c.get("data-correct") for c in who.xpath('.//label[@class="choice"]')] == ["false", "true"]
    assert who.xpath('.//input/@type') == ["radio", "radio"]
    share = doc.xpath('//section[@data-url-name="q-share"]')[0]
    assert share.xpath('.//span[@class="trailing-text"]')[0].text == "%"
    name = doc.xpath('//section[@data-url-name="q-name"]')[0]
    assert "APBDes | APB Desa" in "".join(name.xpath('.//div[@class="answer-key"]//text()'))
    assert olx_view.sequential_view(files, "no-such-sequential") is None


def test_capa_parts_render_as_open_edx_lays_them_out():
    root = etree.fromstring(
        b'<problem display_name="Q" max_attempts="2" weight="3" showanswer="finished">'
        b'<choiceresponse><label>Pick <em>two</em></label><description>Any order</description>'
        b'<checkboxgroup><choice correct="true">A<choicehint>yes</choicehint></choice>'
        b'<choice correct="false">B <img src="/static/b.png"/></choice></checkboxgroup></choiceresponse>'
        b'<demandhint><hint>First</hint><hint>Second</hint></demandhint>'
        b'<customresponse cfn="x"/></problem>')
    html = olx_view.render_problem(root, "q")
    assert '<input type="checkbox"' in html and "Pick <em>two</em>" in html
    assert 'src="/olx/static/b.png"' in html  # Open edX's /static/ rewriting, to the preview's files
    assert "Hint (2 of 2)" in html and "2 attempt(s) allowed" in html and "3 point(s)" in html
    assert "customresponse" in html and "renders itself" in html  # named, not silently dropped
    assert '<span class="choice-hint" hidden>yes</span>' in html and "Ayes" not in html


def test_submit_in_the_open_edx_view_marks_answers_by_open_edx_rules(preview):
    files, _problems = preview.olx_files(preview.snapshot.build)

    def marks(url_name, **answers):
        root = olx_view.parse(files[f"course/problem/{url_name}.xml"])
        return list(olx_view.grade(root, url_name, {f"{url_name}-{n}": v for n, v in answers.items()}).values())

    def n(url_name):  # the position of the problem's response among its children
        root = olx_view.parse(files[f"course/problem/{url_name}.xml"])
        return next(i for i, child in enumerate(root) if str(child.tag).endswith("response"))

    who, share, name = n("q-who"), n("q-share"), n("q-name")
    assert marks("q-who", **{str(who): ["1"]}) == [True]
    assert marks("q-who", **{str(who): ["0"]}) == [False]
    assert marks("q-who") == [False]  # nothing chosen
    # the numerical answer through the pattern Open edX is given: 40 ± 0.5, with or without the unit
    for typed, right in (("40", True), ("40 %", True), ("40.4", True), ("39,6", True), ("35", False),
                         ("41", False), ("", False), ("forty", False)):
        assert marks("q-share", **{str(share): [typed]}) == [right], typed
    assert marks("q-name", **{str(name): ["  apb desa "]}) == [True]  # trimmed, case ignored (type="ci")
    assert marks("q-name", **{str(name): ["APB"]}) == [False]
