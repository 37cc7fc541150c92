"""ManualEntry: record a hold done away from the screen, through the gate every new hold passes."""

from __future__ import annotations

import html
from datetime import date, datetime
from datetime import time as daytime

import ipywidgets as w

from hipnb.errors import HipnbError
from hipnb.log import SessionLog, manual_row
from hipnb.log.spec import SPEC_BY_NAME
from hipnb.log.stamps import local_datetime
from hipnb.routines import SIDES, Routine
from hipnb.seconds import seconds_text
from hipnb.widgets._common import (
    answer,
    effort_sliders,
    error_html,
    note_box,
    resolve_routine,
)


class ManualEntry(w.VBox):
    """A small form to record a hold done away from the screen: one call to the log's door
    (:meth:`hipnb.SessionLog.add`), so the same refusals, in the same words, as ``hipnb log``.

    Targets and sides come from the routine (Reclining Bound Angle Pose: its 180-300 s hold, not a
    made-up 30 s); the start is picked with a date and a time picker in this machine's time zone.
    An exercise no routine knows needs the **Custom** box ticked; a hold longer than its exercise's
    plausible maximum needs the **Override** box; a name the folder does not know yet needs the
    **New athlete** box. The note box takes at most the note column's characters.

    Example::

        ManualEntry(SessionLog("data/ana.csv"), athlete="ana", routine=routine)
    """

    def __init__(self, log: SessionLog, athlete: str = "", routine: Routine | str = "hip-basics"):
        self.routine = resolve_routine(routine)
        self.session_log = log
        exercises = list(dict.fromkeys(s.exercise for s in self.routine.holds))
        self.athlete = w.Text(value=athlete, description="Athlete")
        self.exercise = w.Combobox(
            value=exercises[0], options=exercises, description="Exercise", ensure_option=False
        )
        self.side = w.Dropdown(options=list(SIDES), value="both", description="Side")
        # continuous_update: a typed value reaches the kernel as it is typed, not only on blur
        low, high = SPEC_BY_NAME["actual_s"].low or 0.0, SPEC_BY_NAME["actual_s"].high
        self.target = w.BoundedFloatText(
            value=30, min=low, max=high, description="Target (s)", continuous_update=True
        )
        self.seconds = w.BoundedFloatText(
            value=30, min=low, max=high, description="Held (s)", continuous_update=True
        )
        self.custom = w.Checkbox(value=False, description="Custom: my own exercise", indent=False)
        self.override = w.Checkbox(
            value=False, description="Override: this long hold is right", indent=False
        )
        self.hint = w.HTML()
        now = datetime.now().astimezone()
        self.day = w.DatePicker(value=now.date(), description="Date")
        self.clock_time = w.TimePicker(
            value=now.time().replace(microsecond=0), step=1, description="Started"
        )
        self.rpe, self.discomfort = effort_sliders()
        self.new_athlete = w.Checkbox(
            value=False, description="New athlete: start this name's log", indent=False
        )
        self.note = note_box(description="Note")
        self.save = w.Button(description="Save", button_style="primary", icon="check")
        self.status = w.HTML()
        self.save.on_click(self._on_save)
        self._typed: set[str] = set()  # fields the person set: a default never overwrites them
        self._setting = False
        for field in (self.side, self.target, self.seconds):
            field.observe(self._on_typed, names="value")
        self.exercise.observe(lambda _change: self._defaults(), names="value")
        self._defaults()
        super().__init__(
            [
                self.athlete,
                self.new_athlete,
                self.exercise,
                self.custom,
                self.side,
                self.target,
                self.seconds,
                self.hint,
                self.override,
                w.HBox([self.day, self.clock_time]),
                self.rpe,
                self.discomfort,
                self.note,
                self.save,
                self.status,
            ]
        )

    def _on_typed(self, change: dict[str, object]) -> None:
        if not self._setting:
            self._typed.add(str(getattr(change["owner"], "description", "")))

    def _defaults(self) -> None:
        """Side, target and held seconds of the chosen exercise as the routine has them, in the
        fields the person has not set themselves.

        A value typed is never overwritten: the page sends each widget's changes on their own, so
        a typed "35" can reach the kernel before the exercise chosen just before it.
        """
        steps = [s for s in self.routine.holds if s.exercise == self.exercise.value.strip()]
        if not steps:
            self.hint.value = ""
            return
        self._setting = True
        try:
            for field, value in (
                (self.side, steps[0].side),
                (self.target, steps[0].seconds),
                (self.seconds, steps[0].seconds),
            ):
                if field.description not in self._typed:
                    field.value = value
        finally:
            self._setting = False
        ex = self.routine.exercises.get(steps[0].exercise)
        low, high = (ex.min_seconds, ex.max_seconds) if ex else (None, None)
        name = html.escape(steps[0].name or steps[0].exercise)
        band = (
            f" {seconds_text(low, exact=True)} to {seconds_text(high, exact=True)};"
            if low and high
            else ""
        )
        most = (
            f" longest plausible hold {seconds_text(ex.plausible_max, exact=True)}." if ex else ""
        )
        self.hint.value = f"{name}:{band}{most}" if band or most else ""

    def started_at(self) -> datetime | None:
        """The picked date and time as an aware datetime in this machine's time zone (the offset
        that zone has on that day), as ``hipnb log --day ... --when ...`` reads them."""
        day: date | None = self.day.value
        at: daytime | None = self.clock_time.value
        if day is None or at is None:
            return None
        return local_datetime(day, at)

    def _on_save(self, _button: w.Button | None = None) -> None:
        try:
            when = self.started_at()
        except HipnbError as exc:
            self.status.value = error_html(f"Not saved: {exc}")
            return
        if when is None:
            self.status.value = error_html("Not saved: pick the date and the time it started.")
            return
        row = manual_row(
            self.athlete.value,
            self.exercise.value.strip(),
            self.side.value,
            self.seconds.value,
            target_s=self.target.value,
            started_at=when,
            rpe=answer(self.rpe),
            discomfort=answer(self.discomfort),
            note=self.note.value,
        )
        try:
            self.session_log.running(self.routine).add(
                [row],
                custom=self.custom.value,
                override=self.override.value,
                new_athlete=self.new_athlete.value,
            )
        except (HipnbError, OSError) as exc:
            self.status.value = error_html(f"Not saved: {exc}")
            return
        self.status.value = (
            f"Saved {html.escape(row['exercise'])} ({html.escape(row['side'])}), "
            f"{seconds_text(row['actual_s'], exact=True)} to "
            f"{html.escape(self.session_log.path.name)}."
        )
