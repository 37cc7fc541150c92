"""What callers show does not hang on the order of the rows a read gives.

A read keeps the files' order (files by name) and puts only each athlete's own rows in time order:
a squad file appended in time order comes back with its athletes interleaved, and a folder of
per-athlete files comes back in file-name order, which is not name order ("Zoë" is kept in
``zoe~....csv``, after ``ana.csv``; by name it comes first). Listings and per-athlete frames are in
athlete order (by name), then by time, either way.
"""

from __future__ import annotations

import pytest

from hipnb import SessionLog, analysis, athlete_path, charts, read_logs
from hipnb.cli import main
from hipnb.holds import select_holds
from tests.rows import write_rows

#: (athlete, day, minute): bound-angle holds that meet the daily target, in the order they are
#: appended. Athletes interleaved; ana's last one appended late (a phone that synced afterwards),
#: so the read moves it back among ana's rows, between ben's.
HOLDS = [
    ("ben", 20, 0),
    ("Zoë", 20, 1),
    ("ana", 21, 2),
    ("ben", 21, 3),
    ("ben", 22, 4),
    ("Zoë", 22, 5),
    ("ana", 22, 6),
    ("ana", 20, 7),
]
#: What each listing shows: by name (code point: upper case first), then by time.
BY_NAME = sorted((a, d, m) for a, d, m in HOLDS)
#: Each athlete's current streak on the 22nd: days in a row up to it.
STREAKS = {"Zoë": 1, "ana": 3, "ben": 3}


def row(athlete: str, day: int, minute: int) -> dict:
    return {
        "session_id": f"{athlete}-{day}",
        "athlete": athlete,
        "started_at": f"2026-11-{day}T07:{minute:02d}:00+00:00",
        "routine": "hip-basics",
        "exercise": "bound_angle",
        "side": "both",
        "target_s": 180,
        "actual_s": 200 + minute,
        "completed": True,
    }


def squad_file(tmp_path):
    path = tmp_path / "squad.csv"
    write_rows(SessionLog(path), [row(*h) for h in HOLDS])
    return path


def squad_folder(tmp_path):
    for h in HOLDS:
        write_rows(SessionLog(athlete_path(tmp_path, h[0])), [row(*h)])
    return tmp_path


@pytest.fixture(params=[squad_file, squad_folder], ids=["squad-file", "folder"])
def logs(request, tmp_path):
    path = request.param(tmp_path)
    df = read_logs(path, errors="raise")
    assert df["athlete"].tolist() != [a for a, _, _ in BY_NAME], "the read is not in name order"
    return df


def shown(frame) -> list[tuple[str, int, int]]:
    return [
        (a, t.day, t.minute) for a, t in zip(frame["athlete"], frame["local_time"], strict=True)
    ]


def test_select_holds_lists_athlete_after_athlete_by_name_then_by_time(logs):
    assert shown(select_holds(logs)) == BY_NAME
    on_22 = [h for h in BY_NAME if h[1] == 22]
    assert shown(select_holds(logs, day="2026-11-22")) == on_22
    assert shown(select_holds(logs, athlete="ana")) == [h for h in BY_NAME if h[0] == "ana"]


def test_cli_holds_of_a_squad_file_lists_athlete_after_athlete(tmp_path, capsys):
    assert main(["holds", "--log", str(squad_file(tmp_path))]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    listed = [(athlete, int(day[-2:]), int(time[-2:])) for _, athlete, day, time, *_ in map(
        str.split, lines
    )]  # fmt: skip
    assert listed == BY_NAME


def test_streaks_are_one_row_per_athlete_by_name(logs):
    s = analysis.streaks(logs, 180, as_of="2026-11-22")
    assert s["athlete"].tolist() == sorted(STREAKS)
    assert dict(zip(s["athlete"], s["current_streak"], strict=True)) == STREAKS
    assert s["longest_streak"].tolist() == [STREAKS[a] for a in sorted(STREAKS)]


@pytest.mark.parametrize("first", ["ana", "Ana"])
def test_a_mistyped_athlete_gets_the_same_hint_whichever_row_comes_first(tmp_path, capsys, first):
    path = tmp_path / "squad.csv"
    other = "Ana" if first == "ana" else "ana"
    write_rows(SessionLog(path), [row(first, 20, 0), row(other, 20, 1)])
    assert main(["holds", "--log", str(path), "--athlete", "ANA"]) == 2
    assert capsys.readouterr().err == "hipnb: error: no athlete 'ANA'; did you mean 'Ana'?\n"


def test_holds_and_notes_tables_put_holds_of_one_instant_by_athlete(tmp_path):
    path = tmp_path / "squad.csv"
    # a squad session: both athletes start each hold at the same instant, ben's rows written first
    write_rows(
        SessionLog(path),
        [
            row(a, 20, minute) | {"actual_s": s + minute, "note": f"{a} {minute}"}
            for minute in (0, 1)
            for a, s in (("ben", 250), ("ana", 190))
        ],
    )
    df = read_logs(path, errors="raise")
    assert df["athlete"].tolist() == ["ben", "ana", "ben", "ana"]
    held = charts.holds_table(df).data["Held"].tolist()
    assert held == ["3 min 10 s", "4 min 10 s", "3 min 11 s", "4 min 11 s"]
    assert charts.notes_table(df, last=1).data["Note"].tolist() == ["ben 1"]
