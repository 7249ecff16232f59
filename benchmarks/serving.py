"""Servers for the HTTP benchmarks, each in its own process on a free loopback port, started,
waited for until it answers, and stopped however the benchmark ends:

- ``serving()``: `tat serve --quiet` (the engine, one worker unless asked);
- ``serving(bare=True)``: the baseline, a truly bare FastAPI app — one ``async`` route that returns
  a constant, nothing else — in a separate process, served by uvicorn with the same settings as
  `tat serve` (``tat_engine.interfaces.http.uvicorn_settings``: protocol, keep-alive, limits).

    python benchmarks/serving.py bare PORT     # the baseline alone
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time

BARE_PATH = "/bare"


def bare_app():
    """The baseline: FastAPI's own minimum, with nothing of the engine's in front of it."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get(BARE_PATH)
    async def bare():
        return {"ok": True}

    return app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(bare: bool = False, workers: int = 1, warm: str | None = None):
    """The port of a running server (127.0.0.1 only); ``warm``: a path asked once before it is handed over."""
    port = _free_port()
    env = {**os.environ, "TAT_CACHE_DIR": os.environ.get("TAT_CACHE_DIR") or tempfile.mkdtemp()}
    if bare:
        command = [sys.executable, __file__, "bare", str(port)]
    else:
        command = [sys.executable, "-m", "tat_engine.interfaces.cli", "serve", "--quiet", "--port", str(port),
                   "--workers", str(workers)]
    server = subprocess.Popen(command, env=env)
    try:
        _wait(port, server, warm or (BARE_PATH if bare else "/v1/health"))
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait(port: int, server: subprocess.Popen, path: str) -> None:
    until = time.monotonic() + 120
    while time.monotonic() < until:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not answer within 120 s")


def main(argv: list[str]) -> None:
    import uvicorn

    from tat_engine.interfaces.http import uvicorn_settings

    if argv[:1] != ["bare"] or len(argv) != 2:
        raise SystemExit("usage: serving.py bare PORT")
    uvicorn.Server(uvicorn.Config(bare_app(), host="127.0.0.1", port=int(argv[1]), **uvicorn_settings())).run()


if __name__ == "__main__":
    main(sys.argv[1:])
