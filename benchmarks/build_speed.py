"""Build speed: load a synthetic course from YAML and build it, at 4,000 blocks and at 10x that.

    /work/venv/bin/python benchmarks/build_speed.py                    # every installed built-in format
    /work/venv/bin/python benchmarks/build_speed.py --format olx --profile
    /work/venv/bin/python benchmarks/build_speed.py --repeat 3        # fastest of 3 runs, on a busy machine

The course is 20 chapters x 10 sequentials x 5 units x 4 blocks (the large one 200 chapters), written as
course.yaml plus one YAML file per chapter, mixing Markdown text with every built-in problem type; the last
sequential of each chapter is a graded quiz. Each size is loaded once and then built in each format.
Targets on a 2-core machine: load + build of 4,000 blocks in 2 s or less (SCORM 1.2 and 2004: 3 s or less, one
SCO per sequential), and 10x the blocks in at most 11x the time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

from pamong_edx.build import build_package, select_exporters
from pamong_edx.units import format_size as human_size
from pamong_edx.course.loader import load_courses
from pamong_edx.errors import PamongError

SEQUENTIALS, UNITS, BLOCKS = 10, 5, 4
BASE_CHAPTERS = 20
SCALE = 10
BLOCKS_PER_CHAPTER = SEQUENTIALS * UNITS * BLOCKS
# One unit's four blocks cycle through these pairs, so every unit holds text and a problem.
PROBLEMS = ("single_choice", "multiple_choice", "dropdown", "numerical", "text_answer")
# SCORM packages are timed as built by default: one SCO per sequential (200 SCOs at 4,000 blocks).
SCO_PER = "sequential"
TARGET_S = {"olx": 2.0, "scorm12": 3.0, "scorm2004": 3.0}  # load + build of the 4,000-block course


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def text_block(n: int) -> str:
    lines = [
        f"Menurut **Pasal {n % 120 + 1} UU 6/2014**, desa adalah kesatuan masyarakat hukum yang berwenang "
        "mengatur urusan pemerintahan & kepentingan masyarakat setempat.",
        "",
        "- hak asal usul",
        "- hak tradisional *yang diakui*",
    ]
    if n % 10 == 0:
        lines += ["", "![Struktur pemerintah desa](assets/struktur.svg)"]
    body = "".join(f"              {line}\n" if line else "\n" for line in lines)
    return "          - type: text\n            markdown: |\n" + body


def problem_block(kind: str, n: int) -> str:
    head = (f"          - type: {kind}\n"
            f"            question: {q(f'Pertanyaan {n}: manakah jawaban yang tepat tentang APBDes?')}\n"
            f"            explanation: {q('Lihat Permendagri 20/2018 tentang pengelolaan keuangan desa.')}\n")
    if kind in ("single_choice", "dropdown"):
        return head + ("            choices:\n"
                       "              a: Camat\n"
                       "              b: Badan Permusyawaratan Desa (BPD)\n"
                       "              c: {text: Lembaga Kemasyarakatan Desa, hint: LKD membantu kepala desa.}\n"
                       "            answer: b\n"
                       "            hints: [Bukan camat., Perhatikan singkatannya.]\n")
    if kind == "multiple_choice":
        return head + ("            choices:\n"
                       "              a: Sekretariat desa\n"
                       "              b: Pelaksana kewilayahan\n"
                       "              c: Ketua BPD\n"
                       "            answers: [a, b]\n")
    if kind == "numerical":
        return head + "            answer: 40\n            tolerance: 1%\n            unit: \"%\"\n"
    return head + "            answers: [APBDes, APB Desa]\n"


def chapter_yaml(c: int) -> str:
    out = [f"id: bab-{c}\ntitle: {q(f'Bab {c}: Pengelolaan Keuangan Desa')}\nsequentials:\n"]
    n = c * SEQUENTIALS * UNITS * BLOCKS
    for s in range(SEQUENTIALS):
        graded = s == SEQUENTIALS - 1
        out.append(f"  - id: b{c}-s{s}\n    title: {q(f'Pelajaran {s}')}\n")
        if graded:
            out.append("    kind: quiz\n    format: Kuis\n")
        out.append("    units:\n")
        for u in range(UNITS):
            out.append(f"      - id: b{c}-s{s}-u{u}\n        title: {q(f'Halaman {u}')}\n        blocks:\n")
            for b in range(BLOCKS):
                n += 1
                out.append(problem_block(PROBLEMS[n % len(PROBLEMS)], n) if b % 2 else text_block(n))
    return "".join(out)


def write_course(root: Path, chapters: int) -> int:
    (root / "chapters").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "assets" / "struktur.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>\n')
    files = []
    for c in range(chapters):
        name = f"chapters/{c:03d}.yaml"
        (root / name).write_text(chapter_yaml(c), encoding="utf-8")
        files.append(name)
    (root / "course.yaml").write_text(
        "org: PamongX\nnumber: BENCH\nrun: 2026_T1\ntitle: Tolok Ukur Kecepatan Build\nlanguage: id\n"
        "start: 2026-01-05\nend: 2026-12-31\n"
        "grading:\n  cutoff: 0.7\n  formats:\n    - {type: Kuis, short_label: KU, weight: 1.0}\n"
        "chapters:\n" + "".join(f"  - {name}\n" for name in files),
        encoding="utf-8",
    )
    return chapters * BLOCKS_PER_CHAPTER


def best_of(repeat: int, run):
    """(fastest wall time, last result) of `repeat` runs: other work on the machine only ever adds time."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    return best, result


