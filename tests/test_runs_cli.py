"""Bad ``hipnb runs import`` invocations, through the real console script: each is one
``hipnb: error:`` line on stderr, a non-zero exit, no traceback, and nothing written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import hipnb
from tests.conftest import DATA
from tests.rows import write_rows

RUNS = DATA / "runs"
HIPNB = Path(sys.executable).parent / "hipnb"


def _ana(logs: Path) -> None:
    write_rows(
        hipnb.SessionLog(hipnb.athlete_path(logs, "ana")),
        [
            hipnb.log.manual_row(
                "ana", "side_plank", "left", 30, started_at="2026-11-01T08:00:00+01:00"
            )
        ],
    )


def _logs_is_a_file(t: Path) -> list[str]:
    (t / "logs.csv").write_text("not a folder\n", encoding="utf-8")
    return [str(RUNS / "fit"), "--athlete", "ana", "--logs", str(t / "logs.csv"), "--new-athlete"]


def _unknown_athlete(t: Path) -> list[str]:
    _ana(t / "logs")
    return [str(RUNS / "fit"), "--athlete", "anna", "--logs", str(t / "logs")]


def _case_twin(t: Path) -> list[str]:
    _ana(t / "logs")
    return [str(RUNS / "fit"), "--athlete", "Ana", "--logs", str(t / "logs"), "--new-athlete"]


def _only_a_zip(t: Path) -> list[str]:
    (t / "dl").mkdir()
    with zipfile.ZipFile(t / "dl" / "export_123.zip", "w") as z:
        z.writestr("activities.csv", "Activity ID,Activity Date,Activity Type\n")
    return [str(t / "dl"), "--athlete", "ana", "--logs", str(t / "logs"), "--new-athlete"]


def _broken_zip(t: Path) -> list[str]:
    (t / "export_123.zip").write_bytes(b"PK\x03\x04 cut off")
    return [str(t / "export_123.zip"), "--athlete", "ana", "--logs", str(t), "--new-athlete"]


def _empty_folder(t: Path) -> list[str]:
    (t / "empty").mkdir()
    return [str(t / "empty"), "--athlete", "ana", "--logs", str(t / "logs"), "--new-athlete"]


def _plain(*args: str):
    def setup(t: Path) -> list[str]:
        return [a.replace("TMP", str(t)) for a in args]

    return setup


CASES = {
    "logs is a file": (_logs_is_a_file, "a file, not a folder"),
    "no such export": (_plain("TMP/nothing", "--athlete", "ana", "--new-athlete"), "no such file"),
    "unknown zone": (
        _plain(str(RUNS / "fit"), "--athlete", "ana", "--logs", "TMP", "--tz", "Mars/Olympus"),
        "unknown time zone",
    ),
    "name leaves the folder": (
        _plain(str(RUNS / "fit"), "--athlete", "../eve", "--logs", "TMP", "--new-athlete"),
        "athlete name",
    ),
    "unknown athlete": (_unknown_athlete, "did you mean 'ana'? (to start a new athlete"),
    "case twin": (_case_twin, "differs only in case or accents: did you mean 'ana'?"),
    "folder holding only a zip": (_only_a_zip, "only export_123.zip: import the zip itself"),
    "broken zip": (_broken_zip, "not a readable zip file"),
    "empty folder": (_empty_folder, "no activity files"),
}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HIPNB), "runs", "import", *args], cwd=cwd, capture_output=True, text=True
    )


def _one_error_line(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipnb: error: "), done.stderr
    assert expected in lines[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_runs_invocations_are_one_clear_line(tmp_path, case):
    setup, expected = CASES[case]
    args = setup(tmp_path)
    before = sorted(p for p in tmp_path.rglob("*") if "runs" in p.parts)
    _one_error_line(_run(args, tmp_path), expected)
    assert sorted(p for p in tmp_path.rglob("*") if "runs" in p.parts) == before


def test_a_read_only_logs_folder_is_one_clear_line(tmp_path):
    """For real: a read-only mount (root, in a private mount namespace), else a folder without
    write permission."""
    logs = tmp_path / "logs"
    logs.mkdir()
    _ana(logs)
    args = [str(RUNS / "fit"), "--athlete", "ana", "--logs", str(logs)]
    if os.geteuid() != 0:
        logs.chmod(0o555)
        try:
            done = _run(args, tmp_path)
        finally:
            logs.chmod(0o755)
    else:
        if not shutil.which("unshare") or subprocess.run(["unshare", "-m", "true"]).returncode:
            pytest.skip("needs unshare -m to mount the logs read-only")
        script = (
            f"mount --bind {logs} {logs} && mount -o remount,bind,ro {logs} && "
            f"exec {HIPNB} runs import " + " ".join(f"'{a}'" for a in args)
        )
        done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True)
    _one_error_line(done, "cannot write the run log there")
    assert not (logs / "runs").exists()
