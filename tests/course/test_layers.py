"""The course layer's imports: no cycle among the modules of course/ and exporters/, and the course layer
below the player (the player renders the model; the model and loader know nothing of the player)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pamong_edx
import pamong_edx.exporters

PACKAGE = Path(pamong_edx.__file__).resolve().parent
EXPORTERS = Path(pamong_edx.exporters.__file__).resolve().parent


def module_files() -> dict[str, Path]:
    files = {}
    for base, prefix in ((PACKAGE, "pamong_edx"), (EXPORTERS, "pamong_edx.exporters")):
        for path in base.rglob("*.py"):
            rel = path.relative_to(base).with_suffix("")
            if base == PACKAGE and rel.parts[0] == "exporters":
                continue
            parts = [p for p in rel.parts if p != "__init__"]
            files[".".join([prefix, *parts])] = path
    return files


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of the project that a module imports anywhere in its body (lazy imports count too)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@functools.cache
def graph() -> dict[str, set[str]]:
    files = module_files()
    known = set(files)
    return {name: imports(name, path, known) for name, path in files.items()}


def cycles_through(graph: dict[str, set[str]], prefixes: tuple[str, ...]) -> list[list[str]]:
    """Every import cycle (as a path) that passes through a module under one of the prefixes."""
    found = []
    for start in sorted(n for n in graph if n.startswith(prefixes)):
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    found.append(path + [start])
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    return found


def test_no_import_cycle_runs_through_the_course_layer_or_the_exporters():
    assert cycles_through(graph(), ("pamong_edx.course", "pamong_edx.exporters")) == []


def test_the_cycle_finder_finds_a_cycle():
    looped = {name: set(targets) for name, targets in graph().items()}
    looped["pamong_edx.course.model"].add("pamong_edx.course.loader")
    assert cycles_through(looped, ("pamong_edx.course",))


def test_the_course_layer_does_not_import_the_player():
    g = graph()
    upward = {(name, target) for name, targets in g.items() if name.startswith("pamong_edx.course")
              for target in targets if target.startswith("pamong_edx.player")}
    assert upward == set()
