from __future__ import annotations

import re

import pytest

import hipnb
from hipnb import RoutineError, load_routine

from .conftest import DATA, ROOT

BAD = sorted((DATA / "routines").glob("bad_*.toml"))


def test_builtin_hip_basics_has_the_core_routine():
    r = load_routine("hip-basics")
    holds = [(s.exercise, s.side, s.seconds) for s in r.holds]
    assert holds == [
        ("glute_roll", "left", 60.0),
        ("glute_roll", "right", 60.0),
        ("bound_angle", "both", 180.0),
        ("side_plank", "left", 30.0),
        ("side_plank", "right", 30.0),
    ]
    assert all(s.cue for s in r.steps), "every step carries a cue"
    assert any("Switch to your right side" in s.cue for s in r.steps if not s.is_hold)
    assert r.exercises["bound_angle"].min_seconds == 180
    assert r.exercises["bound_angle"].max_seconds == 300
    assert "never push" in r.exercises["bound_angle"].cue.lower()
    assert hipnb.list_routines() == ["hip-basics"]


def test_data_routines_folder_holds_the_same_file_as_the_package():
    shipped = ROOT / "hipnb" / "routines" / "hip-basics.toml"
    assert (ROOT / "data" / "routines" / "hip-basics.toml").read_bytes() == shipped.read_bytes()
    assert load_routine(ROOT / "data" / "routines" / "hip-basics.toml").steps == (
        load_routine("hip-basics").steps
    )


def test_custom_routine_from_path():
    r = load_routine(DATA / "routines" / "good_custom.toml")
    assert r.name == "plank-ladder"
    assert r.holds[0].name == "Clamshell"
    assert r.holds[1].seconds == 45.5
    assert r.holds[1].label == "Side plank (left)"


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_routine_files_say_file_and_what(path):
    expected = re.match(r"# expect: (.*)", path.read_text()).group(1)
    with pytest.raises(RoutineError) as info:
        load_routine(path)
    message = str(info.value)
    assert str(path) in message
    assert expected in message


def test_missing_routine_names_builtins():
    with pytest.raises(RoutineError, match="no such routine file.*hip-basics"):
        load_routine("no-such-routine")


def test_with_seconds_validates_the_bound_angle_range():
    r = load_routine("hip-basics")
    assert r.with_seconds("bound_angle", 300).holds[2].seconds == 300
    with pytest.raises(RoutineError, match="180 s to 300 s, got 400 s"):
        r.with_seconds("bound_angle", 400)
    with pytest.raises(RoutineError, match="must be positive"):
        r.with_seconds("side_plank", 0)
    right_only = r.with_seconds("side_plank", 45, side="right")
    assert [s.seconds for s in right_only.holds[3:]] == [30.0, 45.0]
    with pytest.raises(RoutineError, match="no hold of exercise 'pushup'"):
        r.with_seconds("pushup", 10)


def test_routine_and_steps_are_frozen():
    r = load_routine("hip-basics")
    with pytest.raises(AttributeError):
        r.steps[0].seconds = 5
