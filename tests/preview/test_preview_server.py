"""The preview's routes through werkzeug's test client: what it serves, what it refuses, and the event stream
answered when the course changes."""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.test import Client

from pamong_edx.course.cache import BuildCache
from pamong_edx.preview.server import PreviewApp
from pamong_edx.preview.state import Preview

from preview_support import FIXTURE


@pytest.fixture
def app(tmp_path):
    folder = tmp_path / "course"
    shutil.copytree(FIXTURE, folder)
    (folder / "assets").mkdir()
    (folder / "assets" / "plan.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    return PreviewApp(Preview(folder, BuildCache(tmp_path / "cache")))


def test_it_serves_the_package_files_and_nothing_else(app):
    client = Client(app)
    page = client.get("/sco/quiz.html")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'src="player/pamong.js"' in page.text and 'id="pamong-config"' in page.text
    assert client.get("/sco/player/pamong.js").headers["Content-Type"].startswith("text/javascript")
    assert client.get("/sco/player/types/pamong_edx.blocktypes.numerical/player.js").status_code == 200
    assert client.get("/sco/assets/plan.svg").headers["Content-Type"] == "image/svg+xml"
    for refused in ("/sco/assets/../course.yaml", "/sco/course.yaml", "/sco/player/types/os/path.py",
                    "/sco/player/types/pamong_edx.blocktypes.video/player.js",  # a type the course does not use
                    "/_preview/../state.py", "/_preview/page.py", "/run/no-such-sco", "/olx/no-such-sco"):
        assert client.get(refused).status_code == 404, refused


def test_the_lms_frame_carries_the_answer_keys_and_the_pass_mark(app):
    text = Client(app).get("/run/quiz?device=phone").text
    assert '"keys":["1","40","APBDes"]' in text and '"passing":0.7' in text and '"device":"phone"' in text
    assert "/_preview/strict_api.js" in text


def test_the_event_stream_answers_when_the_course_changes(app):
    response = Client(app).get("/events?since=1", buffered=False)
    assert response.headers["Content-Type"].startswith("text/event-stream")
    chunks = iter(response.response)
    assert next(chunks) == b"retry: 1000\n\n"
    threading.Timer(0.2, app.changed, args=[set()]).start()
    assert next(chunks) == b"event: reload\ndata: 2\n\n"
    response.close()


def test_the_shell_lists_the_outline_in_the_chosen_language(app):
    from pamong_edx import i18n

    i18n.set_language("id")
    try:
        text = Client(app).get("/").text
    finally:
        i18n.set_language("en")
    assert "Kunci jawaban" in text and "Daftar isi" in text
    assert 'data-sco="quiz"' in text and 'data-sco="summary"' in text


def test_requests_for_another_host_name_are_refused(app):
    # a site whose DNS name was pointed at 127.0.0.1 reads nothing from the preview
    assert Client(app).get("/", headers={"Host": "attacker.example:8000"}).status_code == 400
    assert Client(app).get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
