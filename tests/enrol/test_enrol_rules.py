import re
from pathlib import Path

import pytest

from enrol_support import FIXTURES
from pamong_edx.enrol.rules import CohortRule, RulesError, load_rules, parse_rules, rules_from_options
from pamong_edx.errors import PamongError, UsageError

RULES = FIXTURES / "rules"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "enrol.md"


def test_documented_example_is_the_tested_fixture():
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert (RULES / "wave-2025.yaml").read_text(encoding="utf-8") in blocks


def test_example_rules_decide_courses_by_position_and_region():
    rules = load_rules(RULES / "wave-2025.yaml")
    assert rules.course_keys == [
        "course-v1:Kemendagri+DESA101+2025", "course-v1:Kemendagri+KEU201+2025",
        "course-v1:Kemendagri+PESISIR01+2025", "course-v1:Kemendagri+DUSUN01+2025",
    ]

    def courses(position, region):
        return [r.course.split("+")[1] for r in rules.courses_for(position, region)]

    assert courses("Kepala Desa", "18.71.01.1003") == ["DESA101", "KEU201", "PESISIR01"]
    assert courses("KEPALA  desa", "18.10.06.2008") == ["DESA101", "KEU201"]  # case and spaces do not count
    assert courses("Kepala Dusun", "18.01.02.2001") == ["DESA101", "PESISIR01", "DUSUN01"]
    assert courses("Kepala Dusun", "32.01.01.2001") == ["DESA101"]
    assert courses("Kasi Pelayanan", "18.710.1") == ["DESA101"]  # 18.710 is not inside 18.71

    desa, keu, pesisir, dusun = rules.courses
    assert desa.cohort == CohortRule(2, "{kode} {nama}")
    assert pesisir.cohort == CohortRule(3, "{kode} {nama}")
    assert desa.auto_enroll and not dusun.auto_enroll and not desa.email_students
    assert desa.cohort.cohort_code("18.71.01.1003") == "18.71"
    assert pesisir.cohort.cohort_code("18.71.01.1003") == "18.71.01"
    assert desa.cohort.render("18.71", "Kota Bandar Lampung") == "18.71 Kota Bandar Lampung"


def test_short_forms_of_positions_are_understood():
    rules = parse_rules("courses:\n  - course: X+Y\n    positions: [Kades, sekdes, Bendahara]\n", "r.yaml")
    assert rules.courses_for("Kepala Desa", "18.71.01.1003")
    assert rules.courses_for("Kaur Keuangan", "18.71.01.1003")
    assert not rules.courses_for("Kepala Dusun", "18.71.01.1003")


def test_a_course_alone_is_for_everyone_with_no_cohorts():
    rules = load_rules(RULES / "minimal.yaml")
    (rule,) = rules.courses
    assert rule.course == "course-v1:Kemendagri+DESA101+2025"
    assert rule.cohort.level is None and rule.cohort.cohort_code("18.71.01.1003") is None
    assert rule.applies("anything", "99.99.99.9999")


def test_every_mistake_is_reported_with_its_line_and_column():
    with pytest.raises(RulesError) as caught:
        load_rules(RULES / "broken.yaml")
    found = [str(d).split("broken.yaml:")[1] for d in caught.value.diagnostics]
    assert found == [
        "3:7: RUL006 cohorts by 'kota': use one of provinsi, kabupaten, kecamatan, desa or none",
        "4:9: RUL007 '{kode} {provinsi}' uses {provinsi}; only {kode} and {nama} exist",
        "6:3: RUL003 unknown key 'email_student' in defaults; did you mean 'email_students'?",
        found[3],
        "10:13: RUL009 course course-v1:Kemendagri+DESA101+2025 is already listed at line 8; one entry per course "
        "(list several positions or regions in it)",
        "11:13: RUL010 course key 'course-v1:Kemendagri+KEU201+2025, course-v1:X+Y+Z' has a space or a comma; "
        "a course key has neither",
        "12:5: RUL005 course entry 4 has no 'course' key; give the LMS course key, e.g. course-v1:ORG+NUMBER+RUN",
        "14:15: RUL008 region '18.7' is not a region code; write e.g. 18 (provinsi), 18.71 (kabupaten/kota) or "
        "18.71.01 (kecamatan)",
        "15:18: RUL004 course entry 5: auto_enroll must be true or false",
    ]
    assert found[3].startswith("9:30: RUL014 'Bupati' is not a position of Permendagri 84/2015; write one of Kepala")
    assert "broken.yaml: 9 errors" in str(caught.value)


def test_yaml_syntax_errors_are_located():
    with pytest.raises(RulesError) as caught:
        load_rules(RULES / "syntax.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "RUL001" and diagnostic.location.line == 3


@pytest.mark.parametrize("text, code", [
    ("", "RUL005"),
    ("courses: []\n", "RUL011"),
    ("- a\n- b\n", "RUL004"),
    ("version: 2\ncourses: [X]\n", "RUL004"),
    ("courses:\n  - course: X\n    positions: []\n", "RUL012"),
    ("courses:\n  - course: X\n    mode: Verified Plus\n", "RUL013"),
    ("cohorts: {name: plain}\ncourses: [X]\n", "RUL007"),
])
def test_other_mistakes(text, code):
    with pytest.raises(RulesError) as caught:
        parse_rules(text, "r.yaml")
    assert caught.value.diagnostics[0].code == code


@pytest.mark.parametrize("text", [
    "courses: " + "[" * 100_000 + "]" * 100_000 + "\n",  # the scanner's time grows with the square of this
    "courses: " + "{a: " * 3000 + "x" + "}" * 3000 + "\n",
    "courses:\n" + "".join(f"{' ' * i}- \n" for i in range(1500)),  # past Python's recursion limit
])
def test_a_rules_file_nested_without_end_is_one_located_error(text):
    with pytest.raises(RulesError) as caught:
        parse_rules(text, "r.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code in ("RUL001", "RUL004") and str(diagnostic).startswith("r.yaml:")


def test_aliases_are_refused_so_a_bomb_never_expands():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    with pytest.raises(RulesError) as caught:
        parse_rules(bomb + "courses: [X]\n", "r.yaml")
    assert caught.value.diagnostics[0].code == "RUL004" and "anchors and aliases" in str(caught.value.diagnostics[0])


def test_missing_file_is_one_clear_error(tmp_path):
    with pytest.raises(PamongError, match="no such rules file"):
        load_rules(tmp_path / "nope.yaml")


def test_command_line_rules():
    rules = rules_from_options(["course-v1:A+B+C", "course-v1:A+D+C"], "kecamatan")
    assert [r.cohort.level for r in rules.courses] == [3, 3]
    assert rules.courses_for("x", "18.71.01.1003") == list(rules.courses)
    assert rules_from_options(["K"], "none").courses[0].cohort.level is None
    assert rules_from_options(["K"], None).digest != rules_from_options(["K"], "desa").digest
    with pytest.raises(UsageError, match="given twice"):
        rules_from_options(["K", "K"], None)
    with pytest.raises(UsageError, match="no spaces or commas"):
        rules_from_options(["A,B"], None)
    with pytest.raises(UsageError, match="only {kode} and {nama}"):
        rules_from_options(["K"], "desa", cohort_name="{kabupaten}")
