"""Exporter test material: a course built directly from model objects, so exporter tests do not depend on the YAML loader.

It holds every built-in block type, texts full of characters that XML and HTML must escape, Indonesian and
other Unicode, and assets whose names clash once Studio flattens static/ (img/peta desa.png vs
img_peta_desa.png).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from datetime import datetime, timezone
from pathlib import Path

from pamong_edx.course.model import (
    Asset, Certificate, Chapter, Choice, ChoiceProblem, Course, DiscussionBlock, GradedFormat, GradingPolicy,
    Location, NumericalProblem, Sequential, Signatory, TextBlock, TextProblem, Unit, VideoBlock,
)
from pamong_edx.course.richtext import AssetRef, RichText

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "exporters"
MODEL_COURSE = FIXTURES / "model-course"

# Everything an escaper can get wrong, in one string.
TRICKY = "Hak & Kewajiban <Desa> \"kutip\" 'apostrof' ]]> — Peraturan Desa № 5 ✓ 😀"
UTC = timezone.utc


def _loc(line: int) -> Location:
    return Location(MODEL_COURSE / "course.yaml", line, 1)


def make_course(root: Path = MODEL_COURSE) -> Course:
    assets = {
        p.relative_to(root / "assets").as_posix(): Asset(p.relative_to(root / "assets").as_posix(), p)
        for p in sorted((root / "assets").rglob("*")) if p.is_file()
    }
    lesson_units = [
        Unit("u-pengertian", "Pengertian Desa", _loc(10), blocks=[
            TextBlock(
                "t-pengertian", "text", TRICKY, _loc(11),
                markdown="",
                html=RichText((
                    "<p>Desa &amp; kelurahan &lt;berbeda&gt; — “kutip” 'satu' ]]&gt; ✓</p>\n"
                    '<p><img src="', AssetRef("img/peta desa.png"), '" alt="Peta desa"></p>\n'
                    '<p><img src="', AssetRef("img_peta_desa.png"), '" alt="Peta lain"> '
                    '<a href="', AssetRef("img/struktur-pemdes.svg"), '">Struktur</a> '
                    '<a href="https://example.id/assets/x.png">luar</a></p>\n'
                )),
                assets=["img/peta desa.png", "img_peta_desa.png", "img/struktur-pemdes.svg"],
            ),
            VideoBlock("v-musdes", "video", "Musyawarah Desa", _loc(20), youtube_id="aBcDeFgHiJk",
                       mp4_url="https://cdn.example.id/musdes.mp4?a=1&b=2", transcript="musdes.srt"),
            VideoBlock("v-mp4", "video", "", _loc(25), mp4_url="https://cdn.example.id/rapat.mp4",
                       transcript="musdes-en.vtt"),
            DiscussionBlock("d-bab1", "discussion", "Diskusi Bab 1", _loc(30),
                            prompt_html="<p>Ceritakan <em>satu</em> keputusan &amp; hasilnya.</p>\n"),
            DiscussionBlock("d-bab1-prompt", "discussion", "", _loc(35), category=TRICKY, target="Sasaran"),
        ]),
    ]
    quiz_units = [
        Unit("u-kuis", "Kuis Bab 1", _loc(40), blocks=[
            ChoiceProblem(
                "q-bpd", "single_choice", "Fungsi BPD", _loc(41),
                question_html="<p>Lembaga mana yang membahas <strong>Perdes</strong> &amp; APBDes?</p>\n",
                explanation_html="<p>Pasal 55 huruf a UU 6/2014.</p>\n",
                hints=["<p>Bukan camat.</p>\n", "<p>Singkatannya <code>BPD</code>.</p>\n"],
                max_attempts=2, weight=2.0, shuffle=True,
                choices=[
                    Choice("a", "Camat"),
                    Choice("b", "Badan Permusyawaratan Desa (BPD)", correct=True),
                    Choice("c", "Lembaga &lt;Kemasyarakatan&gt; Desa", hint="LKD membantu kepala desa."),
                ],
            ),
            ChoiceProblem(
                "q-perangkat", "multiple_choice", "Perangkat desa", _loc(50),
                question_html=RichText((
                    "<p>Bacalah ketentuan berikut.</p>\n"
                    '<p><img src="', AssetRef("img/struktur-pemdes.svg"), '" alt="Struktur"></p>\n'
                    "<p>Manakah yang termasuk perangkat desa?</p>\n"
                    "<ul>\n<li>pilih semua yang benar</li>\n</ul>\n"
                )),
                explanation_html="<p>Pasal 48 UU 6/2014.</p>\n",
                choices=[
                    Choice("a", "Sekretariat desa", correct=True, hint="Benar, sekretariat."),
                    Choice("b", "Pelaksana kewilayahan", correct=True),
                    Choice("c", "Ketua BPD"),
                ],
            ),
            ChoiceProblem(
                "q-dropdown", "dropdown", "", _loc(60),
                question_html="<p>Masa jabatan kepala desa adalah …</p>\n",
                choices=[
                    Choice("a", "5 tahun"),
                    Choice("b", "<em>6</em> tahun", correct=True, hint="Pasal 39."),
                    Choice("c", "8 tahun & lebih"),
                ],
            ),
        ]),
    ]
    exam_units = [
        Unit("u-akhir", "Evaluasi Akhir", _loc(70), blocks=[
            NumericalProblem(
                "q-persen", "numerical", "Persentase belanja", _loc(71),
                question_html="<p>Pendapatan Rp1.200.000.000, belanja Rp480.000.000. Berapa persen?</p>\n",
                explanation_html="<p>480/1200 = 40%.</p>\n",
                answer=40.0, tolerance=1.0, tolerance_is_percent=True, unit="%",
            ),
            NumericalProblem(
                "q-absolut", "numerical", "Jumlah dusun", _loc(75),
                question_html="<p>Berapa 0,5 + 2?</p>\n", answer=2.5, tolerance=0.0,
            ),
            TextProblem(
                "q-singkatan", "text_answer", "Singkatan", _loc(80),
                question_html="<p>Apa singkatan dari Anggaran Pendapatan dan Belanja Desa?</p>\n",
                explanation_html="<p>APBDes.</p>\n",
                answers=["APBDes", "APB Desa", "A&B <Desa>"],
            ),
            TextProblem(
                "q-kode", "text_answer", "Kode", _loc(85),
                question_html="<p>Tulis kodenya persis.</p>\n", answers=["KdS-01"], case_sensitive=True,
            ),
        ]),
    ]
    return Course(
        org="PamongX", number="TKD101", run="2026_T1",
        title=f"Tata Kelola Desa: {TRICKY}",
        language="id",
        root=root,
        loc=Location(root / "course.yaml", 1, 1),
        start=datetime(2026, 1, 5, 1, 0, tzinfo=UTC),
        end=datetime(2026, 12, 31, 16, 59, tzinfo=UTC),
        self_paced=True,
        short_description="Belajar tata kelola desa & <hukum> desa.",
        overview_html=RichText(('<section class="about"><h2>Tentang</h2>'
                                '<p>Ringkasan ✓ <img src="', AssetRef("cover.png"), '" alt="sampul"></p></section>\n')),
        image="cover.png",
        grading=GradingPolicy(
            formats=[GradedFormat("Kuis", "KU", 0.3), GradedFormat("Posttest", "PT", 0.7)],
            pass_cutoff=0.7,
        ),
        certificate=Certificate(
            name="Sertifikat Kompetensi", description="Diberikan kepada peserta yang lulus.",
            signatories=[Signatory("Dr. Siti Rahmawati", "Kepala Pusat", "Program Aparatur Desa")],
        ),
        chapters=[
            Chapter("bab-1", "Kedudukan & Kewenangan Desa", _loc(5), start=datetime(2026, 1, 5, 1, 0, tzinfo=UTC),
                    sequentials=[Sequential("s-apa-itu-desa", "Apa Itu Desa", _loc(8), units=lesson_units)]),
            Chapter("bab-2", "Evaluasi", _loc(38), sequentials=[
                Sequential("s-kuis", "Kuis", _loc(39), kind="quiz", graded=True, format="Kuis",
                           due=datetime(2026, 3, 31, 16, 59, tzinfo=UTC), units=quiz_units),
                Sequential("s-posttest", "Evaluasi Akhir", _loc(69), kind="posttest", graded=True,
                           format="Posttest", units=exam_units),
            ]),
        ],
        assets=assets,
    )


def extract(archive: Path, dest: Path) -> Path:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(dest, filter="data")
    return dest


def edx_cleaner(course_dir: Path) -> subprocess.CompletedProcess:
    """Run olxcleaner's command line on an extracted course directory (it takes the path of course.xml)."""
    exe = shutil.which("edx-cleaner", path=str(Path(sys.executable).parent)) or shutil.which("edx-cleaner")
    assert exe, "edx-cleaner (the olxcleaner package, in the test extra) is not installed"
    return subprocess.run([exe, "-c", str(course_dir / "course.xml")], capture_output=True, text=True, timeout=120)


# Studio validates an import with olxcleaner, allowing every XBlock it has installed (the xblock.v1 entry points of
# edx-platform; the problem bank `itembank` since the Sumac release). The edx-cleaner command line allows none.
STUDIO_XBLOCKS = frozenset({
    "about", "chapter", "conditional", "course", "course_info", "discussion", "html", "itembank", "library",
    "library_content", "lti", "poll_question", "problem", "randomize", "sequential", "split_test", "static_tab",
    "unit", "vertical", "video", "word_cloud",
})


def studio_olxcleaner(course_dir: Path, allowed: frozenset[str] = STUDIO_XBLOCKS) -> list[str]:
    """The ERROR-level findings of olxcleaner run as Studio runs it on import."""
    from olxcleaner import validate
    from olxcleaner.exceptions import ErrorLevel

    _, store, _ = validate(str(course_dir / "course.xml"), steps=8, allowed_xblocks=allowed)
    return [f"{e.filename}: {e.description}" for e in store.errors if e.level_val >= ErrorLevel.ERROR.value]
