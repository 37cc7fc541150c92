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


# --- the timer panel, driven like the browser would: button clicks and display messages --------

from datetime import datetime, timedelta, timezone  # noqa: E402

from hipnb import TimerPanel, read_logs  # noqa: E402
from hipnb.routines import parse_routine  # noqa: E402


class FakeClock:
    def __init__(self):
        self.t = 50.0

    def __call__(self):
        return self.t


def _routine():
    return parse_routine(
        {
            "name": "short",
            "steps": [
                {"exercise": "side_plank", "side": "left", "seconds": 5, "cue": "Hips up"},
                {
                    "exercise": "rest",
                    "kind": "rest",
                    "seconds": 2,
                    "cue": "Switch to your right side",
                },
                {"exercise": "side_plank", "side": "right", "seconds": 5},
            ],
        }
    )


def _panel(tmp_path, get_ready=3.0):
    clock = FakeClock()
    wall = lambda: datetime(2026, 11, 24, 7, 0, tzinfo=timezone(timedelta(hours=1)))  # noqa: E731
    panel = TimerPanel(
        _routine(),
        athlete="ana",
        log=tmp_path / "ana.csv",
        clock=clock,
        wall_clock=wall,
        get_ready=get_ready,
    )
    return panel, clock


def expire(panel):
    panel._on_display_msg(panel.display_widget, {"event": "expired"}, [])


def test_panel_runs_a_routine_and_logs_each_hold_as_it_ends(tmp_path):
    panel, clock = _panel(tmp_path)
    d = panel.display_widget
    assert (d.state, d.title, panel.pause_button.disabled) == ("ready", "short", True)
    assert d.remaining == 5 and d.next_label == "Side plank (left)", "ready shows what comes"
    panel.start_button.click()
    assert d.state == "countdown" and d.remaining == 3 and panel.start_button.disabled
    clock.t += 3
    expire(panel)  # the 3-2-1 ended in the browser
    assert d.state == "running" and d.side_label == "left" and d.cue == "Hips up"
    assert d.announce.startswith("Side plank (left)") and d.next_label == "Rest"
    assert not panel.pause_button.disabled and panel.resume_button.disabled
    clock.t += 5
    expire(panel)
    assert d.kind == "rest" and d.announce == "Switch to your right side"
    log = panel.session_log
    assert len(log.read()) == 1, "the first hold is on disk as soon as it ended"
    clock.t += 2
    expire(panel)
    panel.pause_button.click()
    clock.t += 100
    panel.resume_button.click()
    clock.t += 5
    expire(panel)
    assert d.state == "finished" and panel.answers.layout.display == "flex"
    rows = log.read()
    assert rows["actual_s"].tolist() == [5.0, 5.0] and rows["completed"].all()
    panel.discomfort.value, panel.rpe.value, panel.note.value = 3, 6, "<script>x</script>"
    panel.save_button.click()
    squad = read_logs(log.path)
    assert len(squad) == 2, "the answers replace the last hold's first copy"
    assert (
        squad["discomfort"].tolist()[-1] == 3 and squad["note"].tolist()[-1] == "<script>x</script>"
    )
    assert "Answers saved" in panel.status.value


def test_panel_stop_mid_hold_logs_the_partial_hold(tmp_path):
    panel, clock = _panel(tmp_path, get_ready=0)
    panel.start_button.click()
    clock.t += 2.5
    panel.stop_button.click()
    (row,) = panel.session_log.read().to_dict("records")
    assert row["actual_s"] == 2.5 and row["completed"] is False
    assert panel.display_widget.state == "stopped" and panel.start_button.disabled
    assert "1 hold(s) logged" in panel.status.value


def test_panel_skip_and_mute(tmp_path):
    panel, clock = _panel(tmp_path, get_ready=0)
    panel.mute.value = True
    assert panel.display_widget.muted is True
    panel.start_button.click()
    clock.t += 1
    panel.skip_button.click()
    assert panel.display_widget.kind == "rest"
    assert panel.rows_written[0]["actual_s"] == 1 and not panel.rows_written[0]["completed"]


def test_progress_view_follows_athlete_and_dates():
    import datetime as dt

    from hipnb.widgets import ProgressView

    from .conftest import SAMPLE

    view = ProgressView(read_logs(SAMPLE), athlete="dev")
    assert "right side plank" in view.summary.value and "weaker than left" in view.summary.value
    assert view.figure._suptitle.get_text().startswith("dev: hip routine progress")
    view.athlete.value = "emma"
    assert "discomfort rising" in view.summary.value
    assert view.figure._suptitle.get_text().startswith("emma:")
    view.start.value = view.end.value = dt.date(2026, 9, 1)
    assert set(view.selected()["local_time"].dt.date) <= {dt.date(2026, 9, 1)}
