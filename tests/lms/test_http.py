"""The transport's edges: secrets a server echoes back, TLS and the CA bundle, URLs a profile gets wrong,
Retry-After as a date, and what a failed connection says. Every call goes to a real server on 127.0.0.1:
the stand-in, or a small werkzeug app that misbehaves on purpose (hostile.py)."""

from __future__ import annotations

import email.utils
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from werkzeug.wrappers import Request, Response

from hostile import HostileServer, Scripted, json_response
from pamong_edx.lms.errors import ConfigError, LmsError, ServerError, Unreachable
from pamong_edx.lms.http import RetryPolicy
from pamong_edx.lms.moodle import MoodleBackend
from pamong_edx.lms.openedx import OpenEdxBackend

QUICK = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)


def echo(request: Request) -> str:
    return f"{request.headers.get('Authorization')} {request.get_data(as_text=True)} {request.query_string.decode()}"


def test_a_secret_echoed_back_in_an_error_never_reaches_the_message():
    def answer(request):
        if request.path == "/oauth2/access_token":
            return json_response({"detail": f"bad request: {echo(request)}"}, 500)
        # not Moodle's JSON
        return Response(f"Proxy error while forwarding {echo(request)}", content_type="text/html")

    with HostileServer(Scripted(answer)) as server:
        client = OpenEdxBackend(server.url, "pamong", "client-s3cr3t-value", retry=QUICK, sleep=lambda s: None)
        with pytest.raises(ServerError) as caught:
            client.whoami()
        assert "bad request" in str(caught.value) and "client-s3cr3t-value" not in str(caught.value)

        moodle = MoodleBackend(server.url, "0123456789abcdef0123456789abcdef", retry=QUICK, sleep=lambda s: None)
        with pytest.raises(ServerError, match="the answer is not JSON") as caught:
            moodle.whoami()
        assert "core_webservice_get_site_info: the answer is not JSON: 'Proxy error" in str(caught.value)
        assert "wstoken=[secret]" in str(caught.value)
        assert "0123456789abcdef0123456789abcdef" not in str(caught.value)


def test_a_moodle_exception_quoting_the_token_is_blanked():
    def answer(request):
        return json_response({"exception": "moodle_exception", "errorcode": "x", "message": echo(request)})

    with HostileServer(Scripted(answer)) as server:
        moodle = MoodleBackend(server.url, "0123456789abcdef0123456789abcdef", retry=QUICK, sleep=lambda s: None)
        with pytest.raises(LmsError) as caught:
            moodle.whoami()
        assert "wsfunction=core_webservice_get_site_info" in str(caught.value)
        assert "0123456789abcdef" not in str(caught.value)


def test_retry_after_given_as_an_http_date_is_honoured():
    calls = []

    def answer(request):
        calls.append(request.path)
        if len(calls) == 1:
            when = email.utils.formatdate(time.time() + 3, usegmt=True)
            return json_response({"detail": "slow down"}, 429, {"Retry-After": when})
        return json_response({"courses": []})

    sleeps: list[float] = []
    with HostileServer(Scripted(answer)) as server:
        moodle = MoodleBackend(server.url, "0123456789abcdef", sleep=sleeps.append)
        assert list(moodle.list_courses()) == []
    assert len(calls) == 2 and len(sleeps) == 1 and 1 <= sleeps[0] <= 3


def test_https_to_a_plain_http_port_fails_at_once_and_says_why(sandbox):
    sleeps: list[float] = []
    client = OpenEdxBackend(sandbox.url.replace("http://", "https://"), "id", "secret", sleep=sleeps.append)
    with pytest.raises(Unreachable, match="TLS failed .*does not speak TLS") as caught:
        client.whoami()
    assert sleeps == [] and caught.value.maybe_applied is False


@pytest.fixture
def tls_lms(tmp_path):
    """An LMS behind TLS with a self-signed certificate for 127.0.0.1 (the private-CA case)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "ca.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with HostileServer("plain", ssl_context=context) as server:
        yield server, cert


def test_tls_is_verified_and_a_ca_bundle_makes_a_private_ca_trusted(tls_lms, monkeypatch):
    server, cert = tls_lms
    # Containers often set this; it must not push the profile's bundle aside.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ssl.get_default_verify_paths().openssl_cafile)
    untrusted = OpenEdxBackend(server.url, "pamong", "secret", sleep=lambda s: None)
    with pytest.raises(Unreachable, match="certificate is not trusted.*ca_bundle"):
        untrusted.whoami()
    with OpenEdxBackend(server.url, "pamong", "secret", ca_bundle=str(cert)) as trusted:
        assert trusted.whoami().username == "pamong_staff"


def test_a_missing_ca_bundle_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="ca_bundle .*missing.pem does not exist"):
        OpenEdxBackend("https://lms.desa.example.id", "id", "secret", ca_bundle=str(tmp_path / "missing.pem"))


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "http://[::1", "https://lms.example.id:port"])
def test_a_malformed_url_is_a_config_error(url):
    with pytest.raises(ConfigError, match="is not a valid URL"):
        OpenEdxBackend(url, "id", "secret")
    with pytest.raises(ConfigError, match="is not a valid URL"):
        MoodleBackend(url, "token")


def test_a_refused_connection_says_nothing_listens_there():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = OpenEdxBackend(f"http://127.0.0.1:{port}", "id", "secret", retry=QUICK, sleep=lambda s: None)
    with pytest.raises(Unreachable, match="refused: nothing listens on that port"):
        client.whoami()


def test_cli_prints_one_line_for_a_bad_url_in_the_profile(tmp_path, monkeypatch, capsys):
    from pamong_edx.cli import main

    (tmp_path / "pamong.toml").write_text('[profiles.p]\nlms_url = "http://[::1"\nclient_id = "c"\n'
                                          'client_secret_env = "P_SECRET"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAMONG_CONFIG", raising=False)
    monkeypatch.setenv("P_SECRET", "x")
    with pytest.raises(SystemExit) as code:
        main(["lms", "check", "--profile", "p"])
    err = capsys.readouterr().err
    assert code.value.code != 0 and err.startswith("error: LMS URL 'http://[::1' is not a valid URL")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
