"""Profiles from pamong.toml and the environment; the per-profile state directory."""

from __future__ import annotations

import pytest

from pamong_edx.lms.errors import ConfigError
from pamong_edx.lms.profiles import load_profile, state_dir

TOML = """
[profiles.prod]
lms = "openedx"
lms_url = "https://lms.desa.example.id/"
studio_url = "https://studio.desa.example.id"
client_id = "pamong"
client_secret_env = "PROD_SECRET"
ca_bundle = "/etc/ssl/our-ca.pem"
timeout = 12
"""


def test_profile_from_the_working_directory_first(tmp_path):
    cwd, home = tmp_path / "cwd", tmp_path / "config"
    (cwd).mkdir()
    (home / "pamong").mkdir(parents=True)
    (cwd / "pamong.toml").write_text(TOML)
    (home / "pamong" / "pamong.toml").write_text(TOML.replace("lms.desa", "other.desa"))
    env = {"XDG_CONFIG_HOME": str(home), "PROD_SECRET": "s3cr3t"}
    profile = load_profile("prod", cwd=cwd, env=env)
    assert (profile.lms, profile.lms_url, profile.studio_url) == (
        "openedx", "https://lms.desa.example.id", "https://studio.desa.example.id")
    assert (profile.client_secret, profile.ca_bundle, profile.timeout) == ("s3cr3t", "/etc/ssl/our-ca.pem", 12.0)
    assert "s3cr3t" not in repr(profile)
    (cwd / "pamong.toml").unlink()
    assert load_profile("prod", cwd=cwd, env=env).lms_url == "https://other.desa.example.id"


def test_environment_overrides_and_env_only_profile(tmp_path):
    (tmp_path / "pamong.toml").write_text(TOML)
    env = {"PROD_SECRET": "x", "PAMONG_LMS_URL": "https://ci.example.id", "PAMONG_CLIENT_ID": "ci"}
    profile = load_profile("prod", cwd=tmp_path, env=env)
    assert (profile.lms_url, profile.client_id, profile.studio_url) == (
        "https://ci.example.id", "ci", "https://studio.desa.example.id")
    only_env = load_profile(None, cwd=tmp_path, env={"PAMONG_LMS_URL": "https://ci.example.id",
                                                     "PAMONG_CLIENT_ID": "ci", "PAMONG_CLIENT_SECRET": "y"})
    assert (only_env.name, only_env.studio_url, only_env.client_secret) == ("env", "https://ci.example.id", "y")


@pytest.mark.parametrize("text,env,message", [
    (TOML, {}, "environment variable PROD_SECRET is not set"),
    (TOML.replace('client_secret_env = "PROD_SECRET"', 'client_secret = "oops"'), {}, "secrets never go in the file"),
    (TOML + 'colour = "blue"\n', {"PROD_SECRET": "x"}, "unknown key(s) colour"),
    (TOML.replace("timeout = 12", "timeout = -1"), {"PROD_SECRET": "x"}, "'timeout' must be a positive number"),
    ("[profiles.prod\n", {}, "not valid TOML"),
])
def test_clear_errors(tmp_path, text, env, message):
    (tmp_path / "pamong.toml").write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_profile("prod", cwd=tmp_path, env=env)


def test_missing_profile_and_no_profile(tmp_path):
    (tmp_path / "pamong.toml").write_text(TOML)
    with pytest.raises(ConfigError, match="no profile 'staging'.*known profiles: prod"):
        load_profile("staging", cwd=tmp_path, env={})
    with pytest.raises(ConfigError, match="pass --profile NAME"):
        load_profile(None, cwd=tmp_path, env={})


def test_state_dir(tmp_path):
    assert state_dir("prod", env={"PAMONG_STATE_DIR": str(tmp_path / "s")}) == tmp_path / "s" / "prod"
    assert (tmp_path / "s" / "prod").is_dir()
    assert state_dir("prod", env={"XDG_STATE_HOME": str(tmp_path / "x")}) == tmp_path / "x" / "pamong" / "prod"
    with pytest.raises(ConfigError):
        state_dir("../escape", env={"PAMONG_STATE_DIR": str(tmp_path)})


def test_a_config_file_that_is_not_utf8_is_a_config_error(tmp_path):
    (tmp_path / "pamong.toml").write_bytes(b"\xff\xfe[profiles.prod]\n")
    with pytest.raises(ConfigError, match=r"pamong.toml: not UTF-8 text \(byte 0\)"):
        load_profile("prod", cwd=tmp_path, env={})


def test_a_config_file_nested_without_end_is_a_config_error(tmp_path):
    (tmp_path / "pamong.toml").write_text("[profiles.p]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ConfigError, match="nested too deep"):
        load_profile("p", cwd=tmp_path, env={})


def test_limits_come_from_the_profile_and_are_checked(tmp_path):
    (tmp_path / "pamong.toml").write_text(TOML + "\n[profiles.prod.limits]\ndeadline = 300\nmax_pages = 50\n")
    profile = load_profile("prod", cwd=tmp_path, env={"PROD_SECRET": "s"})
    assert (profile.limits.deadline, profile.limits.max_pages, profile.limits.max_json_depth) == (300, 50, 100)
    (tmp_path / "pamong.toml").write_text(TOML + "\n[profiles.prod.limits]\nmax_pages = 0\ndeadlin = 3\n")
    with pytest.raises(ConfigError, match=r"\[limits\] has unknown key\(s\) deadlin"):
        load_profile("prod", cwd=tmp_path, env={"PROD_SECRET": "s"})
    (tmp_path / "pamong.toml").write_text(TOML + "\n[profiles.prod.limits]\nmax_pages = 0.5\n")
    with pytest.raises(ConfigError, match="limits.max_pages must be a positive whole number"):
        load_profile("prod", cwd=tmp_path, env={"PROD_SECRET": "s"})
