"""ipywidgets skins over the library: nothing here computes, it only wires widgets to functions.

ipywidgets is imported here and nowhere in the logic modules, so analysis works without it.
"""

from __future__ import annotations

import html
from datetime import datetime

import ipywidgets as w

from hipnb.errors import HipnbError
from hipnb.log import SessionLog, manual_row
from hipnb.routines import SIDES, load_routine


class ManualEntry(w.VBox):
    """A small form to record a hold done away from the screen, through the log's validation.

    Example::

        ManualEntry(SessionLog("data/ana.csv"), athlete="ana")   # shows the form in a notebook
    """

    def __init__(self, log: SessionLog, athlete: str = "", routine: str = "hip-basics"):
        exercises = sorted({s.exercise for s in load_routine(routine).holds})
        self.session_log = log
        self.athlete = w.Text(value=athlete, description="Athlete")
        self.exercise = w.Combobox(
            value=exercises[0], options=exercises, description="Exercise", ensure_option=False
        )
        self.side = w.Dropdown(options=list(SIDES), value="both", description="Side")
        self.seconds = w.BoundedFloatText(value=30, min=0, max=7200, description="Held (s)")
        self.target = w.BoundedFloatText(value=30, min=0, max=7200, description="Target (s)")
        self.when = w.Text(
            value=datetime.now().astimezone().replace(microsecond=0).isoformat(),
            description="Started",
            placeholder="2026-11-24T07:15:03-05:00",
        )
        self.rpe = w.IntSlider(value=5, min=0, max=10, description="Effort")
        self.discomfort = w.IntSlider(value=0, min=0, max=10, description="Discomfort")
        self.note = w.Textarea(description="Note")
        self.save = w.Button(description="Save", button_style="primary", icon="check")
        self.status = w.HTML()
        self.save.on_click(self._on_save)
        super().__init__(
            [
                self.athlete,
                self.exercise,
                self.side,
                self.seconds,
                self.target,
                self.when,
                self.rpe,
                self.discomfort,
                self.note,
                self.save,
                self.status,
            ]
        )

    def _on_save(self, _button=None) -> None:
        row = manual_row(
            self.athlete.value.strip(),
            self.exercise.value.strip(),
            self.side.value,
            self.seconds.value,
            target_s=self.target.value,
            started_at=self.when.value.strip(),
            rpe=self.rpe.value,
            discomfort=self.discomfort.value,
            note=self.note.value,
        )
        try:
            self.session_log.append([row])
        except HipnbError as exc:
            self.status.value = (
                f"<span style='color:#b2182b'>Not saved: {html.escape(str(exc))}</span>"
            )
            return
        self.status.value = (
            f"Saved {html.escape(row['exercise'])} ({html.escape(row['side'])}), "
            f"{row['actual_s']:g} s to {html.escape(str(self.session_log.path))}."
        )
