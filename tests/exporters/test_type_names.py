"""No exporter or player file names a built-in block type: the exporters ask each block's type for its renderer,
so adding a type touches only its own plugin (pamong_edx/blocktypes/<type>/, or a third-party package)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pamong_edx.plugins import block_types

REPO = Path(__file__).resolve().parents[2]
SCANNED = [REPO / "exporters", REPO / "pamong_edx" / "player", REPO / "pamong_edx" / "renderers.py"]
BUILT_IN = ("text", "video", "discussion", "single_choice", "multiple_choice", "dropdown", "numerical", "text_answer")
MODEL_CLASSES = ("TextBlock", "VideoBlock", "DiscussionBlock", "ChoiceProblem", "NumericalProblem", "TextProblem")
# Names of other vocabularies that happen to be spelt like a block type: (file, the assignment holding them).
ELSEWHERE = {
    ("exporters/olx.py", "TAB_NAMES"): "Open edX course tab types (the discussion tab, not a discussion block)",
    ("exporters/olx.py", "_policies"): "Open edX course tab types (the discussion tab, not a discussion block)",
    ("exporters/moodlexml.py", "TEXT_TAG"): "Moodle XML's <text> element",
}


def files() -> list[Path]:
    found = []
    for root in SCANNED:
        found += [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.suffix in {".py", ".js", ".j2"})
    return found


def python_mentions(path: Path) -> list[str]:
    """Type names as string constants and model classes by name, outside the allowed other vocabularies."""
    tree = ast.parse(path.read_text("utf-8"))
    rel = path.relative_to(REPO).as_posix()
    allowed: set[int] = set()
    for node in ast.walk(tree):
        owner = None
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            owner = node.targets[0].id
        elif isinstance(node, ast.FunctionDef):
            owner = node.name
        if owner and (rel, owner) in ELSEWHERE:
            allowed |= {id(n) for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        if isinstance(node, ast.Constant) and node.value in BUILT_IN:
            found.append(f"{rel}:{node.lineno}: '{node.value}'")
        if isinstance(node, (ast.Name, ast.alias)) and getattr(node, "id", getattr(node, "name", "")) in MODEL_CLASSES:
            found.append(f"{rel}:{getattr(node, 'lineno', 0)}: {getattr(node, 'id', getattr(node, 'name', ''))}")
    return found


QUOTED = re.compile(r"(?<![\w.-])(?<!type=)([\"'])(" + "|".join(BUILT_IN) + r")\1")


def script_mentions(path: Path) -> list[str]:
    """Quoted type names in scripts and templates (an HTML input's type="text" is another vocabulary)."""
    rel = path.relative_to(REPO).as_posix()
    return [f"{rel}:{n}: {m[0]}" for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
            for m in QUOTED.finditer(line)]


def test_no_exporter_or_player_file_names_a_built_in_type():
    scanned = files()
    assert len(scanned) > 10
    found = [hit for path in scanned
             for hit in (python_mentions(path) if path.suffix == ".py" else script_mentions(path))]
    assert found == []


@pytest.mark.parametrize("source, hits", [
    ('if block.type == "text":\n    pass\n', 1),
    ("NATIVE = {'single_choice': ChoiceProblem}\n", 2),
    ("from pamong_edx.course.model import VideoBlock\n", 1),
])
def test_the_scan_finds_what_it_looks_for(tmp_path, monkeypatch, source, hits):
    probe = REPO / "exporters" / "_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: source if self == probe else "")
    assert len(python_mentions(probe)) == hits
    assert QUOTED.search("if (q.type === 'numerical') {}") and not QUOTED.search('<input type="text">')


def test_every_built_in_type_is_a_plugin_with_a_renderer_per_format():
    types = block_types()
    for name in BUILT_IN:
        plugin = types[name]
        assert plugin.__module__ == f"pamong_edx.blocktypes.{name}"
        expected = {"olx", "scorm"} | ({"moodlexml"} if name not in ("text", "video", "discussion") else set())
        assert set(plugin.renderers) == expected, name
