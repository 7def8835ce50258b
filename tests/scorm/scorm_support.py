"""Helpers of the SCORM tests: a course built from model objects, package building, XSD drivers, and the
local server and test LMS page that run packages under scorm-again. Fixtures using them are in conftest.py."""

from __future__ import annotations

import json
import shutil
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse


from pamong_edx.course.model import (
    Asset, Chapter, Choice, ChoiceProblem, Course, DiscussionBlock, GradedFormat, GradingPolicy, Location,
    NumericalProblem, Sequential, TextBlock, TextProblem, Unit, VideoBlock,
)
from pamong_edx.course.richtext import AssetRef, RichText
from pamong_edx.exporters.scorm import Scorm12Exporter, Scorm2004Exporter

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SCHEMAS = SHARED / "schemas"
FIXTURE_ROOT = REPO / "tests" / "fixtures" / "scorm" / "course"
VIDEO_DIR = REPO / "tests" / "fixtures" / "scorm" / "video"  # a 2-second H.264/AAC clip and its captions
SCORM_AGAIN = REPO / "node_modules" / "scorm-again" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
EXPORTERS = {"1.2": Scorm12Exporter, "2004": Scorm2004Exporter}
VERSIONS = ("1.2", "2004")


# ------------------------------------------------------------------------------------------ fixture course


def _loc(line: int) -> Location:
    return Location(FIXTURE_ROOT / "course.yaml", line, 1)


def make_fixture_course(language: str = "en", cutoff: float = 0.7, extra_quiz_units: int = 0) -> Course:
    """A small course exercising every block type: a lesson with text, image, video, discussion and a practice
    question; an ungraded pretest; a graded final quiz with all five problem types over two pages."""
    n = iter(range(1, 10_000))

    def mc(id_, type_, question, choices, correct, **kw):
        return ChoiceProblem(
            id=id_, type=type_, title="", loc=_loc(next(n)), question_html=f"<p>{question}</p>",
            choices=[Choice(cid, text, cid in correct, hint=hints) for cid, text, hints in choices], **kw)

    lesson = Sequential("lesson-1", "Village planning", _loc(next(n)), kind="lesson", units=[
        Unit("l1-intro", "What a village plan is", _loc(next(n)), blocks=[
            TextBlock("l1-intro-text", "text", "What a village plan is", _loc(next(n)),
                      html=RichText(('<p>A <strong>village plan</strong> sets out six years of work.</p>\n'
                                     '<p><img src="', AssetRef("siklus.svg"), '" alt="Planning cycle"></p>\n')),
                      assets=["siklus.svg"]),
            VideoBlock("l1-video", "video", "The village meeting", _loc(next(n)), youtube_id="dQw4w9WgXcQ",
                       mp4_url="https://video.example.org/musdes.mp4", transcript="musdes.vtt"),
        ]),
        Unit("l1-meeting", "Who takes part", _loc(next(n)), blocks=[
            DiscussionBlock("l1-discuss", "discussion", "Your village", _loc(next(n)),
                            prompt_html="<p>Who came to your last village meeting?</p>"),
            mc("l1-practice", "single_choice", "Who leads the village meeting?",
               [("a", "The district head", ""), ("b", "The village consultative body", "")], {"b"},
               explanation_html="<p>The BPD leads it.</p>"),
        ]),
        Unit("l1-summary", "Summary", _loc(next(n)), blocks=[
            TextBlock("l1-summary-text", "text", "Summary", _loc(next(n)), html="<p>Plan, budget, report.</p>"),
        ]),
    ])
    pretest = Sequential("pretest", "Before you start", _loc(next(n)), kind="pretest", units=[
        Unit("pre-u1", "Warm-up", _loc(next(n)), blocks=[
            mc("pre-q1", "single_choice", "How many years does a village plan cover?",
               [("a", "One", ""), ("b", "Six", "")], {"b"}),
        ]),
    ])
    quiz_units = [
        Unit("fq-choices", "Choices", _loc(next(n)), blocks=[
            mc("q-single", "single_choice", "Which body agrees village regulations with the head?",
               [("a", "The district office", ""), ("b", "The BPD", ""), ("c", "The LKD", "The LKD helps the head.")],
               {"b"}, explanation_html="<p>Article 55: the BPD.</p>", hints=["<p>Think of the village parliament.</p>"]),
            mc("q-multi", "multiple_choice", "Which are village officials?",
               [("a", "Village secretariat", ""), ("b", "BPD chair", ""), ("c", "Hamlet heads", "")], {"a", "c"},
               weight=2.0, explanation_html="<p>The BPD is not part of the village government.</p>"),
            mc("q-drop", "dropdown", "Who signs the village budget?",
               [("a", "The camat", ""), ("b", "The village head", "")], {"b"}, max_attempts=1,
               explanation_html="<p>The village head.</p>"),
        ]),
        Unit("fq-numbers", "Numbers and words", _loc(next(n)), blocks=[
            NumericalProblem("q-num", "numerical", "", _loc(next(n)),
                             question_html="<p>Spending 480 of 1200: what percent?</p>", answer=40.0,
                             tolerance=0.5, unit="%", explanation_html="<p>480 / 1200 = 40 %.</p>"),
            NumericalProblem("q-num-pct", "numerical", "", _loc(next(n)),
                             question_html="<p>Half of 3.5 million, in rupiah?</p>", answer=1750000.5,
                             tolerance=1, tolerance_is_percent=True, max_attempts=2),
            TextProblem("q-text", "text_answer", "", _loc(next(n)),
                        question_html="<p>What is the village budget called?</p>", answers=["APBDes", "APB Desa"],
                        explanation_html="<p>APBDes.</p>"),
        ]),
    ]
    for i in range(extra_quiz_units):
        quiz_units.append(Unit(f"fq-extra-{i}", f"More practice {i}", _loc(next(n)), blocks=[
            TextProblem(f"q-extra-{i}", "text_answer", "", _loc(next(n)),
                        question_html="<p>Type the word <em>desa</em>.</p>", answers=["desa"]),
        ]))
    quiz = Sequential("final-quiz", "Final test", _loc(next(n)), kind="posttest", graded=True, format="Final",
                      units=quiz_units)
    assets = {p.name: Asset(p.name, p) for p in sorted((FIXTURE_ROOT / "assets").iterdir())}
    return Course(
        org="PamongTest", number="SC101", run="2026_T1", title="Village planning basics", language=language,
        root=FIXTURE_ROOT, loc=_loc(1),
        grading=GradingPolicy([GradedFormat("Final", "FIN", 1.0)], pass_cutoff=cutoff),
        chapters=[
            Chapter("ch-plan", "Planning", _loc(2), sequentials=[lesson, pretest]),
            Chapter("ch-final", "Final test", _loc(3), sequentials=[quiz]),
        ],
        assets=assets,
    )


