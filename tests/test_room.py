"""The room's clock and what it credits each participant: hipnb.room.Room on a fake clock."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

import pytest

from hipnb.room import Room
from hipnb.routines import parse_routine
from tests.routines import routine_toml

ROUTINE = parse_routine(
    tomllib.loads(routine_toml("room test", "side_plank left 10", "rest 2", "side_plank right 10"))
)
T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def room():
    clock = Clock()
    r = Room(
        ROUTINE,
        clock=clock,
        wall_clock=lambda: T0 + timedelta(seconds=clock.now - 100.0),
        get_ready=0,
        grace=5,
    )
    r.fake = clock
    return r


def run(room, until, phones, every=1.0, silent=()):
    """Move the clock to ``until`` (seconds after 100) in steps of ``every``: each phone not in
    ``silent`` (a list of (phone, from, to)) beats at each step; returns the holds due."""
    due = []
    while room.fake.now < 100 + until - 1e-9:
        room.fake.now = min(room.fake.now + every, 100 + until)
        at = room.fake.now - 100
        for phone in phones:
            if not any(p == phone and a <= at < b for p, a, b in silent):
                room.heard(phone)
        due += room.tick()
    return due


def by(holds):
    out = {}
    for h in holds:
        out.setdefault(h["athlete"], []).append(h)
    return out


def test_every_follower_gets_the_rooms_holds_in_their_own_name(room):
    for phone, name in [("p1", "ana"), ("p2", "Zoë"), ("p3", "李娜")]:
        room.join(phone, name)
    assert room.command("start") == []
    holds = by(run(room, 22, ["p1", "p2", "p3"]))
    assert set(holds) == {"ana", "Zoë", "李娜"}
    for rows in holds.values():
        assert [(r["side"], r["actual_s"], r["completed"]) for r in rows] == [
            ("left", 10.0, True),
            ("right", 10.0, True),
        ]
        assert rows[0]["started_at"] == T0 and rows[1]["started_at"] == T0 + timedelta(seconds=12)
        assert rows[0]["session_id"] == room.timer.session_id
    assert room.timer.state == "finished"
    assert len(room.following()) == 3


def test_a_late_phone_is_credited_from_when_it_joined(room):
    room.join("p1", "ana")
    room.command("start")
    due = run(room, 4, ["p1"])
    room.join("p2", "ben")  # 4 s into the first hold
    due += run(room, 22, ["p1", "p2"])
    ben = by(due)["ben"]
    assert [(r["actual_s"], r["completed"]) for r in ben] == [(6.0, False), (10.0, True)]
    assert ben[0]["started_at"] == T0 + timedelta(seconds=4)


def test_a_frozen_phone_is_not_credited_for_the_time_it_did_not_beat(room):
    room.join("p1", "ana")
    room.join("p2", "ben")
    room.command("start")
    # ben's phone beats at 1 s, then not until 9 s (longer than the grace): 1-9 s is not his
    due = run(room, 22, ["p1", "p2"], silent=[("p2", 2, 9)])
    ben = by(due)["ben"]
    assert ben[0]["actual_s"] == pytest.approx(10 - (9 - 1)) and not ben[0]["completed"]
    assert ben[1]["actual_s"] == 10 and ben[1]["completed"]
    assert by(due)["ana"][0]["completed"]


def test_a_short_silence_within_the_grace_costs_nothing(room):
    room.join("p1", "ana")
    room.command("start")
    due = run(room, 22, ["p1"], silent=[("p1", 3, 6)])
    assert [r["completed"] for r in due] == [True, True]


def test_the_teachers_pause_is_no_ones_hold_time(room):
    room.join("p1", "ana")
    room.command("start")
    due = run(room, 3, ["p1"])
    room.command("pause")
    due += run(room, 63, ["p1"])  # a minute paused, the phone still there
    room.command("resume")
    due += run(room, 90, ["p1"])
    assert [(r["actual_s"], r["completed"]) for r in due] == [(10.0, True), (10.0, True)]
    assert due[1]["started_at"] == T0 + timedelta(seconds=72)


def test_a_phones_own_pain_ends_its_hold_alone_until_it_rejoins(room):
    room.join("p1", "ana")
    room.join("p2", "ben")
    room.command("start")
    due = run(room, 4, ["p1", "p2"])
    due += room.pain("p2")
    assert room.pains == [{"athlete": "ben", "step": 0, "label": ROUTINE.steps[0].label}]
    assert room.timer.state == "running"  # the room goes on
    due += run(room, 15, ["p1", "p2"])
    room.rejoin("p2")  # 3 s into the second hold
    due += run(room, 22, ["p1", "p2"])
    ben = by(due)["ben"]
    assert [(r["actual_s"], r["completed"], r["pain_at_s"]) for r in ben] == [
        (4.0, False, 4.0),
        (7.0, False, None),
    ]
    assert [r["completed"] for r in by(due)["ana"]] == [True, True]


def test_the_teachers_pain_pauses_the_room_and_go_on_resumes(room):
    room.join("p1", "ana")
    room.command("start")
    due = run(room, 4, ["p1"])
    due += room.command("pain")
    assert room.pain_open and room.timer.state == "paused"
    assert room.command("start") == [] and room.command("skip") == []  # only go on or end
    due += run(room, 30, ["p1"])
    due += room.command("go_on")
    assert not room.pain_open and room.timer.state == "running"
    due += run(room, 42, ["p1"])
    assert [(r["actual_s"], r["completed"], r["pain_at_s"]) for r in due] == [
        (4.0, False, None),
        (10.0, True, None),
    ]


def test_end_and_skip_log_what_was_held(room):
    room.join("p1", "ana")
    room.command("start")
    due = run(room, 3, ["p1"])
    due += room.command("next")  # the clicker's next: skip
    due += run(room, 8, ["p1"])  # 2 s rest, 3 s of the right side
    due += room.command("end")
    assert [(r["side"], r["actual_s"], r["completed"]) for r in due] == [
        ("left", 3.0, False),
        ("right", 3.0, False),
    ]
    assert room.timer.state == "stopped"
    room.command("new")
    assert room.timer.state == "ready"


def test_the_room_tells_every_page_the_same_moment(room):
    room.join("p1", "ana")
    before = room.version
    room.command("start")
    shown = room.shown()
    assert shown["version"] > before
    d = shown["display"]
    assert d["state"] == "running" and d["remaining"] == 10 and d["side_label"] == "left"
    assert d["announce"].startswith(ROUTINE.steps[0].label)
    run(room, 11, ["p1"])
    d = room.shown()["display"]
    assert d["kind"] == "rest" and d["remaining"] == pytest.approx(1.0)
    assert room.shown()["phones"] == 1
    room.fake.now += 6  # no heartbeat for longer than the grace
    assert room.shown()["phones"] == 0


def test_a_phone_away_when_its_hold_ends_is_written_when_it_says_what_it_counted(room):
    """Its network dropped, its page kept beating: nothing is lost. Its spans count from when it
    joined to now, and only where the room ran."""
    room.join("p1", "ana")
    room.join("p2", "ben")
    room.command("start")
    due = run(room, 22, ["p1", "p2"], silent=[("p2", 3, 30)])  # ben's network drops at 3 s
    assert [h["athlete"] for h in due] == ["ana", "ana"]
    assert room.pending == {"ben": {0, 2}}
    room.fake.now = 100 + 30
    room.heard("p2")  # back: what it counted meanwhile, as the page beat it (and more)
    back = room.was_here("p2", [[95.0, 129.5], ["x", 1], [5]])
    assert [(h["side"], h["actual_s"], h["completed"]) for h in back] == [
        ("left", 10.0, True),
        ("right", 10.0, True),
    ]
    assert room.pending == {}
    assert room.was_here("p2", [[100.0, 130.0]]) == [], "never written twice"


def test_a_phone_that_never_comes_back_gets_what_it_followed_at_the_next_session(room):
    room.join("p1", "ana")
    room.command("start")
    due = run(room, 22, ["p1"], silent=[("p1", 4, 99)])
    assert due == [] and room.pending == {"ana": {0, 2}}
    held = room.command("new")
    assert [(h["side"], h["actual_s"], h["completed"]) for h in held] == [("left", 3.0, False)]
    assert room.timer.state == "ready" and room.pending == {}


def test_spans_never_credit_a_pause_or_time_before_the_phone_joined(room):
    room.command("start")
    run(room, 2, [])
    room.join("p1", "ana")  # 2 s into the first hold
    run(room, 4, ["p1"], silent=[("p1", 3, 99)])
    room.command("pause")
    run(room, 40, [])
    room.command("resume")
    run(room, 46, [])  # the first hold ends at 46 s (6 s left after the pause)
    room.fake.now = 100 + 50
    room.heard("p1")
    (hold,) = room.was_here("p1", [[0.0, 150.0]])
    assert hold["actual_s"] == pytest.approx(8.0) and not hold["completed"]
