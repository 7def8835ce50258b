"""`pamong preview` reload: how long after a saved edit the server has the new course and the open SCO's page.

    .venv/bin/python benchmarks/preview_reload.py                       # the largest bundled course, 5 rounds
    .venv/bin/python benchmarks/preview_reload.py --course course_src/kode-wilayah-dan-nik --rounds 9

A copy of the course (in a temporary folder, with its own build cache) is loaded as `pamong preview` loads it,
then, each round, the first chapter's file is changed and the preview reloads: printed are the
times of the first load, of a reload (the edited chapter loaded afresh, the others from the build cache), of
rendering the edited SCO's page, and of serving an unchanged SCO's page (kept from before the reload). What the
browser adds (the watcher's 50 ms batch, the event, loading the page) is not in these figures: `--browser`
measures the whole path (target: under 2 s), in headless chromium (Debian's /usr/bin/chromium, through
playwright): `pamong preview` serving a copy of tests/fixtures/courses/preview, its lesson open, then each round
a new sentence saved into the lesson's Markdown file and the time until the open page shows it.

    .venv/bin/python benchmarks/preview_reload.py --browser --rounds 9
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pamong_edx.course.cache import BuildCache  # noqa: E402
from pamong_edx.preview.state import Preview  # noqa: E402


def largest_bundled() -> Path:
    """The bundled course with the most chapter files."""
    courses = [p for p in (ROOT / "course_src").iterdir() if (p / "course.yaml").is_file()]
    return max(courses, key=lambda p: (len(list(p.glob("chapters/*.yaml"))), p.name))


PREVIEW_FIXTURE = ROOT / "tests" / "fixtures" / "courses" / "preview"
CHROMIUM = Path("/usr/bin/chromium")


def in_the_browser(rounds: int) -> list[float]:
    """Seconds from saving an edit of the open lesson's Markdown file until chromium shows it, per round."""
    from playwright.sync_api import expect, sync_playwright

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course"
        shutil.copytree(PREVIEW_FIXTURE, course)
        process = subprocess.Popen(
            [sys.executable, "-m", "pamong_edx", "preview", str(course), "--port", "0"], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PAMONG_CACHE_DIR": str(Path(tmp) / "cache")})
        try:
            first = process.stdout.readline()
            if "http://127.0.0.1:" not in first:
                sys.exit(f"pamong preview did not start: {first}{process.stdout.read()}")
            url = first[first.index("http://"):].split()[0]
            threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()  # keep the pipe drained
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--headless=new"])
                page = browser.new_page()
                page.goto(url)
                page.locator(".outline a", has_text="What the budget is").click()
                lesson = page.frame_locator('iframe[name="desktop"]').frame_locator("#sco").locator(".page.is-current")
                expect(lesson).to_contain_text("yearly budget")
                for n in range(rounds):
                    sentence = f"The budget was revised {n + 1} times."
                    started = time.perf_counter()
                    (course / "content" / "intro.md").write_text(sentence + "\n", encoding="utf-8")
                    expect(lesson).to_contain_text(sentence, timeout=30_000)
                    times.append(time.perf_counter() - started)
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="the whole path, from a save to the page, in chromium")
    args = parser.parse_args()
    if args.browser:
        times = in_the_browser(args.rounds)
        print(f"a saved edit shown in the open page ({args.rounds} rounds, {PREVIEW_FIXTURE.relative_to(ROOT)}): "
              f"min {min(times) * 1000:.0f} ms   median {statistics.median(times) * 1000:.0f} ms   "
              f"max {max(times) * 1000:.0f} ms  (target: under 2 s; load average {os.getloadavg()[0]:.1f})")
        return
    source = args.course or largest_bundled()
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / source.name
        shutil.copytree(source, course)
        started = time.perf_counter()
        preview = Preview(course, BuildCache(Path(tmp) / "cache"))
        first = time.perf_counter() - started
        build = preview.snapshot.build
        if build is None:
            sys.exit(f"{source} has errors: {[str(d) for d in preview.snapshot.diagnostics if d.is_error]}")
        chapters = [ch for ch in build.course.chapters if build.cache.source_key(ch)]
        if len(chapters) < 2:
            sys.exit(f"{source} needs two chapter files")
        edited_sco = next(s.key for s in build.scos.values() if s.pages[0].chapter is chapters[0])
        kept_sco = next(s.key for s in build.scos.values() if s.pages[0].chapter is chapters[-1])
        edited_file = Path(chapters[0].loc.file)
        for key in (edited_sco, kept_sco):
            preview.page(build, key)
        reloads, renders, kept = [], [], []
        for n in range(args.rounds):
            with open(edited_file, "a", encoding="utf-8") as out:
                out.write(f"\n# edit {n}\n")  # new bytes: the chapter is read and rendered afresh
            started = time.perf_counter()
            build = preview.reload().build
            reloads.append(time.perf_counter() - started)
            started = time.perf_counter()
            preview.page(build, edited_sco)
            renders.append(time.perf_counter() - started)
            started = time.perf_counter()
            preview.page(build, kept_sco)
            kept.append(time.perf_counter() - started)

    def show(name: str, values: list[float]) -> None:
        print(f"{name:<42} min {min(values) * 1000:7.1f} ms   median {statistics.median(values) * 1000:7.1f} ms"
              f"   max {max(values) * 1000:7.1f} ms")

    print(f"course: {source.relative_to(ROOT) if source.is_relative_to(ROOT) else source} "
          f"({sum(1 for _ in build.course.blocks())} blocks, {len(build.scos)} SCOs); edited: {edited_file.name}")
    print(f"{'first load (cold cache)':<42} {first * 1000:7.1f} ms")
    show("reload after the edit", reloads)
    show("render the edited SCO's page", renders)
    show("serve an unchanged SCO's page (kept)", kept)


if __name__ == "__main__":
    main()
