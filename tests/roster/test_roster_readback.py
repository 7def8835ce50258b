"""A results file, corrected by the office, is a roster: `pamong roster check` reads its own results back, in
either language. Its NIKs are masked, so a masked NIK of a row the first check accepted is taken as withheld
(R204: a warning, no NIK-based duplicate check, no NIK handed on), while one the first check found wrong is
still an error (R113); the email and village checks run as on any roster."""

import csv
import json
import re

import pytest
from openpyxl import load_workbook

from pamong_edx import i18n
from pamong_edx.cli import main
from pamong_edx.roster import read_roster
from pamong_edx.roster.columns import RESULT_COLUMNS
from pamong_edx.roster.results import ResultsWriter
from roster_samples import good, write_csv

# Same first and last four digits as GOOD's NIK: masked, the two look alike.
TWIN_NIK = "1871016508850042"


@pytest.fixture
def language():
    """language(tag): messages in that language until the test ends."""
    previous = i18n.language()
    yield i18n.set_language
    i18n.set_language(previous)


def check(path, regions):
    with read_roster(path, regions) as roster:
        return roster.layout, list(roster)


def results_of(roster_path, results_path, regions):
    with read_roster(roster_path, regions) as reader, ResultsWriter(results_path, regions.names) as out:
        for block in reader.blocks():
            out.write_block(block)
    return results_path


def codes(rows):
    return [[d.code for d in row.diagnostics] for row in rows]


def first_results(tmp_path, regions, name="hasil.csv"):
    roster = write_csv(tmp_path / "roster.csv", [
        good(),                                                       # row 2: fine
        good(nik=TWIN_NIK, email="b@desa.id"),                        # row 3: fine; masked like row 2
        good(nik="187101550885", email="c@desa.id"),                  # row 4: R110
        good(nik="1871015508850044", email="SITI.RAHAYU@desa.example.id"),  # row 5: R131 (row 2's email)
        good(nik="1871015508850042", email="d@desa.id"),              # row 6: R130 (row 2's NIK)
        good(nik="1871015508850045", email="e@desa.id", kode_desa="18.71.01.9999"),  # row 7: R101
    ])
    return results_of(roster, tmp_path / name, regions)


def test_a_results_file_is_recognised_and_its_masked_niks_are_withheld(tmp_path, regions):
    layout, rows = check(first_results(tmp_path, regions), regions)
    assert layout.results_file and layout.codes_column == RESULT_COLUMNS.index("codes")
    assert codes(rows) == [
        ["R204"],
        ["R204"],  # masked like row 2, yet not a duplicate: withheld NIKs are not compared
        ["R113"],  # the first check reported R110: still masked, so still not corrected
        ["R204", "R131"],  # the email check runs as on any roster
        ["R113"],  # the first check reported R130: the duplicate is still there
        ["R204", "R101"],  # and so does the village check
    ]
    assert [r.status for r in rows] == ["warning", "warning", "error", "error", "error", "error"]
    withheld = rows[0].record
    assert (withheld.nik, withheld.withheld, withheld.nik_masked) == ("", "1871********0042", "1871********0042")
    assert "1871********0042" in repr(withheld) and "withheld=True" in repr(withheld)
    assert "was not corrected" in rows[4].diagnostics[0].message and "R130" in rows[4].diagnostics[0].message
    assert rows[2].record.nik == "1871****0885"  # an error row: never used, shown as it was


