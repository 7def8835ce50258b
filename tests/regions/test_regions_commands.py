import json

import pytest

from pamong_edx.cli import main


def run(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_show_prints_the_hierarchy(capsys, wilayah):
    code, out, _ = run(capsys, "regions", "show", "1871011003", "--regions", str(wilayah))
    assert code == 0
    assert out.splitlines()[0] == "18.71.01.1003 Kedaton (kelurahan)"
    assert "kota       18.71          Kota Bandar Lampung" in out


def test_show_json_lists_parents_and_children(capsys, wilayah):
    code, out, _ = run(capsys, "regions", "show", "18.71.01", "--regions", str(wilayah), "--json")
    data = json.loads(out)
    assert code == 0 and data["type"] == "kecamatan"
    assert [p["code"] for p in data["parents"]] == ["18", "18.71"]
    assert "18.71.01.1003" in [c["code"] for c in data["children"]]


def test_find_within_a_kabupaten(capsys, wilayah):
    code, out, _ = run(capsys, "regions", "find", "way halim", "--in", "18.71", "--regions", str(wilayah))
    assert code == 0
    assert out.splitlines()[0].startswith("18.71.15       Way Halim  (kecamatan; Kota Bandar Lampung, Lampung)")


def test_find_a_typo_offers_close_names(capsys, wilayah):
    code, out, _ = run(capsys, "regions", "find", "Sukamjau", "--in", "18.71", "--regions", str(wilayah))
    assert code == 0 and "closest names" in out and "Sukamaju" in out


def test_unknown_code_is_one_error_line(capsys, wilayah):
    code, out, err = run(capsys, "regions", "show", "18.71.01.9999", "--regions", str(wilayah))
    assert code == 1 and out == ""
    assert err.startswith("error: region code 18.71.01.9999 is not in the region reference")


def test_region_file_from_environment_or_config(capsys, monkeypatch, tmp_path, wilayah):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAMONG_REGIONS", raising=False)
    code, _, err = run(capsys, "regions", "show", "18")
    assert code == 2 and "--regions PATH" in err
    (tmp_path / "pamong.toml").write_text(f'regions = "{wilayah.as_posix()}"\n', encoding="utf-8")
    assert run(capsys, "regions", "show", "18")[1].startswith("18 Lampung (provinsi)")
    monkeypatch.setenv("PAMONG_REGIONS", str(tmp_path / "elsewhere.csv"))
    code, _, err = run(capsys, "regions", "show", "18")
    assert code == 2 and "from PAMONG_REGIONS" in err
