"""The spreadsheet export: formulas neutralised wherever a spreadsheet could start a cell, numbers
kept as numbers, and only the log's current state (corrections applied)."""

from __future__ import annotations

import csv

import pytest

from hipnb import SessionLog
from hipnb.cli import main
from hipnb.holds import correction_row
from hipnb.log import COLUMNS, export_for_spreadsheet
from tests.rows import write_rows

from .conftest import ROOT

ROW = {
    "session_id": "s1",
    "athlete": "ana",
    "started_at": "2026-11-24T07:15:03-05:00",
    "routine": "manual",
    "exercise": "side_plank",
    "side": "left",
    "target_s": 40,
    "actual_s": 38.5,
    "completed": False,
    "rpe": 6,
    "discomfort": 2,
}


def exported(tmp_path, rows) -> list[dict]:
    log = SessionLog(tmp_path / "ana.csv")
    write_rows(log, rows)
    out = export_for_spreadsheet(log.read(errors="raise"), tmp_path / "out.csv")
    with open(out, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    "note, safe",
    [
        ('felt fine;=HYPERLINK("http://x")', 'felt fine;\'=HYPERLINK("http://x")'),
        ("a,=1+1", "a,'=1+1"),
        ("ok;+cmd|' /C calc'!A0", "ok;'+cmd|' /C calc'!A0"),
        ("ok;-2+3", "ok;'-2+3"),
        ("x;@SUM(A1)", "x;'@SUM(A1)"),
        ("left\t=1+1", "left\t'=1+1"),
        ("line one\n=1+1", "line one\n'=1+1"),
        ("line one\r\n@A1", "line one\r\n'@A1"),
        ("=1+1", "'=1+1"),
        ("\n=1+1", "'\n'=1+1"),
        ("@A1;=B2", "'@A1;'=B2"),
        ("sore; better after, 2 - 3 min", "sore; better after, 2 - 3 min"),
        ("e-mail me: a@b.c; 5+5=10", "e-mail me: a@b.c; 5+5=10"),
    ],
)
def test_formulas_after_separators_tabs_and_line_breaks_are_neutralised(tmp_path, note, safe):
    (got,) = exported(tmp_path, [ROW | {"note": note}])
    assert got["note"] == safe


def test_numbers_stay_numbers_and_names_stay_as_written(tmp_path):
    (got,) = exported(tmp_path, [ROW | {"athlete": "O'Neil-Zoë", "note": "fine"}])
    assert list(got) == [*COLUMNS, "pain_at_s"]
    assert (got["target_s"], got["actual_s"], got["rpe"], got["discomfort"]) == (
        "40.0",
        "38.5",
        "6",
        "2",
    )
    assert got["started_at"] == "2026-11-24T07:15:03-05:00" and got["completed"] == "false"
    assert got["athlete"] == "O'Neil-Zoë" and got["note"] == "fine"


def test_export_shows_the_current_state_only(tmp_path, capsys):
    log = SessionLog(tmp_path / "ana.csv")
    write_rows(log, [ROW, ROW | {"side": "right", "started_at": "2026-11-24T07:16:00-05:00"}])
    df = log.read(errors="raise")
    left, right = df.iloc[0], df.iloc[1]
    write_rows(log, [correction_row(left, "edit", actual_s=40, note="fixed")])
    write_rows(log, [correction_row(right, "delete")])
    assert main(["export", str(log.path), "--out", str(tmp_path / "x.csv")]) == 0
    assert "wrote 1 rows" in capsys.readouterr().out
    with open(tmp_path / "x.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and "action" not in rows[0] and "hold_id" not in rows[0]
    assert (rows[0]["side"], rows[0]["actual_s"], rows[0]["note"]) == ("left", "40.0", "fixed")


def test_the_export_lists_athlete_by_athlete_in_time_order(tmp_path, capsys):
    log = SessionLog(tmp_path / "squad.csv")
    for minute, who in [(3, "bo"), (1, "ana"), (4, "bo"), (2, "ana"), (0, "bo")]:  # as written
        write_rows(
            log,
            [
                ROW
                | {
                    "athlete": who,
                    "session_id": f"s{minute}",
                    "started_at": f"2026-11-24T07:0{minute}:00-05:00",
                }
            ],
        )
    out = tmp_path / "out" / "squad.csv"
    assert main(["export", str(log.path), "--out", str(out)]) == 0
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = [(r["athlete"], r["session_id"]) for r in csv.DictReader(f)]
    assert rows == [("ana", "s1"), ("ana", "s2"), ("bo", "s0"), ("bo", "s3"), ("bo", "s4")]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_out_under_a_file_is_said_not_a_traceback(tmp_path, capsys, suffix):
    (tmp_path / "afile").write_text("")
    out = tmp_path / "afile" / "deeper" / f"squad{suffix}"
    assert main(["export", str(ROOT / "data" / "sample"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hipnb: error: --out ") and "afile is a file, not a folder" in err
    assert "Traceback" not in err
