import pytest

from pamong_edx.cli import main
from pamong_edx.errors import UsageError
from pamong_edx.regions import locate_regions, open_regions


def test_option_then_environment_then_config(tmp_path):
    (tmp_path / "pamong.toml").write_text('regions = "data/wilayah.csv"\n', encoding="utf-8")
    env = {"PAMONG_REGIONS": "/env/wilayah.csv"}
    assert locate_regions("/opt/w.csv", cwd=tmp_path, environ=env) == (tmp_path.joinpath("/opt/w.csv"), "--regions")
    assert locate_regions(None, cwd=tmp_path, environ=env)[0].as_posix() == "/env/wilayah.csv"
    path, origin = locate_regions(None, cwd=tmp_path, environ={})
    assert path == tmp_path / "data" / "wilayah.csv" and origin.endswith("pamong.toml")


def test_nothing_configured_says_how_to_point_at_the_file(tmp_path):
    with pytest.raises(UsageError) as err:
        locate_regions(None, cwd=tmp_path, environ={})
    message = str(err.value)
    assert "--regions PATH" in message and "PAMONG_REGIONS" in message and 'regions = "PATH"' in message


def test_config_without_regions_key_is_not_enough(tmp_path):
    (tmp_path / "pamong.toml").write_text('[lms]\nurl = "http://127.0.0.1"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="no region file given"):
        locate_regions(None, cwd=tmp_path, environ={})


def test_bad_config_and_missing_file_are_named(tmp_path):
    (tmp_path / "pamong.toml").write_text('regions = \n', encoding="utf-8")
    with pytest.raises(UsageError, match="pamong.toml: not valid TOML"):
        locate_regions(None, cwd=tmp_path, environ={})
    with pytest.raises(UsageError, match=r"region file .*missing.csv \(from PAMONG_REGIONS\) does not exist"):
        open_regions(None, cwd=tmp_path, environ={"PAMONG_REGIONS": str(tmp_path / "missing.csv")})


def test_open_regions_loads_the_configured_file(tmp_path, wilayah):
    (tmp_path / "pamong.toml").write_text(f'regions = "{wilayah.as_posix()}"\n', encoding="utf-8")
    assert open_regions(None, cwd=tmp_path, environ={}).name("18") == "Lampung"


@pytest.mark.parametrize("nested", [
    "regions = " + "[" * 100_000 + "]" * 100_000,
    "regions = " + "{a = " * 100_000 + "1" + "}" * 100_000,
    "[" + ".".join(["a"] * 100_000) + "]",
])
def test_a_config_nested_without_end_is_one_clear_error(tmp_path, nested, monkeypatch, capsys):
    (tmp_path / "pamong.toml").write_text(nested + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"pamong.toml: not valid TOML \(arrays or tables nested deeper than 100"):
        locate_regions(None, cwd=tmp_path, environ={})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAMONG_LANG", "en")  # so the language choice does not read pamong.toml first
    monkeypatch.delenv("PAMONG_REGIONS", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["regions", "show", "18"])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and len(err.splitlines()) == 1 and "nested deeper than 100 levels" in err
