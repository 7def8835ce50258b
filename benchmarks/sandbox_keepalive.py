"""What keep-alive saves a client of the stand-in: ms per request over one connection against a new connection
for each request (the client asking `Connection: close`, as every request was answered before keep-alive).

    python benchmarks/sandbox_keepalive.py [--requests 600] [--rounds 5]

Rounds alternate kept and closed; each prints min / median / max of its per-round medians.
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests

from pamong_edx.sandbox.openedx import Settings, openedx_sandbox


def per_request_ms(url: str, count: int, close: bool) -> float:
    headers = {"Connection": "close"} if close else {}
    timings = []
    with requests.Session() as session:
        for _ in range(count):
            started = time.perf_counter()
            session.get(url, headers=headers).raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results: dict[bool, list[float]] = {False: [], True: []}
    with openedx_sandbox(settings=Settings(throttle=False)) as server:
        url = f"{server.url}/__sandbox__/stats"
        per_request_ms(url, 20, False)  # warm up
        for _ in range(args.rounds):
            for close in (False, True):
                results[close].append(per_request_ms(url, args.requests, close))
    for close, label in ((False, "one connection (keep-alive)"), (True, "a connection per request")):
        values = results[close]
        print(f"{label}: {min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f} ms per request "
              f"(min / median / max of {args.rounds} rounds of {args.requests})")
    ratio = statistics.median(results[False]) / statistics.median(results[True])
    print(f"keep-alive takes {ratio:.2f}x the time per request")


if __name__ == "__main__":
    main()
