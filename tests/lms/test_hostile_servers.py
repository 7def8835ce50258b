"""A misconfigured or compromised LMS (tests/lms/hostile.py): credentials stay on the profile's origin, every read
is bounded, and every malformed answer is a one-line typed error naming the endpoint, never a crash."""

from __future__ import annotations

import time

import pytest

from hostile import HostileServer
from pamong_edx.lms.errors import BadAnswer, ConfigError, OriginError, Unreachable
from pamong_edx.lms.limits import Limits
from pamong_edx.lms.openedx import OpenEdxBackend
from pamong_edx.lms.protocol import ImportTicket
from pamong_edx.lms.retry import RetryPolicy

QUICK = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)


def client(url: str, **kw) -> OpenEdxBackend:
    kw.setdefault("retry", QUICK)
    return OpenEdxBackend(url, "pamong", "client-s3cr3t-value", sleep=lambda s: None, **kw)


@pytest.fixture
def elsewhere():
    """Another origin, recording whatever reaches it (nothing should)."""
    with HostileServer("plain") as server:
        yield server


# -- one origin per profile -----------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["next-elsewhere", "redirect-elsewhere", "artifact-elsewhere"])
def test_a_link_to_another_origin_is_refused_and_no_credential_goes_there(mode, elsewhere):
    with HostileServer(mode, other=elsewhere.url) as server, client(server.url) as lms:
        with pytest.raises(OriginError) as caught:
            if mode == "next-elsewhere":
                list(lms.list_courses())
            elif mode == "redirect-elsewhere":
                lms.whoami()
            else:
                lms.import_failure(ImportTicket("course-v1:X+Y+Z", "1", "c.tar.gz"))
    message = str(caught.value)
    assert f"http://127.0.0.1:{elsewhere.port}" in message and "no credentials were sent there" in message
    assert len(message.splitlines()) == 1
    assert elsewhere.seen == []  # not one request, so not one token
    assert all(s.authorization is None for s in server.seen if s.path == "/oauth2/access_token")


def test_the_same_host_on_another_port_or_scheme_is_another_origin(elsewhere):
    with HostileServer("next-elsewhere", other=elsewhere.url.replace("http://", "https://")) as server:
        with client(server.url) as lms, pytest.raises(OriginError, match="https://127.0.0.1"):
            list(lms.list_courses())
    assert elsewhere.seen == []


def test_a_url_that_parsers_read_differently_is_refused_before_anything_is_sent(elsewhere):
    # urllib.parse reads the host as 127.0.0.1 (loopback: plain http allowed); urllib3, which sends, reads 0.0.0.0.
    ambiguous = f"http://0.0.0.0:{elsewhere.port}\\@127.0.0.1:{elsewhere.port}"
    with pytest.raises(ConfigError, match="backslash"):
        client(ambiguous)
    with pytest.raises(ConfigError, match="user name or password") as caught:
        client(f"http://pamong:hunter2pw@127.0.0.1:{elsewhere.port}")
    assert "hunter2pw" not in str(caught.value) and "pamong:***@" in str(caught.value)
    assert elsewhere.seen == []


def test_the_cli_blanks_a_password_in_a_url_and_sends_nothing(elsewhere, monkeypatch, capsys):
    from pamong_edx.cli import main

    for var in ("PAMONG_CONFIG", "PAMONG_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PAMONG_LMS_URL", f"http://admin:s3kr1t-pass@127.0.0.1:{elsewhere.port}")
    monkeypatch.setenv("PAMONG_CLIENT_ID", "pamong")
    monkeypatch.setenv("PAMONG_CLIENT_SECRET", "client-secret")
    with pytest.raises(SystemExit) as code:
        main(["lms", "check"])
    err = capsys.readouterr().err
    assert code.value.code == 2 and "s3kr1t-pass" not in err and "admin:***@" in err
    assert len(err.strip().splitlines()) == 1 and elsewhere.seen == []


# -- bounded reads --------------------------------------------------------------------------------------------

def test_a_self_referencing_next_link_stops_at_once():
    with HostileServer("next-self") as server, client(server.url) as lms:
        with pytest.raises(BadAnswer, match="next page is one already read"):
            list(lms.list_courses())
    assert sum(s.path == "/api/courses/v1/courses/" for s in server.seen) == 2


def test_next_links_without_end_stop_at_the_page_limit():
    with HostileServer("next-forever") as server, client(server.url, limits=Limits(max_pages=25)) as lms:
        with pytest.raises(BadAnswer, match=r"more than 25 pages; the listing stops there \(limits.max_pages\)"):
            list(lms.list_courses())
    assert sum(s.path == "/api/courses/v1/courses/" for s in server.seen) == 25


def test_a_body_dripped_a_byte_at_a_time_stops_at_the_deadline():
    # A byte every 0.2 s never trips the 10 s socket timeout; the call's deadline (1 s) ends it.
    with HostileServer("drip") as server, client(server.url, timeout=10, limits=Limits(deadline=1.0)) as lms:
        started = time.monotonic()
        with pytest.raises(Unreachable, match=r"deadline of 1 s passed \(limits.deadline\)"):
            lms.whoami()
        assert time.monotonic() - started < 3


