"""Measure a task against its baseline, alternating pair by pair in one process tree, and print the ratio.

A ratio is only meaningful when both sides see the same machine: on a shared machine the load changes from
second to second, so the two are run alternately (measured, baseline; then baseline, measured; …) and the
ratio is taken per pair. The figures printed are the min / median / max of the per-pair ratios, with the
median time of each side, for wall-clock time and for CPU time (this process's own plus its finished
children's: the baselines are commands it runs). On a machine other work keeps busy, wall time counts the
waiting too and the CPU figures are the steadier ones; on an idle machine the two agree.

    from compare import alternate, command, report
    result = alternate(lambda: build(), command(["tar", "czf", out, "-C", tree, "."]), rounds=7)
    print(report("OLX build / tar czf", result, goal=5.0))

Used by build_speed.py; any benchmark that states a goal as a ratio to a baseline can use it the same way.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from typing import Callable, Sequence

Task = Callable[[], object]


@dataclass
class Comparison:
    measured: list[float]  # wall seconds, one per pair
    baseline: list[float]
    measured_cpu: list[float]  # CPU seconds, one per pair
    baseline_cpu: list[float]

    @property
    def ratios(self) -> list[float]:
        return [m / b for m, b in zip(self.measured, self.baseline)]

    @property
    def cpu_ratios(self) -> list[float]:
        return [m / b for m, b in zip(self.measured_cpu, self.baseline_cpu)]

    def summary(self, cpu: bool = False) -> tuple[float, float, float]:
        ratios = self.cpu_ratios if cpu else self.ratios
        return min(ratios), statistics.median(ratios), max(ratios)


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed(task: Task) -> tuple[float, float]:
    """(wall seconds, CPU seconds) the task took."""
    wall, cpu = time.perf_counter(), _cpu()
    task()
    return time.perf_counter() - wall, _cpu() - cpu


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
    result = Comparison([], [], [], [])
    for i in range(rounds):
        order = (True, False) if i % 2 == 0 else (False, True)
        for is_measured in order:
            if is_measured:
                if before:
                    before()
                wall, cpu = timed(measured)
                result.measured.append(wall)
                result.measured_cpu.append(cpu)
            else:
                wall, cpu = timed(baseline)
                result.baseline.append(wall)
                result.baseline_cpu.append(cpu)
    return result


def report(label: str, result: Comparison, goal: float | None = None, unit: str = "×") -> str:
    """Two lines: the ratio in wall-clock time and in CPU time, each min / median / max over the pairs."""
    lines = []
    for clock, cpu, measured, baseline in (("wall", False, result.measured, result.baseline),
                                           ("CPU ", True, result.measured_cpu, result.baseline_cpu)):
        low, middle, high = result.summary(cpu)
        line = (f"{label} [{clock}]: {middle:.2f}{unit} (min {low:.2f}, median {middle:.2f}, max {high:.2f} "
                f"over {len(measured)} pairs; median {statistics.median(measured):.3f} s vs "
                f"{statistics.median(baseline):.3f} s)")
        if goal is not None:
            line += f"  goal ≤ {goal:g}{unit}: {'met' if middle <= goal else 'NOT met'}"
        lines.append(line)
    return "\n".join(lines)
