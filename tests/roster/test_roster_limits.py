"""Hostile spreadsheets: files of a few kilobytes that unpack to far more than a roster are refused, with the
row and column (or the size) and how to raise the limit, before the spreadsheet reader sees them."""

import resource
import subprocess
import sys

import pytest

from hostile_files import (cells_without_address, far_cell, huge_string, lying_sizes, ods, ods_roster, ods_row,
                           rewrite_part, xlsx)
from pamong_edx.roster import RosterFileError, read_roster
from pamong_edx.roster.limits import Limits, check_package
from roster_samples import GOOD, HEADER

GIGABYTE = 1 << 30


def cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * GIGABYTE, 2 * GIGABYTE))


def check_in_child(path, wilayah, tmp_path, **env):
    """`pamong roster check` in a child process whose memory is capped: a file that gets past the checks
    makes the reader abort the child, not the test session."""
    import os

    out = tmp_path / "hasil.csv"
    child = subprocess.run([sys.executable, "-m", "pamong_edx", "roster", "check", str(path), "--regions",
                            str(wilayah), "-o", str(out)], capture_output=True, text=True, timeout=120,
                           preexec_fn=cap_memory, env={**os.environ, **env})
    return child, out


def test_a_cell_at_xfd1048576_is_refused_before_the_reader_sees_it(tmp_path, wilayah):
    path = far_cell(tmp_path / "bom.xlsx")
    assert path.stat().st_size < 8_000
    child, out = check_in_child(path, wilayah, tmp_path)
    assert child.returncode == 1, child.stderr  # not -6 (SIGABRT, the 512 GB allocation)
    assert child.stderr.startswith("error: ") and len(child.stderr.splitlines()) == 1
    assert "sheet 'Sheet' spans 1048576 rows and 16384 columns (up to cell XFD1048576)" in child.stderr
    assert "PAMONG_MAX_ROSTER_COLUMNS=N" in child.stderr and "PAMONG_MAX_ROSTER_CELLS=N" in child.stderr
    assert not out.exists() and "Traceback" not in child.stderr


@pytest.mark.parametrize("shared, part", [(True, "xl/sharedStrings.xml"), (False, "xl/worksheets/sheet1.xml")])
def test_a_string_longer_than_any_cell_is_refused(tmp_path, regions, shared, part):
    path = huge_string(tmp_path / "panjang.xlsx", shared=shared)
    assert path.stat().st_size < 10_000
    with pytest.raises(RosterFileError, match=rf"part {part} holds a text of more than 256 KB in one piece"):
        read_roster(path, regions)
    small = huge_string(tmp_path / "pendek.xlsx", characters=1000, shared=shared)  # the same file, sane: read
    with read_roster(small, regions) as roster:
        assert [c.status for c in roster] == ["ok"]


def test_a_part_that_lies_about_its_size_is_refused(tmp_path, regions):
    good = xlsx(tmp_path / "baik.xlsx", {}, [HEADER, GOOD])
    path = lying_sizes(good, tmp_path / "bohong.xlsx")
    with pytest.raises(RosterFileError, match=r"bohong.xlsx: the spreadsheet is damaged .*save it again as .xlsx"):
        read_roster(path, regions)


def test_the_unpacked_size_has_a_limit_that_can_be_raised(tmp_path, regions, monkeypatch):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER)
    book.active.append(GOOD)
    notes = book.create_sheet("Lampiran")
    for i in range(15_000):
        notes.append([f"catatan {i:05d} " + "x" * 120])
    path = tmp_path / "besar.xlsx"
    book.save(path)
    monkeypatch.setenv("PAMONG_MAX_ROSTER_UNPACKED", "1MB")
    with pytest.raises(RosterFileError, match=r"besar.xlsx unpacks to [2-9]\.\d MB, beyond a roster's limit of 1.0 MB; "
                                              r".*PAMONG_MAX_ROSTER_UNPACKED=SIZE"):
        read_roster(path, regions)
    monkeypatch.setenv("PAMONG_MAX_ROSTER_UNPACKED", "16MB")
    with read_roster(path, regions) as roster:
        assert [c.status for c in roster] == ["ok"]