def test_headers_dripped_a_byte_at_a_time_stop_at_the_deadline():
    from hostile import DripHeaders

    with DripHeaders() as server, client(server.url, timeout=10, limits=Limits(deadline=1.0)) as lms:
        started = time.monotonic()
        with pytest.raises(Unreachable, match=r"no answer within the call's deadline of 1 s \(limits.deadline\)"):
            lms.whoami()
        assert time.monotonic() - started < 3


def test_a_body_that_never_ends_stops_at_the_size_limit_or_the_deadline():
    with HostileServer("endless") as server:
        with client(server.url, limits=Limits(max_response_mb=1)) as lms:
            with pytest.raises(BadAnswer, match=r"past the 1 MB allowed \(limits.max_response_mb\)"):
                lms.whoami()
        with client(server.url, limits=Limits(deadline=0.5, max_response_mb=100_000)) as lms:
            started = time.monotonic()
            with pytest.raises(Unreachable, match="deadline"):
                lms.whoami()
            assert time.monotonic() - started < 3


# -- malformed answers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode,message", [
    ("deep-json", "GET /api/user/v1/me: the answer nests arrays or objects deeper than 100 levels"),
    ("html", "GET /api/user/v1/me: the answer is not JSON: an HTML page"),
    ("expires-in", "POST /oauth2/access_token: the answer is not what the API returns (expires_in is a text, "
                   "not a number)"),
])
def test_a_malformed_answer_is_one_line_naming_the_endpoint(mode, message):
    with HostileServer(mode) as server, client(server.url) as lms:
        with pytest.raises(BadAnswer) as caught:
            lms.whoami()
    assert str(caught.value).startswith(message) and len(str(caught.value).splitlines()) == 1


def test_json_of_the_wrong_shape_and_a_garbage_bulk_answer_are_typed_errors():
    with HostileServer("wrong-shape") as server, client(server.url) as lms:
        with pytest.raises(BadAnswer, match=r"GET /api/cohorts/.*: the answer is not what the API returns "
                                            r"\(the answer is an object, not an array\)"):
            lms.list_cohorts("course-v1:X+Y+Z")
    with HostileServer("garbage-bulk") as server, client(server.url) as lms:
        with pytest.raises(BadAnswer, match=r"POST /api/bulk_enroll/v1/bulk_enroll: .*courses is an array, "
                                            r"not an object"):
            lms.bulk_enrol("course-v1:X+Y+Z", ["a@desa.example.id"])
    with HostileServer("not-json-bulk") as server, client(server.url) as lms:
        with pytest.raises(BadAnswer, match=r"bulk_enroll: the answer is not JSON: '\\x00\\x01 not json"):
            lms.bulk_enrol("course-v1:X+Y+Z", ["a@desa.example.id"])


@pytest.mark.parametrize("mode", ["deep-json", "html", "expires-in", "drip"])
def test_lms_check_prints_one_line_and_never_an_internal_error(mode, tmp_path, monkeypatch, capsys):
    from pamong_edx.cli import main

    with HostileServer(mode) as server:
        (tmp_path / "pamong.toml").write_text(
            f'[profiles.h]\nlms_url = "{server.url}"\nclient_id = "c"\nclient_secret_env = "H_SECRET"\ntimeout = 5\n'
            "[profiles.h.limits]\ndeadline = 1\n", encoding="utf-8")
        monkeypatch.setenv("PAMONG_CONFIG", str(tmp_path / "pamong.toml"))
        monkeypatch.setenv("H_SECRET", "client-secret")
        with pytest.raises(SystemExit) as code:
            main(["lms", "check", "--profile", "h"])
    err = capsys.readouterr().err
    assert code.value.code == 1 and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert "internal error" not in err and "Traceback" not in err


def test_a_moodle_answer_of_the_wrong_shape_names_the_function():
    from hostile import Scripted, json_response
    from pamong_edx.lms.moodle import MoodleBackend

    def answer(request):
        if request.args.get("wsfunction") == "core_webservice_get_site_info":
            return json_response({"username": "ws", "functions": "all of them"})
        return json_response([{"id": "seven", "email": "a@desa.example.id"}])  # core_user_get_users_by_field

    with HostileServer(Scripted(answer)) as server:
        with MoodleBackend(server.url, "0123456789abcdef", retry=QUICK, sleep=lambda s: None) as moodle:
            with pytest.raises(BadAnswer, match=r"^core_webservice_get_site_info: the answer is not what the API "
                                                r"returns \(functions is a text, not an array\)$"):
                moodle.capabilities()
            with pytest.raises(BadAnswer, match=r"^core_user_get_users_by_field: .*\[0\]\.id is a text, not a whole "
                                                r"number"):
                moodle.find_users(emails=["a@desa.example.id"])
