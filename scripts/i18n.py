"""Message catalogues: extract the messages, update the `.po` files, compile the `.mo` files, check them.

    .venv/bin/python scripts/i18n.py update     # after adding or changing messages: .po updated, then translate
    .venv/bin/python scripts/i18n.py compile    # after translating: .mo written from each .po
    .venv/bin/python scripts/i18n.py check      # what the tests check, as a report

Messages are what `_()`, `ngettext()` and `N_()` are called with in the sources below (Babel's extractor, with
babel.cfg), plus click's own texts (Usage:, Options:, No such option…), which the CLI routes through the same
catalogue. A catalogue holds the messages of the modules in TRANSLATED: those must all be translated, into every
language in LANGUAGES. Widening TRANSLATED (to every module, eventually) is how a module joins; the tests in
tests/cli/test_catalogue.py then hold it to the same rules. See docs/i18n.md.

Needs Babel (`pip install -e '.[test]'`); the toolkit itself reads only the compiled `.mo` files, with the
standard library's gettext.
"""

from __future__ import annotations

import functools
import io
import re
import string
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = ROOT / "pamong_edx" / "locale"
DOMAIN = "pamong_edx"
LANGUAGES = ("id",)  # the source language, English, needs no catalogue
SOURCES = ("pamong_edx", "exporters", "cli.py")  # what the extractor reads (babel.cfg maps the files in them)
CLICK = "click/"  # location prefix of the messages extracted from click

# The modules whose messages the catalogues must hold, translated: the one list to widen until it is ["*"].
# Paths are relative to the repository root; glob patterns as pathlib reads them (`*` within a folder, `**` any
# depth).
TRANSLATED = [
    "cli.py",
    "click/*",
    "exporters/*.py",
    "pamong_edx/*.py",
    "pamong_edx/blocktypes/**/*.py",
    "pamong_edx/course/*.py",
    "pamong_edx/enrol/*.py",
    "pamong_edx/lms/**/*.py",
    "pamong_edx/player/*.py",
    "pamong_edx/preview/*.py",
    "pamong_edx/regions/*.py",
    "pamong_edx/report/*.py",
    "pamong_edx/roster/*.py",
    "pamong_edx/sandbox/**/*.py",
]


HEADER_COMMENT = ("# Messages of pamong-edx: scripts/i18n.py update adds and removes them, translators fill msgstr,\n"
                  "# scripts/i18n.py compile writes the .mo beside this file. See docs/i18n.md.")
HEADER_TEAM = {"id": "Bahasa Indonesia"}


@dataclass
class Message:
    id: str | tuple[str, str]  # a plural message is (singular, plural)
    locations: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return self.id[0] if isinstance(self.id, tuple) else self.id


def _method_map() -> list[tuple[str, str]]:
    """The file patterns of babel.cfg: `[python: pattern]` sections."""
    text = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    return [(m.group(2).strip(), m.group(1).strip()) for m in re.finditer(r"^\[(\w+):\s*([^\]]+)\]", text, re.M)]


def extract(sources: Iterable[str] = SOURCES, with_click: bool = True) -> dict[str, Message]:
    """Every message in the sources (and click's), by msgid, with the files it is used in."""
    found: dict[str, Message] = {}

    def add(location: str, message: str | tuple[str, ...]) -> None:
        msgid = message if isinstance(message, str) else tuple(message[:2])
        entry = found.setdefault(msgid[0] if isinstance(msgid, tuple) else msgid, Message(msgid))
        entry.locations.add(location)

    method_map = _method_map()
    for source in sources:
        path = ROOT / source
        if path.is_file():
            for _line, message, _comments, _context in extract_from_file("python", str(path), DEFAULT_KEYWORDS):
                add(source, message)
            continue
        for filename, _line, message, _comments, _context in extract_from_dir(str(path), method_map):
            add(f"{source}/{filename}", message)
    if with_click:
        import click

        click_dir = Path(click.__file__).parent
        for filename, _line, message, _comments, _context in extract_from_dir(str(click_dir), [("**.py", "python")]):
            add(CLICK + filename, message)
    # pamong_edx/cli.py is a link to cli.py: one file, named once
    for entry in found.values():
        if "pamong_edx/cli.py" in entry.locations:
            entry.locations.discard("pamong_edx/cli.py")
            entry.locations.add("cli.py")
    return found


