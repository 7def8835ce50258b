"""Row checks: each diagnostic kind, what normalisation fixes silently, and duplicates in file order."""

import pytest

from pamong_edx.roster import read_roster
from roster_samples import GOOD, HEADER, good, write_csv


def check_rows(tmp_path, regions, rows, header=HEADER):
    return list(read_roster(write_csv(tmp_path / "roster.csv", rows, header=header), regions))


def check_one(tmp_path, regions, **changes):
    [checked] = check_rows(tmp_path, regions, [good(**changes)])
    return checked


@pytest.mark.parametrize("changes", [
    {},
    {"kode_desa": "1871011003"},                      # undotted code
    {"kode_desa": " 18 71 01 1003 "},
    {"nama": "  Siti\u00a0 Rahayu\u00a0"},            # stray spaces / NBSP
    {"jabatan": "KEPALA DESA"},                        # capitals
    {"jabatan": "Kades"},
    {"email": "Siti.Rahayu@Desa.Example.ID"},         # capitals in an email
    {"nama_desa": "KEDATON"},
    {"nama_desa": "Kel. Kedaton"},
    {"nama_desa": ""},                                 # optional
    {"telepon": ""},                                   # optional
    {"telepon": "+62 812-3456-7890"},
    {"nik": "'1871015508850042"},                      # Excel's text apostrophe
])
def test_what_normalisation_fixes_is_not_reported(tmp_path, regions, changes):
    checked = check_one(tmp_path, regions, **changes)
    assert (checked.status, checked.diagnostics) == ("ok", [])
    record = checked.record
    assert (record.nik, record.nama, record.email, record.telepon, record.jabatan, record.kode_desa) == (
        "1871015508850042", "Siti Rahayu", "siti.rahayu@desa.example.id",
        "6281234567890" if changes.get("telepon") != "" else "", "Kepala Desa", "18.71.01.1003")


@pytest.mark.parametrize("changes, code, column, says", [
    ({"kode_desa": "18.71.01.9999"}, "R101", "F",
     "kecamatan 18.71.01 Kedaton exists but has no desa/kelurahan 9999 ('Kedaton' in that kecamatan is "
     "18.71.01.1003 Kedaton)"),
    ({"kode_desa": "18710199"}, "R102", "F", "is not a village code"),
    ({"kode_desa": "18.71.01"}, "R103", "F", "18.71.01 is the kecamatan Kedaton, not a village"),
    ({"nik": "187101550885"}, "R110", "A", "NIK 1871****0885 has 12 digits, a NIK has 16"),
    ({"nik": "18710155O8850042"}, "R110", "A", "holds other characters"),
    ({"nik": "1871013208850042"}, "R111", "A", "birth-date digits"),
    ({"nik": "1871015508850000"}, "R111", "A", "serial (digits 13-16) is 0000"),
    ({"nik": "1.87102E+15"}, "R112", "A", "scientific notation"),
    ({"nik": "1871015508850040.0"}, "R112", "A", "decimal suffix"),
    ({"email": "siti.rahayu at desa.example.id"}, "R120", "C", "is not a valid email address"),
    ({"email": ""}, "R140", "C", "email is empty"),
    ({"nik": ""}, "R140", "A", "nik is empty"),
    ({"nama": " "}, "R140", "B", "nama is empty"),
    ({"jabatan": ""}, "R140", "E", "jabatan is empty"),
    ({"kode_desa": ""}, "R140", "F", "kode_desa is empty"),
    ({"nama_desa": "Kedaton Baru"}, "R201", "G",
     "village name 'Kedaton Baru' does not match code 18.71.01.1003, which is Kedaton; the code decides"),
    ({"nama_desa": "Sukamenanti"}, "R201", "G", "('Sukamenanti' in that kecamatan is 18.71.01.1005 Sukamenanti)"),
    ({"jabatan": "Operator Desa"}, "R202", "E", "is not a position of Permendagri 84/2015"),
    ({"telepon": "12345"}, "R203", "D", "is not an Indonesian phone number"),
])
def test_each_problem_is_located_and_explained(tmp_path, regions, changes, code, column, says):
    checked = check_one(tmp_path, regions, **changes)
    [diag] = checked.diagnostics
    assert (diag.code, diag.location.line, diag.location.col) == (code, 2, column)
    assert says in diag.message
    assert checked.status == ("error" if code < "R200" else "warning")
    assert diag.text().startswith(f"{tmp_path / 'roster.csv'}:2:{column}: {code} ")


