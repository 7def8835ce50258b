"""Build speed: a 4,000-block course compiled to OLX and SCORM, against writing the same package with tar/zip,
and an incremental rebuild after editing one lesson, against a full build.

    .venv/bin/python benchmarks/build_speed.py                  # every goal, 5 alternating pairs each
    .venv/bin/python benchmarks/build_speed.py --rounds 9 --chapters 200   # more pairs; 40,000 blocks
    .venv/bin/python benchmarks/build_speed.py --profile olx    # where a (warm) clean OLX build spends its time
    .venv/bin/python benchmarks/build_speed.py --against /tmp/old   # this code against another checkout

Goals (issue 18), each printed as min / median / max of per-pair ratios, in wall-clock and in CPU time
(benchmarks/compare.py says why both):

* clean OLX build ÷ `tar czf` of the package's own tree ≤ 5×;
* clean SCORM 1.2 and 2004 builds ÷ `zip -qr` of the package's own tree ≤ 5×;
* rebuild (build cache warm) after editing one lesson ≤ 0.5 s and ≤ 10% of a clean build (OLX; the SCORM
  rebuilds, which use the cache too, are printed beside it).

`--against DIR` compares clean builds of this checkout with those of the code in DIR (a checkout of an older
commit: `git archive <commit> | tar x -C DIR && ln -s ../exporters DIR/pamong_edx/exporters`), each build in
its own process, the two alternating; each process times its second build (the first warms imports and
plugin discovery).

A build here is what `pamong build` does after start-up, in this process: load and check the course, export
it, write the package (`load_courses` + `build_package`). A clean build uses no cache; the rebuild uses the
build cache (`pamong_edx/course/cache.py`) filled by the build before it, after a text of one lesson changed.
The baselines compress the very tree the package holds (extracted into a folder once), as children of this
process, alternating with the build.

The synthetic course: 20 chapters (one YAML file each) × 10 sequentials × 5 units × 4 blocks, using every
built-in block type (text, video, discussion and the five problem types), images (PNG and SVG, every one
referenced), a video file with its WebVTT captions and YouTube videos; the last sequential of each chapter is
a graded quiz. Every text differs, so nothing is rendered once for many blocks by accident.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import alternate, command, report  # noqa: E402

from pamong_edx.build import build_package, select_exporters  # noqa: E402
from pamong_edx.course.loader import load_courses  # noqa: E402

try:  # the build cache; absent before issue 18, when every build is a full one
    from pamong_edx.course.cache import BuildCache
except ImportError:  # pragma: no cover
    BuildCache = None

SEQUENTIALS, UNITS, BLOCKS = 10, 5, 4
BASE_CHAPTERS = 20
PROBLEMS = ("single_choice", "multiple_choice", "dropdown", "numerical", "text_answer")
THIRD = ("text", "video", "discussion", "text")  # the third block of a unit cycles through these
IMAGES = [f"img/bagan-{k}.svg" for k in range(6)] + [f"img/foto-{k}.png" for k in range(4)]
GOAL_BUILD = 5.0
GOAL_REBUILD_RATIO = 0.10
GOAL_REBUILD_SECONDS = 0.5


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def png(width: int, height: int, shade: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    rows = b"".join(b"\x00" + bytes([shade % 256, 80, 160]) * width for _ in range(height))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line + "\n" if line else "\n" for line in text.split("\n"))


def text_block(n: int, edit: str = "") -> str:
    image = IMAGES[(n // 4) % len(IMAGES)]
    body = (f"Menurut **Pasal {n % 120 + 1} UU 6/2014** (catatan {n}{edit}), desa adalah kesatuan masyarakat "
            f"hukum yang berwenang mengatur urusan pemerintahan & kepentingan masyarakat setempat.\n\n"
            f"- hak asal usul desa nomor {n}\n- hak tradisional *yang diakui* sejak {1900 + n % 100}\n")
    if n % 3 == 0:
        body += f"\n![Bagan nomor {n}](assets/{image})\n"
    return "          - type: text\n            markdown: |\n" + indent(body, 14)


def video_block(n: int) -> str:
    if n % 2:
        return (f"          - type: video\n            title: {q(f'Video musyawarah {n}')}\n"
                "            mp4: assets/video/musdes.mp4\n            transcript: assets/video/musdes.vtt\n")
    return f"          - type: video\n            youtube: dQw4w9WgXc{'ABCDEFGHIJ'[n % 10]}\n"


def discussion_block(n: int) -> str:
    return (f"          - type: discussion\n            prompt: {q(f'Ceritakan keputusan musyawarah ke-{n} di desa Anda.')}\n")


def problem_block(kind: str, n: int) -> str:
    head = (f"          - type: {kind}\n"
            f"            question: {q(f'Pertanyaan {n}: manakah jawaban yang tepat tentang APBDes tahun {2000 + n % 30}?')}\n"
            f"            explanation: {q(f'Lihat Permendagri 20/2018 pasal {n % 90 + 1} tentang keuangan desa.')}\n")
    if kind in ("single_choice", "dropdown"):
        return head + ("            choices:\n"
                       f"              a: Camat wilayah {n}\n"
                       f"              b: Badan Permusyawaratan Desa (BPD) {n}\n"
                       f"              c: {{text: Lembaga Kemasyarakatan Desa {n}, hint: LKD membantu kepala desa {n}.}}\n"
                       "            answer: b\n"
                       f"            hints: [Bukan camat {n}., Perhatikan *singkatannya* {n}.]\n")
    if kind == "multiple_choice":
        return head + ("            choices:\n"
                       f"              a: Sekretariat desa {n}\n"
                       f"              b: Pelaksana kewilayahan {n}\n"
                       f"              c: Ketua BPD {n}\n"
                       "            answers: [a, b]\n")
    if kind == "numerical":
        return head + f"            answer: {n % 97}\n            tolerance: 1%\n            unit: \"%\"\n"
    return head + f"            answers: [APBDes {n}, APB Desa {n}]\n"


def block_yaml(b: int, n: int, edit: str = "") -> str:
    if b % 2:
        return problem_block(PROBLEMS[n % len(PROBLEMS)], n)
    if b == 2:
        kind = THIRD[(n // BLOCKS) % len(THIRD)]
        if kind == "video":
            return video_block(n)
        if kind == "discussion":
            return discussion_block(n)
    return text_block(n, edit)


def chapter_yaml(c: int, edit: str = "", edited_sequential: int = 0) -> str:
    out = [f"id: bab-{c}\ntitle: {q(f'Bab {c}: Pengelolaan Keuangan Desa')}\nsequentials:\n"]
    n = c * SEQUENTIALS * UNITS * BLOCKS
    for s in range(SEQUENTIALS):
        graded = s == SEQUENTIALS - 1
        out.append(f"  - id: b{c}-s{s}\n    title: {q(f'Pelajaran {s} bab {c}')}\n")
        if graded:
            out.append("    kind: quiz\n    format: Kuis\n")
        out.append("    units:\n")
        for u in range(UNITS):
            out.append(f"      - id: b{c}-s{s}-u{u}\n        title: {q(f'Halaman {u}')}\n        blocks:\n")
            for b in range(BLOCKS):
                n += 1
                out.append(block_yaml(b, n, edit if s == edited_sequential else ""))
    return "".join(out)


def write_course(root: Path, chapters: int) -> int:
    (root / "chapters").mkdir(parents=True)
    (root / "assets" / "img").mkdir(parents=True)
    (root / "assets" / "video").mkdir()
    for k, name in enumerate(IMAGES):
        if name.endswith(".svg"):
            (root / "assets" / name).write_text(
                f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><rect width="{40 + k}" '
                f'height="20" fill="#{k}a{k}"/><text x="10" y="40">Bagan {k}</text></svg>\n')
        else:
            (root / "assets" / name).write_bytes(png(64 + k, 48, 30 * k))
    (root / "assets" / "cover.png").write_bytes(png(320, 180, 200))
    # an MP4 header and 200 KB of media data, as incompressible as real video
    (root / "assets" / "video" / "musdes.mp4").write_bytes(
        b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + random.Random(18).randbytes(200_000))
    (root / "assets" / "video" / "musdes.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nMusyawarah desa dimulai.\n\n"
        "00:00:04.500 --> 00:00:08.000\nKepala desa membuka rapat.\n")
    files = []
    for c in range(chapters):
        name = f"chapters/{c:03d}.yaml"
        (root / name).write_text(chapter_yaml(c), encoding="utf-8")
        files.append(name)
    (root / "course.yaml").write_text(
        "org: PamongX\nnumber: BENCH\nrun: 2026_T1\ntitle: Tolok Ukur Kecepatan Build\nlanguage: id\n"
        "start: 2026-01-05\nend: 2026-12-31\nimage: assets/cover.png\n"
        "grading:\n  cutoff: 0.7\n  formats:\n    - {type: Kuis, short_label: KU, weight: 1.0}\n"
        "chapters:\n" + "".join(f"  - {name}\n" for name in files),
        encoding="utf-8",
    )
    return chapters * SEQUENTIALS * UNITS * BLOCKS


def fresh_process() -> None:
    """Forget what earlier builds in this process memoised (rendered Markdown, YAML tags, slugs, parsed
    captions), as a new `pamong build` process would: only the build cache may carry work between builds."""
    from pamong_edx.course import context, ids, transcripts, yamlsource

    context._renderer = None
    getattr(yamlsource, "_TAGS", {}).clear()
    for memoised in (ids.slugify, getattr(transcripts, "_read_captions", None)):  # lru_caches (not in old code)
        if hasattr(memoised, "cache_clear"):
            memoised.cache_clear()


class Builder:
    """Load + export, as `pamong build` does after start-up; with or without the build cache."""

    def __init__(self, root: Path, out: Path, cache_dir: Path | None):
        self.root, self.out = root, out
        self.cache = BuildCache(cache_dir) if (BuildCache is not None and cache_dir is not None) else None

    def build(self, fmt: str) -> Path:
        fresh_process()
        kwargs = {"cache": self.cache} if self.cache is not None else {}
        courses, diagnostics = load_courses([self.root], **kwargs)
        errors = [d for d in diagnostics if d.is_error]
        if errors or len(courses) != 1 or any(d.code == "W204" for d in diagnostics):
            sys.exit("the synthetic course does not load cleanly:\n" + "\n".join(map(str, diagnostics[:20])))
        [exporter] = select_exporters([fmt]).values()
        options = {"max_size": None, "sco_per": "sequential", **kwargs}
        return build_package(courses[0], exporter, self.out, options).path


def one_build(course: str, fmt: str, out: str) -> None:
    """(Child process of --against.) Build twice; print the CPU and wall seconds of the second build."""
    builder = Builder(Path(course), Path(out), None)
    builder.build(fmt)
    cpu, wall = time.process_time(), time.perf_counter()
    builder.build(fmt)
    print(f"{time.process_time() - cpu:.4f} {time.perf_counter() - wall:.4f}")


def against(other: Path, formats: list[str], chapters: int, rounds: int) -> None:
    """Clean builds of this code against the code in `other`, alternating, each in its own process."""
    with tempfile.TemporaryDirectory(prefix="pamong-bench-") as tmp:
        root = Path(tmp) / "course"
        write_course(root, chapters)
        for fmt in formats:
            times: dict[str, list[tuple[float, float]]] = {"this": [], "other": []}
            for i in range(rounds):
                for side in (("this", "other") if i % 2 == 0 else ("other", "this")):
                    env = dict(os.environ)
                    env.pop("PYTHONPATH", None)
                    if side == "other":
                        env["PYTHONPATH"] = str(other.resolve())
                    done = subprocess.run([sys.executable, __file__, "--one-build", str(root), fmt,
                                           str(Path(tmp) / side)], env=env, capture_output=True, text=True,
                                          check=True)
                    cpu, wall = map(float, done.stdout.split()[-2:])
                    times[side].append((cpu, wall))
            for clock, index in (("CPU ", 0), ("wall", 1)):
                this = statistics.median(t[index] for t in times["this"])
                that = statistics.median(t[index] for t in times["other"])
                print(f"clean {fmt} build [{clock}]: this code {this:.3f} s, {other} {that:.3f} s "
                      f"(median of {rounds}, alternating): {this / that:.2f}×")


def extract(package: Path, tree: Path) -> Path:
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    if package.name.endswith(".tar.gz"):
        with tarfile.open(package) as tar:
            tar.extractall(tree, filter="data")
    else:
        with zipfile.ZipFile(package) as zf:
            zf.extractall(tree)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", type=int, default=BASE_CHAPTERS, help="chapters (200 blocks each)")
    parser.add_argument("--rounds", type=int, default=5, help="measured pairs per goal")
    parser.add_argument("--format", action="append", dest="formats",
                        help="olx, scorm12, scorm2004 (repeatable); default all three")
    parser.add_argument("--profile", metavar="FORMAT", help="print a cProfile of one clean build and stop")
    parser.add_argument("--against", metavar="DIR", help="compare clean builds with the code in DIR")
    parser.add_argument("--one-build", nargs=3, metavar=("COURSE", "FORMAT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    formats = args.formats or ["olx", "scorm12", "scorm2004"]
    if args.one_build:
        one_build(*args.one_build)
        return
    if args.against:
        against(Path(args.against), formats, args.chapters, args.rounds)
        return

    with tempfile.TemporaryDirectory(prefix="pamong-bench-") as tmp:
        work = Path(tmp)
        root = work / "course"
        blocks = write_course(root, args.chapters)
        clean = Builder(root, work / "dist-clean", None)
        print(load_average("at the start"))
        print(f"synthetic course: {blocks:,} blocks in {args.chapters} chapter files, "
              f"{sum(1 for p in (root / 'assets').rglob('*') if p.is_file())} assets")
        if args.profile:
            clean.build(args.profile)  # imports and plugin discovery, which a measured build does not pay either
            profiler = cProfile.Profile()
            profiler.runcall(clean.build, args.profile)
            for order in ("cumulative", "tottime"):
                pstats.Stats(profiler).sort_stats(order).print_stats(40)
            return

        for fmt in formats:
            package = clean.build(fmt)
            tree = extract(package, work / f"tree-{fmt}")
            if fmt == "olx":
                baseline = command(["tar", "czf", str(work / "baseline.tar.gz"), "-C", str(tree), "."])
                label = f"clean {fmt} build ÷ tar czf of its tree"
            else:
                (work / "baseline.zip").unlink(missing_ok=True)
                baseline = command(["zip", "-qr", "-X", str(work / "baseline.zip"), "."], cwd=str(tree))
                label = f"clean {fmt} build ÷ zip -qr of its tree"
            result = alternate(lambda: clean.build(fmt), baseline, rounds=args.rounds)
            print(report(label, result, goal=GOAL_BUILD))

        # incremental: one lesson (a sequential of chapter 7) edited before every rebuild
        cached = Builder(root, work / "dist-cached", work / "cache")
        edits = iter(range(1, 1_000_000))
        chapter = root / "chapters" / "007.yaml"

        def edit_one_lesson() -> None:
            chapter.write_text(chapter_yaml(7, edit=f" revisi {next(edits)}", edited_sequential=3), encoding="utf-8")

        for fmt in ["olx"] + [f for f in formats if f != "olx"]:  # OLX is the goal's; SCORM's use the cache too
            cached.build(fmt)  # fills the cache
            result = alternate(lambda: cached.build(fmt), lambda: clean.build(fmt), rounds=args.rounds,
                               before=edit_one_lesson)
            print(report(f"rebuild after editing one lesson ÷ clean {fmt} build", result, goal=GOAL_REBUILD_RATIO))
            for clock, times in (("wall", result.measured), ("CPU ", result.measured_cpu)):
                rebuild = statistics.median(times)
                verdict = "met" if rebuild <= GOAL_REBUILD_SECONDS else "NOT met"
                print(f"rebuild of {fmt} after editing one lesson [{clock}]: median {rebuild:.3f} s (min "
                      f"{min(times):.3f}, max {max(times):.3f})  goal ≤ {GOAL_REBUILD_SECONDS} s: {verdict}")

        # the incremental packages are the clean ones, byte for byte
        edit_one_lesson()
        for fmt in formats:
            incremental = cached.build(fmt).read_bytes()
            print(f"rebuilt {fmt} package identical to a clean build:", incremental == clean.build(fmt).read_bytes())
        print(load_average("at the end"))


def load_average(when: str) -> str:
    """The machine's load, for reading the figures: on 2 cores, a load above 2 means other work was waiting too
    (the ratios, taken pair by pair, are the steadier figures then; CPU steadier than wall)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {when}: {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} cores)"


if __name__ == "__main__":
    main()
