"""A small case whose figures are worked out by hand in test_figures.py.

Five villages in three kabupaten of two provinces; eight officials on the roster, one more the enrolment
journal knows, one learner the LMS places by cohort and one it cannot place at all.
"""

from __future__ import annotations

from pamong_edx.report.model import CourseInfo, Person, Progress

COURSE = CourseInfo("course-v1:Kemendagri+DESA101+2025", "Tata Kelola Pemerintahan Desa", 0.7, "Pretest", "Posttest")
A1, A2 = "18.71.01.1003", "18.71.01.1004"  # Kedaton, Surabaya (Kec. Kedaton, Kota Bandar Lampung)
B1 = "18.71.02.1003"  # Sukarame (Kec. Sukarame, Kota Bandar Lampung)
C1 = "18.01.04.2001"  # Hajimena (Kec. Natar, Kab. Lampung Selatan)
D1 = "11.01.01.2001"  # Keude Bakongan (Kec. Bakongan, Kab. Aceh Selatan, Aceh)
KD, SD, KK = "Kepala Desa", "Sekretaris Desa", "Kaur Keuangan"

ROSTER = [
    Person("a1@desa.id", A1, KD, "Ahmad Satu", True, "roster"),
    Person("a2@desa.id", A1, SD, "Budi Dua", True, "roster"),
    Person("a3@desa.id", A2, KD, "Citra Tiga", True, "roster"),
    Person("a4@desa.id", A2, KK, "Dewi Empat", True, "roster"),
    Person("b1@desa.id", B1, KD, "Eko Lima", True, "roster"),
    Person("b2@desa.id", B1, KK, "Fitri Enam", True, "roster"),
    Person("c1@desa.id", C1, SD, "Gita Tujuh", True, "roster"),
    Person("d1@desa.id", D1, KD, "Hadi Delapan", True, "roster"),
]
JOURNAL = [Person("j1@desa.id", A2), Person("a1@desa.id", D1)]  # a1's journal village loses to the roster's


def progress(second: bool) -> list[Progress]:
    rows = [
        Progress("a1", "a1@desa.id", "Ahmad", started=True, pretest=0.4, posttest=0.8, passed=True,
                 last_activity="2025-03-01T08:00:00+00:00"),
        Progress("a2", "a2@desa.id", pretest=0.6, posttest=0.7, passed=True, last_activity="2025-03-02T08:00:00+00:00"),
        Progress("a3", "a3@desa.id", pretest=0.5),
        Progress("", "a4@desa.id", registered=False),
        Progress("b2", "b2@desa.id"),
        Progress("c1", "c1@desa.id", pretest=0.2, posttest=0.5, last_activity="2025-03-03T08:00:00+00:00"),
        Progress("d1", "d1@desa.id", pretest=0.3, posttest=0.9, passed=True),
        Progress("j1", "j1@desa.id", posttest=0.75, passed=True),
        Progress("stranger", "", pretest=0.1),
        Progress("u11", "e11@desa.id", "Lain Sebelas", region=B1, placed="cohort"),
    ]
    if second:
        rows[3] = Progress("a4", "a4@desa.id", pretest=0.7, posttest=0.8, passed=True)
        rows[4] = Progress("b2", "b2@desa.id", pretest=0.4)
    return rows


def take_small_case(snapshots, second: bool) -> None:  # noqa: ANN001 - a Snapshots
    with snapshots.taking("openedx", [COURSE], "roster.csv") as taking:
        taking.add_roster(ROSTER)
        taking.place(COURSE.key, JOURNAL)
        taking.add_progress(COURSE.key, progress(second))


def write_report(snapshots, regions, folder, scope: str = "", by: int = 4, kinds=("xlsx", "html", "csv", "json")):  # noqa: ANN001, ANN201
    """Every output of the latest snapshot for a scope; returns {kind: path}."""
    from pamong_edx.report.assemble import Lists, assemble
    from pamong_edx.report.outputs import write_outputs

    report = assemble(snapshots, snapshots.snapshot(), regions.names, scope=scope, by=by)
    paths = {kind: folder / f"laporan-{scope or 'nasional'}.{kind}" for kind in kinds}
    write_outputs(report, list(paths.values()), Lists(snapshots, report, regions.names), "id")
    return paths
