"""The command line, used as a careful new user would: typos refused with the closest name, names in
any script, a log file that is one athlete's, and output into a pipe closed early."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pandas as pd
import pytest

from hipnb import SessionLog, athlete_path
from hipnb.cli import main
from tests.rows import write_rows

# the squad page's chart has no CJK glyphs in its font (a box per character; outside these tests)
pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from font")

NAMES = ["Zoë", "李娜", "Ана", "O'Neil"]
WHEN = "2026-11-24T07:15:03+01:00"


def log_args(path, athlete="ana", exercise="side_plank", *more) -> list[str]:
    return ["log", "--log", str(path), "--athlete", athlete, "--exercise", exercise,
            "--seconds", "35", "--when", WHEN, *more]  # fmt: skip


def test_log_refuses_an_unknown_exercise_with_the_closest_id_and_how_to_log_it(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    assert main(log_args(path, "ana", "side_plnk")) == 2
    err = capsys.readouterr().err
    assert "no exercise 'side_plnk'" in err and "did you mean 'side_plank'?" in err
    assert "--custom" in err and err.count("\n") == 1
    assert not path.exists()
    assert main(log_args(path, "ana", "rest")) == 2  # a rest is not a hold
    capsys.readouterr()
    assert main(log_args(path, "ana", "copenhagen_plank", "--custom")) == 0
    assert SessionLog(path).read(errors="raise")["exercise"].tolist() == ["copenhagen_plank"]
    # once in the log, the athlete's own exercise is known
    assert main(log_args(path, "ana", "copenhagen_plank")) == 0


def test_log_knows_the_exercises_of_the_routine_files_in_the_routines_folder(tmp_path, capsys):
    routines = tmp_path / "routines"
    routines.mkdir()
    (routines / "adductors.toml").write_text(
        'name = "adductors"\ntitle = "Adductors"\n[exercises.copenhagen_plank]\nname = "Copenhagen"\n'
        '[[steps]]\nexercise = "copenhagen_plank"\nside = "left"\nseconds = 20\n',
        encoding="utf-8",
    )
    path = tmp_path / "ana.csv"
    assert main(log_args(path, "ana", "copenhagen_plnk", "--routines", str(routines))) == 2
    assert "did you mean 'copenhagen_plank'?" in capsys.readouterr().err
    assert main(log_args(path, "ana", "copenhagen_plank", "--routines", str(routines))) == 0


def test_log_stores_the_side_lower_case(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    assert main([*log_args(path), "--side", "Left"]) == 0
    raw = pd.read_csv(path, dtype=str)
    assert raw["side"].tolist() == ["left"]


def test_log_refuses_athlete_b_in_athlete_a_file_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    assert main(log_args(path, "ana")) == 0
    before = path.read_bytes()
    assert main(log_args(path, "ben")) == 2
    err = capsys.readouterr().err
    assert "holds the log of 'ana', not 'ben'" in err and str(tmp_path / "ben.csv") in err
    assert path.read_bytes() == before
    assert main(log_args(path, "Ana")) == 2  # same letters, another case: still another name
    assert "did you mean 'ana'?" in capsys.readouterr().err


def test_append_itself_still_takes_any_athlete(tmp_path):
    """The refusal is the command line's: SessionLog.append never reads the file's body."""
    log = SessionLog(tmp_path / "ana.csv")
    row = {"session_id": "s", "athlete": "ana", "started_at": WHEN, "routine": "manual",
           "exercise": "side_plank", "side": "left", "target_s": 1, "actual_s": 1, "completed": True}  # fmt: skip
    write_rows(log, [row])
    assert write_rows(log, [row | {"athlete": "ben"}]) == 1


@pytest.mark.parametrize("args", [["routines", "hip-basics"], ["--help"]])
def test_output_into_a_closed_pipe_exits_quietly_with_status_0(args):
    proc = subprocess.Popen(
        [sys.executable, "-m", "hipnb", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # the reader goes away before anything is written, as `| head -0` would
    err = proc.stderr.read().decode()
    assert proc.wait() == 0, err
    assert err == ""


def test_output_into_head_is_cut_quietly():
    done = subprocess.run(
        f"'{sys.executable}' -m hipnb routines hip-basics | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("Hip basics [hip-basics]") and done.stdout.count("\n") == 1


@pytest.fixture
def squad(tmp_path, capsys):
    for name in ["ana", *NAMES]:
        assert (
            main(log_args(athlete_path(tmp_path, name), name, "side_plank", "--new-athlete")) == 0
        )
    capsys.readouterr()
    return tmp_path


def test_a_typod_athlete_in_summary_gets_the_closest_name_and_a_non_zero_status(squad, capsys):
    assert main(["summary", str(squad), "--athlete", "anna"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "hipnb: error: no athlete 'anna'; did you mean 'ana'?\n"
    assert captured.out == ""
    assert main(["summary", str(squad), "--athlete", "zoe"]) == 2
    assert "did you mean 'Zoë'?" in capsys.readouterr().err


def test_a_typod_athlete_in_report_fails_with_the_closest_name_and_status_1(squad, capsys):
    out = squad / "out"
    args = ["report", "--log", str(squad), "--out", str(out), "--quiet"]
    assert main([*args, "--athlete", "anna", "--athlete", "zoe"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "anna: FAILED: no athlete 'anna'; did you mean 'ana'?",
        "zoe: FAILED: no athlete 'zoe'; did you mean 'Zoë'?",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["athletes", "index.html"]
    assert list((out / "athletes").iterdir()) == [], "no page for a typo"


@pytest.mark.parametrize("name", NAMES)
def test_names_in_four_scripts_round_trip_through_log_holds_and_summary(squad, capsys, name):
    path = athlete_path(squad, name)
    assert path.parent == squad.resolve() and path.exists()
    assert SessionLog(path).read(errors="raise")["athlete"].tolist() == [name]
    assert main(["holds", "--log", str(path), "--athlete", name]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and f" {name} " in lines[1]
    decomposed = unicodedata.normalize("NFD", name)
    assert main(["summary", str(squad), "--athlete", name]) == 0
    said = capsys.readouterr().out
    assert main(["summary", str(squad), "--athlete", decomposed]) == 0
    assert capsys.readouterr().out == said and "streak" in said
    assert main(["summary", str(squad)]) == 0
    assert any(line.startswith(f"{name} ") for line in capsys.readouterr().out.splitlines())
    assert main(log_args(path, decomposed, "side_plank", "--side", "right")) == 0
    assert SessionLog(path).read(errors="raise")["athlete"].tolist() == [name, name]


def test_report_pages_are_named_by_the_one_gate(tmp_path, capsys):
    """Each page's file is hipnb.athlete_path(out/athletes, name, ".html"), hostile names included."""
    logs = tmp_path / "logs"
    names = ["李娜", "CON", "../ana"]
    for name in names[:2]:
        assert main(log_args(athlete_path(logs, name), name, "side_plank", "--new-athlete")) == 0
    out = tmp_path / "out"
    args = ["report", "--log", str(logs), "--out", str(out), "--quiet", "--workers", "1"]
    assert main(args) == 0
    pages = sorted(p.name for p in (out / "athletes").iterdir())
    expected = sorted(athlete_path(out / "athletes", n, ".html").name for n in names[:2])
    assert pages == expected and "CON.html" not in pages
    assert sorted(p.name for p in out.iterdir()) == ["athletes", "index.html"]
    assert main([*args, "--athlete", "../ana"]) == 2
    assert "contains '/'" in capsys.readouterr().err
