"""The stand-in server core: routing exactness, stats, config, deterministic faults, the CLI form.

Tests of the stand-in itself drive its WSGI app in-process (werkzeug's test client); only those whose point
is a real socket (resets, hang-ups, the command line) start a server."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from werkzeug.test import Client

from pamong_edx.sandbox.core import serving
from pamong_edx.sandbox.core.faults import FaultConfig, FaultInjector
from pamong_edx.sandbox.core.standin import Reset, StandIn
from pamong_edx.sandbox.core.throttle import RateThrottle
from pamong_edx.sandbox.openedx import OpenEdxApp, Settings, openedx_sandbox


@pytest.fixture
def server():
    with openedx_sandbox(settings=Settings(throttle=False)) as running:
        yield running


@pytest.fixture
def client():
    app = OpenEdxApp(settings=Settings(throttle=False))
    yield Client(StandIn(app))
    app.close()


def test_stats_count_by_route_and_method_and_reset(client):
    client.get("/api/user/v1/me")
    client.get("/api/user/v1/me")
    client.get("/no/such/route")
    stats = client.get("/__sandbox__/stats").json
    assert stats["requests"] == {"GET /api/user/v1/me": 2, "GET (no route)": 1}
    assert stats["statuses"] == {"401": 2, "404": 1} and stats["total"] == 3
    client.delete("/__sandbox__/stats")
    assert client.get("/__sandbox__/stats").json["total"] == 0


def test_config_route_validates_and_applies(client):
    assert client.post("/__sandbox__/config", json={"nonsense": 1}).status_code == 400
    assert client.post("/__sandbox__/config", json={"fail_rate": 2}).status_code == 400
    settings = client.post("/__sandbox__/config", json={"fail_rate": 1, "throttle": True}).json
    assert settings["faults"]["fail_rate"] == 1.0 and settings["app"]["throttle"] is True
    assert client.get("/api/user/v1/me").status_code == 500


def test_the_throttles_read_rates_with_the_clients_parser(client):
    now = [0.0]
    throttle = RateThrottle(clock=lambda: now[0])
    assert [throttle.hit("u", "2/m") for _ in range(3)] == [None, None, 60]  # DRF's spelling
    assert [throttle.hit("r", "1/7d") for _ in range(2)] == [None, 7 * 86400]  # django-ratelimit's multiplier
    now[0] += 60
    assert throttle.hit("u", "2/minute") is None
    for rate in ("40/m", "60/7d", "120/minute"):
        assert client.post("/__sandbox__/config", json={"registration_rate": rate}).status_code == 200
    refused = client.post("/__sandbox__/config", json={"enrollment_user_rate": "5/fortnight"})
    assert refused.status_code == 400 and "'5/fortnight' is not a rate" in refused.json["detail"]


def test_routes_match_exactly_and_take_course_keys_raw(client):
    assert client.get("/api/grades/v1/courses/course-v1:Org+N1+2025/").status_code == 401  # routed
    assert client.get("/api/grades/v1/courses/course-v1:Org+N1+2025").status_code == 404  # no redirect
    assert client.post("/api/bulk_enroll/v1/bulk_enroll/").status_code == 404
    assert client.post("/oauth2/access_token/").status_code == 400  # the one route with an optional slash
    one = client.get("/api/enrollment/v1/enrollment/peserta01,course-v1:Org+N1+2025")
    assert one.status_code == 401
    routes = client.get("/__sandbox__/stats").json["requests"]
    assert routes["GET /api/enrollment/v1/enrollment/{username},{course_id}"] == 1
    assert routes["GET (no route)"] == 1 and routes["POST (no route)"] == 1


def test_tokens_are_signed_and_checked_with_the_stand_ins_key(client):
    import jwt

    app = client.application.app
    cred = app.staff_credentials
    answer = client.post("/oauth2/access_token", data={"grant_type": "client_credentials", "token_type": "jwt",
                                                       "client_id": cred.client_id, "client_secret": cred.client_secret})
    token = answer.json["access_token"]
    claims = jwt.decode(token, app.store.setting("jwt_key"), algorithms=["HS256"], audience="openedx")
    assert claims["preferred_username"] == "pamong_staff" and claims["administrator"] is True
    assert client.get("/api/user/v1/me", headers={"Authorization": f"JWT {token}"}).json == {"username": "pamong_staff"}
    other_key = "another key, long enough for HS256 keys"
    forged = jwt.encode({**claims, "preferred_username": "peserta01"}, other_key, algorithm="HS256")
    refused = client.get("/api/user/v1/me", headers={"Authorization": f"JWT {forged}"})
    assert refused.status_code == 401 and refused.json == {"detail": "Invalid token."}
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert client.get("/api/user/v1/me", headers={"Authorization": f"JWT {unsigned}"}).status_code == 401
    expired = jwt.encode({**claims, "exp": claims["iat"] - 1}, app.store.setting("jwt_key"), algorithm="HS256")
    assert client.get("/api/user/v1/me", headers={"Authorization": f"JWT {expired}"}).json == {
        "detail": "Signature has expired."}
    garbage = client.get("/api/user/v1/me", headers={"Authorization": "JWT not.a.token"})
    assert garbage.json == {"detail": "Error decoding token."}
    as_bearer = client.get("/api/user/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert as_bearer.status_code == 401 and as_bearer.json["error_code"] == "token_nonexistent"


def test_a_reset_fault_in_process_is_a_connection_reset(client):
    client.post("/__sandbox__/config", json={"reset_rate": 1.0})
    with pytest.raises(Reset):
        client.get("/api/user/v1/me")
    assert client.get("/__sandbox__/stats").json["faults"] == {"reset": 1}


def test_fault_fates_depend_only_on_seed_and_request_number():
    config = FaultConfig(fail_rate=0.3, reset_rate=0.1, timeout_rate=0.1, seed=42)
    first = [FaultInjector(config).next_fate().name for _ in range(1)]
    runs = []
    for _ in range(2):
        injector = FaultInjector(config)
        runs.append([injector.next_fate().name for _ in range(200)])
    assert runs[0] == runs[1] and first[0] == runs[0][0]
    assert 40 <= sum(1 for f in runs[0] if f) <= 120
    other = FaultInjector(FaultConfig(fail_rate=0.3, seed=43))
    assert [other.next_fate().name for _ in range(200)] != runs[0]
    bursts = FaultInjector(FaultConfig(burst_every=5, burst_size=2))
    assert [bursts.next_fate().burst for _ in range(10)] == [False, False, False, True, True] * 2


def test_latency_and_reset(server):
    requests.post(f"{server.url}/__sandbox__/config", json={"reset_rate": 1.0})
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/api/user/v1/me")
    assert requests.get(f"{server.url}/__sandbox__/stats").json()["faults"] == {"reset": 1}


def test_sandbox_command_starts_and_lms_check_passes_against_it(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pamong_edx", "sandbox", "--port", "0", "--data", str(data),
         "--client-secret", "rahasia-uji", "--no-throttle"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        first = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in first, first
        url = first.rsplit(" ", 1)[1].strip()
        banner = "".join(process.stdout.readline() for _ in range(3))
        assert "client_id=pamong-sandbox client_secret=rahasia-uji" in banner
        assert (data / "openedx.sqlite3").is_file()
        check = subprocess.run(
            [sys.executable, "-m", "pamong_edx", "lms", "check"], capture_output=True, text=True, timeout=60,
            env={**env, "PAMONG_LMS_URL": url, "PAMONG_CLIENT_ID": "pamong-sandbox",
                 "PAMONG_CLIENT_SECRET": "rahasia-uji", "PAMONG_CONFIG": ""}, cwd=tmp_path)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "acting as: pamong_staff (global staff: yes)" in check.stdout
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_port_in_use_is_a_clear_error(server):
    result = subprocess.run([sys.executable, "-m", "pamong_edx", "sandbox", "--port", str(server.port)],
                            capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent)
    assert result.returncode == 2 and f"port {server.port} is already in use" in result.stderr


def test_a_client_that_hangs_up_mid_request_is_no_traceback(server, capfd, caplog):
    import logging
    import socket
    import struct
    import time

    caplog.set_level(logging.DEBUG, logger="pamong_edx.sandbox")
    requests.get(f"{server.url}/api/user/v1/me?wstoken=do-not-log-me")
    for sent in (b"POST /api/user/v1/me HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",  # body cut short
                 b"GET /api/user/v1/me HTTP/1.1\r\nHost: x\r\n\r\n"):  # reset before the answer is read
        client = socket.create_connection(("127.0.0.1", server.port))
        client.sendall(sent)
        time.sleep(0.05)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST
        client.close()
    deadline = time.monotonic() + 2
    while "disconnected" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.02)
    assert requests.get(f"{server.url}/__sandbox__/stats").status_code == 200  # still serving
    err = capfd.readouterr().err
    assert "Traceback" not in err and "ConnectionResetError" not in err
    assert "disconnected: ConnectionResetError" in caplog.text
    assert "/api/user/v1/me" in caplog.text and "do-not-log-me" not in caplog.text


def test_moodle_port_in_use_names_the_moodle_port_option(server):
    result = subprocess.run([sys.executable, "-m", "pamong_edx", "sandbox", "--lms", "both", "--port", "0",
                             "--moodle-port", str(server.port)],
                            capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent)
    assert result.returncode == 2 and "pass --moodle-port N, or --moodle-port 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_sandbox_has_no_hand_written_http_server_router_multipart_or_jwt():
    import pamong_edx.sandbox as sandbox

    root = Path(sandbox.__file__).parent
    source = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*.py")}
    assert "core/server.py" not in source and "core/web.py" not in source
    hand_built = ("import http.server", "from http.server", "import socketserver", "from socketserver",
                  "BaseHTTPRequestHandler", "email.parser", "BytesParser", "import hmac", "urlsafe_b64",
                  "hashlib.sha256")
    for name, text in source.items():
        assert not [marker for marker in hand_built if marker in text], name
    assert "werkzeug.serving" in source["core/serving.py"] and "werkzeug.routing" in source["core/http.py"]
    assert "import jwt" in source["openedx/tokens.py"]


def test_without_the_sandbox_extra_the_command_says_how_to_install_it(tmp_path):
    blocked = ("import sys; sys.modules['werkzeug'] = None; from pamong_edx.cli import main; "
               "main(['sandbox', '--port', '0'])")
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: the stand-in LMS needs the sandbox extra (werkzeug is not installed): "
        "pip install 'pamong-edx[sandbox]'"]


# Keep-alive (pamong_edx/sandbox/core/serving.py): the connection stays open only when the request's end is certain.

def _exchange(sock, request: bytes) -> tuple[str, bytes]:
    """Send one request on a raw socket; the answer's head and its Content-Length body."""
    sock.sendall(request)
    head = b""
    while not head.endswith(b"\r\n\r\n"):  # a byte at a time: never into the answer behind this one
        head += sock.recv(1) or pytest.fail(f"the server closed the connection after {head!r}")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    body = b""
    while len(body) < length:
        body += sock.recv(length - len(body)) or pytest.fail("the server closed the connection inside a body")
    return head.decode("latin-1"), body


