"""`pamong preview` reload: how long after a saved edit the server has the new course and the open SCO's page.

    .venv/bin/python benchmarks/preview_reload.py                       # the largest bundled course, 5 rounds
    .venv/bin/python benchmarks/preview_reload.py --course course_src/kode-wilayah-dan-nik --rounds 9

A copy of the course (in a temporary folder, with its own build cache) is loaded as `pamong preview` loads it,
then, each round, the first chapter's file is changed and the preview reloads: printed are the
times of the first load, of a reload (the edited chapter loaded afresh, the others from the build cache), of
rendering the edited SCO's page, and of serving an unchanged SCO's page (kept from before the reload). What the
browser adds (the watcher's 50 ms batch, the event, loading the page) is not in these figures; the tests check
the whole path stays under 2 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
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
