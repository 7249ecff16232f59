"""The install's one step beyond pyproject.toml: build the shipped instruments' indexes and answer
tables into the package (``tat_engine/data/prebuilt/``, see ``tat_engine/prebuilt.py``), so the
first command on a fresh machine reads them instead of parsing the corpus. A build that fails here
only warns: the engine then builds on its first call, as it always could."""

import os
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithPrebuilt(build_py):
    def run(self):
        super().run()
        source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "engine")
        package = os.path.join(source if self.editable_mode else self.build_lib, "tat_engine")
        target = os.path.join(package, "data", "prebuilt")
        # the package first, then the build's own path (pip's isolated build environment is on it)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.path.dirname(package),
                                                                         os.environ.get("PYTHONPATH")]))}
        done = subprocess.run([sys.executable, "-m", "tat_engine.prebuilt", target], env=env,
                              capture_output=True, text=True)
        if done.returncode:
            self.warn(f"the shipped indexes were not built (the first call builds them): {done.stderr.strip()}")


setup(cmdclass={"build_py": BuildWithPrebuilt})
