"""A third-party question type, end to end: tests/fixtures/plugins/pamong-ordering (its own pyproject) is
pip-installed into a fresh virtualenv, listed by `pamong plugins` with its version, and a course using it is built
there to every format: the OLX passes olxcleaner, the Moodle XML reads back with its order, and in chromium under
the strict SCORM runtime the right order scores full, a wrong one 0, with valid interaction data in both
versions. Nothing of the core names the type."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from scorm_support import REPO, VERSIONS, strict_close, strict_launch

sys.path.insert(0, str(REPO / "tests" / "exporters"))
from moodle_import import read_questions  # noqa: E402
from olx_samples import edx_cleaner  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PLUGIN = REPO / "tests" / "fixtures" / "plugins" / "pamong-ordering"
COURSE = REPO / "tests" / "fixtures" / "courses" / "ordering"


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A new virtualenv that sees pamong-edx and its dependencies (those of this environment, through a .pth
    file, as a site's own packages would be) and has the plugin pip-installed into it, offline, from a copy of
    its source (pip writes build files beside a source tree). It gets no pip or setuptools of its own: this
    environment's pip installs into it (`pip --python`) and its setuptools builds the plugin."""
    root = tmp_path_factory.mktemp("fresh")
    venv = root / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (site / "pamong-edx-here.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n", encoding="utf-8")
    source = shutil.copytree(PLUGIN, root / "pamong-ordering")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-index", "--no-build-isolation",
        "--no-deps", "--no-cache-dir", source)
    installed = run(python, "-c", "import pamong_ordering, sys; print(pamong_ordering.__file__)").stdout
    assert installed.startswith(str(venv))  # the installed copy, not the fixture's source
    return python


@pytest.fixture(scope="module")
def packages(fresh, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ordering-dist")
    done = run(fresh, "-m", "pamong_edx", "build", COURSE, "--format", "all", "-o", out)
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["olx", "scorm12", "scorm2004", "moodlexml"]
    return out


def test_pamong_plugins_lists_it_with_its_version(fresh):
    listed = json.loads(run(fresh, "-m", "pamong_edx", "plugins", "--json").stdout)
    ordering = next(p for p in listed if p["name"] == "ordering")
    assert (ordering["type"], ordering["component"], ordering["version"], ordering["source"], ordering["loaded"]) == (
        "block", "block_ordering", "0.1.0", "pamong-ordering 0.1.0", True)
    table = run(fresh, "-m", "pamong_edx", "plugins").stdout
    assert any(line.split()[:4] == ["block", "ordering", "block_ordering", "0.1.0"] for line in table.splitlines())


def test_olx_passes_olxcleaner_with_a_dropdown_per_position(packages, tmp_path):
    with tarfile.open(packages / "PamongX-ORD101-2026_T1.olx.tar.gz", "r:gz") as tar:
        tar.extractall(tmp_path, filter="data")
    root = tmp_path / "course"
    problem = (root / "problem" / "tahapan.xml").read_text("utf-8")
    assert problem.count("<optioninput>") == 4 and "Langkah 4" in problem
    cleaned = edx_cleaner(root)
    assert cleaned.returncode == 0 and "ERRORs:" not in cleaned.stdout, cleaned.stdout + cleaned.stderr


def test_moodle_xml_reads_back_in_order(packages):
    questions = read_questions((packages / "PamongX-ORD101-2026_T1.moodle.xml").read_bytes())
    ordering = next(q for q in questions if q.get("idnumber") == "tahapan")
    assert ordering["qtype"] == "ordering" and ordering["gradingtype"] == "ALL_OR_NOTHING"
    assert [a["text"] for a in ordering["answers"]] == [
        "Menyusun <strong>RPJM Desa</strong>", "Menyusun RKP Desa", "Menetapkan APBDes", "Melaporkan realisasi"]
    assert ordering["tags"] == ["objective:ord-o1", "level:applied"]


def put_in_order(frame, right: bool) -> None:
    """Order the items with their buttons, as a learner does: the right order, or any other."""
    question = frame.locator('[data-question-id="tahapan"]')
    def order():
        return question.locator("[data-item-index]").evaluate_all(
            "els => els.map(e => Number(e.getAttribute('data-item-index')))")
    if right:
        for position in range(4):
            while order().index(position) != position:
                question.locator(f'[data-item-index="{position}"] [data-answer="up"]').click()
    elif order() == [0, 1, 2, 3]:
        question.locator('[data-item-index="0"] [data-answer="down"]').click()
    assert (order() == [0, 1, 2, 3]) == right


@pytest.mark.parametrize("version", VERSIONS)
def test_answered_in_the_player_under_the_strict_runtime(version, packages, tmp_path, server, open_page):
    suffix = ".scorm12.zip" if version == "1.2" else ".scorm2004.zip"
    zip_path = packages / f"PamongX-ORD101-2026_T1{suffix}"
    root = tmp_path / "pkg"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root)
    built = SimpleNamespace(zip_path=zip_path, root=root, version=version)
    sco = SimpleNamespace(href="urutan.html", pass_mark=0.5)
    assert (root / "player" / "types" / "pamong_ordering" / "player.js").is_file()
    session = open_page()
    for right in (True, False):
        frame = strict_launch(session, server, built, sco)
        put_in_order(frame, right)
        question = frame.locator('[data-question-id="tahapan"]')
        question.locator('[data-action="submit"]').click()
        assert question.locator('[data-role="feedback"]').inner_text() == (
            "Benar." if right else "Belum benar. Coba lagi.")
        choice = frame.locator('[data-question-id="pemimpin"]')
        choice.locator(f'[data-choice-id="{"b" if right else "a"}"]').check()
        choice.locator('[data-action="submit"]').click()
        state = strict_close(session)
        assert state["refused"] == []
        held = state["committed"]
        status = (held["cmi.core.lesson_status"], held["cmi.core.score.raw"]) if version == "1.2" else (
            held["cmi.success_status"], held["cmi.score.raw"])
        assert status == (("passed", "100") if right else ("failed", "0"))
        assert held["cmi.interactions.0.type"] == "sequencing"
        pattern = held["cmi.interactions.0.correct_responses.0.pattern"]
        assert pattern == ("a,b,c,d" if version == "1.2" else "rpjm_desa[,]rkp_desa[,]apbdes[,]laporan")
        response = held["cmi.interactions.0." + ("student_response" if version == "1.2" else "learner_response")]
        assert (response == pattern) == right
    assert session.errors == []
