"""Widgets driven without a browser: set values, click, look at the log and the traits."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd

from hipnb import SessionLog, load_routine
from hipnb.widgets import ManualEntry


def test_manual_entry_saves_through_validation(tmp_path):
    log = SessionLog(tmp_path / "ana.csv")
    form = ManualEntry(log, athlete="ana")
    form.exercise.value, form.side.value = "side_plank", "left"
    form.seconds.value, form.target.value = 42, 45
    form.day.value, form.clock_time.value = dt.date(2026, 11, 24), dt.time(7, 15, 3)
    form.note.value = "<script>alert(1)</script>"
    form.save.click()
    assert "Saved side_plank (left), 42 s" in form.status.value
    (row,) = log.read(errors="raise").to_dict("records")
    assert row["actual_s"] == 42 and row["completed"] is False and row["routine"] == "manual"
    assert row["note"] == "<script>alert(1)</script>"
    assert row["local_time"] == pd.Timestamp("2026-11-24 07:15:03")
    assert pd.isna(row["rpe"]) and pd.isna(row["discomfort"]), "untouched answers are unknown"

    form.day.value = None
    form.save.click()
    assert "Not saved" in form.status.value and "pick the date" in form.status.value
    form.athlete.value = "<b>x</b>"
    form.day.value = dt.date(2026, 11, 24)
    form.save.click()
    assert "&lt;b&gt;" in form.status.value and "<b>" not in form.status.value
    assert len(log.read()) == 1


def test_manual_entry_defaults_come_from_the_routine(tmp_path):
    log = SessionLog(tmp_path / "ana.csv")
    form = ManualEntry(log, athlete="ana")
    assert form.exercise.value == "glute_roll" and form.target.value == 60
    form.exercise.value = "bound_angle"
    assert (form.side.value, form.target.value, form.seconds.value) == ("both", 180, 180)
    assert "180 s to 300 s" in form.hint.value
    form.save.click()  # saved untouched: the routine's bound angle, not a 30 s one
    (row,) = log.read(errors="raise").to_dict("records")
    assert (row["exercise"], row["target_s"], row["actual_s"]) == ("bound_angle", 180, 180)
    routine = load_routine("hip-basics").with_seconds("side_plank", 45)
    form = ManualEntry(log, athlete="ana", routine=routine)
    form.exercise.value = "side_plank"
    assert (form.side.value, form.target.value) == ("left", 45)


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


def from_page(panel, **content):
    """A message from the page's countdown, delivered as the kernel does: through the widget's comm."""
    msg = {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    panel.display_widget.comm.handle_msg(msg)


def expire(panel):
    from_page(panel, event="expired")


def count(panel, clock, seconds):
    """The page counting down ``seconds``: a heartbeat a second, then the expiry message."""
    for _ in range(int(seconds)):
        clock.t += 1
        from_page(panel, event="heartbeat")
    clock.t += seconds - int(seconds)
    expire(panel)


def test_panel_runs_a_routine_and_logs_each_hold_as_it_ends(tmp_path):
    panel, clock = _panel(tmp_path)
    d = panel.display_widget
    assert (d.state, d.title, panel.pause_button.disabled) == ("ready", "short", True)
    assert d.remaining == 5 and d.next_label == "Side plank (left)", "ready shows what comes"
    clock.t += 600  # Start pressed ten minutes after the panel appeared
    panel.start_button.click()
    assert d.state == "get_ready" and d.remaining == 3 and panel.start_button.disabled
    assert panel.timer.state == "get_ready", "the 3-2-1 is the timer's state, not the widget's"
    count(panel, clock, 3)  # the 3-2-1 ended in the browser
    assert d.state == "running" and d.side_label == "left" and d.cue == "Hips up"
    assert d.announce.startswith("Side plank (left)") and d.next_label == "Rest"
    assert not panel.pause_button.disabled and panel.resume_button.disabled
    count(panel, clock, 5)
    assert d.kind == "rest" and d.announce == "Switch to your right side"
    log = panel.session_log
    assert len(log.read()) == 1, "the first hold is on disk as soon as it ended"
    count(panel, clock, 2)
    panel.pause_button.click()
    clock.t += 100
    panel.resume_button.click()
    count(panel, clock, 5)
    assert d.state == "finished" and panel.answers.layout.display == "flex"
    rows = log.read()
    assert rows["actual_s"].tolist() == [5.0, 5.0] and rows["completed"].all()
    panel.rpe.value, panel.note.value = 6, "<script>x</script>"
    panel.save_button.click()
    raw = pd.read_csv(log.path, keep_default_na=False)
    assert raw["action"].tolist() == ["", "", "patch", "patch"], "answers are corrections"
    assert (
        raw["hold_id"].iloc[2] == f"{panel.timer.session_id}|side_plank|left|2026-11-24T06:00:00Z"
    )
    squad = read_logs(log.path)
    assert len(squad) == 2, "the corrections apply to the holds, adding none"
    assert squad["rpe"].tolist() == [6, 6] and set(squad["note"]) == {"<script>x</script>"}
    assert squad["discomfort"].isna().all(), "an untouched discomfort answer is unknown, not 0"
    assert "Answers saved" in panel.status.value and panel.answers.layout.display == "none"


def test_panel_stop_mid_hold_logs_the_partial_hold(tmp_path):
    panel, clock = _panel(tmp_path, get_ready=0)
    panel.start_button.click()
    clock.t += 2.5
    panel.stop_button.click()
    (row,) = panel.session_log.read().to_dict("records")
    assert row["actual_s"] == 2.5 and row["completed"] is False
    assert panel.display_widget.state == "stopped" and panel.start_button.disabled
    assert "1 hold logged to " in panel.status.value and str(tmp_path) not in panel.status.value
    assert panel.display_widget.summary[1:] == ["Side plank: left 2 s"]  # the seconds of one side


def test_panel_skip_and_mute(tmp_path):
    panel, clock = _panel(tmp_path, get_ready=0)
    panel.mute.value = True
    assert panel.display_widget.muted is True
    panel.start_button.click()
    clock.t += 1
    panel.skip_button.click()
    assert panel.display_widget.kind == "rest"
    assert panel.rows_written[0]["actual_s"] == 1 and not panel.rows_written[0]["completed"]


def test_a_page_away_for_hours_pauses_and_says_so(tmp_path):
    panel, clock = _panel(tmp_path, get_ready=0)
    d = panel.display_widget
    panel.start_button.click()
    count(panel, clock, 2)
    clock.t += 2 * 3600  # the laptop lid was closed
    from_page(panel, event="visibility", hidden=False)
    assert d.state == "paused" and d.message == "Paused: the page was away for 2 h."
    assert panel.session_log.read().empty, "no hold was completed while nobody watched"
    assert not panel.resume_button.disabled and not panel.stop_button.disabled
    panel.stop_button.click()
    (row,) = panel.session_log.read().to_dict("records")
    assert row["actual_s"] == 2 and not row["completed"]
    assert d.message == "", "the away banner ends with the session it paused"


def test_end_summary_and_new_session(tmp_path):
    panel, clock = _panel(tmp_path, get_ready=0)
    d = panel.display_widget
    panel.start_button.click()
    count(panel, clock, 5)
    count(panel, clock, 2)
    count(panel, clock, 3)
    panel.stop_button.click()
    assert (d.state, d.title, d.next_label, d.cue) == ("stopped", "Session ended", "", "")
    assert d.summary[0] == "1 of 2 holds done to target"
    assert d.summary[1].endswith(": left 5 s · right 3 s")  # one exercise, by side
    assert panel.new_button.layout.display is None and not panel.new_button.disabled
    assert panel.start_button.layout.display == "none" and panel.start_button.disabled
    first_id = panel.timer.session_id
    panel.rpe.value = 4
    panel.new_button.click()
    assert panel.timer.session_id != first_id and panel.timer.state == "ready"
    assert d.state == "ready" and d.summary == [] and d.title == "short"
    assert panel.rpe.value == -1 and panel.answers.layout.display == "none"
    assert not panel.start_button.disabled and panel.new_button.layout.display == "none"
    panel.start_button.click()
    count(panel, clock, 5)
    ids = panel.session_log.read()["session_id"]
    assert ids.nunique() == 2 and (ids == panel.timer.session_id).sum() == 1


class BrokenLog(SessionLog):
    """A log whose writes fail until ``healed``, like a full disk."""

    def __init__(self, path):
        super().__init__(path, write=self.write)
        self.real, self.healed, self.calls = SessionLog(path), False, 0

    def write(self, fd, data):
        self.calls += 1
        if not self.healed:
            raise OSError(28, "No space left on device")
        return os.write(fd, data)

    def running(self, routine):
        return self


def test_a_failing_log_never_freezes_the_panel(tmp_path):
    panel, clock = _panel(tmp_path, get_ready=0)
    panel.session_log = broken = BrokenLog(tmp_path / "ana.csv")
    d = panel.display_widget
    panel.start_button.click()
    count(panel, clock, 5)
    assert d.state == "running" and d.kind == "rest", "the display keeps up with the timer"
    assert "no space left on the device" in d.message and "no space left" in panel.status.value
    assert panel.save_problem.layout.display == "flex" and len(panel.unsaved) == 1
    count(panel, clock, 2)
    count(panel, clock, 5)
    assert d.state == "finished" and len(panel.unsaved) == 2 and broken.calls == 2
    broken.healed = True
    panel.retry_button.click()
    assert panel.unsaved == [] and d.message == "" and panel.save_problem.layout.display == "none"
    assert broken.real.read()["side"].tolist() == ["left", "right"]


def test_a_log_with_an_unusable_header_shows_the_error_and_keeps_the_holds(tmp_path):
    path = tmp_path / "ana.csv"
    path.write_text("Date;Exercise;Seconds\r\n2026-11-24;plank;30\r\n")  # a spreadsheet's file
    panel, clock = _panel(tmp_path, get_ready=0)
    panel.start_button.click()
    count(panel, clock, 5)
    assert "separated by semicolons" in panel.display_widget.message and panel.unsaved
    assert panel.display_widget.kind == "rest" and panel.timer.current_index == 1
    path.unlink()  # the user moves the spreadsheet away
    panel.retry_button.click()
    assert len(SessionLog(path).read()) == 1 and not panel.unsaved


def test_pain_mid_hold_records_when_and_how_bad_then_goes_on(tmp_path):
    panel, clock = _panel(tmp_path, get_ready=0)
    d = panel.display_widget
    panel.start_button.click()
    count(panel, clock, 2)
    clock.t += 0.5
    panel.pain_button.click()
    assert d.state == "paused" and d.kind == "rest" and "Pain noted" in d.message
    assert panel.pain_box.layout.display == "flex" and panel.resume_button.disabled
    (row,) = panel.session_log.read().to_dict("records")
    assert (row["actual_s"], row["pain_at_s"], row["completed"]) == (2.5, 2.5, False)
    assert pd.isna(row["discomfort"]), "on disk at once, the score not given yet"
    panel.pain_score.value = 6
    panel.go_on_button.click()
    assert d.state == "running" and d.message == "" and panel.pain_box.layout.display == "none"
    (row,) = read_logs(panel.session_log.path).to_dict("records")
    assert (row["actual_s"], row["pain_at_s"], row["discomfort"]) == (2.5, 2.5, 6)
    count(panel, clock, 2)
    count(panel, clock, 5)
    assert d.state == "finished"
    assert any("Pain" in line for line in d.summary)


def test_pain_key_on_the_last_hold_then_end(tmp_path):
    panel, clock = _panel(tmp_path, get_ready=0)
    panel.start_button.click()
    count(panel, clock, 5)
    panel.skip_button.click()  # skip the rest
    count(panel, clock, 1)
    from_page(panel, event="pain")  # the P key
    assert panel.timer.state == "finished" and panel.go_on_button.disabled
    panel.pain_score.value = 8
    panel.end_button.click()
    assert panel.answers.layout.display == "flex"
    panel.discomfort.value = 2
    panel.save_button.click()
    rows = read_logs(panel.session_log.path)
    assert rows["discomfort"].tolist() == [2, 8], "the answers never replace a pain score"
    assert rows["pain_at_s"].isna().tolist() == [True, False] and rows["pain_at_s"].iloc[1] == 1


def test_target_offer_from_the_log_reaches_the_timer(tmp_path):
    from hipnb.widgets import TargetOffer

    routine = load_routine("hip-basics")
    suggestions = pd.DataFrame(
        {
            "athlete": ["ana", "ana", "bo"],
            "exercise": ["side_plank", "bound_angle", "side_plank"],
            "target_s": [30.0, 180.0, 30.0],
            "suggested_s": [45.0, 180.0, 60.0],
            "reason": ["last 3 sessions completed, so add 15 s", "keep: discomfort 5", "x"],
        }
    )
    offer = TargetOffer(routine, suggestions, athlete="ana")
    assert list(offer.choices) == ["side_plank"] and offer.routine == routine
    text = " ".join(
        c.value for c in offer.children if hasattr(c, "value") and isinstance(c.value, str)
    )
    assert "so add 15 s" in text and "keep: discomfort 5" in text
    panel = TimerPanel(routine, athlete="ana", suggestions=suggestions)
    pick, _ = panel.offer.choices["side_plank"]
    pick.value = 45.0
    assert [s.seconds for s in panel.timer.routine.holds if s.exercise == "side_plank"] == [45, 45]
    panel.start_button.click()
    assert panel.offer.layout.display == "none"
    pick.value = 30.0
    assert panel.timer.routine.holds[-1].seconds == 45, "no change once started"


def test_progress_view_follows_athlete_and_dates():
    from hipnb.analysis import ReviewDay
    from hipnb.demo import SAMPLE_END
    from hipnb.review import today
    from hipnb.widgets import ProgressView

    from .conftest import SAMPLE

    today_view = ProgressView(ReviewDay.on(read_logs(SAMPLE)), athlete="dev")
    assert today_view.end.value == today(), "default: today"
    view = ProgressView(ReviewDay(read_logs(SAMPLE), as_of=SAMPLE_END), athlete="dev")
    assert view.end.value == SAMPLE_END
    assert "right side plank" in view.summary.value and "weaker than left" in view.summary.value
    assert view.figure.get_suptitle().startswith("dev: hip routine progress")
    view.athlete.value = "emma"
    assert "discomfort rising" in view.summary.value
    assert view.figure.get_suptitle().startswith("emma:")
    view.start.value = view.end.value = dt.date(2026, 9, 1)
    assert set(view.selected()["local_time"].dt.date) <= {dt.date(2026, 9, 1)}


def test_a_late_heartbeat_credits_only_what_the_page_had_counted(tmp_path):
    """The page says how far it counted from which display state; a loaded kernel reading it late
    credits that, not the time the message arrived."""
    panel, clock = _panel(tmp_path, get_ready=0)
    d = panel.display_widget
    panel.start_button.click()
    clock.t += 3.5  # the page had counted 2 s when it sent this; the kernel reads it 1.5 s later
    from_page(panel, event="heartbeat", sync_id=d.sync_id, counted=2.0)
    clock.t += 60  # then the page froze
    from_page(panel, event="visibility", hidden=False, sync_id=d.sync_id, counted=2.0)
    assert d.state == "paused" and d.message.startswith("Paused: the page was away for")
    panel.stop_button.click()
    (row,) = panel.session_log.read().to_dict("records")
    assert row["actual_s"] == 2 and not row["completed"]
