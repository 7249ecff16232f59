"""How long other requests wait while the server judges a large ledger, on loopback: the worst
and the median latency of a point query asked every 50 ms during one ledger upload (the ledger is
judged in `tat serve`'s worker processes; benchmarks/server.py has the paired p99 row).

    python benchmarks/ledger_stall.py [--rows 300000]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time

from serving import serving

HEAD = "activity,party,category,incurred_on,paid_on,amount\n"
ROW = "2.1,implementer,7.1.3.1,2016-03-01,2016-03-10,100\n"
POINT = "/v1/points/11.3?on=2019-06-01"


def ask(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, int]:
    """Status and size of one answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request(method, path, body=body)
    response = connection.getresponse()
    size = len(response.read())
    connection.close()
    return response.status, size


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--rows", type=int, default=300_000)
    args = cli.parse_args()
    ledger = (HEAD + ROW * args.rows).encode()
    latencies: list[float] = []
    done = threading.Event()
    with serving(warm=POINT) as port:

        def watch() -> None:
            while not done.is_set():
                start = time.perf_counter()
                ask(port, "GET", POINT)
                latencies.append(time.perf_counter() - start)
                time.sleep(0.05)

        ask(port, "POST", "/v1/costs/ledger?as_of=2021-06-01", (HEAD + ROW).encode())  # load the law
        watcher = threading.Thread(target=watch)
        watcher.start()
        start = time.perf_counter()
        status, size = ask(port, "POST", "/v1/costs/ledger?as_of=2021-06-01", ledger)
        took = time.perf_counter() - start
        done.set()
        watcher.join()
    print(f"ledger of {args.rows} rows ({len(ledger) / 2**20:.1f} MiB): {status}, {size / 2**20:.1f} MiB back in {took:.1f} s")
    print(f"{POINT} meanwhile: {len(latencies)} answers, median {statistics.median(latencies) * 1000:.0f} ms, "
          f"worst {max(latencies) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
