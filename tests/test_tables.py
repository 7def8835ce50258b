"""The one results-table writer (pamong_edx.tables): CSV or XLSX, safe to open, written whole or not at all."""

import codecs
import csv
import io
import os

import pytest
from openpyxl import load_workbook

from pamong_edx.errors import PamongError, UsageError
from pamong_edx.tables import TableWriter, neutralise, safe_text, write_table

HEADER = ["row", "nama", "catatan"]
TRICKY = [
    [2, "Siti Rahayu", ""],
    [3, "=HYPERLINK(\"http://x\",\"klik\")", "+62 812"],
    [4, "-1", "@SUM(A1)"],
    [5, "\t=1+1", "Siti, S.Pd"],
    [6, "a\x00b\x1bc", "baris\npertama\r\nkedua"],
    [7, "HP 3201012345678901", "3201 0123 4567 8901"],
    [None, "Ni Luh Ayü \"Ayu\"", "é"],
    [9, "", None],
    [10, "André\u0085 Wij\u202eaya", "\uff13\uff12\uff10\uff11\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10\uff11"],
]


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_neutralise():
    assert [neutralise(v) for v in ["=1+1", "+62", "-1", "@x", "\tx", "Siti", ""]] == [
        "'=1+1", "'+62", "'-1", "'@x", "'\tx", "Siti", ""]


def test_csv_is_utf8_with_bom_and_safe_to_open(tmp_path):
    path = tmp_path / "hasil.csv"
    write_table(path, HEADER, TRICKY)
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    rows = read_csv(path)
    assert rows[0] == HEADER
    cells = [c for row in rows for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert rows[2][1] == "'=HYPERLINK(\"http://x\",\"klik\")" and rows[3][2] == "'@SUM(A1)"
    assert rows[4][1] == " =1+1"  # the tab became a space: a spreadsheet shows text, not a formula
    assert rows[5] == ["6", "abc", "baris pertama  kedua"]  # NUL and ESC dropped, line breaks as spaces
    assert rows[6] == ["7", "HP 3201********8901", "3201 **** **** 8901"]
    assert rows[7] == ["", "Ni Luh Ayü \"Ayu\"", "é"]
    assert rows[9] == ["10", "André Wijaya", "\uff13\uff12\uff10\uff11********\uff18\uff19\uff10\uff11"]
    assert b"3201012345678901" not in raw and b"\x00" not in raw and b"\x1b" not in raw


def test_writing_by_columns_gives_the_same_bytes_as_by_rows(tmp_path):
    by_rows, by_columns = tmp_path / "rows.csv", tmp_path / "columns.csv"
    write_table(by_rows, HEADER, TRICKY)
    with TableWriter(by_columns, HEADER) as table:
        table.write_columns([list(column) for column in zip(*TRICKY)])
    assert by_columns.read_bytes() == by_rows.read_bytes()
    # and both are what the csv module writes for the cells made safe
    expected = io.StringIO()
    csv.writer(expected).writerows([HEADER] + [[safe_text(c) if isinstance(c, str) else c for c in row]
                                               for row in TRICKY])
    assert by_rows.read_bytes() == codecs.BOM_UTF8 + expected.getvalue().encode("utf-8")


def test_plain_columns_are_written_as_they_are(tmp_path):
    path = tmp_path / "plain.csv"
    columns = [list(range(2, 1002)), [f"Nama {i}" for i in range(1000)], ["ok"] * 1000]
    with TableWriter(path, HEADER) as table:
        table.write_columns(columns)
    rows = read_csv(path)
    assert len(rows) == 1001 and rows[1] == ["2", "Nama 0", "ok"] and rows[-1] == ["1001", "Nama 999", "ok"]


def test_xlsx_holds_text_never_formulas(tmp_path):
    path = tmp_path / "hasil.xlsx"
    write_table(path, HEADER, TRICKY, what="hasil: [1]")
    book = load_workbook(path)
    sheet = book.active
    assert sheet.title == "hasil   1 "
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(HEADER)
    assert values[1][0] == 2  # numbers stay numbers
    assert values[2][1] == "'=HYPERLINK(\"http://x\",\"klik\")"
    assert values[5][1] == "abc" and values[6][2] == "3201 **** **** 8901"


def test_a_failed_run_leaves_the_previous_file_and_no_partial_one(tmp_path):
    path = tmp_path / "hasil.csv"
    path.write_text("previous", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with TableWriter(path, HEADER) as table:
            table.write_row([2, "Siti", ""])
            raise RuntimeError("interrupted")
    assert path.read_text(encoding="utf-8") == "previous"
    assert not (tmp_path / "hasil.csv.part").exists()


def test_an_unwritable_place_is_one_clear_error(tmp_path):
    with pytest.raises(PamongError, match=r"cannot write the results file .*nowhere.*hasil.csv: .*choose another path"):
        write_table(tmp_path / "nowhere" / "hasil.csv", HEADER, TRICKY)
    folder = tmp_path / "hasil.csv"
    folder.mkdir()
    with pytest.raises(PamongError, match="cannot write the plan file"):
        write_table(folder, HEADER, TRICKY, what="plan")
    assert os.listdir(tmp_path) == ["hasil.csv"]  # no .part left behind


def test_unknown_format(tmp_path):
    with pytest.raises(UsageError, match="table format 'ods' is not one of csv, xlsx"):
        TableWriter(tmp_path / "x.ods", HEADER, fmt="ods")


def test_enrolment_results_write_through_this_module_without_importing_the_plan():
    """enrol/plan.py imports enrol/results.py (to write the plan); results.py must not import the plan back."""
    import subprocess
    import sys

    code = ("import sys, pamong_edx.enrol.results as r, pamong_edx.tables as t\n"
            "assert r.write_table is t.write_table\n"
            "assert 'pamong_edx.enrol.plan' not in sys.modules, sorted(sys.modules)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_xlsx_keeps_the_header_in_view_and_every_column_filterable(tmp_path):
    path = tmp_path / "hasil.xlsx"
    with TableWriter(path, ["baris", "status", "pesan"]) as out:
        out.write_row([1, "ok", ""])
        out.write_columns([[2, 3], ["galat", "ok"], ["R131", ""]])
    sheet = load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C4"
