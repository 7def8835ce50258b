"""Measure a task against its baseline, alternating pair by pair in one process tree, and print the ratio.

A ratio is only meaningful when both sides see the same machine: on a shared machine the load changes from
second to second, so the two are run alternately (measured, baseline; then baseline, measured; …) and the
ratio is taken per pair. The figures printed are the min / median / max of the per-pair ratios, with the
median time of each side:

    from compare import alternate, command, report
    result = alternate(lambda: build(), command(["tar", "czf", out, "-C", tree, "."]), rounds=7)
    print(report("OLX build / tar czf", result, goal=5.0))

Used by build_speed.py; any benchmark that states a goal as a ratio to a baseline can use it the same way.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from dataclasses import dataclass
from typing import Callable, Sequence

Task = Callable[[], object]


@dataclass
class Comparison:
    measured: list[float]  # seconds, one per pair
    baseline: list[float]

    @property
    def ratios(self) -> list[float]:
        return [m / b for m, b in zip(self.measured, self.baseline)]

    def summary(self) -> tuple[float, float, float]:
        ratios = self.ratios
        return min(ratios), statistics.median(ratios), max(ratios)


def timed(task: Task) -> float:
    start = time.perf_counter()
    task()
    return time.perf_counter() - start


def command(argv: Sequence[str], cwd: str | None = None) -> Task:
    """A task that runs a command (a child of this process) and fails loudly if the command does."""

    def run() -> None:
        subprocess.run(list(argv), cwd=cwd, check=True, stdout=subprocess.DEVNULL)

    return run


def alternate(measured: Task, baseline: Task, rounds: int = 5, warmup: int = 1,
              before: Task | None = None) -> Comparison:
    """Run `warmup` unmeasured pairs, then `rounds` measured pairs, alternating which side goes first.
    `before`, when given, runs (unmeasured) before each measured task, e.g. to edit a file."""
    for _ in range(warmup):
        if before:
            before()
        measured()
        baseline()
    result = Comparison([], [])
    for i in range(rounds):
        order = (True, False) if i % 2 == 0 else (False, True)
        for is_measured in order:
            if is_measured:
                if before:
                    before()
                result.measured.append(timed(measured))
            else:
                result.baseline.append(timed(baseline))
    return result


def report(label: str, result: Comparison, goal: float | None = None, unit: str = "×") -> str:
    low, middle, high = result.summary()
    line = (f"{label}: {middle:.2f}{unit} (min {low:.2f}, median {middle:.2f}, max {high:.2f} over "
            f"{len(result.ratios)} pairs; median {statistics.median(result.measured):.3f} s vs "
            f"{statistics.median(result.baseline):.3f} s)")
    if goal is not None:
        line += f"  goal ≤ {goal:g}{unit}: {'met' if middle <= goal else 'NOT met'}"
    return line
