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


from datetime import datetime, timezone
from decimal import Decimal

from pamong_edx.blocktypes.numerical.player import plain
from pamong_edx.course.model import (
    Asset, Chapter, Choice, ChoiceProblem, Course, DiscussionBlock, GradedFormat, GradingPolicy, Location,
    NumericalProblem, Sequential, TextBlock, TextProblem, Unit, VideoBlock,
)
from pamong_edx.course.richtext import AssetRef, RichText
from pamong_edx.exporters.scorm import Scorm12Exporter, Scorm2004Exporter
from pamong_edx.exporters.scorm_plan import Sco
from pamong_edx.exporters.scorm_runtime import mastery_score
from pamong_edx.player.lang import language_pack

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SCHEMAS = SHARED / "schemas"
FIXTURE_ROOT = REPO / "tests" / "fixtures" / "scorm" / "course"
VIDEO_DIR = REPO / "tests" / "fixtures" / "scorm" / "video"  # a 2-second H.264/AAC clip and its captions
SCORM_AGAIN = REPO / "node_modules" / "scorm-again" / "dist"
STRICT_DIR = Path(__file__).resolve().parent  # strict_api.js: the strict runtime
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

STRICT_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>strict test LMS</title><link rel="icon" href="data:,">
<script src="/strict/strict_api.js"></script>
<script>
window.finished = false;
function launch(o) {
  window.finished = false;
  var api = o.version === '1.2' ? new StrictScorm12(o.options) : new StrictScorm2004(o.options);
  window.strict = api.runtime;
  var finish = o.version === '1.2' ? 'LMSFinish' : 'Terminate';
  var original = api[finish];
  api[finish] = function (arg) { var r = original(arg); window.finished = true; return r; };
  if (o.version === '1.2') { window.API = api; } else { window.API_1484_11 = api; }
  document.getElementById('sco').src = o.src;
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
                if path == "/strict.html":
                    return self._send(200, STRICT_PAGE.encode(), "text/html; charset=utf-8")
                parts = path.lstrip("/").split("/", 2)
                if parts[0] == "pkg" and len(parts) == 3:
                    base, rest = server.mounts.get(parts[1]), parts[2]
                elif parts[0] == "lib" and len(parts) == 2:
                    base, rest = SCORM_AGAIN, parts[1]
                elif parts[0] == "strict" and len(parts) == 2:
                    base, rest = STRICT_DIR, parts[1]
                else:
                    base, rest = None, ""
                target = (base / rest).resolve() if base else None
                if target is None or not target.is_file() or base.resolve() not in target.parents:
                    return self._send(404, b"not found", "text/plain")
                # A package's player files are the same for all its SCOs: cached, as an LMS serves them
                cache = "max-age=3600" if parts[0] == "pkg" and rest.startswith("player/") else "no-store"
                self._send(200, target.read_bytes(), CONTENT_TYPES.get(target.suffix, "application/octet-stream"),
                           cache)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if urlparse(self.path).path != "/commit":
                    return self._send(404, b"not found", "text/plain")
                server.commits.append(json.loads(body or b"{}"))
                self._send(200, b'{"result": true, "errorCode": 0}', "application/json")

            def _send(self, status: int, body: bytes, ctype: str, cache: str = "no-store") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", cache)
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




# --------------------------------------------------------------------------------------------- driving


def sco_of(built, key: str) -> Sco:
    return next(s for s in built.exporter.plan.scos if s.key == key)


def pass_value(built, sco: Sco):
    """What an LMS passes from the manifest: 1.2 masteryscore, 2004 minNormalizedMeasure."""
    if sco.pass_mark is None:
        return None
    return mastery_score(sco.pass_mark) if built.version == "1.2" else sco.pass_mark


def launch(session, server, built, sco: Sco, resume: dict | None = None):
    base = server.mount(f"{built.zip_path.stem}-{built.version}", built.root)
    page = session.page
    page.goto(f"{server.url}/host.html")
    page.evaluate("o => launch(o)", {"version": built.version, "src": f"{base}/{sco.href}",
                                      "passValue": pass_value(built, sco), "resume": resume})
    frame = page.frame_locator("#sco")
    frame.locator(".page.is-current").wait_for()
    return frame


def close_sco(session) -> dict:
    """Leave the SCO the way a learner does (the frame navigates away) and return the LMS's CMI data."""
    page = session.page
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("window.finished === true", timeout=5000)
    return page.evaluate("snapshot()")


def wrong_choices(p: ChoiceProblem) -> list[str]:
    wrong = [c.id for c in p.choices if not c.correct]
    return wrong[:1] if wrong else p.correct_ids[:-1]


def decimal_text(value: float) -> str:
    return plain(Decimal(repr(float(value))))


def typed_number(value: float, lang: str) -> str:
    return decimal_text(value).replace(".", language_pack(lang).decimal_separator)


def answer(frame, p, correct: bool, lang: str) -> str:
    """Answer one question through the page as a learner would; returns the 1.2 response it should record."""
    q = frame.locator(f'[data-question-id="{p.id}"]')
    label = language_pack(lang).strings["your_answer"]
    if isinstance(p, ChoiceProblem):
        ids = p.correct_ids if correct else wrong_choices(p)
        if p.type == "dropdown":
            q.get_by_label(label).select_option(str([c.id for c in p.choices].index(ids[0])))
        else:
            for cid in ids:
                q.locator(f'[data-choice-id="{cid}"]').check()
        response = ",".join(c.id for c in p.choices if c.id in ids)
    elif isinstance(p, NumericalProblem):
        value = p.answer if correct else p.answer + 1000 + abs(p.answer)
        q.get_by_label(label).fill(typed_number(value, lang))
        response = decimal_text(value)
    else:
        response = p.answers[0] if correct else "jawaban keliru"
        q.get_by_label(label).fill(response)
    q.locator('[data-action="submit"]').click()
    q.locator('[data-role="feedback"]:not(:empty)').wait_for()
    return response


def answer_sco(frame, sco: Sco, correct: bool, lang: str, start_page: int = 0, pages: int | None = None) -> dict:
    """Walk the SCO's pages with Next, answering every question shown (of a pool, those drawn); returns
    question id -> the author's choice ids (or the number or text) answered."""
    responses = {}
    end = len(sco.pages) if pages is None else start_page + pages
    pooled = {sco.questions[i].problem.id for pool in sco.pools for i in pool.questions}
    for i in range(start_page, end):
        if i > start_page:
            frame.locator('[data-action="next"]').click()
        frame.locator(f'.page.is-current[data-unit-id="{sco.pages[i].unit.id}"]').wait_for()
        for block in sco.pages[i].unit.blocks:
            if block.is_problem and (block.id not in pooled or shown(frame, block.id)):
                responses[block.id] = answer(frame, block, correct, lang)
    return responses


def shown(frame, question_id: str) -> bool:
    return frame.locator(f'[data-question-id="{question_id}"]').is_visible()


# ---------------------------------------------------------------------------------- the strict runtime


def lms_values(version: str, sco: Sco, built=None, learner: str = "peserta-001", held: dict | None = None) -> dict:
    """What an LMS gives a SCO at launch: the learner, the mode, the pass mark from the manifest, and for a
    resumed attempt the values it held (`held`, a strict runtime's committed values)."""
    if version == "1.2":
        values = {"cmi.core.student_id": learner, "cmi.core.student_name": "Lestari, Dewi",
                  "cmi.core.credit": "credit", "cmi.core.lesson_mode": "normal",
                  "cmi.core.lesson_status": "not attempted", "cmi.core.entry": "ab-initio"}
        if sco.pass_mark is not None:
            values["cmi.student_data.mastery_score"] = str(mastery_score(sco.pass_mark))
    else:
        values = {"cmi.learner_id": learner, "cmi.learner_name": "Dewi Lestari", "cmi.credit": "credit",
                  "cmi.mode": "normal", "cmi.completion_status": "not attempted", "cmi.success_status": "unknown",
                  "cmi.entry": "ab-initio"}
        if sco.pass_mark is not None:
            values["cmi.scaled_passing_score"] = str(sco.pass_mark)
    if held:
        kept = {k: v for k, v in held.items() if not k.endswith(("entry", "session_time", "exit"))}
        values.update(kept)
        values["cmi.core.entry" if version == "1.2" else "cmi.entry"] = "resume"
    return values


def strict_launch(session, server, built, sco: Sco, held: dict | None = None, fail_commit: bool = False,
                  learner: str = "peserta-001", wait: bool = True):
    """Load a SCO under the strict runtime (tests/scorm/strict_api.js) in the test LMS page."""
    base = server.mount(f"{built.zip_path.stem}-{built.version}", built.root)
    page = session.page
    if page.url != f"{server.url}/strict.html":  # the test LMS page stays; each launch gets a fresh runtime
        page.goto(f"{server.url}/strict.html")
    options = {"cmi": lms_values(built.version, sco, built, learner, held), "failCommit": fail_commit}
    page.evaluate("o => launch(o)", {"version": built.version, "src": f"{base}/{sco.href}", "options": options})
    frame = page.frame_locator("#sco")
    if wait:
        frame.locator(".page.is-current").wait_for()
    return frame


def strict_close(session) -> dict:
    """Leave the SCO (the frame navigates away); returns the runtime: {values, committed, refused, calls}."""
    page = session.page
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("window.finished === true", timeout=5000)
    return strict_state(session)


def strict_state(session) -> dict:
    return session.page.evaluate(
        "({values: strict.values, committed: strict.committed, refused: strict.refused, calls: strict.calls})")


QUICK_ANSWER = """pages => {
  const done = [];
  for (const answers of pages) {
    for (const a of answers) {
      const form = document.querySelector(`form[data-question-id="${a.id}"]`);
      if (!form || form.hidden) { continue; }
      if (a.select !== undefined) { form.querySelector('select').value = String(a.select); }
      else if (a.checks) { a.checks.forEach(i => { form.querySelector(`input[value="${i}"]`).checked = true; }); }
      else { form.querySelector('input[type="text"]').value = a.text; }
      form.querySelector('[data-action="submit"]').click();
      done.push(a.id);
    }
    const next = document.querySelector('[data-action="next"]');
    if (next && !next.disabled) { next.click(); }
  }
  return done;
}"""


def right_answer(p, lang: str) -> dict:
    """The right answer of a problem as QUICK_ANSWER fills it in."""
    if isinstance(p, ChoiceProblem):
        indices = [i for i, c in enumerate(p.choices) if c.correct]
        return {"id": p.id, "select": indices[0]} if p.type == "dropdown" else {"id": p.id, "checks": indices}
    if isinstance(p, NumericalProblem):
        return {"id": p.id, "text": typed_number(p.answer, lang)}
    return {"id": p.id, "text": p.answers[0]}


def answer_sco_quickly(session, sco: Sco, lang: str) -> list[str]:
    """Every page of the SCO, every question shown answered right, through the page's own forms, page after
    page as Next leads, in one call (a sweep over many SCOs; answer_sco drives the page as a learner does)."""
    frame = session.page.frames[1]
    frame.wait_for_selector(".page.is-current")
    pages = [[right_answer(b, lang) for b in page.unit.blocks if b.is_problem] for page in sco.pages]
    return frame.evaluate(QUICK_ANSWER, pages)


# ---------------------------------------------------------------------------------------- an exam course


def make_exam_course() -> Course:
    """A pretest, a quiz whose choices are shuffled (one of them fixed mid-list), and a graded posttest drawing
    5 of a pool of 10, shown its answers only once passed."""
    n = iter(range(1, 10_000))

    def single(id_, question, choices, right, fixed=(), explanation="", **kw):
        return ChoiceProblem(id_, "single_choice", "", _loc(next(n)), question_html=f"<p>{question}</p>",
                             choices=[Choice(cid, text, cid == right, fixed=cid in fixed) for cid, text in choices],
                             explanation_html=f"<p>{explanation}</p>" if explanation else "", **kw)

    six = [(c, f"Jawaban {c.upper()}") for c in "abcdef"]
    pretest = Sequential("pre", "Tes awal", _loc(next(n)), kind="pretest", units=[
        Unit("pre-u", "Soal", _loc(next(n)), blocks=[
            single("pre-1", "Siapa memimpin musyawarah desa?", six, "b", explanation="BPD memimpinnya.",
                   max_attempts=1),
            single("pre-2", "Berapa tahun masa jabatan kepala desa?", six, "f", explanation="Enam tahun."),
        ]),
    ])
    quiz = Sequential("kuis", "Kuis", _loc(next(n)), kind="quiz", shuffle=True, units=[
        Unit("kuis-u", "Soal", _loc(next(n)), blocks=[
            single("kuis-1", "Pilih C.", six, "c", fixed=("d",), shuffle=True),
            single("kuis-2", "Pilih E.", six, "e", shuffle=True),
        ]),
    ])
    pool = [single(f"bank-{i}", f"Soal bank {i}: pilih A.", [("a", "Benar"), ("b", "Salah")], "a",
                   explanation=f"Pembahasan {i}.") for i in range(1, 11)]
    posttest = Sequential("akhir", "Tes akhir", _loc(next(n)), kind="posttest", graded=True, format="Akhir",
                          show_answer="after_passing", units=[
                              Unit("bank", "Bank soal", _loc(next(n)), pool_draw=5, blocks=[
                                  TextBlock("bank-petunjuk", "text", "Petunjuk", _loc(next(n)),
                                            html="<p>Jawablah lima soal.</p>"), *pool]),
                          ])
    image = FIXTURE_ROOT / "assets" / "siklus.svg"
    return Course(
        org="PamongTest", number="EX101", run="2026_T1", title="Ujian", language="id", root=FIXTURE_ROOT,
        loc=_loc(1), grading=GradingPolicy([GradedFormat("Akhir", "AK", 1.0)], pass_cutoff=0.8),
        chapters=[Chapter("bab", "Bab", _loc(2), sequentials=[pretest, quiz, posttest])],
        start=datetime(2026, 1, 5, tzinfo=timezone.utc), end=datetime(2026, 12, 31, tzinfo=timezone.utc),
        image="siklus.svg", assets={"siklus.svg": Asset("siklus.svg", image)},
    )
