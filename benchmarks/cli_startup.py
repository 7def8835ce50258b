"""CLI start-up: `pamong --help` and `pamong validate` of a small course, each as a ratio to `python -c pass`.

    .venv/bin/python benchmarks/cli_startup.py              # 30 rounds
    .venv/bin/python benchmarks/cli_startup.py --rounds 60  # steadier figures on a busy machine
    .venv/bin/python benchmarks/cli_startup.py --importtime # then what each command imports, slowest first
    .venv/bin/python benchmarks/cli_startup.py --source /tmp/old-checkout   # another source tree, for before/after

The commands run as users run them: the `pamong` console script beside this interpreter (else
`python -m pamong_edx`), byte-compiled (PYTHONDONTWRITEBYTECODE is dropped, so the warm-up writes the .pyc files
an installed package has). The small course is the one `pamong new` writes (two chapters, a graded test, two
images). Each round runs the baseline and then every command, so a busy machine slows all of them alike, and each
ratio is taken within its round: the figures are the min / median / max of those per-round ratios, with the
baseline's own median time. Targets (issue 18): --help ≤ 4×, validate ≤ 6×.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"pamong --help": 4.0, "pamong validate (small course)": 6.0}


def pamong_command() -> list[str]:
    script = Path(sys.executable).with_name("pamong")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pamong_edx"]


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.decode(errors='replace')}")
    return elapsed


def compare(baseline: list[str], commands: dict[str, list[str]], rounds: int, env: dict[str, str],
            cwd: Path) -> tuple[list[float], dict[str, list[float]]]:
    """Run the baseline and each command alternately; (baseline times, per-round ratios by command)."""
    for argv in [baseline, *commands.values()]:  # warm the OS file cache and the .pyc files
        timed(argv, env, cwd)
    base_times: list[float] = []
    ratios: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        base = timed(baseline, env, cwd)
        base_times.append(base)
        for name, argv in commands.items():
            ratios[name].append(timed(argv, env, cwd) / base)
    return base_times, ratios


def slowest_imports(argv: list[str], env: dict[str, str], cwd: Path, count: int = 15) -> list[tuple[int, str]]:
    """(cumulative µs, module) of the top-level imports `python -X importtime` reports, slowest first."""
    result = subprocess.run(argv, capture_output=True, text=True, env=env | {"PYTHONPROFILEIMPORTTIME": "1"},
                            cwd=cwd)
    found = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        if not name.startswith("  "):  # a top-level import (nested ones are indented further)
            found.append((int(cumulative), name.strip()))
    return sorted(found, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--importtime", action="store_true", help="also list each command's slowest imports")
    parser.add_argument("--source", type=Path, help="run `python -m pamong_edx` from this source tree instead")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pamong-startup-"))
    try:
        # A fixed language, so no pamong.toml is looked for in the user's folders; the work folder holds none.
        # Modules byte-compiled, as pip leaves an installed package: the warm-up run writes the .pyc files.
        env = dict(os.environ, PAMONG_LANG="en")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        pamong = pamong_command()
        if args.source:
            env["PYTHONPATH"] = str(args.source.resolve())
            pamong = [sys.executable, "-m", "pamong_edx"]
        subprocess.run([*pamong, "new", str(work / "kursus-kecil")], check=True, env=env, cwd=work,
                       stdout=subprocess.DEVNULL)
        commands = {
            "pamong --help": [*pamong, "--help"],
            "pamong validate (small course)": [*pamong, "validate", str(work / "kursus-kecil")],
        }
        baseline = [sys.executable, "-c", "pass"]
        base_times, ratios = compare(baseline, commands, args.rounds, env, work)
        print(f"baseline `python -c pass`: median {statistics.median(base_times) * 1000:.1f} ms "
              f"({args.rounds} rounds, run alternately with each command)")
        for name, values in ratios.items():
            low, mid, high = min(values), statistics.median(values), max(values)
            verdict = "ok" if mid <= TARGETS[name] else "ABOVE TARGET"
            print(f"{name:<32} ratio min {low:5.2f}×  median {mid:5.2f}×  max {high:5.2f}×  "
                  f"(target ≤ {TARGETS[name]:g}×: {verdict})")
        if args.importtime:
            for name, argv in commands.items():
                print(f"\n{name}: slowest top-level imports (cumulative)")
                for micros, module in slowest_imports(argv, env, work):
                    print(f"  {micros / 1000:7.1f} ms  {module}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