def is_translated_module(location: str, patterns: Iterable[str] = TRANSLATED) -> bool:
    return any(_pattern(p).fullmatch(location) for p in patterns)


@functools.cache
def _pattern(pattern: str) -> re.Pattern:
    """A TRANSLATED pattern as pathlib's glob reads it (the test that each names a file uses Path.glob): `*`
    within one folder, `**/` any folders deep; the pattern "*" alone is every module."""
    if pattern == "*":
        return re.compile(".*", re.S)
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern)
    wild = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wild.get(part) or re.escape(part) for part in parts), re.S)


def covered(messages: dict[str, Message], patterns: Iterable[str] = TRANSLATED) -> dict[str, Message]:
    """The messages used in at least one module of TRANSLATED."""
    patterns = list(patterns)
    return {k: m for k, m in messages.items() if any(is_translated_module(loc, patterns) for loc in m.locations)}


def po_path(language: str, locale_dir: Path = LOCALE_DIR, domain: str = DOMAIN) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, abort_invalid=True)


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update(language: str) -> Path:
    """Bring the language's .po in line with the covered messages: new ones added untranslated, gone ones
    removed, translations kept (a changed message keeps its old translation marked fuzzy, for review)."""
    template = Catalog(locale=None, domain=DOMAIN, project="pamong-edx", charset="utf-8")
    for message in sorted(covered(extract()).values(), key=lambda m: m.key):
        template.add(message.id, locations=[(loc, None) for loc in sorted(message.locations)])
    path = po_path(language)
    if path.is_file():
        catalog = read_catalog(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=language, domain=DOMAIN, project="pamong-edx", charset="utf-8")
    created = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=False)
    catalog.obsolete.clear()
    # A header that does not change with every update, so that two branches' updates merge
    catalog.creation_date = catalog.revision_date = created
    catalog.fuzzy = False
    catalog.project, catalog.version = "pamong-edx", ""
    catalog.msgid_bugs_address = ""
    catalog.last_translator = catalog.language_team = HEADER_TEAM.get(language, "")
    catalog.header_comment = HEADER_COMMENT
    write(catalog, path)
    return path


def write(catalog: Catalog, path: Path) -> None:
    """Write a .po without line numbers (they would change with every edit of a source) and sorted, so that
    two branches adding messages merge cleanly."""
    with path.open("wb") as f:
        write_po(f, catalog, sort_output=True, include_lineno=False, width=116, omit_header=False)


def compile_all() -> list[Path]:
    """Write every .mo beside its .po (the core's, and those of the fixture plugins' catalogues)."""
    written = []
    for po in all_po_files():
        po.with_suffix(".mo").write_bytes(compiled(read_catalog(po)))
        written.append(po.with_suffix(".mo"))
    return written


def all_po_files() -> list[Path]:
    """The core's catalogues and those of the test fixtures' plugins."""
    dirs = [LOCALE_DIR, *(p for p in (ROOT / "tests" / "fixtures").rglob("locale") if p.is_dir())]
    return sorted({po for d in dirs for po in d.glob("*/LC_MESSAGES/*.po")})


# ------------------------------------------------------------------------------------------------- checks

_FORMATTER = string.Formatter()
_PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")


