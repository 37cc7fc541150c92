"""Correcting logged holds from the command line: listed by reference, edited and deleted by new
rows that every read applies, the old rows kept in the file as history."""

from __future__ import annotations

import pandas as pd
import pytest

from hipnb import LogError, SessionLog
from hipnb.cli import main
from hipnb.holds import correction_row, find_hold, hold_refs, select_holds
from hipnb.log import hold_ids
from tests.rows import write_rows

STAMP = "2026-11-24T07:15:03-05:00"


def hold(**over) -> dict:
    row = {
        "session_id": "s1",
        "athlete": "ana",
        "started_at": STAMP,
        "routine": "hip-basics",
        "exercise": "side_plank",
        "side": "left",
        "target_s": 40,
        "actual_s": 4000,
        "completed": True,
    }
    return row | over


@pytest.fixture
def log(tmp_path):
    log = SessionLog(tmp_path / "ana.csv")
    write_rows(
        log,
        [
            hold(),
            hold(side="right", started_at="2026-11-24T07:16:30-05:00", actual_s=40),
            hold(session_id="s2", started_at="2026-11-25T07:00:00-05:00", actual_s=38),
        ],
    )
    return log


def refs_by_side_and_day(capsys, path) -> dict[tuple[str, str], str]:
    """Run `hipnb holds` and map (day, side) to the reference it printed."""
    assert main(["holds", "--log", str(path)]) == 0
    out = {}
    for line in capsys.readouterr().out.splitlines()[1:]:
        ref, _athlete, day, _time, _exercise, side, *_ = line.split()
        out[(day, side)] = ref
    return out