def _closed_by_server(sock) -> bool:
    """The server closed its end: reads reach the end of the stream (on a kept connection they would wait)."""
    sock.settimeout(5)
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        return False
    return True


def _count_connections(server) -> list:
    """The connections the server accepts from now on (their client addresses)."""
    accepted, hand_over = [], server._httpd.process_request
    server._httpd.process_request = lambda sock, address: (accepted.append(address), hand_over(sock, address))
    return accepted


def test_requests_of_a_session_share_one_connection(server):
    accepted = _count_connections(server)
    with requests.Session() as session:
        first = session.get(f"{server.url}/api/user/v1/me")
        changed = session.post(f"{server.url}/__sandbox__/config", json={"latency_ms": 0})
        again = session.get(f"{server.url}/__sandbox__/stats")
    assert (first.status_code, changed.status_code, again.status_code) == (401, 200, 200)
    assert "Connection" not in first.headers and again.json()["total"] == 1
    assert len(accepted) == 1


def test_pipelined_requests_are_read_apart(server):
    """A body is read to its Content-Length and no further: the next request behind it, sent in the same
    packet, is answered on its own."""
    body = b'{"latency_ms": 0}'
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"POST /__sandbox__/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                     + b"GET /__sandbox__/stats HTTP/1.1\r\nHost: x\r\n\r\n")
        config_head, config = _exchange(sock, b"")
        stats_head, stats = _exchange(sock, b"")
    assert config_head.split()[1] == stats_head.split()[1] == "200"
    assert json.loads(config)["faults"]["latency_ms"] == 0 and "total" in json.loads(stats)


