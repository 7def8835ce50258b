import codecs
import csv

from openpyxl import load_workbook

from pamong_edx.roster import read_roster
from pamong_edx.roster.results import RESULT_COLUMNS as COLUMNS, ResultsWriter
from roster_samples import good, write_csv


def checked_rows(tmp_path, regions):
    rows = [
        good(),
        good(nama="=HYPERLINK(\"http://x\",\"klik\")", nik="1871015508850043", email="b@desa.id"),
        good(nama="@SUM(A1)", nik="187101550885", email="c@desa.id", nama_desa="-Kedaton Lama"),
    ]
    return list(read_roster(write_csv(tmp_path / "roster.csv", rows), regions))


def test_csv_results_open_in_excel(tmp_path, regions):
    out = tmp_path / "results.csv"
    with ResultsWriter(out, regions.names) as results:
        for row in checked_rows(tmp_path, regions):
            results.write(row)
    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert b"1871015508850042" not in raw and b"1871015508850043" not in raw
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == COLUMNS
    assert [(r["row"], r["status"], r["codes"]) for r in rows] == [
        ("2", "ok", ""), ("3", "ok", ""), ("4", "error", "R110 R201")]
    assert rows[0]["nik"] == "1871********0042" and rows[0]["nama_desa_kemendagri"] == "Kedaton"
    assert rows[1]["nama"] == "'=HYPERLINK(\"http://x\",\"klik\")"
    assert rows[2]["nama"] == "'@SUM(A1)" and rows[2]["nama_desa"] == "'-Kedaton Lama"
    assert rows[2]["messages"].startswith("R110 nik-length (column A): NIK 1871****0885 has 12 digits")
    assert " | R201 village-name-mismatch (column G): " in rows[2]["messages"]
    assert not (tmp_path / "results.csv.part").exists()


def test_xlsx_results_hold_text_not_formulas(tmp_path, regions):
    out = tmp_path / "results.xlsx"
    with ResultsWriter(out, regions.names) as results:
        for row in checked_rows(tmp_path, regions):
            results.write(row)
    sheet = load_workbook(out).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == COLUMNS
    assert values[2][COLUMNS.index("nama")] == "'=HYPERLINK(\"http://x\",\"klik\")"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_failed_run_leaves_the_previous_results_alone(tmp_path, regions):
    out = tmp_path / "results.csv"
    out.write_text("previous", encoding="utf-8")
    try:
        with ResultsWriter(out, regions.names) as results:
            results.write(checked_rows(tmp_path, regions)[0])
            raise RuntimeError("interrupted")
    except RuntimeError:
        pass
    assert out.read_text(encoding="utf-8") == "previous"
    assert not (tmp_path / "results.csv.part").exists()
