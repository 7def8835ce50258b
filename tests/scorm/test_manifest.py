"""imsmanifest.xml: valid against the ADL/IMS schemas, and sound where the schemas cannot tell (spec §5)."""

from __future__ import annotations

import zipfile
import pytest
from lxml import etree

from scorm_support import REPO, VERSIONS, build_package, make_fixture_course
from pamong_edx.course.loader import load_courses
from pamong_edx.exporters.scorm_manifest import NS, check_manifest

BUNDLED = sorted(p for p in (REPO / "course_src").glob("*/") if (p / "course.yaml").is_file())


def manifest_of(built) -> bytes:
    with zipfile.ZipFile(built.zip_path) as zf:
        return zf.read("imsmanifest.xml")


def names_of(built) -> set[str]:
    with zipfile.ZipFile(built.zip_path) as zf:
        return set(zf.namelist())


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("sco_per", ["sequential", "chapter", "course"])
def test_fixture_manifest_validates_and_passes_the_semantic_checks(version, sco_per, tmp_path, xsd):
    built = build_package(make_fixture_course(), version, tmp_path, sco_per=sco_per)
    xml = manifest_of(built)
    assert xsd(xml, version) == []
    assert check_manifest(xml, version, names_of(built)) == []


@pytest.fixture(scope="module")
def bundled_courses():
    courses, diagnostics = load_courses(BUNDLED)
    errors = [str(d) for d in diagnostics if d.is_error]
    assert not errors, "\n".join(errors)
    return courses


def test_there_are_bundled_courses(bundled_courses):
    assert len(bundled_courses) >= 1


@pytest.mark.parametrize("version", VERSIONS)
def test_every_bundled_course_builds_and_its_manifest_validates(version, bundled_courses, tmp_path, xsd):
    for course in bundled_courses:
        built = build_package(course, version, tmp_path / course.slug)
        xml = manifest_of(built)
        assert xsd(xml, version) == [], course.slug
        assert check_manifest(xml, version, names_of(built)) == [], course.slug
        graded = [s for s in built.exporter.plan.scos if s.graded]
        root = etree.fromstring(xml)
        if version == "1.2":
            marks = root.findall(f".//{{{NS['1.2']['adlcp']}}}masteryscore")
            assert [m.text for m in marks] == [str(round(course.grading.pass_cutoff * 100))] * len(graded)
        else:
            measures = root.findall(f".//{{{NS['2004']['imsss']}}}minNormalizedMeasure")
            assert len(measures) == len(graded)
            assert all(float(m.text) == course.grading.pass_cutoff for m in measures)


def test_1_2_manifest_has_the_exact_form_moodle_parses(fixture_packages):
    xml = manifest_of(fixture_packages["1.2"])
    text = xml.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"')
    assert "<schemaversion>1.2</schemaversion>" in text
    assert 'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"' in text
    assert 'adlcp:scormtype="sco"' in text and "scormType" not in text
    assert "<adlcp:masteryscore>70</adlcp:masteryscore>" in text
    assert "imsmd" not in text and "&#" not in text


def test_2004_manifest_states_the_pass_mark_as_a_primary_objective(fixture_packages):
    xml = manifest_of(fixture_packages["2004"])
    text = xml.decode("utf-8")
    assert "<schemaversion>2004 4th Edition</schemaversion>" in text
    assert 'adlcp:scormType="sco"' in text and "scormtype" not in text
    root = etree.fromstring(xml)
    ss = NS["2004"]["imsss"]
    quiz = root.find(".//{*}item[@identifier='ITEM-final-quiz']")
    primary = quiz.find(f"{{{ss}}}sequencing/{{{ss}}}objectives/{{{ss}}}primaryObjective")
    assert primary.get("satisfiedByMeasure") == "true"
    assert primary.findtext(f"{{{ss}}}minNormalizedMeasure") == "0.7"
    lesson = root.find(".//{*}item[@identifier='ITEM-lesson-1']")
    assert lesson.find(f".//{{{ss}}}objectives") is None  # nothing to pass in a lesson


