import csv
import json
import re

import pytest

from pamong_edx.cli import main
from roster_samples import expected_diagnostics, expected_status, good, read_dicts, write_csv

FULL_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")


def run(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_messy_lampung_roster_flags_exactly_the_real_errors(capsys, tmp_path, make_roster, wilayah):
    """The issue's demonstration: make_roster.py --rows 5000 --seed 7 --province 18 --messy 0.05."""
    clean = make_roster(rows=5000, seed=7, province="18")
    messy = make_roster(rows=5000, seed=7, province="18", messy=0.05)
    out_path = tmp_path / "hasil.csv"
    code, out, err = run(capsys, "roster", "check", messy, "--regions", wilayah, "-o", out_path)
    assert code == 1 and err.startswith("error: ") and "rows have errors" in err

    expected = expected_diagnostics(read_dicts(clean), read_dicts(messy))
    with open(out_path, encoding="utf-8-sig", newline="") as f:
        results = list(csv.DictReader(f))
    assert [int(r["row"]) for r in results] == list(range(2, 5002))
    for (damage, codes), result in zip(expected, results, strict=True):
        assert (result["status"], set(result["codes"].split())) == (expected_status(codes), codes), (damage, result)
    assert sum(r["status"] == "error" for r in results) > 100

    assert "5000 rows read" in out
    assert "18 Lampung" in out and "18.71 Kota Bandar Lampung" in out and "Kepala Desa" in out
    assert "R101 village-code-unknown" in out and "R201 village-name-mismatch" in out
    assert re.search(rf"^{re.escape(str(messy))}:\d+:[A-G]: R1\d\d ", out, re.M)  # located diagnostics
    assert f"Results: {out_path}" in out
    assert not FULL_NIK.search(out + err) and not FULL_NIK.search(out_path.read_text(encoding="utf-8-sig"))


def test_json_summary(capsys, tmp_path, make_roster, wilayah):
    messy = make_roster(rows=5000, seed=7, province="18", messy=0.05)
    code, out, _ = run(capsys, "roster", "check", messy, "--regions", wilayah, "--json",
                       "-o", tmp_path / "r.xlsx")
    data = json.loads(out)
    assert code == 1
    assert data["rows"] == 5000 and data["ok"] + data["warning"] + data["error"] == 5000
    assert data["by_province"] == [{"code": "18", "name": "Lampung", "rows": 5000}]
    assert sum(k["rows"] for k in data["by_kabupaten"]) == 5000
    assert set(data["errors_by_kind"]) == {"R101 village-code-unknown", "R110 nik-length", "R120 email-invalid",
                                           "R131 duplicate-email", "R140 field-missing"}
    assert set(data["warnings_by_kind"]) == {"R201 village-name-mismatch"}
    assert data["columns"]["kode_desa"] == "kode_desa" and data["results"].endswith("r.xlsx")
    assert (tmp_path / "r.xlsx").is_file()


def test_clean_roster_exits_0_with_default_results_beside_it(capsys, tmp_path, regions, monkeypatch, wilayah):
    roster = write_csv(tmp_path / "kedaton.csv", [good()])
    monkeypatch.setenv("PAMONG_REGIONS", str(wilayah))
    code, out, err = run(capsys, "roster", "check", roster)
    assert (code, err) == (0, "")
    assert "1 rows read: 1 ok, 0 warning, 0 error" in out
    assert (tmp_path / "kedaton.results.csv").is_file()


def test_unreadable_roster_is_one_error_line(capsys, tmp_path, wilayah):
    roster = tmp_path / "x.csv"
    roster.write_text("a,b\n1,2\n", encoding="utf-8")
    code, out, err = run(capsys, "roster", "check", roster, "--regions", wilayah)
    assert code == 1 and err.startswith("error: ") and "no header row" in err
    assert not (tmp_path / "x.results.csv").exists()


@pytest.mark.parametrize("target", ["roster", "regions", "columns", "link"])
def test_the_results_file_never_replaces_an_input(capsys, tmp_path, wilayah, target):
    roster = write_csv(tmp_path / "r.csv", [good()])
    regions = tmp_path / "wilayah.csv"
    regions.write_bytes(wilayah.read_bytes())
    columns = tmp_path / "kolom.toml"
    columns.write_text('[columns]\n"NIK KTP" = "nik"\n', encoding="utf-8")
    (tmp_path / "tautan.csv").symlink_to(roster)
    output = {"roster": roster, "regions": regions, "columns": columns, "link": tmp_path / "tautan.csv"}[target]
    before = output.read_bytes()
    code, out, err = run(capsys, "roster", "check", roster, "--regions", regions, "--columns", columns,
                         "-o", output)
    assert code == 2 and err.startswith("error: output ") and "would overwrite the input" in err
    assert output.read_bytes() == before and out == ""