def test_holds_lists_each_current_hold_with_a_short_unique_reference(log, capsys):
    refs = refs_by_side_and_day(capsys, log.path)
    assert set(refs) == {("2026-11-24", "left"), ("2026-11-24", "right"), ("2026-11-25", "left")}
    assert all(len(r) == 8 and int(r, 16) >= 0 for r in refs.values())
    assert len(set(refs.values())) == 3
    assert main(["holds", "--log", str(log.path), "--day", "2026-11-25"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "2026-11-25 07:00" in lines[1] and "38" in lines[1]


def test_cli_edit_changes_seconds_side_and_time_and_keeps_the_history(log, capsys):
    ref = refs_by_side_and_day(capsys, log.path)[("2026-11-24", "left")]
    before = log.path.read_bytes()
    when = "2026-11-24T06:50:00-05:00"
    args = ["edit", "--log", str(log.path), ref, "--seconds", "40", "--side", "Both"]
    assert main([*args, "--when", when]) == 0
    out = capsys.readouterr().out
    assert "time held: 4000 s -> 40 s" in out and "side: left -> both" in out
    assert f"start: {STAMP} -> {when}" in out
    text = log.path.read_bytes()
    assert text.startswith(before)  # append-only: the old rows are still there, unchanged
    assert text.count(b"\r\n") == before.count(b"\r\n") + 1
    df = log.read(errors="raise")
    assert len(df) == 3 and (df["actual_s"] < 100).all()
    edited = df[df["side"] == "both"].iloc[0]
    assert edited["actual_s"] == 40 and pd.isna(edited["action"])  # a hold, patched
    assert b",patch," in text.splitlines()[-1] and b",4000," not in text.splitlines()[-1]
    assert edited["started_at"] == pd.Timestamp(when)
    # the reference stays the same after the edit, so the edit can be edited
    refs = refs_by_side_and_day(capsys, log.path)
    assert refs[("2026-11-24", "both")] == ref
    assert main(["edit", "--log", str(log.path), ref, "--seconds", "41", "--rpe", "6"]) == 0
    assert "time held: 40 s -> 41 s" in capsys.readouterr().out
    df = log.read(errors="raise")
    again = df[df["side"] == "both"].iloc[0]
    assert (again["actual_s"], again["rpe"], len(df)) == (41, 6, 3)
    assert again["started_at"] == pd.Timestamp(when)
    assert log.path.read_bytes().count(b"\r\n") == before.count(b"\r\n") + 2


def test_cli_delete_removes_the_hold_on_read_and_keeps_its_rows(log, capsys):
    ref = refs_by_side_and_day(capsys, log.path)[("2026-11-24", "right")]
    assert main(["delete", "--log", str(log.path), ref]) == 0
    assert "deleted ana's side_plank (right, 40 s)" in capsys.readouterr().out
    df = log.read(errors="raise")
    assert len(df) == 2 and "right" not in set(df["side"])
    raw = pd.read_csv(log.path, dtype=str, keep_default_na=False)
    assert len(raw) == 4 and list(raw["action"]) == ["", "", "", "delete"]
    assert raw["side"].tolist().count("right") == 1  # the hold; the delete names it by its id
    assert raw["hold_id"].iloc[-1].endswith("|right|2026-11-24T12:16:30Z")
    assert main(["delete", "--log", str(log.path), ref]) == 2
    assert f"no current hold '{ref}'" in capsys.readouterr().err


def test_edit_of_an_edit_of_a_deleted_hold_is_refused(log, capsys):
    ref = refs_by_side_and_day(capsys, log.path)[("2026-11-25", "left")]
    assert main(["edit", "--log", str(log.path), ref, "--side", "right"]) == 0
    assert main(["delete", "--log", str(log.path), ref]) == 0
    capsys.readouterr()
    assert main(["edit", "--log", str(log.path), ref, "--seconds", "5"]) == 2
    assert "no current hold" in capsys.readouterr().err
    assert len(log.read(errors="raise")) == 2


def test_edit_with_nothing_to_change_or_a_bad_value_writes_nothing(log, capsys):
    ref = refs_by_side_and_day(capsys, log.path)[("2026-11-24", "right")]
    before = log.path.read_bytes()
    assert main(["edit", "--log", str(log.path), ref]) == 2
    assert "nothing to change" in capsys.readouterr().err
    assert main(["edit", "--log", str(log.path), ref, "--seconds", "40"]) == 0
    assert "nothing appended" in capsys.readouterr().out
    assert main(["edit", "--log", str(log.path), ref, "--side", "up"]) == 2
    assert "side 'up'" in capsys.readouterr().err
    assert main(["edit", "--log", str(log.path), ref, "--when", "7 am"]) == 2
    assert "start '7 am' is not a date-time: write 07:15" in capsys.readouterr().err
    assert main(["edit", "--log", str(log.path), ref, "--when", "1989-12-31 07:00"]) == 2
    assert "starts before 1990-01-01" in capsys.readouterr().err
    assert main(["edit", "--log", str(log.path), "zz"]) == 2
    assert "too short" in capsys.readouterr().err
    assert log.path.read_bytes() == before


def test_shorter_seconds_uncomplete_the_hold_unless_told(log):
    df = log.read()
    first = df[(df["side"] == "left") & (df["session_id"] == "s1")].iloc[0]
    assert correction_row(first, "edit", actual_s=30)["completed"] is False
    assert correction_row(first, "edit", actual_s=30, completed=True)["completed"] is True
    assert correction_row(first, "edit", actual_s=45)["completed"] is True
    with pytest.raises(LogError, match="cannot change athlete"):
        correction_row(first, "edit", athlete="ben")


def test_correction_row_names_the_hold_and_keeps_its_offset_and_pain(tmp_path):
    log = SessionLog(tmp_path / "zoe.csv")
    write_rows(log, [hold(athlete="Zoë", started_at="2026-11-24T07:15:03+05:30", pain_at_s=12.5)])
    (got,) = log.read(errors="raise").to_dict("records")
    row = correction_row(pd.Series(got), "delete")
    assert row["hold_id"] == "s1|side_plank|left|2026-11-24T01:45:03Z"
    assert row["athlete"] == "Zoë" and row["started_at"] is None  # the identity only
    whole = correction_row(pd.Series(got), "edit")  # a whole-row edit, as first written
    assert whole["started_at"] == "2026-11-24T07:15:03+05:30" and whole["pain_at_s"] == 12.5
    assert row["hold_id"] == hold_ids(pd.DataFrame([got])).iloc[0]


def test_references_are_unique_and_a_prefix_finds_one_hold(tmp_path):
    log = SessionLog(tmp_path / "many.csv")
    write_rows(
        log, [hold(session_id=f"s{i}", started_at=f"2026-11-24T07:{i:02d}:00Z") for i in range(60)]
    )
    df = log.read(errors="raise")
    refs = hold_refs(df)
    assert refs.is_unique and refs.str.len().min() >= 8
    assert find_hold(df, refs.iloc[7][:6].upper())["session_id"] == df["session_id"].iloc[7]
    with pytest.raises(LogError, match="no current hold"):
        find_hold(df, "ffffffffff")
    assert len(select_holds(df, athlete="ana", day="2026-11-24")) == 60
    assert select_holds(df, day="2026-11-23").empty


def test_holds_of_a_missing_file_a_folder_or_an_unknown_athlete_say_so(tmp_path, log, capsys):
    assert main(["holds", "--log", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: no such log file" in capsys.readouterr().err
    assert main(["holds", "--log", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["holds", "--log", str(log.path), "--athlete", "anna"]) == 2
    assert "no athlete 'anna'; did you mean 'ana'?" in capsys.readouterr().err
    assert main(["holds", "--log", str(log.path), "--day", "24/11/2026"]) == 2
    assert "is not a day: write today, yesterday or 2026-11-24" in capsys.readouterr().err
