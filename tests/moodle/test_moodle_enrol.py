"""`pamong enrol` driving the Moodle stand-in exactly as it drives Open edX: same options, rules, journal,
results file; only the profile's `lms` differs."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from pamong_edx.cli import cli
from pamong_edx.errors import DiagnosticsFailed, UsageError

KAB = ["--course", "DESA101", "--cohort-by", "kabupaten", "--profile", "moodle"]
ROSTER = "pekon.csv"
MARGA_JAYA, KEDATON = "18.08 Kabupaten Way Kanan", "18.71 Kota Bandar Lampung"


def enrol(*args):
    return CliRunner().invoke(cli, ["enrol", *args])


def lines(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def fixture_roster(tmp_path, fixtures_dir):
    path = tmp_path / ROSTER
    path.write_text((fixtures_dir / "rosters" / ROSTER).read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_a_5000_row_roster_makes_accounts_enrols_with_kabupaten_cohorts_and_a_rerun_writes_nothing(
        moodle_env, moodle, roster_maker, expected_cohorts):
    # No fault is injected here: a slow answer on a loaded machine must not become a timeout (the profile's 1 s
    # is there so the reliability tests' injected hangs time out fast).
    config = Path(moodle_env["PAMONG_CONFIG"])
    config.write_text(config.read_text(encoding="utf-8").replace("timeout = 1\n", "timeout = 30\n"), encoding="utf-8")
    roster = roster_maker(5000, seed=7, messy=0.05)
    moodle.reset_stats()
    out = enrol(str(roster), *KAB, "--json")
    assert isinstance(out.exception, DiagnosticsFailed)  # the damaged rows: exit 1
    report = json.loads(out.stdout)
    expected = expected_cohorts(roster)
    assert moodle.state("DESA101") == expected
    assert report["operations"] == {"enrol": {"enrolled": len(expected)}}
    assert report["accounts"] == {"created": len(expected)}
    assert report["cohorts_created"] == len(set(expected.values())) == len(moodle.cohort_names())
    assert report["http_requests"] == moodle.stats()["total"] and report["writes"] == moodle.writes()
    assert moodle.inputs()["cut_requests"] == 0  # no call lost fields to max_input_vars
    some = next(iter(expected))
    fields = moodle.fields(some)
    assert set(fields) == {"kodewilayah", "provinsi", "kabupaten", "kecamatan", "desa", "jabatan"}
    assert fields["provinsi"] == "Lampung" and (f"{fields['kodewilayah'][:5]} {fields['kabupaten']}",) == expected[some]
    results = lines(roster.with_name(roster.stem + ".enrol-results.csv"))
    assert len(results) == 5000 and {r["status"] for r in results} == {"enrolled", "error"}

    moodle.reset_stats()
    again = json.loads(enrol(str(roster), *KAB, "--json").stdout)
    assert again["writes"] == 0 and again["http_requests"] == 0 and moodle.stats()["total"] == 0
    assert again["plan"] == {"unchanged": len(expected)}


def test_one_bad_record_is_reported_on_its_row_and_the_rest_go_through(moodle_env, moodle, tmp_path, fixtures_dir):
    moodle.add_user("dewi", "Dewi.Lestari@Desa.Example.ID")  # an account made by hand, email in other case
    roster = fixture_roster(tmp_path, fixtures_dir)
    out = enrol(str(roster), *KAB, "-o", str(tmp_path / "results.csv"))
    assert isinstance(out.exception, DiagnosticsFailed) and "1 row was not enrolled" in str(out.exception)
    rows = {r["email"]: r for r in lines(tmp_path / "results.csv")}
    bad = rows["dewi.lestari@desa.example.id"]
    assert bad["status"] == "failed" and bad["row"] == "6"
    assert "already has an account with this email as 'Dewi.Lestari@Desa.Example.ID' (username 'dewi')" in \
        bad["message"]
    assert [r["status"] for e, r in rows.items() if e != bad["email"]] == ["enrolled"] * 5
    assert moodle.state("DESA101") == {
        "ahmad.syah@desa.example.id": (MARGA_JAYA,), "sukarno+pekon@desa.example.id": (MARGA_JAYA,),
        "yusuf.wijaya@desa.example.id": (MARGA_JAYA,), "siti.rahayu@desa.example.id": (KEDATON,),
        "budi.santoso@desa.example.id": (KEDATON,)}
    sukarno = moodle.user("sukarno+pekon@desa.example.id")
    assert sukarno["username"].startswith("sukarnopekon@desa.example.id-") and sukarno["lastname"] == "-"
    # the refusal is journaled as permanent: the next run sends nothing for it, and nothing at all
    moodle.reset_stats()
    again = json.loads(enrol(str(roster), *KAB, "--json", "-o", str(tmp_path / "results.csv")).stdout)
    assert again["plan"] == {"failed-before": 1, "unchanged": 5} and moodle.stats()["total"] == 0


def test_the_same_rules_file_runs_on_moodle_with_courses_found_by_id_number(moodle_env, moodle, tmp_path, fixtures_dir):
    roster = fixture_roster(tmp_path, fixtures_dir)
    rules = fixtures_dir / "rules" / "both-lms.yaml"
    out = enrol(str(roster), "--rules", str(rules), "--profile", "moodle", "--json", "-o", str(tmp_path / "r.csv"))
    report = json.loads(out.stdout)
    assert out.exit_code == 0, out.output
    assert report["operations"] == {"enrol": {"enrolled": 6 + 6}}
    assert report["accounts"] == {"created": 6}  # one account each, whatever the number of courses
    assert moodle.state("KEU201").keys() == moodle.state("DESA101").keys()
    # KEU201 groups by kecamatan: system cohorts at two levels, each made once and shared
    assert moodle.state("KEU201")["siti.rahayu@desa.example.id"] == ("18.71 Kota Bandar Lampung", "18.71.01 Kedaton")
    assert moodle.cohort_names() == ["18.08 Kabupaten Way Kanan", "18.08.11 Negara Batin", "18.71 Kota Bandar Lampung",
                                     "18.71.01 Kedaton"]


def test_an_official_who_moves_gets_the_new_region_and_cohort(moodle_env, moodle, tmp_path, fixtures_dir):
    roster = fixture_roster(tmp_path, fixtures_dir)
    enrol(str(roster), *KAB, "-o", str(tmp_path / "r.csv"))
    text = roster.read_text(encoding="utf-8").replace(
        "Siti Rahayu,siti.rahayu@desa.example.id,081234567890,Kepala Desa,18.71.01.1003,Kedaton",
        "Siti Rahayu,siti.rahayu@desa.example.id,081234567890,Kepala Desa,18.08.11.2009,Marga Jaya")
    roster.write_text(text, encoding="utf-8")
    moodle.reset_stats()
    report = json.loads(enrol(str(roster), *KAB, "--json", "-o", str(tmp_path / "r.csv")).stdout)
    assert report["operations"] == {"cohort": {"cohort-changed": 1}}
    assert moodle.state("DESA101")["siti.rahayu@desa.example.id"] == (MARGA_JAYA,)
    assert moodle.fields("siti.rahayu@desa.example.id")["kodewilayah"] == "18.08.11.2009"
    assert moodle.user("siti.rahayu@desa.example.id")["institution"] == "Desa Marga Jaya"
    assert moodle.count("core_user_update_users") == 1 and moodle.count("core_cohort_delete_cohort_members") == 1


def test_dry_run_sync_and_reconcile_work_as_on_open_edx(moodle_env, moodle, tmp_path, fixtures_dir):
    roster = fixture_roster(tmp_path, fixtures_dir)
    out = enrol(str(roster), *KAB, "--dry-run", "--plan", str(tmp_path / "plan.csv"))
    assert out.exit_code == 0 and moodle.stats()["total"] == 0 and "enrol 6" in out.output
    enrol(str(roster), *KAB, "-o", str(tmp_path / "r.csv"))
    kept = [line for line in roster.read_text(encoding="utf-8").splitlines() if "budi.santoso" not in line]
    roster.write_text("\n".join(kept) + "\n", encoding="utf-8")
    refused = enrol(str(roster), *KAB, "--sync", "--scope", "18.71")
    assert isinstance(refused.exception, UsageError) and "confirm with --yes" in str(refused.exception)
    synced = json.loads(enrol(str(roster), *KAB, "--sync", "--scope", "18.71", "--yes", "--json",
                              "-o", str(tmp_path / "r.csv")).stdout)
    assert synced["operations"] == {"unenrol": {"unenrolled": 1}}
    assert "budi.santoso@desa.example.id" not in moodle.state("DESA101")
    # someone removes an official by hand on the site; --reconcile notices and enrols them again
    with moodle.backend() as backend:
        backend.bulk_unenrol("DESA101", ["ahmad.syah@desa.example.id"])
    assert json.loads(enrol(str(roster), *KAB, "--json", "-o", str(tmp_path / "r.csv")).stdout)["operations"] == {}
    reconciled = json.loads(enrol(str(roster), *KAB, "--reconcile", "--json", "-o", str(tmp_path / "r.csv")).stdout)
    assert reconciled["operations"] == {"enrol": {"enrolled": 1}}
    assert moodle.state("DESA101")["ahmad.syah@desa.example.id"] == (MARGA_JAYA,)


def test_the_journal_holds_no_nik_and_moodle_gets_none(moodle_env, moodle, tmp_path, fixtures_dir):
    roster = fixture_roster(tmp_path, fixtures_dir)
    enrol(str(roster), *KAB, "-o", str(tmp_path / "r.csv"))
    niks = [row["nik"] for row in csv.DictReader(roster.open(encoding="utf-8"))]
    journal = sqlite3.connect(f"{moodle_env['PAMONG_STATE_DIR']}/moodle/enrol-journal.sqlite3")
    dump = "\n".join(journal.iterdump())
    journal.close()
    moodle_dump = "\n".join(moodle.server.app.store.db.conn().iterdump())
    assert not [n for n in niks if n in dump or n in moodle_dump]
