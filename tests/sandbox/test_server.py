"""The stand-in server core: routing exactness, stats, config, deterministic faults, the CLI form."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from pamong_edx.sandbox.core.faults import FaultConfig, FaultInjector
from pamong_edx.sandbox.openedx import Settings, openedx_sandbox


@pytest.fixture
def server():
    with openedx_sandbox(settings=Settings(throttle=False)) as running:
        yield running


def test_stats_count_by_route_and_method_and_reset(server):
    requests.get(f"{server.url}/api/user/v1/me")
    requests.get(f"{server.url}/api/user/v1/me")
    requests.get(f"{server.url}/no/such/route")
    stats = requests.get(f"{server.url}/__sandbox__/stats").json()
    assert stats["requests"] == {"GET /api/user/v1/me": 2, "GET (no route)": 1}
    assert stats["statuses"] == {"401": 2, "404": 1} and stats["total"] == 3
    requests.delete(f"{server.url}/__sandbox__/stats")
    assert requests.get(f"{server.url}/__sandbox__/stats").json()["total"] == 0


def test_config_route_validates_and_applies(server):
    assert requests.post(f"{server.url}/__sandbox__/config", json={"nonsense": 1}).status_code == 400
    assert requests.post(f"{server.url}/__sandbox__/config", json={"fail_rate": 2}).status_code == 400
    settings = requests.post(f"{server.url}/__sandbox__/config", json={"fail_rate": 1, "throttle": True}).json()
    assert settings["faults"]["fail_rate"] == 1.0 and settings["app"]["throttle"] is True
    assert requests.get(f"{server.url}/api/user/v1/me").status_code == 500


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