def test_the_later_duplicate_is_the_error_and_names_the_earlier_row(tmp_path, regions):
    rows = [
        good(),
        good(nik="1871015508850043", email="andi@desa.id"),
        good(nik="1871015508850044", email="SITI.RAHAYU@desa.example.id"),  # same email, other case
        good(email="siti2@desa.id"),                                        # same NIK as row 2
        good(),                                                             # both
    ]
    checked = check_rows(tmp_path, regions, rows)
    assert [c.status for c in checked] == ["ok", "ok", "error", "error", "error"]
    assert [d.code for d in checked[2].diagnostics] == ["R131"]
    assert "as row 2" in checked[2].diagnostics[0].message
    assert [d.code for d in checked[3].diagnostics] == ["R130"]
    assert "same NIK (1871********0042) as row 2" in checked[3].diagnostics[0].message
    assert {d.code for d in checked[4].diagnostics} == {"R130", "R131"}


def test_damaged_niks_are_not_compared_as_duplicates(tmp_path, regions):
    rows = [good(nik="1.87102E+15"), good(nik="1.87102E+15", email="b@desa.id")]
    assert [[d.code for d in c.diagnostics] for c in check_rows(tmp_path, regions, rows)] == [["R112"], ["R112"]]


def test_a_bad_row_never_stops_the_good_ones(tmp_path, regions):
    rows = [good(nik="", email="", kode_desa="x", jabatan=""), good(nik="1871015508850043", email="b@desa.id")]
    bad, fine = check_rows(tmp_path, regions, rows)
    assert sorted(d.code for d in bad.diagnostics) == ["R102", "R140", "R140", "R140"]
    assert fine.status == "ok"


def test_several_problems_in_one_row_are_all_reported(tmp_path, regions):
    checked = check_one(tmp_path, regions, nik="1234", email="x", telepon="1", nama_desa="Bukan Kedaton")
    assert [d.code for d in checked.diagnostics] == ["R110", "R120", "R203", "R201"]
    assert checked.status == "error"
    assert [d.code for d in checked.errors] == ["R110", "R120"]
    assert [d.code for d in checked.warnings] == ["R203", "R201"]


def test_roster_without_optional_columns(tmp_path, regions):
    header = ["nama", "nik", "email", "jabatan", "kode_desa"]
    [checked] = check_rows(tmp_path, regions, [[GOOD[1], GOOD[0], GOOD[2], GOOD[4], GOOD[5]]], header=header)
    assert checked.status == "ok" and checked.record.telepon == "" and checked.record.nama_desa == ""


def test_nik_is_never_shown_in_full(tmp_path, regions):
    rows = [good(), good(email="b@desa.id"), good(nik="1871013208850042", email="c@desa.id"),
            good(nik="1871015508850042.0", email="d@desa.id")]
    checked = check_rows(tmp_path, regions, rows)
    texts = [repr(c.record) for c in checked] + [d.text() for c in checked for d in c.diagnostics]
    assert all(c.diagnostics for c in checked[1:])
    assert not any(nik in text for text in texts for nik in ("1871015508850042", "1871013208850042"))


def test_blank_rows_are_skipped(tmp_path, regions):
    rows = [good(), ["", "", "", "", "", "", ""], [" ", "\u00a0", "", "", "", "", ""],
            good(nik="1871015508850043", email="b@desa.id")]
    assert [c.row for c in check_rows(tmp_path, regions, rows)] == [2, 5]


def test_cohort_parts_of_a_record(tmp_path, regions):
    record = check_one(tmp_path, regions).record
    assert regions.label(record.kabupaten_code) == "18.71 Kota Bandar Lampung"
    assert (record.province_code, record.kecamatan_code, record.position_group) == ("18", "18.71.01", "kepala desa")
    assert record.nik_masked == "1871********0042"
