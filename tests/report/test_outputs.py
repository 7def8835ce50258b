"""What the files hold: the scope filter, the XLSX structure, CSV and JSON for scripts, the dashboard's language."""

from __future__ import annotations

import csv
import json
import zipfile

import pytest
from openpyxl import load_workbook

from small_case import A2, B1, write_report

# Names and people of the small case outside Kota Bandar Lampung (18.71).
ELSEWHERE = ["Hajimena", "Natar", "Lampung Selatan", "Aceh", "Keude Bakongan", "Bakongan", "Gita Tujuh",
             "Hadi Delapan", "c1@desa.id", "d1@desa.id", "stranger", "18.01", "11.01"]


def _texts(paths) -> dict[str, str]:  # noqa: ANN001
    texts = {}
    for kind, path in paths.items():
        if kind == "xlsx":
            with zipfile.ZipFile(path) as archive:  # every sheet, shared string and property of the workbook
                texts[kind] = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
        else:
            texts[kind] = path.read_text(encoding="utf-8-sig")
    return texts


def test_a_scoped_report_holds_nobody_elses_data(small_case, regions, tmp_path):
    paths = write_report(small_case, regions, tmp_path, scope="18.71")
    for kind, text in _texts(paths).items():
        for name in ELSEWHERE:
            assert name not in text, f"{name} in the {kind} report of 18.71"
        assert "Kota Bandar Lampung" in text and "Kedaton" in text
        assert "Sukarame" in text
    # the people of the scope are there to follow up
    html = paths["html"].read_text(encoding="utf-8")
    for name in ("Eko Lima", "e11@desa.id"):  # a4 and b2 have started by the second snapshot
        assert name in html


def test_the_whole_country_lists_the_unplaced(small_case, regions, tmp_path):
    paths = write_report(small_case, regions, tmp_path)
    book = load_workbook(paths["xlsx"], read_only=True)
    assert "Region unknown" in book.sheetnames
    rows = list(book["Region unknown"].iter_rows(values_only=True))
    assert rows[1][1] == "stranger"
    assert "Wilayah tidak diketahui" in paths["html"].read_text(encoding="utf-8")