def with_local_video(course: Course) -> Course:
    """The fixture course with its lesson video shipped in the package instead of linked: assets/video/."""
    for name in ("rapat desa.mp4", "rapat desa.vtt"):
        course.assets[f"video/{name}"] = Asset(f"video/{name}", VIDEO_DIR / name)
    unit = course.chapters[0].sequentials[0].units[0]
    linked = unit.blocks[1]
    unit.blocks[1] = VideoBlock(linked.id, "video", linked.title, linked.loc, mp4_asset="video/rapat desa.mp4",
                                transcript="video/rapat desa.vtt")
    return course


@dataclass
class Built:
    version: str
    zip_path: Path
    root: Path  # the extracted package
    result: object
    exporter: object


def build_package(course: Course, version: str, out: Path, **options) -> Built:
    exporter = EXPORTERS[version](course, out, options)
    result = exporter.build()
    root = out / f"{result.path.name}.d"
    shutil.rmtree(root, ignore_errors=True)
    with zipfile.ZipFile(result.path) as zf:
        zf.extractall(root)
    return Built(version, result.path, root, result, exporter)



DRIVERS = {
    "1.2": ("scorm12", [
        ("http://www.imsproject.org/xsd/imscp_rootv1p1p2", "imscp_rootv1p1p2.xsd"),
        ("http://www.adlnet.org/xsd/adlcp_rootv1p2", "adlcp_rootv1p2.xsd"),
    ]),
    "2004": ("scorm2004_4th", [
        ("http://www.w3.org/XML/1998/namespace", "xml.xsd"),  # first: stops the http import of xml.xsd
        ("http://www.imsglobal.org/xsd/imscp_v1p1", "imscp_v1p1.xsd"),
        ("http://www.adlnet.org/xsd/adlcp_v1p3", "adlcp_v1p3.xsd"),
        ("http://www.adlnet.org/xsd/adlseq_v1p3", "adlseq_v1p3.xsd"),
        ("http://www.adlnet.org/xsd/adlnav_v1p3", "adlnav_v1p3.xsd"),
        ("http://www.imsglobal.org/xsd/imsss", "imsss_v1p0.xsd"),
    ]),
}



HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>test LMS</title><link rel="icon" href="data:,">
<script src="/lib/scorm12.min.js"></script>
<script src="/lib/scorm2004.min.js"></script>
<script>
window.finished = false;
window.apiErrors = [];
window.apiCalls = [];
function watch(api, names, errorFn) {
  names.forEach(function (name) {
    var original = api[name].bind(api);
    api[name] = function (a, b) {
      var result = original(a, b);
      window.apiCalls.push([name, a === undefined ? null : a, b === undefined ? null : String(b), String(result)]);
      if (String(result) !== 'true') { window.apiErrors.push([name, a, b === undefined ? null : String(b), String(api[errorFn]())]); }
      return result;
    };
  });
}
function launch(o) {
  var settings = {lmsCommitUrl: '/commit', dataCommitFormat: 'json', autocommit: false, logLevel: 5};
  var api;
  if (o.version === '1.2') {
    api = new Scorm12API(settings);
    if (o.resume) { api.loadFromJSON(o.resume); }
    api.cmi.core.student_id = 'peserta-001';
    api.cmi.core.student_name = 'Lestari, Dewi';
    api.cmi.core.entry = o.resume ? 'resume' : 'ab-initio';
    api.cmi.core.credit = 'credit';
    api.cmi.core.lesson_mode = 'normal';
    if (o.passValue !== null) { api.cmi.student_data.mastery_score = String(o.passValue); }
    api.on('LMSFinish', function () { window.finished = true; });
    watch(api, ['LMSInitialize', 'LMSSetValue', 'LMSCommit', 'LMSFinish'], 'LMSGetLastError');
    window.API = api;
  } else {
    api = new Scorm2004API(settings);
    if (o.resume) { api.loadFromJSON(o.resume); }
    api.cmi.learner_id = 'peserta-001';
    api.cmi.learner_name = 'Dewi Lestari';
    api.cmi.entry = o.resume ? 'resume' : 'ab-initio';
    api.cmi.credit = 'credit';
    api.cmi.mode = 'normal';
    if (o.passValue !== null) { api.cmi.scaled_passing_score = String(o.passValue); }
    api.on('Terminate', function () { window.finished = true; });
    watch(api, ['Initialize', 'SetValue', 'Commit', 'Terminate'], 'GetLastError');
    window.API_1484_11 = api;
  }
  document.getElementById('sco').src = o.src;
}
function snapshot() {
  var api = window.API || window.API_1484_11;
  return JSON.parse(JSON.stringify(api.cmi));
}
</script></head>
<body><iframe id="sco" title="SCO" style="width:360px;height:700px;border:0"></iframe></body></html>
"""

CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".vtt": "text/vtt",
                 ".xml": "application/xml", ".json": "application/json", ".txt": "text/plain; charset=utf-8"}


class LocalServer:
    """127.0.0.1 only: /host.html (the test LMS), /lib/* (scorm-again), /pkg/<name>/* (extracted packages) and
    POST /commit, which records each commit the runtime sends, as an LMS stores them."""

    def __init__(self) -> None:
        self.mounts: dict[str, Path] = {"lib": SCORM_AGAIN}
        self.commits: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                path = unquote(urlparse(self.path).path)
                if path == "/host.html":
                    return self._send(200, HOST_PAGE.encode(), "text/html; charset=utf-8")
                parts = path.lstrip("/").split("/", 2)
                if parts[0] == "pkg" and len(parts) == 3:
                    base, rest = server.mounts.get(parts[1]), parts[2]
                elif parts[0] == "lib" and len(parts) == 2:
                    base, rest = SCORM_AGAIN, parts[1]
                else:
                    base, rest = None, ""
                target = (base / rest).resolve() if base else None
                if target is None or not target.is_file() or base.resolve() not in target.parents:
                    return self._send(404, b"not found", "text/plain")
                self._send(200, target.read_bytes(), CONTENT_TYPES.get(target.suffix, "application/octet-stream"))

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if urlparse(self.path).path != "/commit":
                    return self._send(404, b"not found", "text/plain")
                server.commits.append(json.loads(body or b"{}"))
                self._send(200, b'{"result": true, "errorCode": 0}', "application/json")

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def mount(self, name: str, root: Path) -> str:
        self.mounts[name] = root
        return f"{self.url}/pkg/{name}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def browser_skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not (SCORM_AGAIN / "scorm12.min.js").exists():
        return f"{SCORM_AGAIN.parent} is missing (npm ci at the repository root)"
    return None



@dataclass
class Session:
    """One browser page: every request it makes and every script error it shows is recorded."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self, allowed_prefix: str) -> list[str]:
        return [u for u in self.requests if not (u.startswith(allowed_prefix) or u.startswith(("about:", "data:")))]


