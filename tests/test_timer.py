"""The timer engine with a fake clock: no sleeps, every time exact."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipnb import SessionLog, Timer, load_routine
from hipnb.routines import parse_routine
from tests.rows import write_rows

TZ = timezone(timedelta(hours=-5))


class FakeClock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


def short_routine():
    """hold 10 (left) / rest 2 / hold 10 (right) / hold 5 (both)."""
    return parse_routine(
        {
            "name": "short",
            "steps": [
                {"exercise": "side_plank", "side": "left", "seconds": 10},
                {"exercise": "rest", "kind": "rest", "seconds": 2, "cue": "Switch sides"},
                {"exercise": "side_plank", "side": "right", "seconds": 10},
                {"exercise": "bound_angle", "side": "both", "seconds": 5},
            ],
        }
    )


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def timer(clock):
    return Timer(
        short_routine(), clock=clock, wall_clock=lambda: datetime(2026, 11, 24, 7, 0, tzinfo=TZ)
    )


def kinds(events):
    return [(e.kind, e.step_index) for e in events]


def test_runs_through_every_step_from_the_clock(timer, clock):
    assert timer.state == "ready" and timer.next_step.side == "left"
    assert kinds(timer.start()) == [("started", None), ("step_started", 0)]
    clock.advance(4)
    assert timer.tick() == [] and timer.remaining == 6 and timer.current_step.side == "left"
    clock.advance(6)
    assert kinds(timer.tick()) == [("step_ended", 0), ("step_started", 1)]
    assert timer.current_step.kind == "rest" and timer.next_step.side == "right"
    clock.advance(17)
    assert kinds(timer.tick()) == [
        ("step_ended", 1),
        ("step_started", 2),
        ("step_ended", 2),
        ("step_started", 3),
        ("step_ended", 3),
        ("finished", None),
    ]
    rows = timer.results("ana")
    assert [(r["side"], r["actual_s"], r["completed"]) for r in rows] == [
        ("left", 10.0, True),
        ("right", 10.0, True),
        ("both", 5.0, True),
    ]
    assert rows[1]["started_at"] == datetime(2026, 11, 24, 7, 0, 12, tzinfo=TZ)
    assert rows[0]["athlete"] == "ana" and rows[0]["session_id"] == timer.session_id


def test_a_tick_forty_seconds_late_lands_on_the_right_step(clock):
    r = load_routine("hip-basics")
    t = Timer(r, clock=clock)
    t.start()
    clock.advance(60 + 10 + 40)  # roll left, switch, 40 s into roll right
    assert t.current_step.exercise == "glute_roll" and t.current_step.side == "right"
    assert t.remaining == pytest.approx(20)
    events = t.tick()
    assert kinds(events)[-1] == ("step_started", 2)
    assert t.results()[0]["actual_s"] == 60
    assert t.step_elapsed == pytest.approx(40)


def test_pause_across_a_step_boundary_excludes_the_pause(timer, clock):
    timer.start()
    clock.advance(8)
    timer.pause()
    clock.advance(100)  # a long pause
    assert timer.remaining == 2 and timer.elapsed == 8
    timer.resume()
    clock.advance(3)  # crosses into the rest, 1 s in
    assert timer.current_step.kind == "rest" and timer.remaining == pytest.approx(1)
    timer.tick()
    assert timer.results()[0]["actual_s"] == 10.0


def test_pause_called_late_first_ends_the_steps_that_ended(timer, clock):
    timer.start()
    clock.advance(13)  # the left plank and the rest are over, 1 s into the right plank
    events = timer.pause()
    assert kinds(events)[-1] == ("paused", 2)
    assert [r["side"] for r in timer.results()] == ["left"]
    clock.advance(30)
    assert timer.step_elapsed == pytest.approx(1)


def test_skip_records_what_was_held(timer, clock):
    timer.start()
    clock.advance(4.5)
    events = timer.skip()
    assert kinds(events) == [("step_skipped", 0), ("step_started", 1)]
    (row,) = timer.results()
    assert row["actual_s"] == 4.5 and row["completed"] is False
    clock.advance(1)
    timer.skip()  # skipping a rest logs nothing
    assert len(timer.results()) == 1 and timer.current_step.side == "right"
    assert timer.remaining == 10


def test_stop_mid_hold_records_the_partial_hold(timer, clock):
    timer.start()
    clock.advance(12 + 7)
    events = timer.stop()
    assert kinds(events)[-1] == ("stopped", 2)
    assert [(r["side"], r["actual_s"], r["completed"]) for r in timer.results()] == [
        ("left", 10.0, True),
        ("right", 7.0, False),
    ]
    assert timer.state == "stopped" and timer.current_step is None
    assert timer.stop() == [] and timer.tick() == []


def test_stop_while_paused_excludes_the_pause(timer, clock):
    timer.start()
    clock.advance(3)
    timer.pause()
    clock.advance(50)
    timer.stop()
    assert timer.results()[0]["actual_s"] == 3


def test_double_start_and_resume_without_pause_do_nothing(timer, clock):
    assert timer.start() != []
    clock.advance(2)
    assert timer.start() == [] and timer.resume() == []
    assert timer.elapsed == 2
    timer.pause()
    assert timer.pause() == []
    assert kinds(timer.resume()) == [("resumed", 0)]


def test_results_append_to_the_log(timer, clock, tmp_path):
    timer.start()
    clock.advance(30)
    timer.tick()
    log = SessionLog(tmp_path / "ana.csv")
    write_rows(log, timer.results("ana"))
    df = log.read(errors="raise")
    assert df["actual_s"].tolist() == [10.0, 10.0, 5.0]
    assert str(df["local_time"].iloc[0]) == "2026-11-24 07:00:00"


ops = st.lists(
    st.tuples(
        st.sampled_from(["tick", "pause", "resume", "skip", "stop", "wait"]),
        st.floats(0, 15, allow_nan=False),
    ),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(ops=ops)
def test_held_seconds_never_exceed_running_time(ops):
    clock = FakeClock()
    t = Timer(short_routine(), clock=clock)
    t.start()
    for op, dt in ops:
        clock.advance(dt)
        if op != "wait":
            getattr(t, op)()
    t.stop()
    rows = t.results()
    assert sum(r["actual_s"] for r in rows) <= t.elapsed + 1e-6
    for r in rows:
        assert 0 <= r["actual_s"] <= r["target_s"]
        assert r["completed"] == (r["actual_s"] == r["target_s"]) or not r["completed"]
    assert t.state in ("stopped", "finished")


# --- get-ready, heartbeats and pain: states of the timer itself -----------------------------------


def watched(clock, get_ready=3.0, grace=5.0):
    return Timer(
        short_routine(),
        clock=clock,
        wall_clock=lambda: datetime(2026, 11, 24, 7, 0, tzinfo=TZ),
        get_ready=get_ready,
        grace=grace,
    )


def beat(timer, clock, seconds, every=1.0):
    """The page counting for ``seconds``: a heartbeat every ``every`` seconds; all events."""
    events, end = [], clock.t + seconds
    while clock.t + every <= end + 1e-9:
        clock.advance(every)
        events += timer.heartbeat()
    return events


def test_get_ready_runs_in_full_however_late_start_is_pressed(clock):
    t = watched(clock)
    t.wall_clock = lambda: datetime(2026, 11, 24, 7, 0, tzinfo=TZ) + timedelta(seconds=clock.t)
    clock.advance(3600)  # the panel was shown an hour ago
    assert kinds(t.start()) == [("get_ready", None)]
    assert t.state == "get_ready" and t.remaining == 3 and t.current_step is None
    assert t.next_step.side == "left" and t.total_remaining == t.routine.total_seconds
    clock.advance(2.5)
    assert t.tick() == [] and t.remaining == pytest.approx(0.5) and t.elapsed == 0
    clock.advance(1.5)  # the tick comes 1 s after the get-ready ended
    assert kinds(t.tick()) == [("started", None), ("step_started", 0)]
    assert t.state == "running" and t.step_elapsed == pytest.approx(1)
    beat(t, clock, 9)
    (row,) = t.results()
    assert row["started_at"] == datetime(2026, 11, 24, 8, 16, 43, tzinfo=TZ), "when the 3-2-1 ended"


def test_stop_during_get_ready_records_nothing(clock):
    t = watched(clock)
    t.start()
    clock.advance(1)
    assert kinds(t.stop()) == [("stopped", None)]
    assert t.state == "stopped" and t.results() == []


def test_hours_away_pause_the_session_where_the_heartbeats_stopped(clock):
    """Three short holds, the page gone for two hours in the first: nothing is invented."""
    t = watched(clock)
    t.start()
    beat(t, clock, 3 + 4)  # get-ready, then 4 s of the left plank
    clock.advance(2 * 3600)  # phone screen off
    events = t.tick()
    assert kinds(events) == [("away", 0)]
    assert t.state == "paused" and t.away_s == pytest.approx(2 * 3600)
    assert t.step_elapsed == pytest.approx(4), "credited up to the last heartbeat"
    assert t.results() == [], "no hold ended while the page was away"
    t.resume()
    beat(t, clock, 6)  # the page counts the rest of the hold
    t.stop()
    (row,) = t.results()
    assert row["actual_s"] == pytest.approx(10) and row["completed"] is True
    assert sum(r["actual_s"] for r in t.results()) <= 4 + 6


def test_a_frozen_page_cannot_complete_later_holds(clock):
    """The page froze 25 s during a routine of short holds: the holds in the gap are not logged."""
    t = watched(clock, get_ready=0)
    t.start()
    beat(t, clock, 2)
    clock.advance(25)
    events = t.heartbeat()  # the page is back
    assert ("away", 0) in kinds(events) and t.state == "paused"
    assert [r["side"] for r in t.results()] == []
    assert t.step_elapsed == pytest.approx(2) and t.current_step.side == "left"
    t.stop()
    assert [(r["actual_s"], r["completed"]) for r in t.results()] == [(2.0, False)]


def test_a_page_that_missed_the_get_ready_gets_it_again(clock):
    t = watched(clock, get_ready=3)
    t.start()
    beat(t, clock, 1)
    clock.advance(600)
    assert kinds(t.heartbeat()) == [("away", None), ("get_ready", None)]
    assert t.state == "get_ready" and t.remaining == 3 and t.away_s == pytest.approx(600)
    beat(t, clock, 3)
    assert t.state == "running" and t.elapsed == 0


def test_heartbeats_within_grace_lose_nothing(clock):
    t = watched(clock, get_ready=0, grace=5)
    t.start()
    beat(t, clock, 12, every=4)  # a slow, throttled page: a heartbeat every 4 s
    assert t.state == "running" and t.elapsed == pytest.approx(12)
    assert [r["completed"] for r in t.results()] == [True]


def test_pause_and_stop_after_a_silence_credit_only_the_grace(clock):
    t = watched(clock, get_ready=0, grace=5)
    t.start()
    beat(t, clock, 3)
    clock.advance(60)
    events = t.pause()
    assert kinds(events) == [("away", 0)] and t.elapsed == pytest.approx(3)
    assert t.pause() == [], "already paused"


def test_pain_ends_the_hold_records_when_and_pauses(clock):
    t = watched(clock, get_ready=0)
    t.start()
    beat(t, clock, 6)
    events = t.pain(7)
    assert kinds(events) == [("pain", 0), ("step_started", 1), ("paused", 1)]
    assert t.state == "paused" and t.current_step.kind == "rest" and t.remaining == 2
    (row,) = t.results()
    assert (row["actual_s"], row["pain_at_s"], row["discomfort"], row["completed"]) == (
        6.0,
        6.0,
        7,
        False,
    )
    t.rate_pain(0, 4)
    assert t.results()[0]["discomfort"] == 4
    with pytest.raises(ValueError):
        t.rate_pain(2, 1)
    clock.advance(100)
    assert t.pain() == [], "no hold runs during a rest"
    t.stop()  # the athlete chooses to end: the rest logs nothing
    assert len(t.results()) == 1 and t.state == "stopped"


def test_pain_then_go_on(clock):
    t = watched(clock, get_ready=0)
    t.start()
    beat(t, clock, 2)
    t.pain(None)
    clock.advance(30)  # deciding
    t.resume()
    beat(t, clock, 2 + 10 + 5)
    assert t.state == "finished"
    rows = t.results()
    assert [(r["side"], r["actual_s"], r["pain_at_s"]) for r in rows] == [
        ("left", 2.0, 2.0),
        ("right", 10.0, None),
        ("both", 5.0, None),
    ]
    assert rows[0]["discomfort"] is None


page_ops = st.lists(
    st.tuples(
        st.sampled_from(["heartbeat", "heartbeat", "tick", "pause", "resume", "skip", "pain"]),
        st.one_of(st.floats(0, 3, allow_nan=False), st.floats(0, 7200, allow_nan=False)),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(ops=page_ops)
def test_a_silent_page_is_never_credited_more_than_the_grace(ops):
    """Whatever the page does, credited time <= the gaps between its contacts, each capped at
    the grace, plus one grace: two hours of silence add at most five seconds."""
    clock, grace = FakeClock(), 5.0
    t = Timer(short_routine(), clock=clock, get_ready=0, grace=grace)
    t.start()
    contacts = [clock.t]
    for op, dt in ops:
        clock.advance(dt)
        getattr(t, op)()
        if op in ("heartbeat", "resume"):
            contacts.append(clock.t)
    clock.advance(3600)
    t.stop()
    gaps = [b - a for a, b in zip(contacts, contacts[1:], strict=False)]
    bound = sum(min(g, grace) for g in gaps) + grace
    assert t.elapsed <= bound + 1e-6
    assert sum(r["actual_s"] for r in t.results()) <= t.elapsed + 1e-6


# --- heartbeats that arrive late: the credit stops where the page had counted --------------------


def test_a_late_heartbeat_credits_what_the_page_had_shown_not_when_it_arrived(clock):
    """A loaded machine delivers each heartbeat 1.2 s late; then the page freezes. The session
    holds the 2.5 s the page showed, not the 3.7 s at which its last heartbeat arrived."""
    t = watched(clock, get_ready=0, grace=5)
    start = clock.t
    t.start()
    for shown in (1.0, 2.0, 2.5):
        clock.t = start + shown + 1.2
        assert t.heartbeat(shown=shown) == []
    clock.advance(8)  # frozen: nothing arrives
    assert kinds(t.tick()) == [("away", 0)]
    assert t.elapsed == pytest.approx(2.5) and t.away_s == pytest.approx(8)
    t.stop()
    assert [(r["actual_s"], r["completed"]) for r in t.results()] == [(2.5, False)]


def test_a_heartbeat_cannot_claim_more_than_has_run(clock):
    t = watched(clock, get_ready=0, grace=5)
    t.start()
    clock.advance(2)
    t.heartbeat(shown=9.0)  # a page counting from a wrong deadline
    clock.advance(60)
    t.tick()
    assert t.elapsed == pytest.approx(2), "never past the time the heartbeat arrived"


late_beats = st.lists(
    st.tuples(st.floats(0.05, 2.0), st.floats(0.0, 3.0)),  # (page counts on, message is late by)
    min_size=1,
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(beats=late_beats)
def test_a_silent_page_is_credited_what_it_showed_at_its_last_heartbeat(beats):
    """Whatever the delays, after the page falls silent the session holds exactly what the page
    had counted when it sent its last heartbeat, or the end of a step already ended, if later."""
    clock = FakeClock()
    t = Timer(short_routine(), clock=clock, get_ready=0, grace=5.0)
    start = clock.t
    t.start()
    page = 0.0
    for every, late in beats:
        page += every
        clock.t = max(clock.t, start + page + late)  # messages arrive in order, late
        t.heartbeat(shown=page)
        if t.state == "finished":
            return
    clock.advance(3600)
    t.tick()
    ends, total = [], 0.0
    for step in t.steps:
        total += step.seconds
        ends.append(total)
    assert t.state == "paused"
    assert t.elapsed == pytest.approx(page) or (t.elapsed > page and t.elapsed in ends)
    assert sum(r["actual_s"] for r in t.results()) <= t.elapsed + 1e-6