def test_a_body_the_app_did_not_read_closes_the_connection(server):
    def answers_without_reading(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    server._httpd.app = answers_without_reading
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        head, body = _exchange(sock, b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789")
        assert body == b"ok" and "Connection: close" in head
        assert _closed_by_server(sock)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:  # the body is read: the connection stays
        server._httpd.app = lambda environ, start: [environ["wsgi.input"].read(), *answers_without_reading(
            environ, start)][1:]
        head, _ = _exchange(sock, b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        assert "Connection" not in head
        head, body = _exchange(sock, b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        assert body == b"ok"


@pytest.mark.parametrize("request_head", [
    b"POST /__sandbox__/config HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",  # no length known
    b"POST /__sandbox__/config HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n",
    b"POST /__sandbox__/config HTTP/1.0\r\nHost: x\r\nContent-Length: 2\r\n\r\n",
    b"POST /__sandbox__/config HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n",
])
def test_requests_whose_end_is_not_certain_close_the_connection(server, request_head):
    body = b"2\r\n{}\r\n0\r\n\r\n" if b"chunked" in request_head else b"{}"
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        head, answer = _exchange(sock, request_head + body)
        assert head.split()[1] == "200" and b'"faults"' in answer  # read and answered
        assert "Connection: close" in head and _closed_by_server(sock)


def test_a_chunked_request_from_requests_is_read_whole(server):
    with requests.Session() as session:
        answer = session.post(f"{server.url}/__sandbox__/config", data=iter([b'{"latency_', b'ms": 0}']))
    assert answer.status_code == 200 and answer.headers["Connection"] == "close"


@pytest.mark.parametrize("answered", [False, True])
def test_an_app_that_fails_closes_the_connection_even_mid_answer(server, answered):
    def fails(environ, start_response):
        if answered:
            start_response("200 OK", [("Content-Length", "10")])
            yield b"01234"  # werkzeug can only add its 500 page to this: the client must not read on
        raise RuntimeError("a bug in the stand-in")

    server._httpd.app = serving._mark_failures(fails)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        head = sock.recv(65536).decode("latin-1")
        assert head.startswith("HTTP/1.1 200" if answered else "HTTP/1.1 500")
        assert answered or "Connection: close" in head
        assert _closed_by_server(sock)


def test_a_reset_fault_resets_a_kept_connection_and_the_next_request_gets_a_new_one(server):
    with requests.Session() as session:
        accepted = _count_connections(server)
        assert session.get(f"{server.url}/__sandbox__/stats").status_code == 200
        session.post(f"{server.url}/__sandbox__/config", json={"reset_rate": 1.0, "only": "/api/user/v1/me"})
        with pytest.raises(requests.ConnectionError, match="reset"):
            session.get(f"{server.url}/api/user/v1/me")
        assert session.get(f"{server.url}/__sandbox__/stats").json()["faults"] == {"reset": 1}
    assert len(accepted) == 2  # the reset one, then a new one


def test_stopping_closes_kept_connections_at_once():
    with openedx_sandbox(settings=Settings(throttle=False)) as running:
        sock = socket.create_connection(("127.0.0.1", running.port))
        head, _ = _exchange(sock, b"GET /__sandbox__/stats HTTP/1.1\r\nHost: x\r\n\r\n")
        assert "Connection" not in head  # kept, its thread waiting for the next request
    # without the stop shutting it, the thread would wait out the idle timeout (and the interpreter with it)
    assert _closed_by_server(sock)
    sock.close()


def test_a_kept_connection_that_stays_idle_is_closed(server, monkeypatch):
    monkeypatch.setattr(serving._Handler, "timeout", 0.2)  # 120 s: what a client that goes quiet is given
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        _exchange(sock, b"GET /__sandbox__/stats HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _closed_by_server(sock)
