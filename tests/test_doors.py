"""Every door that writes a new hold refuses the same inputs with the same words.

A table of bad inputs runs against every door (a new door is one more entry in ``DOORS`` and gets
every case); then a table of rows that break a rule, written into a log by hand, runs against every
command that reads one: none crashes.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hipnb import SessionLog
from hipnb.cli import main
from hipnb.log import ALL_COLUMNS, manual_row
from hipnb.log.gate import in_door_words
from hipnb.routines import SIDES
from tests.rows import write_rows

NOW = datetime.now(UTC)
GOOD = {
    "athlete": "ana",
    "exercise": "side_plank",
    "side": "left",
    "seconds": 35.0,
    "target": None,
    "when": "2026-11-24T07:15:00-05:00",
    "rpe": None,
}

#: (id, the input changed from GOOD, words every door must say)
CASES = [
    ("typo_exercise", {"exercise": "side_plnk"}, "no exercise 'side_plnk'"),
    ("typo_hint", {"exercise": "side_plnk"}, "did you mean 'side_plank'?"),
    ("rest_is_no_hold", {"exercise": "rest"}, "no exercise 'rest'"),
    (
        "hour_long_pose",
        {"exercise": "bound_angle", "seconds": 4000.0},
        "plausible maximum of 1200 s",
    ),
    ("long_target", {"target": 900.0}, "plausible maximum of 300 s"),
    ("absurd_custom", {"seconds": 9000.0}, "time held 9000 s is absurd for one hold (over 2 h)"),
    ("far_future", {"when": "2062-09-13T07:00:00-04:00"}, "starts more than a day in the future"),
    ("year_zero", {"when": "0000-01-01T07:00:00+00:00"}, "starts before 1990-01-01"),
    ("before_1990", {"when": "1989-12-31T07:00:00+00:00"}, "starts before 1990-01-01"),
    ("name_by_case", {"athlete": "Ana"}, "'ana' differs only in case or accents"),
    ("name_by_accent", {"athlete": "anà"}, "did you mean 'ana'?"),
    ("bad_side", {"side": "middle"}, "side 'middle' is not one of left, right, both"),
    ("negative", {"seconds": -5.0}, "time held -5 s is negative"),
    ("not_a_number", {"seconds": float("nan")}, "time held 'nan' is not a number of seconds"),
    ("effort_11", {"rpe": 11}, "effort '11' is not a whole number from 0 to 10"),
    ("another_file", {"athlete": "ben", "file": "ana.csv"}, "holds the log of 'ana', not 'ben'"),
]


def _setup(folder: Path) -> Path:
    """A squad folder in which ana already has a log (so a name like hers is known)."""
    write_rows(
        SessionLog(folder / "ana.csv"),
        [manual_row("ana", "side_plank", "right", 30, started_at="2026-11-23T07:00:00-05:00")],
    )
    return folder / "ana.csv"


def _file(folder: Path, case: dict) -> Path:
    """The log a door writes to: ana's own, a new athlete's own, or the one the case names."""
    return folder / case.get("file", "ana.csv" if case["athlete"] == "ana" else "new.csv")


def _cli(folder: Path, case: dict) -> str | None:
    args = ["log", "--log", str(folder / "ana.csv"), "--athlete", case["athlete"],
            "--exercise", case["exercise"], "--side", case["side"],
            "--seconds", str(case["seconds"]), "--when", case["when"]]  # fmt: skip
    args[2] = str(_file(folder, case))
    if case["target"] is not None:
        args += ["--target", str(case["target"])]
    if case["rpe"] is not None:
        args += ["--rpe", str(case["rpe"])]
    proc = subprocess.run(
        [sys.executable, "-m", "hipnb", *args], capture_output=True, text=True, cwd=folder
    )
    if proc.returncode == 0:
        return None
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipnb: error: "), proc.stderr
    return lines[0]


def _timer_panel(folder: Path, case: dict) -> str | None:
    """A row as the timer hands it to its panel, written the way the panel writes each hold."""
    from hipnb.widgets import TimerPanel

    panel = TimerPanel("hip-basics", athlete=case["athlete"], log=_file(folder, case))
    row = manual_row(
        case["athlete"], case["exercise"], case["side"], case["seconds"],
        target_s=case["target"] or 30, started_at=case["when"], rpe=case["rpe"],
    ) | {"routine": "hip-basics", "session_id": "s1"}  # fmt: skip
    refused = panel._refused_athlete
    panel._log(row)
    panel._sync(announce="")
    if not panel.refused:
        assert not refused, "a name the panel refuses before the start is refused at the door too"
        return None
    assert panel.refused == [(row, panel.refused[0][1])] and not panel.unsaved  # kept, shown
    assert in_door_words(panel.refused[0][1], "form") in html.unescape(panel.status.value)
    assert not refused or refused == panel.refused[0][1]
    return panel.refused[0][1]


def _manual_entry(folder: Path, case: dict) -> str | None:
    """The ManualEntry form, filled in and saved through its own button."""
    from hipnb.widgets import ManualEntry

    form = ManualEntry(SessionLog(_file(folder, case)), athlete=case["athlete"])
    form.exercise.value = case["exercise"]
    form.side.value = case["side"] if case["side"] in SIDES else "left"
    if case["side"] not in SIDES:  # a dropdown cannot hold it: the row can, through the form's log
        form.side.options = [*SIDES, case["side"]]
        form.side.value = case["side"]
    for field in (form.target, form.seconds):  # the page clamps to the spec's range: reach past it
        field.min, field.max = -1e9, 1e9
    form.target.value = case["target"] or form.target.value
    form.seconds.value = case["seconds"]
    try:
        when = datetime.fromisoformat(case["when"]).astimezone()
        form.day.value, form.clock_time.value = when.date(), when.time()
    except ValueError:  # year 0: the nearest day a date picker holds
        form.day.value = date(1, 1, 2)
    if case["rpe"] is not None:
        form.rpe.options = [*form.rpe.options, (str(case["rpe"]), case["rpe"])]
        form.rpe.value = case["rpe"]
    form.save.click()
    if "Saved" in form.status.value:
        return None
    return html.unescape(re.sub("<[^>]+>", "", form.status.value))


DOORS: dict[str, Callable[[Path, dict], str | None]] = {
    "hipnb log": _cli,
    "ManualEntry": _manual_entry,
    "TimerPanel": _timer_panel,
}


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(("change", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_door_refuses_with_the_same_words(tmp_path, door, change, words):
    log = _setup(tmp_path)
    before = log.read_bytes()
    said = DOORS[door](tmp_path, GOOD | change)
    assert said is not None and words in said, said
    assert log.read_bytes() == before
    assert not (tmp_path / "new.csv").exists()


@pytest.mark.parametrize("door", DOORS)
def test_every_door_takes_a_good_hold(tmp_path, door):
    _setup(tmp_path)
    assert DOORS[door](tmp_path, GOOD) is None


def test_the_cli_takes_the_target_from_the_routine_and_says_so(tmp_path, capsys):
    log = _setup(tmp_path)
    args = ["log", "--log", str(log), "--athlete", "ana", "--exercise", "side_plank",
            "--side", "left", "--seconds", "20", "--when", "07:15", "--day", "yesterday",
            "--tz", "America/New_York"]  # fmt: skip
    assert main(args) == 0
    assert "target 30 s, from the routine" in capsys.readouterr().out
    hold = SessionLog(log).read(errors="raise").iloc[-1]
    assert (hold["target_s"], hold["completed"]) == (30.0, False)
    assert f"{hold['local_time']:%H:%M}" == "07:15"
    long = [*args[:6], "bound_angle", "--seconds", "4000", "--when", "yesterday"]
    assert main(long) == 2
    assert main([*long, "--override"]) == 0
    holds = SessionLog(log).read(errors="raise")  # in time order: not the last row at every hour
    assert holds.loc[holds["exercise"] == "bound_angle", "target_s"].tolist() == [180]
    custom = ["log", "--log", str(log), "--athlete", "ana", "--exercise", "clam", "--custom",
              "--seconds", "25"]  # fmt: skip
    assert main(custom) == 0
    assert "the held time is the target" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("when", "day", "tz", "stamp"),
    [
        ("07:15", "2026-11-24", "America/New_York", "2026-11-24T07:15:00-05:00"),
        ("2026-11-24 07:15", None, "Europe/Madrid", "2026-11-24T07:15:00+01:00"),
        ("2026-07-01T07:15", None, "Europe/Madrid", "2026-07-01T07:15:00+02:00"),
        ("2026-11-24T07:15:03-05:00", None, "Asia/Tokyo", "2026-11-24T07:15:03-05:00"),
    ],
)
def test_times_as_people_type_them_are_stored_with_their_offset(tmp_path, when, day, tz, stamp):
    log = _setup(tmp_path)
    more = ["--day", day] if day else []
    assert main(["log", "--log", str(log), "--athlete", "ana", "--exercise", "side_plank",
                 "--seconds", "30", "--when", when, "--tz", tz, *more]) == 0  # fmt: skip
    assert stamp in log.read_text(encoding="utf-8").splitlines()[-1]


def test_today_and_yesterday_are_the_zones_days(tmp_path):
    log = _setup(tmp_path)
    base = ["log", "--log", str(log), "--athlete", "ana", "--exercise", "side_plank",
            "--seconds", "30", "--tz", "Pacific/Kiritimati"]  # fmt: skip
    assert main([*base, "--when", "yesterday"]) == 0
    assert main([*base, "--day", "today", "--when", "06:00"]) == 0
    df = SessionLog(log).read(errors="raise")
    today = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Pacific/Kiritimati"))
    days = [f"{t:%Y-%m-%d}" for t in df["local_time"].iloc[-2:]]
    assert days[1] == f"{today:%Y-%m-%d}" and days[0] < days[1]
    assert "+14:00" in log.read_text(encoding="utf-8").splitlines()[-1]


# --------------------------------------------------------------------------------------------------
# rows that break a rule, written by hand: no command crashes

HEADER = ",".join(ALL_COLUMNS)
BAD_ROWS = {
    "year_zero": "s9,ana,0000-01-01T07:00:00+00:00,manual,side_plank,left,30,30,true,,,,,,",
    "year_9999": "s9,ana,9999-12-31T23:59:59+14:00,manual,side_plank,left,30,30,true,,,,,,",
    "after_2262": "s9,ana,2263-01-01T07:00:00+00:00,manual,side_plank,left,30,30,true,,,,,,",
    "hour_long": "s9,ana,2026-11-24T07:00:00+00:00,manual,bound_angle,both,300,4000,true,,,,,,",
    "typo": "s9,ana,2026-11-24T07:00:00+00:00,manual,side_plnk,left,30,30,true,,,,,,",
    "edit_of_nothing": "s9,ana,2026-11-24T07:00:00+00:00,manual,side_plank,left,30,300,true,,,,"
    "zz|side_plank|left|2026-11-24T12:00:00Z,edit,",
}
COMMANDS = [
    ["holds", "--log", "{log}"],
    ["holds", "--log", "{log}", "--day", "2026-11-24"],
    ["validate", "{log}"],
    ["validate", "{dir}"],
    ["export", "{log}", "--out", "{dir}/out/x.csv"],
    ["edit", "--log", "{log}", "ffff", "--seconds", "3"],
    ["delete", "--log", "{log}", "ffff"],
    ["log", "--log", "{log}", "--athlete", "ana", "--exercise", "side_plank", "--seconds", "30"],
    ["summary", "{dir}"],
]


@pytest.mark.parametrize("row", BAD_ROWS.values(), ids=list(BAD_ROWS))
def test_no_command_crashes_on_a_row_that_breaks_a_rule(tmp_path, row, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "logs"
    log = _setup(folder.mkdir() or folder)
    with open(log, "a", encoding="utf-8", newline="") as f:
        f.write(row + "\r\n")
    for command in COMMANDS:  # in process: a crash is an exception here
        args = [a.format(log=log, dir=folder) for a in command]
        assert main(args) in (0, 1, 2), args
        err = capsys.readouterr().err
        assert "Traceback" not in err


def test_validate_reports_what_a_door_would_refuse_at_its_line(tmp_path, capsys):
    log = _setup(tmp_path)
    with open(log, "a", encoding="utf-8", newline="") as f:
        f.write(BAD_ROWS["typo"] + "\r\n")
        f.write(BAD_ROWS["hour_long"].replace("s9", "s8") + "\r\n")
        f.write("s7,ana,2062-09-13T07:00:00-04:00,manual,side_plank,left,30,30,true,,,,,,\r\n")
    assert main(["validate", str(log)]) == 1
    out = capsys.readouterr().out
    assert f"{log}:3: no exercise 'side_plnk'" in out
    assert f"check: {log}:4: bound_angle 4000 s is more than its plausible maximum of 1200 s" in out
    assert f"{log}:5: the hold starts more than a day in the future (2062-09-13)" in out
    assert f"{log}: 4 rows read, 2 problems" in out


def test_a_future_row_slipped_in_by_hand_is_reported_and_moves_no_date(tmp_path, capsys):
    """The squad read on today's date is the same with the row as without it; validate says so."""
    import shutil
    import warnings

    from hipnb import analysis, read_logs

    from .conftest import SAMPLE

    folder = tmp_path / "squad"
    shutil.copytree(SAMPLE, folder)
    today = f"{NOW:%Y-%m-%d}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = analysis.roster(read_logs(folder), as_of=today)
        with open(folder / "ana.csv", "a", encoding="utf-8", newline="") as f:
            f.write("sx,ana,2062-09-13T07:00:00-04:00,manual,side_plank,left,30,30,true,,,,,,\r\n")
        after = analysis.roster(read_logs(folder), as_of=today)
    assert after.equals(before)
    assert main(["validate", str(folder)]) == 1
    lines = (folder / "ana.csv").read_text(encoding="utf-8").count("\n")
    said = f"ana.csv:{lines}: the hold starts more than a day in the future (2062-09-13)"
    assert said in capsys.readouterr().out
