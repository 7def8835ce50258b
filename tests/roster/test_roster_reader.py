"""Reading roster files: encodings, delimiters, header rows, column names, spreadsheets."""

import codecs
from pathlib import Path

import pytest
from openpyxl import Workbook

from pamong_edx.roster import RosterFileError, read_roster
from roster_samples import GOOD, HEADER, good, write_csv

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roster"


def rows_of(path, regions, **options):
    with read_roster(path, regions, **options) as roster:
        return roster.layout, list(roster)


def test_utf8_with_bom(tmp_path, regions):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"nik,nama,email,jabatan,kode_desa\n"
                     + ",".join([GOOD[0], "Ni Luh Ay\u00fc", GOOD[2], GOOD[4], GOOD[5]]).encode("utf-8") + b"\n")
    layout, rows = rows_of(path, regions)
    assert layout.encoding == "utf-8-sig" and layout.fields["nik"] == 0
    assert rows[0].record.nama == "Ni Luh Ay\u00fc" and rows[0].status == "ok"


def test_semicolon_cp1252_with_indonesian_headers_below_a_title(tmp_path, regions):
    """What Indonesian Excel writes with "CSV (Semicolon delimited)": cp1252, ';', a title block."""
    lines = [
        "DAFTAR PERANGKAT DESA KEDATON;;;;;;;",
        ";;;;;;;",
        "No.;Nama Lengkap;NIK;Surel;No. HP;Jabatan;Kode Wilayah;Desa",
        f"1;Andr\u00e9\u00a0 Wijaya;{GOOD[0]};ANDRE@DESA.ID;0812 3456 7890;SEKRETARIS DESA;1871011003;KEDATON",
        ";;;;;;;",
        "2;Siti Rahayu;1871015508850043;siti@desa.id;;Kaur Keuangan;18.71.01.1003;Kedaton",
    ]
    path = tmp_path / "kedaton.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    layout, rows = rows_of(path, regions)
    assert (layout.encoding, layout.delimiter, layout.header_row) == ("cp1252", ";", 3)
    assert layout.header("kode_desa") == "Kode Wilayah" and layout.ignored == ["No."]
    assert [r.row for r in rows] == [4, 6]  # the blank row 5 is skipped but still counted
    first = rows[0].record
    assert (first.nama, first.email, first.telepon, first.jabatan, first.kode_desa) == (
        "Andr\u00e9 Wijaya", "andre@desa.id", "6281234567890", "Sekretaris Desa", "18.71.01.1003")
    assert [r.status for r in rows] == ["ok", "ok"]


@pytest.mark.parametrize("padding", [0, 1200], ids=["in-sample", "after-sample"])
def test_stray_cp1252_byte_in_a_utf8_file_does_not_stop_reading(tmp_path, regions, padding):
    """A name pasted from a cp1252 file into a UTF-8 one, near the top or far below the sniffed start."""
    rows = [good(nama="Siti \u00c7ahya")]
    rows += [good(nik=f"18710155088{i:05d}", email=f"p{i}@desa.id") for i in range(1, padding + 1)]
    body = "".join(",".join(r) + "\n" for r in [HEADER, *rows]).encode("utf-8")
    body += ",".join(good(nama="Andr\u00e9", nik="1871015508859999", email="a@desa.id")).encode("cp1252") + b"\n"
    path = tmp_path / "mixed.csv"
    path.write_bytes(body)
    layout, checked = rows_of(path, regions)
    assert layout.encoding == "utf-8"
    assert (checked[0].record.nama, checked[-1].record.nama) == ("Siti \u00c7ahya", "Andr\u00e9")
    assert all(r.status == "ok" for r in checked)


def test_utf16_tab_separated(tmp_path, regions):
    path = tmp_path / "unicode.txt"
    path.write_text("\t".join(HEADER) + "\n" + "\t".join(GOOD) + "\n", encoding="utf-16")
    layout, rows = rows_of(path, regions)
    assert layout.delimiter == "\t" and rows[0].status == "ok"


def test_short_rows_read_missing_cells_as_empty(tmp_path, regions):
    path = write_csv(tmp_path / "short.csv", [GOOD[:6]])
    _, rows = rows_of(path, regions)
    assert rows[0].record.nama_desa == "" and rows[0].status == "ok"


def test_a_row_the_csv_module_cannot_parse_is_reported_and_reading_goes_on(tmp_path, regions):
    path = write_csv(tmp_path / "huge.csv", [good(nama="x" * 200_000), good(nik="1871015508850043", email="b@desa.id")])
    _, rows = rows_of(path, regions)
    assert [(r.row, r.status) for r in rows] == [(2, "error"), (3, "ok")]
    assert rows[0].diagnostics[0].code == "R150"


def test_mapping_file_names_other_columns(tmp_path, regions):
    path = write_csv(tmp_path / "odd.csv", [GOOD], header=["KTP Perangkat", "Nama", "Email", "Telepon",
                                                          "Jabatan", "Kode Kemendagri Desa", "Nama Desa"])
    with pytest.raises(RosterFileError) as err:
        rows_of(path, regions)
    assert "odd.csv:1: no column for nik, kode_desa" in str(err.value) and "--columns" in str(err.value)
    mapping = tmp_path / "columns.toml"
    mapping.write_text('[columns]\n"KTP Perangkat" = "nik"\n"Kode Kemendagri Desa" = "kode_desa"\n',
                       encoding="utf-8")
    layout, rows = rows_of(path, regions, columns=mapping)
    assert layout.fields["nik"] == 0 and rows[0].status == "ok"
    layout, _ = rows_of(path, regions, columns={"ktp perangkat": "nik", "KODE KEMENDAGRI DESA": "kode_desa"})
    assert layout.fields["kode_desa"] == 5


