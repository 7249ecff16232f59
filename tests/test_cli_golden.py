"""Every command's text, byte for byte, as it was when the golden files were written.

Moving how text for people is built must not change a byte of it. A change meant to
alter a command's text rewrites its file: ``TAT_WRITE_GOLDEN=1 python -m pytest tests/test_cli_golden.py``,
and the diff of tests/golden/cli/ is then reviewed with the change.
"""

import os
import re
from pathlib import Path

import pytest

from tat_engine.interfaces.cli import main

ROOT = Path(__file__).parents[1]
GOLDEN = ROOT / "tests" / "golden" / "cli"
ACTS = "tests/data/acts"
COMMANDS = {
    "point": ["point", "11.3", "--as-of", "2020-06-01"],
    "point-missing": ["point", "11.33", "--as-of", "2021-01-01"],
    "point-facts-on": ["point", "11.3", "--as-of", "2021-06-01", "--facts-on", "2016-03-01"],
    "point-reading": ["point", "11.3", "--as-of", "2021-06-01", "--facts-on", "2016-03-01",
                      "--reading", "reach-2020=from-signing"],
    "point-assume": ["point", "11.3", "--as-of", "2020-06-01", "--assume", "1-3/zz=2020-06-15"],
    "text": ["text", "--as-of", "2021-01-01"],
    "history": ["history", "9.1.10"],
    "history-assumed": ["history", "16"],
    "refs": ["refs", "8.3", "--as-of", "2021-01-01"],
    "act": ["act", "1-3/zz"],
    "diff": ["diff", "2019-06-01", "2021-01-01"],
    "acts": ["acts"],
    "check": ["check"],
    "lint": ["lint"],
    "coverage": ["coverage"],
    "verify": ["verify"],
    "deadline-list": ["deadline", "--list"],
    "deadline": ["deadline", "report-check", "--trigger", "2021-12-22"],
    "deadline-stay": ["deadline", "interim-report", "--trigger", "2020-06-01", "--fixed-dates", "stay"],
    "deadline-extended": ["deadline", "claim-processing", "--trigger", "2021-03-01", "--extension-days", "5"],
    "calendar": ["calendar", "2021"],
    "check-costs": ["check-costs", "examples/ledger.csv", "--as-of", "2021-06-01", "--no-progress"],
    "check-applications": ["check-applications", "examples/applications.csv", "--instrument", "safety-2023",
                           "--as-of", "2023-05-15"],
    "import": ["import", f"{ACTS}/2022-1-3-45.txt", "--corpus", f"{ACTS}/base-1-3-7.tat",
               "--consolidated", f"{ACTS}/1-3-7-terviktekst-2022.txt"],
    "bad-date": ["point", "11.3", "--as-of", "1.6.2019"],
    # in Estonian (--lang et): the same questions as an Estonian reader gets them
    "point-et": ["point", "11.3", "--as-of", "2021-06-01", "--facts-on", "2016-03-01", "--lang", "et"],
    "deadline-et": ["deadline", "report-check", "--trigger", "2021-12-22", "--lang", "et"],
    "check-costs-et": ["check-costs", "examples/kulud.csv", "--as-of", "2021-06-01", "--no-progress", "--lang", "et"],
    "bad-date-et": ["point", "11.3", "--as-of", "1.6.2019", "--lang", "et"],
}


STAMPED = re.compile(r"tat-engine \S+ · corpus [0-9a-f]{12}")  # the stamp's last line (tests/test_stamp.py checks it)


@pytest.fixture()
def at_root(tmp_path, monkeypatch):
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path))
    monkeypatch.chdir(ROOT)  # the paths in the commands, and in their text, are the repository's


@pytest.mark.parametrize("name", COMMANDS)
def test_the_text_of_each_command_is_unchanged(capsys, at_root, name):
    code = main(COMMANDS[name])
    out, err = capsys.readouterr()
    got = f"exit {code}\n--- stdout\n{out}--- stderr\n{err}"
    got = STAMPED.sub("tat-engine <version> · corpus <corpus>", got)  # a release or a corpus edit is no text change
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("TAT_WRITE_GOLDEN"):
        golden.write_text(got, "utf-8")
    assert got == golden.read_text("utf-8")
