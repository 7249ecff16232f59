"""`tat serve` on a free loopback port for a benchmark, as a context manager: started, waited
for until it accepts connections, and stopped however the benchmark ends."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time


@contextlib.contextmanager
def serving():
    """The port of a running `tat serve` (127.0.0.1 only)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TAT_CACHE_DIR": os.environ.get("TAT_CACHE_DIR", tempfile.mkdtemp())}
    server = subprocess.Popen([sys.executable, "-m", "tat_engine.interfaces.cli", "serve", "--port", str(port)], env=env)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)
