"""The Moodle stand-in's reading side, in-process: grade items, completion, last access, simulated learners,
and `pamong sandbox --simulate-learners` on a socket."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from werkzeug.test import Client

from pamong_edx.sandbox.core.standin import StandIn
from pamong_edx.sandbox.moodle import MoodleApp

SERVER = "/webservice/rest/server.php"
DESA101 = 2  # the first demo course


@pytest.fixture
def moodle():
    app = MoodleApp()
    client = Client(StandIn(app))

    def call(function: str, token: str | None = None, **fields) -> dict | list:
        answer = client.post(SERVER, data={"wstoken": token or app.token.token, "wsfunction": function,
                                           "moodlewsrestformat": "json", **fields})
        return answer.json

    yield client, app, call
    app.close()


def _enrol(client: Client, app: MoodleApp, call, count: int) -> list[int]:  # noqa: ANN001
    people = [{"username": f"p{n}", "email": f"p{n}@desa.example.id",
               "customfields": {"kodewilayah": f"18.{1 + n % 2:02d}.01.2001"}} for n in range(count)]
    ids = [u["id"] for u in client.post("/__sandbox__/users", json={"users": people}).json]
    fields = {}
    for n, user_id in enumerate(ids):
        fields.update({f"enrolments[{n}][roleid]": "5", f"enrolments[{n}][userid]": str(user_id),
                       f"enrolments[{n}][courseid]": str(DESA101)})
    assert call("enrol_manual_enrol_users", **fields) is None
    return ids


def test_grade_items_completion_and_last_access_follow_what_a_learner_did(moodle):
    client, app, call = moodle
    ids = _enrol(client, app, call, 60)
    fresh = call("gradereport_user_get_grade_items", courseid=str(DESA101), userid=str(ids[0]))
    items = fresh["usergrades"][0]["gradeitems"]
    assert [(i["itemname"], i["itemtype"], i["itemmodule"], i["idnumber"]) for i in items] == [
        ("Tes Awal", "mod", "quiz", "pretest"), ("Materi Pelatihan", "mod", "scorm", "materi"),
        ("Evaluasi Akhir", "mod", "quiz", "posttest"), (None, "course", None, "")]
    assert all(i["graderaw"] is None and i["gradeformatted"] == "-" for i in items)
    tally = client.post("/__sandbox__/simulate", json={"seed": 5}).json
    assert tally == client.post("/__sandbox__/simulate", json={"seed": 5}).json
    everyone = call("gradereport_user_get_grade_items", courseid=str(DESA101))["usergrades"]
    assert [u["userid"] for u in everyone] == ids
    finished = [u for u in everyone if u["gradeitems"][2]["graderaw"] is not None]
    assert len(finished) == tally["posttest"] and 0 < tally["passed"] <= tally["posttest"] < tally["started"]
    learner = finished[0]
    pre, material, post, total = learner["gradeitems"]
    taken = [i for i in (pre, material, post) if i["graderaw"] is not None]
    assert total["graderaw"] == pytest.approx(sum(i["graderaw"] for i in taken))
    assert total["grademax"] == 100.0 * len(taken) and post["percentageformatted"].endswith(" %")
    statuses = call("core_completion_get_activities_completion_status", courseid=str(DESA101),
                    userid=str(learner["userid"]))["statuses"]
    passed = post["graderaw"] >= 70
    assert [s["state"] for s in statuses][1:] == [1, 2 if passed else 3]
    course = call("core_completion_get_course_completion_status", courseid=str(DESA101), userid=str(learner["userid"]))
    assert course["completionstatus"]["completed"] is passed
    enrolled = {u["id"]: u for u in call("core_enrol_get_enrolled_users", courseid=str(DESA101))}
    assert enrolled[learner["userid"]]["lastcourseaccess"] > 0 and enrolled[learner["userid"]]["lastaccess"] > 0
    never = [u for u in enrolled.values() if u["lastaccess"] == 0]
    assert len(never) == 60 - tally["registered"] and all(u["lastcourseaccess"] == 0 for u in never)


def test_reading_grades_needs_the_capability_and_a_course_without_posttest_has_no_completion_criteria(moodle):
    client, app, call = moodle
    ids = _enrol(client, app, call, 2)
    client.post("/__sandbox__/capabilities", json={"username": "pamong_ws", "capabilities": ["webservice/rest:use"]})
    refused = call("gradereport_user_get_grade_items", courseid=str(DESA101), userid=str(ids[0]))
    assert refused["errorcode"] == "nopermissions"  # check_report_access: gradereport/user:view comes first
    client.post("/__sandbox__/capabilities",
                json={"username": "pamong_ws", "capabilities": ["webservice/rest:use", "gradereport/user:view"]})
    refused = call("gradereport_user_get_grade_items", courseid=str(DESA101), userid=str(ids[0]))
    assert refused["errorcode"] == "nopermissiontoviewgrades"  # another user's grades need moodle/grade:viewall
    everyone = call("gradereport_user_get_grade_items", courseid=str(DESA101))
    assert everyone["errorcode"] == "nopermissions" and "View grades of other users" in everyone["message"]
    client.post("/__sandbox__/courses", json={"shortname": "KOSONG"})
    course = app.store.db.one("SELECT id FROM courses WHERE shortname = 'KOSONG'")["id"]
    client.post("/__sandbox__/capabilities",
                json={"username": "pamong_ws", "capabilities": ["webservice/rest:use", "report/completion:view"]})
    empty = call("core_completion_get_course_completion_status", courseid=str(course), userid=str(ids[0]))
    assert empty["errorcode"] == "err_nocriteria"
    assert client.post("/__sandbox__/activities", json={"course": "KOSONG", "name": "Evaluasi Akhir",
                                                        "idnumber": "posttest"}).status_code == 201
    assert call("core_completion_get_course_completion_status", courseid=str(course),
                userid=str(ids[0]))["completionstatus"]["completed"] is False


def test_the_command_simulates_learners_on_both_stand_ins(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pamong_edx", "sandbox", "--lms", "both", "--port", "0", "--simulate-learners", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    try:
        lines = [process.stdout.readline() for _ in range(14)]
        simulated = [line for line in lines if "simulated learners (seed 3)" in line]
        assert len(simulated) == 2, "".join(lines)
        assert "0 registered, 0 started, 0 passed of 0 enrolled" in simulated[0]
    finally:
        process.terminate()
        process.wait(timeout=10)