def test_bad_mapping_file_is_named(tmp_path, regions):
    path = write_csv(tmp_path / "r.csv", [GOOD])
    mapping = tmp_path / "columns.toml"
    mapping.write_text('[columns]\n"NIK" = "ktp"\n', encoding="utf-8")
    with pytest.raises(RosterFileError, match=r"columns.toml: column 'NIK' maps to 'ktp'; use one of nama, nik"):
        rows_of(path, regions, columns=mapping)


def test_no_header_row(tmp_path, regions):
    path = tmp_path / "plain.csv"
    path.write_text("\n".join(",".join(GOOD) for _ in range(3)), encoding="utf-8")
    with pytest.raises(RosterFileError, match="no header row in the first 30 rows"):
        rows_of(path, regions)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"], ids=["zero-bytes", "bom-only", "blank-lines"])
def test_empty_file_says_it_is_empty(tmp_path, regions, content):
    path = tmp_path / "kosong.csv"
    path.write_bytes(content)
    with pytest.raises(RosterFileError, match="roster file .*kosong.csv is empty; save the roster from Excel"):
        read_roster(path, regions)


def test_binary_file_is_not_taken_for_a_csv(tmp_path, regions):
    path = tmp_path / "daftar.pdf"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\nstream\n\x01\x02\x03\x00\x05\x06\x07\x08\nendstream\n")
    with pytest.raises(RosterFileError, match="daftar.pdf is neither a CSV nor an XLSX file"):
        read_roster(path, regions)


def test_password_protected_xlsx_says_how_to_unlock_it(regions):
    path = FIXTURES / "locked" / "roster-with-password.xlsx"
    with pytest.raises(RosterFileError, match="roster-with-password.xlsx is protected with a password; open it in Excel"):
        read_roster(path, regions)


def test_missing_file(tmp_path, regions):
    with pytest.raises(RosterFileError, match="roster file .*nope.csv does not exist"):
        read_roster(tmp_path / "nope.csv", regions)


def make_xlsx(path, sheets):
    """sheets: {name: [row, ...]} written with openpyxl; a number stays a number cell."""
    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_title_row_numeric_cells_and_offset_columns(tmp_path, regions):
    path = make_xlsx(tmp_path / "roster.xlsx", {"Perangkat": [
        [None, "Daftar Perangkat Desa Kedaton 2025"],
        [],
        [None, "NIK", "Nama", "E-mail", "No HP", "Jabatan", "Kode Desa", "Nama Desa"],
        [None, *GOOD],
        [None, 1871015508850043, "Budi", "budi@desa.id", 81234567891, "Kades", 1871011003, "Kedaton"],
        [None, "1871015508850044", "Andi", "andi@desa.id", None, "Kadus", "18.71.01.1003", None],
    ]})
    layout, rows = rows_of(path, regions)
    assert (layout.sheet, layout.header_row) == ("Perangkat", 3)
    assert (layout.letter("nik"), layout.letter("nama_desa")) == ("B", "H")
    assert [r.row for r in rows] == [4, 5, 6]
    assert [r.status for r in rows] == ["ok", "error", "ok"]
    numeric = rows[1]
    assert [(d.code, d.location.col) for d in numeric.diagnostics] == [("R112", "B")]
    assert "stored as a number" in numeric.diagnostics[0].message
    assert (numeric.record.telepon, numeric.record.jabatan, numeric.record.kode_desa) == (
        "6281234567891", "Kepala Desa", "18.71.01.1003")


def test_xlsx_named_sheet_and_hidden_first_sheet(tmp_path, regions):
    book = Workbook()
    book.active.title = "Catatan"
    book.active.append(["isi", "bukan", "roster"])
    book.active.sheet_state = "hidden"
    data = book.create_sheet("Data")
    data.append(HEADER)
    data.append(GOOD)
    other = book.create_sheet("Cadangan")
    other.append(HEADER)
    path = tmp_path / "book.xlsx"
    book.save(path)
    layout, rows = rows_of(path, regions)
    assert layout.sheet == "Data" and len(rows) == 1
    layout, rows = rows_of(path, regions, sheet="cadangan")
    assert layout.sheet == "Cadangan" and rows == []
    with pytest.raises(RosterFileError, match="no sheet named 'Lampiran' \\(sheets: Catatan, Data, Cadangan\\)"):
        rows_of(path, regions, sheet="Lampiran")


def test_not_a_spreadsheet_despite_the_zip_magic(tmp_path, regions):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(RosterFileError, match="broken.xlsx: cannot read the spreadsheet .*save it again as .xlsx"):
        read_roster(path, regions)


def test_reading_is_lazy(tmp_path, regions):
    """The first row arrives before later rows are read: a corrupt tail does not delay or stop it."""
    path = write_csv(tmp_path / "r.csv", [GOOD] * 3)
    roster = read_roster(path, regions)
    first = next(iter(roster))
    assert first.row == 2
    roster.close()
