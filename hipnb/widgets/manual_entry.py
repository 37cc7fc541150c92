"""ManualEntry: record a hold done away from the screen, through the log's validation."""

from __future__ import annotations

import html
from datetime import date, datetime
from datetime import time as daytime

import ipywidgets as w

from hipnb.errors import HipnbError
from hipnb.log import SessionLog, manual_row
from hipnb.routines import SIDES, Routine
from hipnb.widgets._common import answer, effort_sliders, error_html, resolve_routine


class ManualEntry(w.VBox):
    """A small form to record a hold done away from the screen, through the log's validation.

    Targets and sides come from the routine (Reclining Bound Angle Pose: its 180-300 s hold, not a
    made-up 30 s); the start is picked with a date and a time picker in this machine's time zone.

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
        self.target = w.BoundedFloatText(value=30, min=0, max=7200, description="Target (s)")
        self.seconds = w.BoundedFloatText(value=30, min=0, max=7200, description="Held (s)")
        self.hint = w.HTML()
        now = datetime.now().astimezone()
        self.day = w.DatePicker(value=now.date(), description="Date")
        self.clock_time = w.TimePicker(
            value=now.time().replace(microsecond=0), step=1, description="Started"
        )
        self.rpe, self.discomfort = effort_sliders()
        self.note = w.Textarea(description="Note")
        self.save = w.Button(description="Save", button_style="primary", icon="check")
        self.status = w.HTML()
        self.save.on_click(self._on_save)
        self.exercise.observe(lambda _change: self._defaults(), names="value")
        self._defaults()
        super().__init__(
            [
                self.athlete,
                self.exercise,
                self.side,
                self.target,
                self.seconds,
                self.hint,
                w.HBox([self.day, self.clock_time]),
                self.rpe,
                self.discomfort,
                self.note,
                self.save,
                self.status,
            ]
        )

    def _defaults(self) -> None:
        """Side, target and held seconds of the chosen exercise as the routine has them."""
        steps = [s for s in self.routine.holds if s.exercise == self.exercise.value.strip()]
        if not steps:
            self.hint.value = ""
            return
        self.side.value = steps[0].side
        self.target.value = self.seconds.value = steps[0].seconds
        ex = self.routine.exercises.get(steps[0].exercise)
        low, high = (ex.min_seconds, ex.max_seconds) if ex else (None, None)
        name = html.escape(steps[0].name or steps[0].exercise)
        self.hint.value = f"{name}: {low:g}-{high:g} s." if low and high else ""

    def started_at(self) -> datetime | None:
        """The picked date and time as an aware datetime in this machine's time zone."""
        day: date | None = self.day.value
        at: daytime | None = self.clock_time.value
        if day is None or at is None:
            return None
        return datetime.combine(day, at.replace(microsecond=0)).astimezone()

    def _on_save(self, _button: w.Button | None = None) -> None:
        when = self.started_at()
        if when is None:
            self.status.value = error_html("Not saved: pick the date and the time it started.")
            return
        row = manual_row(
            self.athlete.value.strip(),
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
            self.session_log.append([row])
        except (HipnbError, OSError) as exc:
            self.status.value = error_html(f"Not saved: {exc}")
            return
        self.status.value = (
            f"Saved {html.escape(row['exercise'])} ({html.escape(row['side'])}), "
            f"{row['actual_s']:g} s to {html.escape(str(self.session_log.path))}."
        )
