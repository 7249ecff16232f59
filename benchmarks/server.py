"""Requests per second and p99 latency on loopback: a point query and a whole-text
query, next to the framework's bare endpoint that returns a constant, in one run.

    python benchmarks/server.py [--seconds 5] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time

from serving import serving

PATHS = {
    "bare endpoint (constant)": "/v1/health",
    "point on a date": "/v1/points/11.3?on=2019-06-01",
    "whole text on a date (JSON)": "/v1/text?on=2021-01-01",
}


def hammer(port: int, path: str, seconds: float, clients: int) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of ``clients`` keep-alive connections."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        while time.perf_counter() < stop:
            start = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return len(latencies) / elapsed, statistics.quantiles(latencies, n=100)[98] * 1000


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--seconds", type=float, default=5)
    cli.add_argument("--clients", type=int, default=4)
    args = cli.parse_args()
    with serving() as port:
        for path in PATHS.values():
            hammer(port, path, 0.5, 1)  # warm the caches
        rows = {name: hammer(port, path, args.seconds, args.clients) for name, path in PATHS.items()}
    bare = rows["bare endpoint (constant)"][0]
    print(f"{'endpoint':30} {'req/s':>9} {'p99 ms':>8} {'vs bare':>8}")
    for name, (rate, p99) in rows.items():
        print(f"{name:30} {rate:9.0f} {p99:8.2f} {rate / bare:7.2f}×")


if __name__ == "__main__":
    main()
