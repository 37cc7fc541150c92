"""The timer engine with a fake clock: no sleeps, every time exact."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipnb import SessionLog, Timer, load_routine
from hipnb.routines import parse_routine

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
    log.append(timer.results("ana"))
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