def measure(chapters: int, formats: list[str], work: Path, profile: bool, sco_per: str,
            repeat: int = 1) -> dict[str, float]:
    root = work / f"course-{chapters}"
    blocks = write_course(root, chapters)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    load_s, (courses, diagnostics) = best_of(repeat, lambda: load_courses([root]))
    errors = [d for d in diagnostics if d.is_error]
    if errors or len(courses) != 1:
        sys.exit("the synthetic course does not load:\n" + "\n".join(map(str, errors[:20])))
    course = courses[0]
    assert sum(1 for _ in course.blocks()) == blocks
    totals = {}
    for name, exporter in select_exporters(formats).items():
        options = {"max_size": None, "sco_per": sco_per}
        try:
            build_s, result = best_of(repeat, lambda: build_package(course, exporter, work / "dist", options))
        except PamongError as exc:
            print(f"{blocks:>6} blocks  {name:<9} refused: {str(exc).splitlines()[0]}")
            continue
        total = load_s + build_s
        totals[name] = total
        print(f"{blocks:>6} blocks  {name:<9} load {load_s:6.2f} s  build {build_s:6.2f} s  total {total:6.2f} s  "
              f"{blocks / total:8,.0f} blocks/s  package {human_size(result.size)}")
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", action="append", dest="formats",
                        help="exporter to time (repeatable); default: every installed built-in format")
    parser.add_argument("--chapters", type=int, default=BASE_CHAPTERS, help="chapters of the small course")
    parser.add_argument("--scale", type=int, default=SCALE, help="how many times larger the big course is")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each size")
    parser.add_argument("--repeat", type=int, default=1, help="time each step N times and keep the fastest")
    parser.add_argument("--sco-per", default=SCO_PER, choices=("course", "chapter", "sequential"),
                        help=f"SCORM packaging (default {SCO_PER}: a 40,000-block course is too big for one SCO)")
    args = parser.parse_args()
    formats = args.formats or ["all"]

    with tempfile.TemporaryDirectory(prefix="pamong-bench-") as tmp:
        work = Path(tmp)
        small = measure(args.chapters, formats, work, args.profile, args.sco_per, args.repeat)
        large = measure(args.chapters * args.scale, formats, work, args.profile, args.sco_per, args.repeat)
    for name in [n for n in small if n in large]:
        target = TARGET_S.get(name, 2.0)
        print(f"{name}: {args.scale}x the blocks took {large[name] / small[name]:.2f}x the time "
              f"(target <= {args.scale * 1.1:.0f}x); {args.chapters * BLOCKS_PER_CHAPTER:,} blocks in "
              f"{small[name]:.2f} s (target <= {target:g} s)")


if __name__ == "__main__":
    main()