def test_cells_written_without_an_address_are_counted(tmp_path, regions, monkeypatch):
    plain = xlsx(tmp_path / "biasa.xlsx", {}, [HEADER, GOOD])
    path = rewrite_part(plain, tmp_path / "lebar.xlsx", "xl/worksheets/sheet1.xml", lambda _: cells_without_address(300))
    with pytest.raises(RosterFileError, match=r"spans 2 rows and 300 columns \(up to cell KN2\)"):
        read_roster(path, regions)
    monkeypatch.setenv("PAMONG_MAX_ROSTER_COLUMNS", "400")
    with read_roster(path, regions) as roster:
        assert [c.status for c in roster] == ["ok"]


def test_limits_from_the_environment_must_be_numbers(tmp_path, regions, monkeypatch):
    monkeypatch.setenv("PAMONG_MAX_ROSTER_CELLS", "banyak")
    with pytest.raises(RosterFileError, match="PAMONG_MAX_ROSTER_CELLS=banyak is not a positive whole number"):
        read_roster(xlsx(tmp_path / "r.xlsx", {}, [HEADER, GOOD]), regions)
    monkeypatch.setenv("PAMONG_MAX_ROSTER_CELLS", "100")
    monkeypatch.setenv("PAMONG_MAX_ROSTER_UNPACKED", "besar")
    with pytest.raises(RosterFileError, match=r"PAMONG_MAX_ROSTER_UNPACKED=besar is not a size \(e.g. 2GB\)"):
        read_roster(xlsx(tmp_path / "r.xlsx", {}, [HEADER, GOOD]), regions)


def test_an_ods_cell_repeated_a_billion_times_is_refused(tmp_path, wilayah):
    path = ods(tmp_path / "ulang.ods", ods_row(HEADER) + ods_row(["x"], cell_attributes=(
        ' table:number-columns-repeated="1000000000"')))
    with pytest.raises(RosterFileError, match=r"sheet 'Data' spans 2 rows and 1000000000 columns"):
        check_package(path)
    child, _ = check_in_child(path, wilayah, tmp_path)
    assert child.returncode == 1 and "1000000000 columns" in child.stderr, child.stderr


def test_an_ods_row_repeated_ten_million_times_is_refused(tmp_path):
    path = ods(tmp_path / "baris.ods", ods_row(HEADER) + ods_row(GOOD, ' table:number-rows-repeated="10000000"'))
    with pytest.raises(RosterFileError, match=r"sheet 'Data' spans 10000001 rows and 7 columns"):
        check_package(path)


def test_an_ods_roster_as_libreoffice_saves_it_is_read(tmp_path, regions):
    """LibreOffice ends a sheet with one empty row repeated to row 1,048,576: that is not expanded."""
    path = ods_roster(tmp_path / "roster.ods")
    assert check_package(path).spans == {"Data": (2, 7)}
    with read_roster(path, regions) as roster:
        assert [(c.row, c.status) for c in roster] == [(2, "ok")]


def test_default_limits_are_the_documented_ones():
    assert Limits.from_environment({}) == Limits(cells=16_000_000, columns=256, unpacked=10**9)
    assert Limits.from_environment({"PAMONG_MAX_ROSTER_UNPACKED": "2GB"}).unpacked == 2 * 10**9


def test_a_far_cell_written_with_a_namespace_prefix_is_found(tmp_path):
    plain = xlsx(tmp_path / "biasa.xlsx", {}, [HEADER, GOOD])
    sheet = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
             b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>nik</x:t></x:is></x:c></x:row>'
             b"<x:row r='1048576'><x:c s='0' r='XFD1048576' t='inlineStr'><x:is><x:t>x</x:t></x:is></x:c></x:row>"
             b"</x:sheetData></x:worksheet>")
    path = rewrite_part(plain, tmp_path / "awalan.xlsx", "xl/worksheets/sheet1.xml", lambda _: sheet)
    with pytest.raises(RosterFileError, match=r"spans 1048576 rows and 16384 columns"):
        check_package(path)