def test_the_xlsx_structure(small_case, regions, tmp_path):
    path = write_report(small_case, regions, tmp_path, scope="18", kinds=("xlsx",))["xlsx"]
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Kabupaten-Kota", "Kecamatan", "Villages", "Positions", "Trend",
                               "Not started", "Columns explained"]
    for name in ("Summary", "Kabupaten-Kota", "Kecamatan", "Villages", "Positions"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref.startswith("A1:"), name
        header = [c.value for c in sheet[1]]
        rate = header.index("Pass rate") + 1
        assert all(c.font.bold for c in sheet[1])
        ranges = [str(r.sqref) for r in sheet.conditional_formatting]
        assert ranges == [f"{sheet.cell(2, rate).column_letter}2:{sheet.cell(2, rate).column_letter}{sheet.max_row}"]
        assert [rule.type for cf in sheet.conditional_formatting for rule in cf.rules] == ["colorScale"]
        for row in sheet.iter_rows(min_row=2):
            for index, fmt in ((rate - 1, "0.0%"), (header.index("Median pretest"), "0.0"),
                               (header.index("Passed, change"), "+#,##0;-#,##0;0")):
                if row[index].value is not None:
                    assert row[index].number_format == fmt, (name, header[index])
    # each level's sheet holds that level's regions, and only those
    for name, length in (("Kabupaten-Kota", 5), ("Kecamatan", 8), ("Villages", 13)):
        codes = [r[0] for r in book[name].iter_rows(min_row=2, values_only=True)]
        assert codes and {len(code) for code in codes} == {length}, name
    villages = book["Villages"]
    header = [c.value for c in villages[1]]
    rows = {r[0]: r for r in villages.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"18.71.01.1003", A2, B1, "18.01.04.2001"}
    a2 = dict(zip(header, rows[A2]))
    assert (a2["Region"], a2["Enrolled"], a2["Passed"], a2["Pass rate"]) == ("Surabaya", 3, 2, pytest.approx(2 / 3, abs=1e-4))
    assert a2["Median posttest"] == 77.5 and a2["Median gain"] == 10.0  # (0.75 + 0.8) / 2; 0.8 - 0.7
    assert a2["Started, change"] == 1 and a2["Pass rate, change"] == pytest.approx(33.3)
    waiting = list(book["Not started"].iter_rows(values_only=True))
    assert waiting[0] == ("Village", "Name", "Position", "Email", "State")
    assert [r[3] for r in waiting[1:]] == ["b1@desa.id", "e11@desa.id"]  # b2 took the pretest since
    assert waiting[1][:3] == (f"{B1} Sukarame", "Eko Lima", "Kepala Desa")
    explained = {r[0] for r in book["Columns explained"].iter_rows(min_row=2, values_only=True)}
    assert {"Enrolled", "Pass rate", "Median gain", "Village", "State"} <= explained


def test_csv_is_excel_safe_and_json_has_every_level(small_case, regions, tmp_path):
    paths = write_report(small_case, regions, tmp_path, scope="18.71", kinds=("csv", "json"))
    raw = paths["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["Level"] for r in rows] == ["kabupaten", "kecamatan", "kecamatan", "desa", "desa", "desa"]
    top = rows[0]
    assert (top["Code"], top["Enrolled"], top["Passed"], top["Pass rate"]) == ("18.71", "7", "4", "57.1")
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    course = data["courses"][0]
    assert data["scope"] == {"code": "18.71", "name": "Kota Bandar Lampung", "within": [{"code": "18", "name": "Lampung"}]}
    assert course["reference"]["code"] == "18" and course["reference"]["passed"] == 4
    assert [len(course["levels"][k]) for k in ("kecamatan", "desa")] == [2, 3]
    assert course["total"]["pass_rate"] == pytest.approx(4 / 7)
    assert course["total"]["previous"]["passed"] == 3
    assert course["not_started"] == 2


def test_a_name_that_looks_like_a_formula_is_neutralised(snapshots, regions, tmp_path):
    from pamong_edx.report.model import Person, Progress
    from small_case import COURSE

    with snapshots.taking("openedx", [COURSE], "r.csv") as taking:
        taking.add_roster([Person("x@desa.id", A2, "=HYPERLINK(\"http://evil\")", "=cmd|' /C calc'!A0", True)])
        taking.place(COURSE.key)
        taking.add_progress(COURSE.key, [Progress("x", "x@desa.id")])
    paths = write_report(snapshots, regions, tmp_path, scope="18.71", kinds=("xlsx",))
    book = load_workbook(paths["xlsx"])
    cells = [c.value for row in book["Not started"].iter_rows(min_row=2) for c in row]
    assert "'=cmd|' /C calc'!A0" in cells and not any(isinstance(c, str) and c.startswith("=") for c in cells)


def test_one_village_is_a_scope_too(small_case, regions, tmp_path):
    paths = write_report(small_case, regions, tmp_path, scope=B1, kinds=("html", "json"))
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["courses"][0]["total"]["code"] == B1 and data["courses"][0]["levels"] == {}
    html = paths["html"].read_text(encoding="utf-8")
    assert "Eko Lima" in html and "Surabaya" not in html and "Kedaton" not in html



def test_a_large_report_writes_its_workbook_in_a_forked_process_beside_the_others(small_case, regions, tmp_path,
                                                                                    monkeypatch):
    import os

    from pamong_edx.report import outputs, xlsx

    monkeypatch.setattr(outputs, "PARALLEL_ROWS", 0)  # the small case counts as large
    writers, original = [], xlsx.write_xlsx

    def write_xlsx(report, path, lists):  # noqa: ANN001, ANN202 - records which process wrote it
        (tmp_path / "writer.pid").write_text(str(os.getpid()))
        return original(report, path, lists)

    monkeypatch.setattr(xlsx, "write_xlsx", write_xlsx)
    paths = write_report(small_case, regions, tmp_path, scope="18.71", kinds=("xlsx", "csv"))
    writers.append(int((tmp_path / "writer.pid").read_text()))
    (tmp_path / "alone").mkdir()
    alone = write_report(small_case, regions, tmp_path / "alone", scope="18.71", kinds=("xlsx",))
    writers.append(int((tmp_path / "writer.pid").read_text()))
    assert writers[0] != os.getpid() and writers[1] == os.getpid()  # a workbook alone is written here
    read = [[list(r) for r in load_workbook(p["xlsx"], read_only=True)["Not started"].iter_rows(values_only=True)]
            for p in (paths, alone)]
    assert read[0] == read[1] and len(read[0]) == 3
    assert paths["csv"].is_file() and not list(tmp_path.glob("*.part"))

    def fail(*args):  # noqa: ANN002, ANN202
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx, "write_xlsx", fail)
    (tmp_path / "again").mkdir()
    with pytest.raises(outputs.PamongError, match="laporan-18.71.xlsx: No space left on device"):
        write_report(small_case, regions, tmp_path / "again", scope="18.71", kinds=("xlsx", "csv"))
    assert not list((tmp_path / "again").iterdir())  # the CSV written beside it is not kept either


def test_a_large_report_without_a_workbook_writes_its_other_outputs_here(small_case, regions, tmp_path, monkeypatch):
    from pamong_edx.report import outputs

    monkeypatch.setattr(outputs, "PARALLEL_ROWS", 0)  # the small case counts as large
    paths = write_report(small_case, regions, tmp_path, scope="18.71", kinds=("csv", "html"))
    assert paths["csv"].is_file() and paths["html"].is_file() and not list(tmp_path.glob("*.part"))


def test_a_sheet_stops_at_excels_row_limit_and_says_so(small_case, regions, tmp_path, monkeypatch):
    from pamong_edx.report import xlsx

    monkeypatch.setattr(xlsx, "EXCEL_ROWS", 4)  # the header, two villages, the line that says what is missing
    monkeypatch.setattr(xlsx, "BLOCK", 1)
    path = write_report(small_case, regions, tmp_path, scope="18", kinds=("xlsx",))["xlsx"]
    rows = list(load_workbook(path)["Villages"].iter_rows(values_only=True))
    assert len(rows) == 4
    assert [len(r[0]) for r in rows[1:3]] == [13, 13]
    assert rows[3][0].startswith("Excel holds no more rows") and set(rows[3][1:]) == {None}
