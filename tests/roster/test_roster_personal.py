"""Personal data and control characters in rosters: a NIK is never shown in full, whichever column it was typed
in; NIK digits typed full-width are NIK digits; control characters never reach the results file or a message."""

import csv
import re

from pamong_edx.roster import read_roster
from pamong_edx.roster.results import ResultsWriter
from roster_samples import good, write_csv

FULL_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
NIK = "1871015508850042"


def check(tmp_path, regions, rows):
    path = write_csv(tmp_path / "roster.csv", rows)
    checked = list(read_roster(path, regions))
    out = tmp_path / "hasil.csv"
    with ResultsWriter(out, regions.names) as results:
        for row in checked:
            results.write(row)
    block_out = tmp_path / "hasil-blok.csv"
    with read_roster(path, regions) as roster, ResultsWriter(block_out, regions.names) as results:
        for block in roster.blocks():
            results.write_block(block)
    assert block_out.read_bytes() == out.read_bytes()  # rows and blocks write the same file
    return checked, out.read_text(encoding="utf-8-sig")


def test_a_nik_typed_into_the_phone_or_village_code_column_is_masked(tmp_path, regions):
    rows = [good(telepon="3201012345678901"), good(nik="1871015508850043", email="b@desa.id",
                                                   kode_desa="3201012345678902"),
            good(nik="1871015508850044", email="c@desa.id", nama_desa="Kedaton 3201 0123 4567 8903")]
    checked, results = check(tmp_path, regions, rows)
    messages = [d.text() for c in checked for d in c.diagnostics]
    assert [d.code for c in checked for d in c.diagnostics] == ["R203", "R102", "R201"]
    assert "'3201********8901' is not an Indonesian phone number" in messages[0]
    assert "'3201********8902' is not a village code" in messages[1]
    assert not any(FULL_NIK.search(m) for m in messages)
    assert not FULL_NIK.search(results) and "3201 0123 4567 8903" not in results
    assert "3201********8901" in results and "3201 **** **** 8903" in results


def test_full_width_nik_digits_are_nik_digits(tmp_path, regions):
    full_width = NIK.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [good(nik=full_width), good(email="b@desa.id")]
    checked, _ = check(tmp_path, regions, rows)
    assert checked[0].status == "ok" and checked[0].record.nik == NIK
    assert [d.code for d in checked[1].diagnostics] == ["R130"]  # the same NIK, typed in ASCII
    assert "same NIK (1871********0042) as row 2" in checked[1].diagnostics[0].message


def test_control_characters_are_dropped_from_values_and_escaped_in_messages(tmp_path, regions):
    padding = [good(nik=f"18710155088{i:05d}", email=f"p{i}@desa.id") for i in range(1, 30)]
    rows = [good(nama="Siti\x7f Rahayu\x1b[2J", jabatan="Kades\x1b[31m", email="x\x07@desa", nama_desa="Ked\x1baton")]
    checked, results = check(tmp_path, regions, padding + rows)
    checked = checked[-1:]
    record = checked[0].record
    assert record.nama == "Siti Rahayu[2J" and record.nama_desa == "Kedaton" and record.jabatan == "Kades[31m"
    messages = " | ".join(d.text() for d in checked[0].diagnostics)
    assert [d.code for d in checked[0].diagnostics] == ["R120", "R202"]
    assert "'x@desa' is not a valid email address" in messages
    assert not any(ch in messages for ch in "\x00\x07\x1b\x7f")
    assert not any(ch in results for ch in "\x00\x07\x1b\x7f")
    rows = list(csv.DictReader(results.splitlines()))
    assert rows[-1]["nama"] == "Siti Rahayu[2J"


def test_a_nul_byte_is_dropped_and_never_echoed(tmp_path, regions):
    rows = [good(nik=f"18710155088{i:05d}", email=f"p{i}@desa.id") for i in range(1, 60)]
    rows.append(good(nama="Siti\x00 Rahayu", email="nul@desa.id", telepon="0812\x00x"))
    checked, results = check(tmp_path, regions, rows)
    assert checked[-1].record.nama == "Siti Rahayu"
    assert [d.code for d in checked[-1].diagnostics] == ["R203"]
    assert "'0812x' is not an Indonesian phone number" in checked[-1].diagnostics[0].message
    assert "\x00" not in results


def test_a_cell_that_would_run_as_a_formula_is_shown_as_text(tmp_path, regions):
    rows = [good(nama="=cmd|' /C calc'!A0"), good(nik="1871015508850043", email="+62@desa.id", nama="-1+1")]
    _, results = check(tmp_path, regions, rows)
    rows = list(csv.DictReader(results.splitlines()))
    assert [r["nama"] for r in rows] == ["'=cmd|' /C calc'!A0", "'-1+1"]
    assert rows[1]["email"] == "'+62@desa.id"
