"""Names in four scripts through the notebook widgets: manual entry, the progress picker and the
hold editor."""

from __future__ import annotations

import html
import unicodedata
from datetime import date, time

import pytest

from hipnb import SessionLog, athlete_path, read_logs
from hipnb.analysis import ReviewDay
from hipnb.widgets import HoldEditor, ManualEntry, ProgressView

NAMES = ["Zoë", "李娜", "Ана", "O'Neil"]


def enter(log: SessionLog, typed: str, when: str) -> ManualEntry:
    """Fill the form for a 30 s left side plank at 07:15:03 local time on the day ``when``
    (a name new to the folder with the New athlete box ticked)."""
    form = ManualEntry(log, athlete=typed)
    form.new_athlete.value = True
    form.exercise.value = "side_plank"
    form.side.value = "left"
    form.seconds.value = form.target.value = 30
    form.day.value = date.fromisoformat(when[:10])
    form.clock_time.value = time(7, 15, 3)
    form.save.click()
    return form


@pytest.fixture
def squad(tmp_path):
    for name in NAMES:
        log = SessionLog(athlete_path(tmp_path, name))
        # typed decomposed (as some keyboards send it) and with stray spaces
        form = enter(log, f" {unicodedata.normalize('NFD', name)} ", "2026-11-24")
        assert form.status.value.startswith("Saved"), form.status.value
        enter(log, name, "2026-11-25")
    return tmp_path


@pytest.mark.parametrize("name", NAMES)
def test_manual_entry_keeps_the_name_as_one_athlete(squad, name):
    df = SessionLog(athlete_path(squad, name)).read(errors="raise")
    assert df["athlete"].tolist() == [name, name]


def test_progress_view_picks_each_name(squad):
    df = read_logs(squad)
    view = ProgressView(ReviewDay.on(df))
    assert sorted(view.athlete.options) == sorted(NAMES)
    for name in NAMES:
        view.athlete.value = name
        assert view.selected()["athlete"].tolist() == [name, name]
        assert view.summary.value


@pytest.mark.parametrize("name", NAMES)
def test_hold_editor_lists_and_fixes_the_holds_of_each_name(squad, name):
    log = SessionLog(athlete_path(squad, name))
    editor = HoldEditor(log, athlete=unicodedata.normalize("NFD", name), day=date(2026, 11, 24))
    assert editor.children[0].value == f"<b>Holds of {html.escape(name)}</b>"
    assert len(editor.hold.options) == 1 and editor.seconds.value == 30
    editor.side.value = "right"
    editor.save.click()
    df = log.read(errors="raise")
    assert sorted(df["side"]) == ["left", "right"] and set(df["athlete"]) == {name}


@pytest.mark.parametrize("name", NAMES)
def test_progress_view_and_timer_panel_take_a_decomposed_name(squad, name):
    from hipnb import TimerPanel, load_routine

    typed = unicodedata.normalize("NFD", name)
    assert ProgressView(ReviewDay.on(read_logs(squad)), athlete=typed).athlete.value == name
    panel = TimerPanel(load_routine("hip-basics"), athlete=typed, log=athlete_path(squad, name))
    assert panel.athlete == name