def placeholders(text: str) -> set[str]:
    """The `{name}` fields and `%(name)s` / `%s` specifiers a message is formatted with."""
    found = set()
    try:
        for _literal, name, spec, conversion in _FORMATTER.parse(text):
            if name is not None:
                found.add("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    except ValueError:
        found.add("<unbalanced braces>")
    found.update(m.group() for m in _PERCENT.finditer(text) if m.group() != "%%")
    return found


def problems(catalog: Catalog, messages: dict[str, Message]) -> list[str]:
    """What is wrong with one language's catalogue against the covered messages of the sources."""
    found = []
    language = str(catalog.locale)
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    for key, message in sorted(covered(messages).items()):
        if key not in in_catalog:
            if all(loc.startswith(CLICK) for loc in message.locations):
                continue  # a click release added a message: shown in English until the next update
            found.append(f"{language}: missing {key!r} (from {', '.join(sorted(message.locations))}); run "
                         "scripts/i18n.py update and translate it")
    for key, entry in sorted(in_catalog.items()):
        locations = {loc for loc, _line in entry.locations}
        if key not in messages:
            if locations and all(loc.startswith(CLICK) for loc in locations):
                continue  # gone from click: harmless, removed at the next update
            found.append(f"{language}: stale {key!r} (no longer in the sources); run scripts/i18n.py update")
            continue
        strings = entry.string if isinstance(entry.string, (tuple, list)) else (entry.string,)
        if entry.fuzzy or not all(strings):
            found.append(f"{language}: untranslated {key!r}" + (" (fuzzy: review it)" if entry.fuzzy else ""))
            continue
        if not isinstance(entry.id, (tuple, list)):
            expected, got = placeholders(entry.id), placeholders(strings[0])
            if got != expected:
                found.append(f"{language}: placeholders of {key!r} differ: {sorted(expected)} in English, "
                             f"{sorted(got)} in {strings[0]!r}")
            continue
        # A plural: its last form (the only one, in Indonesian) serves any number, so it holds the English
        # plural's placeholders; earlier forms may leave the number out, as English "one" does.
        union = placeholders(entry.id[0]) | placeholders(entry.id[1])
        for index, translated in enumerate(strings):
            got = placeholders(translated)
            last = index == len(strings) - 1
            if (last and got != placeholders(entry.id[1])) or not got <= union:
                found.append(f"{language}: placeholders of {key!r} differ: {sorted(placeholders(entry.id[1]))} in "
                             f"English, {sorted(got)} in {translated!r}")
    return found


def stale_mo(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return not mo.is_file() or mo.read_bytes() != compiled(read_catalog(po))


# -------------------------------------------------------------------------------- English left in output

_NOT_WORDS = [
    re.compile(r"\{[^{}]*\}|%\(\w+\)\w"),  # placeholders
    re.compile(r"\b[EWRSX]\d{3}\b"),  # diagnostic codes
    re.compile(r"\b\w+://\S+"),  # URLs
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # email addresses
    re.compile(r"\[[\w.-]+\]"),  # TOML tables: [profiles.NAME]
    re.compile(r"course-v1:\S+"),  # course keys
    re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`]*`"),  # quoted values: names, titles, ids, commands
    re.compile(r"\S*[/\\]\S*"),  # paths
    re.compile(r"\S+\.(?:ya?ml|md|toml|csv|xlsx|json|zip|tar\.gz|olx|po|mo|py|svg|png|jpe?g|srt|vtt|mp4)\b", re.I),
    re.compile(r"--?[\w-]+"),  # options
    re.compile(r"\b\w*[_\d]\w*\b"),  # identifiers and numbers: snake_case, PKD101, 2027_T1
    re.compile(r"\b[a-z]+(?:-[a-z]+)+\b"),  # kebab-case identifiers (ids, slugs)
    re.compile(r"\b[A-Z][A-Z]+\b"),  # acronyms and metavariables: LMS, OLX, [OPTIONS], PATHS...
]


def words_of(text: str) -> list[str]:
    """The words of running text, once codes, paths, quoted values, options and identifiers are removed."""
    for pattern in _NOT_WORDS:
        text = pattern.sub(" ", text)
    return re.findall(r"[A-Za-z]+", text)


def english_vocabulary(messages: dict[str, Message], catalogs: Iterable[Catalog]) -> set[str]:
    """The words of the toolkit's English messages that no translation uses: finding one of them in output
    meant to be in another language means an English message was printed."""
    english = set()
    for message in messages.values():
        for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
            english.update(w.lower() for w in words_of(text))
    translated = set()
    for catalog in catalogs:
        for entry in catalog:
            for text in (entry.string if isinstance(entry.string, (tuple, list)) else (entry.string,)):
                translated.update(w.lower() for w in words_of(text or ""))
    return {w for w in english - translated if len(w) > 2}


def english_in(output: str, vocabulary: set[str]) -> list[str]:
    """The English words (of `vocabulary`) found in `output`, in order."""
    return [w for w in words_of(output) if w.lower() in vocabulary]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        for language in LANGUAGES:
            print(f"updated {update(language).relative_to(ROOT)}")
        return 0
    if command == "compile":
        for mo in compile_all():
            print(f"compiled {mo.relative_to(ROOT)}")
        return 0
    if command == "check":
        messages = extract()
        found = [p for language in LANGUAGES for p in problems(read_catalog(po_path(language)), messages)]
        found += [f"{po.relative_to(ROOT)}: its .mo is missing or older than the .po; run scripts/i18n.py compile"
                  for po in all_po_files() if stale_mo(po)]
        print("\n".join(found) or "catalogues complete")
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
