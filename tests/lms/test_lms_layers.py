"""What may import what, and how the engine learns what a backend can do: read from the source.

The LMS layer (pamong_edx/lms/) is below the enrolment engine (pamong_edx/enrol/): the engine imports the
LMS protocol, never the reverse. Neither package has an import cycle. And nothing learns what a backend
supports by probing it (inspect.signature, hasattr, getattr): backends declare `features` and `pacing`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pamong_edx"
PROBE = re.compile(r"inspect\.signature|\b(?:has|get)attr\(\s*(?:self\.)?_?(?:backend|lms|client)\b")


def modules(*parts: str) -> dict[str, Path]:
    root = PACKAGE.joinpath(*parts)
    out = {}
    for path in sorted(root.rglob("*.py")):
        dotted = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        out[dotted.removesuffix(".__init__")] = path
    return out


def imports(path: Path) -> set[str]:
    """The pamong_edx modules a file imports at run time (TYPE_CHECKING blocks aside), wherever the import sits."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pamong_edx"):
            for alias in node.names:  # `from package import module` imports the module (the package is loaded)
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if PACKAGE.parent.joinpath(*submodule.split(".")).with_suffix(".py").exists()
                          else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("pamong_edx"))
    return found


def test_nothing_under_lms_imports_the_enrolment_engine():
    offenders = {name: sorted(i for i in imports(path) if i.startswith("pamong_edx.enrol"))
                 for name, path in modules("lms").items()}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_lms_and_enrol_packages_have_no_import_cycle():
    known = {**modules("lms"), **modules("enrol")}
    graph = {name: {i for i in imports(path) if i in known and i != name} for name, path in known.items()}
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> list[str] | None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                return trail + [name, target]
            if target not in state:
                cycle = visit(target, trail + [name])
                if cycle:
                    return cycle
        state[name] = "done"
        return None

    for name in sorted(graph):
        if name not in state:
            assert visit(name, []) is None


def test_nothing_probes_a_backend_for_what_it_supports():
    found = []
    for name, path in {**modules("enrol"), **modules("lms")}.items():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PROBE.search(line) or re.match(r"\s*import inspect\b", line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == []
