"""The room's big screen without a browser: after Pain, the clicker's keys answer Go on or End
session (the keys are mapped in hipnb/static/timer.js; the page sends ``go_on`` or ``end``)."""

from __future__ import annotations

import pytest

from hipnb.widgets import WorkshopTimer
from tests.routines import routine_toml

QUICK = routine_toml("quick", "side_plank left 20", "side_plank right 20")


def key(room: WorkshopTimer, action: str) -> None:
    """What the page sends for a clicker's key (the message goes through the widget's handlers)."""
    room.panel.display_widget._handle_custom_msg({"event": "clicker", "action": action}, [])


@pytest.fixture
def room(tmp_path):
    (tmp_path / "quick.toml").write_text(QUICK)
    room = WorkshopTimer(routines=tmp_path, routine=tmp_path / "quick.toml", get_ready=0)
    key(room, "next")  # PageDown starts
    assert room.panel.timer.state == "running"
    room.panel.display_widget._handle_custom_msg({"event": "pain"}, [])  # the P key
    assert room.panel.display_widget.pain
    return room


def test_after_pain_the_clickers_forward_key_goes_on(room):
    key(room, "next")  # an ordinary "next" does nothing while Pain asks
    assert room.panel.display_widget.pain
    key(room, "go_on")
    assert not room.panel.display_widget.pain
    assert room.panel.timer.state == "running"
    assert room.panel.timer.current_step.side == "right", "the room goes on to the next hold"


def test_after_pain_the_clickers_back_key_ends_the_session(room):
    key(room, "end")
    assert not room.panel.display_widget.pain
    assert room.panel.timer.state == "stopped"
    assert "ended early" in " ".join(room.panel.display_widget.summary)


def test_the_after_pain_keys_do_nothing_without_pain(tmp_path):
    (tmp_path / "quick.toml").write_text(QUICK)
    room = WorkshopTimer(routines=tmp_path, routine=tmp_path / "quick.toml", get_ready=0)
    key(room, "next")
    key(room, "end")
    key(room, "go_on")
    assert room.panel.timer.state == "running"
    assert room.panel.timer.current_step.side == "left"
