"""Widgets driven without a browser: set values, click, look at the log and the traits."""

from __future__ import annotations

from hipnb import SessionLog
from hipnb.widgets import ManualEntry


def test_manual_entry_saves_through_validation(tmp_path):
    log = SessionLog(tmp_path / "ana.csv")
    form = ManualEntry(log, athlete="ana")
    form.exercise.value, form.side.value = "side_plank", "left"
    form.seconds.value, form.target.value = 42, 45
    form.when.value = "2026-11-24T07:15:03-05:00"
    form.note.value = "<script>alert(1)</script>"
    form.save.click()
    assert "Saved side_plank (left), 42 s" in form.status.value
    (row,) = log.read(errors="raise").to_dict("records")
    assert row["actual_s"] == 42 and row["completed"] is False and row["routine"] == "manual"
    assert row["note"] == "<script>alert(1)</script>"

    form.when.value = "2026-11-24T07:15:03"  # no UTC offset
    form.save.click()
    assert "Not saved" in form.status.value and "no UTC offset" in form.status.value
    form.athlete.value = "<b>x</b>"
    form.when.value = "2026-11-24T07:15:03-05:00"
    form.save.click()
    assert "&lt;b&gt;" in form.status.value and "<b>" not in form.status.value
    assert len(log.read()) == 1
