"""ManualEntry without a browser: a typed value is never overwritten by a routine's default."""

from __future__ import annotations

from hipnb import SessionLog
from hipnb.widgets import ManualEntry


def test_a_typed_value_survives_an_exercise_chosen_before_it_but_arriving_after(tmp_path):
    log = SessionLog(tmp_path / "ana.csv")
    form = ManualEntry(log, athlete="ana")
    assert form.exercise.value == "glute_roll" and form.seconds.value == 60
    form.seconds.value = 35  # the page sends each widget on its own: the typed value first...
    form.exercise.value = "side_plank"  # ...then the exercise chosen before it
    assert (form.seconds.value, form.target.value, form.side.value) == (35, 30, "left")
    form.save.click()
    assert "Saved side_plank (left), 35 s" in form.status.value
    assert log.read(errors="raise")["actual_s"].tolist() == [35.0]


def test_defaults_follow_the_exercise_until_a_field_is_typed(tmp_path):
    form = ManualEntry(SessionLog(tmp_path / "ana.csv"), athlete="ana")
    form.exercise.value = "bound_angle"
    assert (form.seconds.value, form.target.value, form.side.value) == (180, 180, "both")
    assert "longest plausible hold 1200 s" in form.hint.value
    form.exercise.value = "side_plank"
    assert (form.seconds.value, form.target.value) == (30, 30)


def test_an_unknown_exercise_needs_the_custom_box(tmp_path):
    log = SessionLog(tmp_path / "ana.csv")
    form = ManualEntry(log, athlete="ana")
    form.exercise.value = "side_plnk"
    form.save.click()
    assert "did you mean &#x27;side_plank&#x27;?" in form.status.value
    assert not log.path.exists()
    form.exercise.value = "clamshell"
    form.custom.value = True
    form.save.click()
    assert "Saved clamshell" in form.status.value