def test_organization_mirrors_chapters_and_sequentials(fixture_packages):
    root = etree.fromstring(manifest_of(fixture_packages["1.2"]))
    org = root.find(".//{*}organization")

    def tree(el):
        return [(i.get("identifier"), i.findtext("{*}title"), tree(i)) for i in el.findall("{*}item")]

    assert tree(org) == [
        ("ITEM-ch-plan", "Planning", [("ITEM-lesson-1", "Village planning", []),
                                      ("ITEM-pretest", "Before you start", [])]),
        ("ITEM-ch-final", "Final test", [("ITEM-final-quiz", "Final test", [])]),
    ]


def test_titles_with_markup_characters_stay_literal_utf8(tmp_path, xsd):
    course = make_fixture_course()
    course.title = "Desa & Kota <Dasar> — “Lengkap” é"
    built = build_package(course, "1.2", tmp_path)
    xml = manifest_of(built)
    assert "<title>Desa &amp; Kota &lt;Dasar&gt; — “Lengkap” é</title>".encode() in xml
    assert xsd(xml, "1.2") == [] and check_manifest(xml, "1.2") == []


# ------------------------------------------------------------------------- the checks catch what they must


def tampered(xml: bytes, old: str, new: str) -> bytes:
    """Replace every `old` (several pairs may be given, separated by '|') in the manifest."""
    text = xml.decode("utf-8")
    for o, n in zip(old.split("|"), new.split("|")):
        assert o in text, o
        text = text.replace(o, n)
    return text.encode("utf-8")


@pytest.mark.parametrize("version,old,new,expected", [
    ("1.2", "<schemaversion>1.2</schemaversion>", "<schemaversion> 1.2 </schemaversion>", "schemaversion"),
    ("2004", "<schemaversion>2004 4th Edition</schemaversion>", "<schemaversion>CAM 1.3</schemaversion>", "schemaversion"),
    ("1.2", 'identifierref="RES-pretest"', 'identifierref="RES-nowhere"', "missing resource"),
    ("1.2", 'default="ORG-PamongTest-SC101-2026_T1"', 'default="ITEM-ch-plan"', "names no organization"),
    ("1.2", 'identifier="ITEM-pretest"', 'identifier="ITEM-lesson-1"', "used twice"),
    ("1.2", 'identifier="ITEM-pretest"', 'identifier="1-pretest"', "is not of the form"),
    ("1.2", "xmlns:adlcp=|adlcp:", "xmlns:adl=|adl:", "prefix 'adl'"),
    ("2004", 'adlcp:scormType="sco"', 'adlcp:scormtype="sco"', "lacks adlcp:scormType"),
    ("1.2", "<adlcp:masteryscore>70</adlcp:masteryscore>", "<adlcp:masteryscore>0.7</adlcp:masteryscore>", "masteryscore"),
    ("2004", "<imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>", "", "without minNormalizedMeasure"),
    ("1.2", "<title>Planning</title>", "<title>Pl&#233;nning</title>", "numeric character reference"),
    ("1.2", '<file href="pretest.html"/>', '<file href="pre-test.html"/>', "not in the package"),
])
def test_semantic_checks_catch_each_fault(version, old, new, expected, fixture_packages):
    built = fixture_packages[version]
    problems = check_manifest(tampered(manifest_of(built), old, new), version, names_of(built))
    assert any(expected in p for p in problems), problems


def test_xsd_validation_catches_a_schema_fault(fixture_packages, xsd):
    xml = tampered(manifest_of(fixture_packages["1.2"]), 'adlcp:scormtype="sco"', 'adlcp:scormtype="lesson"')
    assert xsd(xml, "1.2") != []


def test_inline_metadata_is_reported():
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
        'xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1" identifier="M">'
        "<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion><imsmd:lom/></metadata>"
        '<organizations default="O"><organization identifier="O"><title>t</title></organization></organizations>'
        "<resources/></manifest>"
    ).encode()
    problems = check_manifest(manifest, "1.2")
    assert any("inline imsmd metadata" in p for p in problems)
    assert any("holds no item" in p for p in problems)
