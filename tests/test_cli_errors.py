"""Bad invocations of the command line, run through the real console script: each one ends with one
line, ``hipnb: error: REASON``, a non-zero exit, no traceback, and nothing written.

Adding a case is adding a row to ``BAD``: the words of the command line, then a piece of the reason
the error line must give. Words in CAPITALS are made for each row in its own folder:

- ``SAMPLE``: a copy of the bundled sample logs (``data/sample``);
- ``FILE``: an existing regular file (``file.txt``, one line of text);
- ``FIFO``: a named pipe nobody writes to (a command that opened it would hang);
- ``DIR``: an empty folder;
- ``MISSING``: a path where nothing exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SAMPLE

pytestmark = pytest.mark.slow  # a subprocess a row

#: (command line, a piece of the reason). Keep rows grouped by command.
BAD: list[tuple[str, str]] = [
    # summary: review dates
    ("summary SAMPLE --as-of garbage", "'garbage' is not a date: write it YYYY-MM-DD"),
    ("summary SAMPLE --as-of 2026-02-30", "'2026-02-30' is not a date: day is out of range"),
    ("summary SAMPLE --mark-reviewed --as-of 1900-01-01", "'1900-01-01': before 1990-01-01"),
    ("summary SAMPLE --as-of 24/11/2026", "'24/11/2026' is not a date: write it YYYY-MM-DD"),
    # demo-data
    ("demo-data --athletes 0 --out DIR", "--athletes: '0': must be at least 1"),
    ("demo-data --athletes many --out DIR", "--athletes: 'many' is not a whole number"),
    ("demo-data --weeks -1 --out DIR", "--weeks: '-1': must be at least 1"),
    ("demo-data --start garbage --out DIR", "'garbage' is not a date: write it YYYY-MM-DD"),
    ("demo-data --start 1900-01-01 --out DIR", "'1900-01-01': before 1990-01-01"),
    ("demo-data --out FILE", "--out: 'FILE' is a file, not a folder"),
    ("demo-data", "the following arguments are required: --out"),
    # report
    ("report --log SAMPLE --out FILE", "--out: 'FILE' is a file, not a folder"),
    ("report --log MISSING --out DIR", "MISSING: no such log file or folder"),
    (
        "report --log SAMPLE --out DIR --as-of 22/11/2026",
        "'22/11/2026' is not a date: write it YYYY-MM-DD",
    ),
    ("report --log SAMPLE --out DIR --workers 0", "--workers: '0': must be at least 1"),
    # the command itself
    ("", "the following arguments are required: COMMAND"),
    ("frobnicate", "invalid choice: 'frobnicate'"),
]

#: Placeholders that a row may use; each becomes a path in the row's own folder.
WORDS = ("SAMPLE", "FILE", "FIFO", "DIR", "MISSING")


def console_script() -> str:
    """The installed ``hipnb`` command beside this Python (the one a user's shell runs)."""
    found = shutil.which("hipnb", path=str(Path(sys.executable).parent))
    assert found, f"no hipnb console script beside {sys.executable}: is hipnb installed?"
    return found


def place(words: list[str], folder: Path) -> tuple[list[str], dict[str, Path]]:
    """The row's words with each placeholder made real in ``folder``."""
    paths = {w: folder / w.lower() for w in WORDS}
    if "SAMPLE" in words:
        shutil.copytree(SAMPLE, paths["SAMPLE"])
    if "FILE" in words:
        paths["FILE"].write_text("not a folder\n")
    if "FIFO" in words:
        os.mkfifo(paths["FIFO"])
    if "DIR" in words:
        paths["DIR"].mkdir()
    return [str(paths[w]) if w in paths else w for w in words], paths


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for folders and pipes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(("line", "reason"), BAD, ids=[line or "(nothing)" for line, _ in BAD])
def test_a_bad_command_line_is_one_error_line(line, reason, tmp_path):
    argv, paths = place(line.split(), tmp_path)
    before = snapshot(tmp_path)
    done = subprocess.run(
        [console_script(), *argv],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
        timeout=120,  # a hang guard only; the row fails at once if the command waits on input
    )
    err = done.stderr.splitlines()
    assert done.returncode != 0, (line, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert len(err) == 1 and err[0].startswith("hipnb: error: "), done.stderr
    for word, path in paths.items():
        reason = reason.replace(word, str(path))
    assert reason in err[0], err[0]
    assert done.stdout == ""
    assert snapshot(tmp_path) == before, "a refused command wrote nothing"


def test_the_table_uses_only_known_placeholders():
    for line, reason in BAD:
        capitals = {w for w in line.split() if w.isupper() and w.isalpha()}
        assert capitals <= set(WORDS), (line, capitals - set(WORDS))
        assert reason, f"{line}: a row names the reason its error must give"
