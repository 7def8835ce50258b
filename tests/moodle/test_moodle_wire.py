"""The wire format, usernames, names and the profile's moodle table (no server needed)."""

from __future__ import annotations

import pytest

from pamong_edx.lms.errors import ConfigError
from pamong_edx.lms.moodle.names import split_name, username_for
from pamong_edx.lms.moodle.settings import MoodleSettings
from pamong_edx.lms.moodle.wire import batches, field_count, flatten
from pamong_edx.lms.profiles import load_profile
from pamong_edx.sandbox.moodle.params import parse_php


def test_nested_parameters_become_php_bracket_fields_as_the_spec_writes_them():
    users = {"users": [{"username": "jdoe", "firstname": "Jane",
                        "customfields": [{"type": "dept", "value": "Sales"}]}]}
    assert flatten(users) == [("users[0][username]", "jdoe"), ("users[0][firstname]", "Jane"),
                              ("users[0][customfields][0][type]", "dept"),
                              ("users[0][customfields][0][value]", "Sales")]
    assert flatten({"cohortids": [4, 7]}) == [("cohortids[0]", "4"), ("cohortids[1]", "7")]
    members = {"members": [{"cohorttype": {"type": "idnumber", "value": "C1"},
                            "usertype": {"type": "username", "value": "jdoe"}}]}
    assert flatten(members) == [("members[0][cohorttype][type]", "idnumber"), ("members[0][cohorttype][value]", "C1"),
                                ("members[0][usertype][type]", "username"), ("members[0][usertype][value]", "jdoe")]
    # booleans as 1/0; an empty list and None are left out (the parameter's default applies)
    assert flatten({"createpassword": True, "suspended": False, "preferences": [], "idnumber": None}) == [
        ("createpassword", "1"), ("suspended", "0")]


def test_what_the_client_writes_is_what_php_reads_back():
    record = {"users": [{"username": "a@b.id", "customfields": [{"type": "desa", "value": "Way Halim & Co"}]}] * 2}
    from urllib.parse import urlencode

    parsed = parse_php(urlencode(flatten(record)), 1000)
    assert parsed.values["users"]["1"]["customfields"]["0"]["value"] == "Way Halim & Co"
    assert parsed.count == 6 and parsed.dropped == 0


def test_batches_are_cut_by_field_count_as_well_as_by_records():
    records = [{"a": i, "b": [1, 2, 3]} for i in range(10)]  # 4 fields each
    assert field_count(records[0]) == 4
    sizes = [len(b) for b in batches(records, budget=10, most=100)]
    assert sizes == [2, 2, 2, 2, 2]
    assert [len(b) for b in batches(records, budget=1000, most=3)] == [3, 3, 3, 1]
    with pytest.raises(ValueError, match="more than the 3"):
        list(batches(records, budget=3, most=10))


@pytest.mark.parametrize("email,username", [
    ("budi.santoso@desa.example.id", "budi.santoso@desa.example.id"),
    ("Budi.Santoso@Desa.Example.ID", "budi.santoso@desa.example.id"),
    ("budi+kades@desa.id", "budikades@desa.id-"),  # cleaned, then a hash: never the same as budikades@desa.id
    ("o'neil@desa.id", "oneil@desa.id-"),
])
def test_usernames_come_from_the_email_deterministically(email, username):
    made = username_for(email)
    assert made.startswith(username) and made == username_for(email)
    if username.endswith("-"):
        assert len(made) == len(username) + 6 and made != username_for("budikades@desa.id")
    assert made == made.lower() and len(made) <= 100


def test_a_long_email_still_gives_a_username_moodle_accepts():
    email = "x" * 120 + "@desa.id"
    assert len(username_for(email)) == 100 and username_for(email) != username_for("x" * 121 + "@desa.id")


def test_names_split_on_the_last_word_and_single_names_get_a_dash():
    assert split_name("Siti Nur Rahayu") == ("Siti Nur", "Rahayu")
    assert split_name("Sukarno") == ("Sukarno", "-")
    assert split_name("  ") == ("", "")


def test_the_profile_holds_a_moodle_table_and_needs_no_client_id(tmp_path):
    (tmp_path / "pamong.toml").write_text(
        '[profiles.lampung]\nlms = "moodle"\nlms_url = "https://elearning.example.id/"\nclient_secret_env = "TOK"\n\n'
        '[profiles.lampung.moodle]\nauth = "oauth2"\nroles = {fasilitator = 4}\nmax_input_vars = 500\n'
        'profile_fields = {kode_wilayah = "kode_wil", jabatan = ""}\n'
        'user_fields = {city = "{kabupaten}, {provinsi}"}\n',
        encoding="utf-8")
    profile = load_profile("lampung", cwd=tmp_path, env={"TOK": "0123abcd"})
    assert (profile.lms, profile.lms_url, profile.client_id) == ("moodle", "https://elearning.example.id", "")
    settings = MoodleSettings.from_options(profile.options, "here")
    assert settings.auth == "oauth2" and not settings.password_by_moodle
    assert settings.role_id("fasilitator") == 4 and settings.role_id(None) == 5 and settings.role_id("audit") == 5
    assert settings.profile_fields["kode_wilayah"] == "kode_wil" and settings.profile_fields["jabatan"] == ""
    assert settings.profile_fields["desa"] == "desa"  # the rest keep their defaults
    assert settings.field_budget == 499 and settings.nik_field == ""  # all but the token


@pytest.mark.parametrize("table,message", [
    ({"colour": "blue"}, "unknown key(s) colour"),
    ({"auth": "webservice"}, "auth 'webservice'"),
    ({"roles": {"student": "lima"}}, "roles must map role names"),
    ({"default_role": "guru"}, "default_role 'guru' is not in roles"),
    ({"profile_fields": {"desa": "nama desa"}}, "is not a profile field short name"),
    ({"profile_fields": {"rt": "rt"}}, "unknown key(s) rt"),
    ({"user_fields": {"city": "{kota}"}}, "uses {kota}"),
    ({"max_input_vars": 10}, "max_input_vars must be"),
    ({"nik_field": "no ktp"}, "nik_field must be"),
])
def test_mistakes_in_the_moodle_table_are_named(table, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("{", r"\{")
                       .replace("}", r"\}")):
        MoodleSettings.from_options(table, "pamong.toml: [profiles.x.moodle]")


def test_a_moodle_table_written_as_a_value_is_refused(tmp_path):
    (tmp_path / "pamong.toml").write_text('[profiles.m]\nlms = "moodle"\nlms_url = "https://m.example.id"\n'
                                          'client_secret_env = "TOK"\nmoodle = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[profiles.m.moodle\] table"):
        load_profile("m", cwd=tmp_path, env={"TOK": "x"})