def test_a_corrected_nik_is_checked_again_in_full(tmp_path, regions):
    results = first_results(tmp_path, regions)
    with open(results, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    nik = RESULT_COLUMNS.index("nik")
    lines[3][nik] = "1871015508850046"  # row 4, R110 before: the clerk typed the NIK from the KTP
    lines[5][nik] = "1871015508850046"  # row 6, R130 before: the same NIK typed again by mistake
    with open(results, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(lines)
    _layout, rows = check(results, regions)
    assert codes(rows)[2:5:2] == [[], ["R130"]]  # the corrected NIK is compared with the NIKs typed in full
    assert rows[2].record.nik == "1871015508850046" and rows[2].status == "ok"


def test_rechecking_a_results_file_gives_the_same_findings(tmp_path, regions):
    again = results_of(first_results(tmp_path, regions), tmp_path / "hasil-2.csv", regions)
    third = results_of(again, tmp_path / "hasil-3.csv", regions)
    assert codes(check(again, regions)[1]) == codes(check(third, regions)[1])
    assert third.read_bytes() == results_of(third, tmp_path / "hasil-4.csv", regions).read_bytes()


@pytest.mark.parametrize("written, read", [("id", "en"), ("en", "id"), ("id", "id")])
def test_results_read_back_in_either_language(tmp_path, regions, language, written, read):
    language(written)
    results = first_results(tmp_path, regions, "hasil.xlsx")
    header = next(load_workbook(results, read_only=True).active.iter_rows(values_only=True))
    if written == "id":
        assert header[:4] == ("baris", "status", "kode_temuan", "keterangan")
    language(read)
    layout, rows = check(results, regions)
    assert layout.results_file and set(layout.fields) == {"nik", "nama", "email", "telepon", "jabatan",
                                                         "kode_desa", "nama_desa"}
    assert [r.status for r in rows] == ["warning", "warning", "error", "error", "error", "error"]


def test_a_masked_nik_in_an_ordinary_roster_is_an_error(tmp_path, regions):
    roster = write_csv(tmp_path / "roster.csv", [good(nik="1871********0042")])
    layout, [row] = check(roster, regions)
    assert not layout.results_file
    assert codes([row]) == [["R113"]] and "type the full 16-digit NIK" in row.diagnostics[0].message


def test_a_results_file_whose_codes_column_was_cleared_still_refuses_a_nik_masked_short(tmp_path, regions):
    results = first_results(tmp_path, regions)
    with open(results, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    for line in lines[1:]:
        line[RESULT_COLUMNS.index("codes")] = ""
    with open(results, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(lines)
    _layout, rows = check(results, regions)
    assert codes(rows)[2] == ["R113"]  # 1871****0885 is no whole NIK, whatever the codes say


def test_roster_check_of_a_results_file_says_so_and_prints_the_other_problems(tmp_path, regions, wilayah, capsys):
    results = first_results(tmp_path, regions)
    with pytest.raises(SystemExit) as exit_info:
        main(["roster", "check", str(results), "--regions", str(wilayah), "-o", str(tmp_path / "again.csv"),
              "--json"])
    assert exit_info.value.code == 1 and json.loads(capsys.readouterr().out)["results_file"] is True
    with pytest.raises(SystemExit):
        main(["roster", "check", str(results), "--regions", str(wilayah), "-o", str(tmp_path / "again.csv")])
    out = capsys.readouterr().out
    printed = re.findall(r"^\S+:\d+:[A-Z]: (R\d{3}) ", out, re.M)
    assert printed == ["R113", "R131", "R113", "R101"]  # every R204 is counted, not printed
    assert "is a results file" in out and re.search(r"R204 nik-withheld +4$", out, re.M)


def test_when_no_diagnostic_is_printed_the_count_says_where_they_are_not_that_there_are_more(tmp_path, regions,
                                                                                             wilayah, capsys):
    results = first_results(tmp_path, regions)
    with pytest.raises(SystemExit):
        main(["roster", "check", str(results), "--regions", str(wilayah), "-o", str(tmp_path / "again.csv"),
              "--show", "0"])
    out = capsys.readouterr().out
    assert not re.search(r"^\S+:\d+:[A-Z]: R\d{3} ", out, re.M) and "more diagnostic" not in out
    assert re.search(r"^\d+ diagnostics are in \S+again\.csv$", out, re.M)
