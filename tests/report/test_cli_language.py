"""`pamong --lang id report` speaks Indonesian: its lines, the workbook's sheets and headers, the CSV's columns
(as the roster's results files do); with --lang en the same report is in English."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pamong_edx.report.snapshot import FILE_NAME, Snapshots
from small_case import take_small_case

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def english(i18n_tools, messages):
    """scripts/i18n.py's check: the English message words left in a text meant to be Indonesian."""
    vocabulary = i18n_tools.english_vocabulary(messages, [i18n_tools.read_catalog(i18n_tools.po_path(lang))
                                                          for lang in i18n_tools.LANGUAGES])
    return lambda text, names=frozenset(): [w for w in i18n_tools.english_in(text, vocabulary) if w not in names]


@pytest.fixture
def state(tmp_path, wilayah, monkeypatch):
    """The small case's two snapshots, as profile `lampung` keeps them."""
    folder = tmp_path / "state"
    (folder / "lampung").mkdir(parents=True)
    with Snapshots(folder / "lampung" / FILE_NAME) as snaps:
        take_small_case(snaps, second=False)
        take_small_case(snaps, second=True)
    monkeypatch.setenv("PAMONG_STATE_DIR", str(folder))
    monkeypatch.setenv("PAMONG_REGIONS", str(wilayah))
    monkeypatch.chdir(tmp_path)  # no pamong.toml around
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    from pamong_edx.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def report(capsys, tmp_path: Path, language: str) -> tuple[str, list[str], list[list[str]], list[str]]:
    """(the command's output, the workbook's sheet names, its Summary sheet, the CSV's header)."""
    xlsx, table = tmp_path / f"laporan-{language}.xlsx", tmp_path / f"laporan-{language}.csv"
    code, out, err = run(capsys, "--lang", language, "report", "--profile", "lampung", "--snapshot", "latest",
                         "--scope", "18.71", "-o", str(xlsx), "-o", str(table))
    assert code == 0, err
    book = load_workbook(xlsx, read_only=True)
    summary = [["" if c is None else str(c) for c in row] for row in book[book.sheetnames[0]].iter_rows(values_only=True)]
    with table.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    return out + err, book.sheetnames, summary, header


def test_the_report_speaks_indonesian(state, tmp_path, capsys, english):
    output, sheets, summary, header = report(capsys, tmp_path, "id")
    assert "dari potret 2 tanggal " in output and "ditulis: " in output and "belum mulai" in output
    assert sheets == ["Ringkasan", "Kecamatan", "Desa-Kelurahan", "Jabatan", "Tren", "Belum mulai",
                      "Penjelasan kolom"]
    assert summary[0][:4] == ["Kode", "Wilayah", "Aparatur dalam daftar", "Terdaftar di kursus"]
    assert header[:6] == ["Kursus", "Tingkat", "Kode", "Wilayah", "Aparatur dalam daftar",
                          "Terdaftar di kursus"]
    # the names in it are data (regions, the course key, paths), not English
    names = {w for line in output.splitlines() for w in re.findall(r"[A-Za-z]+", line.split(": ")[0])}
    names |= {w for row in summary[1:] for w in re.findall(r"[A-Za-z]+", row[1])}
    names |= set(re.findall(r"[A-Za-z]+", str(tmp_path)))
    assert english(output, names) == [], output
    assert english("\n".join([*sheets, *summary[0], *header])) == []

    output, sheets, summary, header = report(capsys, tmp_path, "en")
    assert "from snapshot 2 of " in output and sheets[0] == "Summary" and header[:2] == ["Course", "Level"]
    assert english("\n".join(header))  # the check sees English
