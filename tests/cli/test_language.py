"""The language of every message: chosen by --lang (on any command), PAMONG_LANG, pamong.toml, then the locale;
Indonesian output holds no English message text; control characters never reach the terminal raw."""

from __future__ import annotations

import csv
import re

import pytest

from pamong_edx import i18n
from pamong_edx.cli import COMMANDS, choose_language, flag_value
from pamong_edx.diagnostics import Diagnostic, Location, printable
from pamong_edx.errors import PamongError, UsageError
from pamong_edx.plugins import registry
from pamong_edx.roster.columns import RESULT_COLUMNS

from pathlib import Path

COURSES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "courses"
REGIONS = ("--regions", "{regions}")  # the region file, put in at run time (tests/conftest.py finds it)

NO_CONFIG = {"PAMONG_CONFIG": "", "XDG_CONFIG_HOME": "/nonexistent"}


def test_flag_then_environment_then_config_then_locale(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    locale = {"LANG": "id_ID.UTF-8", **NO_CONFIG}
    assert choose_language([], locale) == "id"
    assert choose_language([], {"LANG": "en_US.UTF-8", **NO_CONFIG}) == "en"
    assert choose_language([], {"LC_ALL": "C", "LANG": "id_ID.UTF-8", **NO_CONFIG}) == "en"  # LC_ALL first
    assert choose_language([], {"LC_MESSAGES": "id_ID", "LANG": "en_GB", **NO_CONFIG}) == "id"
    assert choose_language([], NO_CONFIG) == "en"
    (tmp_path / "pamong.toml").write_text('lang = "en"\n[profiles.x]\nlms = "openedx"\n')
    assert choose_language([], locale) == "en"  # pamong.toml before the locale
    assert choose_language([], {**locale, "PAMONG_LANG": "id"}) == "id"  # the environment before pamong.toml
    assert choose_language(["--lang", "en"], {**locale, "PAMONG_LANG": "id"}) == "en"  # --lang first
    assert choose_language(["validate", "--lang=id", "x"], {"PAMONG_LANG": "en", **NO_CONFIG}) == "id"


def test_flag_value_reads_options_only_before_a_double_dash():
    assert flag_value(["--lang", "id", "validate", "--lang", "en"], "--lang") == "en"
    assert flag_value(["new", "--", "--lang", "id"], "--lang") is None


def test_a_bad_language_setting_is_one_clear_error(tmp_path, monkeypatch, pamong_main):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=r"PAMONG_LANG is 'fr'; the languages are id, en"):
        choose_language([], {"PAMONG_LANG": "fr", **NO_CONFIG})
    (tmp_path / "pamong.toml").write_text("lang = 3\n")
    with pytest.raises(UsageError, match=r"'lang' in .*pamong.toml is 3; the languages are id, en"):
        choose_language([], NO_CONFIG)
    monkeypatch.setenv("PAMONG_LANG", "jv")
    assert pamong_main("--help") == (2, "", "error: PAMONG_LANG is 'jv'; the languages are id, en\n")
    monkeypatch.setenv("PAMONG_LANG", "en")
    status, _, err = pamong_main("--lang", "jv", "--help")
    assert status == 2 and "'jv' is not one of 'id', 'en'" in err


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_accepts_lang_and_speaks_it_in_its_help(name, pamong_main):
    status, out, err = pamong_main(name, "--lang", "id", "--help")
    assert status == 0, err
    assert out.startswith("Penggunaan: pamong ")
    assert "Tampilkan pesan ini lalu keluar." in out and "--lang [id|en]" in out


def test_the_real_command_line_speaks_indonesian(run_cli):
    result = run_cli("validate", str(COURSES / "minimal"), env={"LANG": "id_ID.UTF-8", **NO_CONFIG},
                     drop=("PAMONG_LANG", "LC_ALL", "LC_MESSAGES"))  # chosen by the locale
    assert result.stdout.endswith("1 bab, 1 blok (0 soal), 0 aset; 0 kesalahan, 0 peringatan\n")
    assert run_cli("--lang", "id", "--help").stdout.startswith("Penggunaan: pamong [OPTIONS] COMMAND")


