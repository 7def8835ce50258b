"""How fast the Open edX stand-in answers bulk_enroll: ms per call of 100 identifiers, and HTTP calls made.

    python benchmarks/sandbox_bulk_enroll.py [--batches 50] [--latency 0]
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests

from pamong_edx.lms.openedx import OpenEdxBackend
from pamong_edx.lms.protocol import PackageInfo
from pamong_edx.sandbox.openedx import FaultConfig, Settings, openedx_sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.0, help="injected latency, ms")
    args = parser.parse_args()
    settings = Settings(throttle=False, import_step_s=0.0)
    with openedx_sandbox(settings=settings, faults=FaultConfig(latency_ms=args.latency)) as server:
        cred = server.app.staff_credentials
        with OpenEdxBackend(server.url, cred.client_id, cred.client_secret) as client:
            course = "course-v1:PamongX+BENCH+2025_T1"
            client.create_course(PackageInfo(path=server.app.data_dir, course_id=course, title="Bench"))
            cohort = client.ensure_cohort(course, "Desa 0001")
            requests.post(f"{server.url}/__sandbox__/stats/reset")
            timings = []
            started = time.perf_counter()
            for batch in range(args.batches):
                identifiers = [f"w{batch:04d}{n:03d}@desa.example.id" for n in range(100)]
                t0 = time.perf_counter()
                client.bulk_enrol(course, identifiers, cohort=cohort.name)
                timings.append((time.perf_counter() - t0) * 1000)
            wall = time.perf_counter() - started
            stats = requests.get(f"{server.url}/__sandbox__/stats").json()
    enrolments = args.batches * 100
    print(f"bulk_enroll x{args.batches} (100 identifiers each, latency {args.latency:g} ms)")
    print(f"  per call: median {statistics.median(timings):.1f} ms, p95 {sorted(timings)[int(len(timings) * .95) - 1]:.1f} ms")
    print(f"  wall: {wall:.2f} s for {enrolments} enrolments ({enrolments / wall:.0f}/s)")
    print(f"  HTTP requests: {stats['total']} ({stats['total'] * 1000 / enrolments:.1f} per 1,000 enrolments)")


if __name__ == "__main__":
    main()
