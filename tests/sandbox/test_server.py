"""The stand-in server core: routing exactness, stats, config, deterministic faults, the CLI form.

Tests of the stand-in itself drive its WSGI app in-process (werkzeug's test client); only those whose point
is a real socket (resets, hang-ups, the command line) start a server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from werkzeug.test import Client

from pamong_edx.sandbox.core.faults import FaultConfig, FaultInjector
from pamong_edx.sandbox.core.standin import Reset, StandIn
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