# Commands whose whole output is translated, run with --lang id: the sweep that translates the rest adds theirs.
# `{tmp}` and `{regions}` in the arguments are a fresh folder and the region file.
INDONESIAN = {
    "root help": (["--help"], 0),
    "validate": (["validate", str(COURSES / "minimal")], 0),
    "validate --help": (["validate", "--help"], 0),
    "plugins": (["plugins"], 0),
    "unknown option": (["validate", "--strct", "x"], 2),
    "unknown command": (["valdiate"], 2),
    "missing argument": (["validate"], 2),
    "failing courses": (["validate", "/nonexistent/course"], 1),
    "pedagogy lints": (["validate", *(str(p) for p in sorted(COURSES.glob("lint-*")))], 0),
    "new into a course": (["new", str(COURSES / "minimal")], 2),
    # the loader's errors and warnings (none from a block plugin's own checks), and the summaries
    "validate errors and warnings": (["validate", str(COURSES / "id-errors"), str(COURSES / "id-warnings")], 1),
    "unreadable sources": (["validate", str(COURSES / "unreadable-chapters"), str(COURSES / "path-escape"),
                            str(COURSES / "unknown-block-type")], 1),
    "build with warnings": (["build", str(COURSES / "id-warnings"), "-o", "{tmp}"], 0),
    "build with errors": (["build", str(COURSES / "id-errors"), "-o", "{tmp}"], 1),
    "build --help": (["build", "--help"], 0),
    "build of no size": (["build", str(COURSES / "minimal"), "--max-size", "besar"], 2),
    "regions show": (["regions", "show", "18.71.01", *REGIONS], 0),
    "regions find": (["regions", "find", "rajabasa jya", "--in", "18.71", *REGIONS], 0),
    "regions find nothing": (["regions", "find", "xqzzy", "--in", "18.71", *REGIONS], 1),
    "regions unknown code": (["regions", "show", "18.71.01.9999", *REGIONS], 1),
    "regions without a file": (["regions", "show", "18"], 2),
    "regions find --help": (["regions", "find", "--help"], 0),
    "roster check --help": (["roster", "check", "--help"], 0),
}
# Words an output shows as names, not as English: subcommands, and the values an option takes.
NAMES = {
    "build --help": {"course", "chapter", "sequential"},
    "regions find --help": {"find"},
    "roster check --help": {"check"},
}
# A phrase of each command's English output: with --lang en, the same command speaks English.
ENGLISH = {
    "validate errors and warnings": "unknown key 'tittle' in a unit (did you mean 'title'?)",
    "unreadable sources": "leaves the course directory",
    "build with warnings": "1 block, 0 problems, 3 assets",
    "build with errors": "error(s) in the course sources; nothing was built",
    "regions show": "regions below:",
    "regions find": "closest names:",
    "regions unknown code": "is not in the region reference",
    "roster check --help": "Print the first N diagnostics",
}


@pytest.mark.parametrize("case", sorted(INDONESIAN))
def test_indonesian_output_holds_no_english_message(case, pamong_main, english, tmp_path, wilayah, monkeypatch):
    monkeypatch.delenv("PAMONG_REGIONS", raising=False)
    monkeypatch.chdir(tmp_path)  # no pamong.toml around
    args, status = INDONESIAN[case]
    args = [a.format(tmp=tmp_path / "dist", regions=wilayah) if a in ("{tmp}", "{regions}") else a for a in args]
    code, out, err = pamong_main("--lang", "id", *args)
    assert code == status, err
    output = out + err
    names = NAMES.get(case, set())
    if case == "plugins":  # its first columns are plugin types and names: identifiers, the same in any language
        names = {word for p in registry().all() for word in (p.type, p.name)}
    assert english(output, names) == [], output
    if case == "plugins":
        assert output.split()[:7] == ["JENIS", "NAMA", "KOMPONEN", "VERSI", "SUMBER", "BAHASA", "STATUS"]
    _, out, err = pamong_main("--lang", "en", *args)
    assert english(out + err, names)  # the same command in English: the check sees it
    assert ENGLISH.get(case, "") in out + err


def test_the_english_check_ignores_codes_paths_identifiers_and_quoted_values(english):
    assert english("course_src/pkd/course.yaml:3:1: W301 'Sistem Keuangan' PKD101 2027_T1 --strict pkd-post-1") == []
    assert english("tests/x: 0 kesalahan, 0 peringatan") == []
    assert english("tests/x: 0 errors, 0 warnings") == ["errors", "warnings"]


def test_in_process_callers_keep_their_language(pamong_main):
    assert i18n.language() == "en"
    status, out, _ = pamong_main("--lang", "id", "validate", str(COURSES / "minimal"))
    assert status == 0 and "0 kesalahan" in out
    assert i18n.language() == "en" and i18n._("loaded") == "loaded"


