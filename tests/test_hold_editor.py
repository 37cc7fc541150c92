"""The notebook's hold editor, without a browser: construct, set traits, click, read the log back."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hipnb import SessionLog
from hipnb.widgets import HoldEditor
from tests.rows import write_rows


def hold(**over) -> dict:
    row = {
        "session_id": "s1",
        "athlete": "李娜",
        "started_at": "2026-11-24T07:15:03+08:00",
        "routine": "hip-basics",
        "exercise": "side_plank",
        "side": "left",
        "target_s": 40,
        "actual_s": 4000,
        "completed": True,
        "rpe": 5,
    }
    return row | over


@pytest.fixture
def log(tmp_path):
    log = SessionLog(tmp_path / "lina.csv")
    write_rows(
        log,
        [
            hold(),
            hold(side="right", started_at="2026-11-24T07:16:30+08:00", actual_s=40, rpe=None),
            hold(session_id="s2", started_at="2026-11-25T07:00:00+08:00", actual_s=38),
        ],
    )
    return log


def test_lists_the_picked_days_holds_of_the_athlete(log):
    editor = HoldEditor(log, athlete="李娜", day="2026-11-24")
    labels = [label for label, _ in editor.hold.options]
    assert labels == [
        "07:15 side_plank (left), 1 h 07 min of 40 s",
        "07:16 side_plank (right), 40 s of 40 s",
    ]
    assert (editor.seconds.value, editor.side.value, editor.time.value) == (
        4000,
        "left",
        "07:15:03",
    )
    assert editor.rpe.value == 5 and editor.discomfort.value == -1  # unknown stays unknown
    editor.day.value = date(2026, 11, 25)
    assert len(editor.hold.options) == 1 and editor.seconds.value == 38
    editor.day.value = date(2026, 11, 26)
    assert editor.hold.options[0][0] == "no holds logged this day" and editor.save.disabled


def test_save_appends_an_edit_with_the_changes_and_the_history_stays(log):
    before = log.path.read_bytes()
    editor = HoldEditor(log, athlete="李娜", day="2026-11-24")
    editor.seconds.value = 40
    editor.side.value = "both"
    editor.time.value = "06:50"
    editor.discomfort.value = 3
    editor.note.value = "typo fixed"
    editor.save.click()
    assert "Saved:" in editor.status.value and "held (s) 4000 s → 40 s" in editor.status.value
    text = log.path.read_bytes()
    assert text.startswith(before) and text.count(b"\r\n") == before.count(b"\r\n") + 1
    df = log.read(errors="raise")
    fixed = df[df["side"] == "both"].iloc[0]
    assert (fixed["actual_s"], fixed["discomfort"], fixed["rpe"], fixed["note"]) == (
        40,
        3,
        5,
        "typo fixed",
    )
    assert fixed["started_at"] == pd.Timestamp("2026-11-24T06:50:00+08:00")
    assert len(df) == 3
    # the edited hold stays picked and can be edited again
    assert editor.side.value == "both" and editor.time.value == "06:50:00"
    editor.seconds.value = 41
    editor.save.click()
    df = log.read(errors="raise")
    assert df[df["side"] == "both"]["actual_s"].tolist() == [41] and len(df) == 3
    editor.save.click()
    assert editor.status.value.endswith("Nothing changed.</span>")


def test_delete_asks_once_more_then_appends_a_delete(log):
    editor = HoldEditor(log, athlete="李娜", day="2026-11-24")
    editor.hold.value = editor.hold.options[1][1]
    assert editor.side.value == "right"
    size = log.path.stat().st_size
    editor.delete.click()
    assert "Press again" in editor.status.value and log.path.stat().st_size == size
    editor.delete.click()
    assert "Deleted 07:16 side_plank (right)" in editor.status.value
    df = log.read(errors="raise")
    assert len(df) == 2 and "right" not in set(df["side"])
    assert len(editor.hold.options) == 1 and editor.delete.description == "Delete hold"
    raw = pd.read_csv(log.path, dtype=str, keep_default_na=False)
    assert raw["action"].tolist() == ["", "", "", "delete"]


def test_a_bad_value_is_reported_and_nothing_is_written(log):
    editor = HoldEditor(log, athlete="李娜", day="2026-11-24")
    before = log.path.read_bytes()
    editor.time.value = "7 am"
    editor.save.click()
    assert (
        "Not saved: start &#x27;7 am&#x27; is not a date-time: write 07:15" in editor.status.value
    )
    editor.time.value = "25:00"
    editor.save.click()
    assert (
        "Not saved" in editor.status.value
        and "is not a time of day (00:00 to 23:59:59)" in editor.status.value
    )
    assert log.path.read_bytes() == before