def test_control_characters_never_reach_the_terminal(pamong_main, tmp_path):
    hostile = tmp_path / "kursus\x1b[2J\x07"
    hostile.mkdir()
    _, out, err = pamong_main("validate", str(hostile))
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "kursus\\x1b[2J\\x07" in out
    status, _, err = pamong_main("valid\x1bate")
    assert status == 2 and "\x1b" not in err and "valid\\x1bate" in err


def test_printable_escapes_once_and_diagnostics_stay_on_one_line():
    assert printable("a\x1b[31mb\x00\u202ec\td\ne") == "a\\x1b[31mb\\x00\\u202ec\td\ne"
    assert printable(printable("\x1b")) == "\\x1b"
    forged = Diagnostic("E105", "bad value 'x\ncourse.yaml:1:1: E000 forged'", Location("course.yaml", 3, 1))
    assert "\n" not in forged.text() and "\\x0a" in forged.text()


def test_errors_from_anywhere_are_escaped(pamong_main, monkeypatch):
    def fail(*args, **kwargs):
        raise PamongError("cannot read roster\x1b]0;pwned\x07.csv")

    monkeypatch.setattr("pamong_edx.cli.cli.main", fail)
    status, _, err = pamong_main("validate", "x")
    assert status == 1 and err == "error: cannot read roster\\x1b]0;pwned\\x07.csv\n"


def test_a_config_nested_without_end_is_one_clear_error(tmp_path, monkeypatch, pamong_main):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pamong.toml").write_text("lang = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(UsageError, match=r"pamong.toml: nested too deeply to read$"):
        choose_language([], NO_CONFIG)
    monkeypatch.delenv("PAMONG_LANG")  # the language comes from pamong.toml, read at every start
    for name, value in NO_CONFIG.items():
        monkeypatch.setenv(name, value)
    status, _, err = pamong_main("--help")
    assert status == 2 and len(err.splitlines()) == 1 and "nested too deeply to read" in err


def table(path: Path) -> list[list[str]]:
    """A results file's cells as text (CSV or XLSX)."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        return [["" if c is None else str(c) for c in row]
                for row in load_workbook(path, read_only=True).active.iter_rows(values_only=True)]
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_roster_check_and_its_results_file_speak_the_language(suffix, pamong_main, english, make_roster, wilayah,
                                                             tmp_path):
    roster = make_roster(rows=600, seed=7, province="18", messy=0.2)
    hasil = tmp_path / f"hasil.{suffix}"
    code, out, err = pamong_main("--lang", "id", "roster", "check", str(roster), "--regions", str(wilayah),
                                 "-o", str(hasil))
    assert code == 1 and "kesalahan: " in err and "Berkas hasil: " in out
    cells = table(hasil)
    header, rows = cells[0], cells[1:]
    assert header == ["baris", "status", "kode_temuan", "keterangan", *RESULT_COLUMNS[4:]]
    assert {row[1] for row in rows} == {"baik", "peringatan", "kesalahan"}
    found = {code for row in rows for code in row[2].split()}
    assert {"R101", "R110", "R120", "R131", "R140", "R201"} <= found  # what make_roster damages
    # The roster's own values (names, villages: data, in any language) may be echoed in messages.
    names = {word for row in rows for cell in row[4:] for word in re.findall(r"[A-Za-z]+", cell)}
    assert english(out + err, names) == [], out + err
    assert english("\n".join("\t".join(row[:4]) for row in cells), names) == []

    # The same roster in English, and the Indonesian results file read back in English (a corrected one is
    # a roster: here nothing was corrected, so the NIK errors stay, as R113)
    results = tmp_path / f"results.{suffix}"
    code, out, err = pamong_main("--lang", "en", "roster", "check", str(hasil), "--regions", str(wilayah),
                                 "-o", str(results))
    assert code == 1 and "600 rows read" in out and "is a results file" in out and "Errors by kind" in out
    english_cells = table(results)
    assert english_cells[0] == list(RESULT_COLUMNS) and {row[1] for row in english_cells[1:]} == {"warning", "error"}
    assert "R113 nik-masked (column E): " in "\n".join(row[3] for row in english_cells)
    assert english("\n".join(row[3] for row in english_cells[1:]))  # the check sees English

    # and the English results file read back in Indonesian finds the same
    again = tmp_path / f"hasil-2.{suffix}"
    assert pamong_main("--lang", "id", "roster", "check", str(results), "--regions", str(wilayah),
                       "-o", str(again))[0] == 1
    assert [row[2] for row in table(again)[1:]] == [row[2] for row in english_cells[1:]]
