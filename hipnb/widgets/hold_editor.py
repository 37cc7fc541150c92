"""Fix a logged hold from a notebook: pick a day's hold of an athlete, change it or delete it.

A thin skin over the log's door: every change is one call, :meth:`hipnb.SessionLog.patch` (a row
with only the fields changed) or :meth:`hipnb.SessionLog.delete`, checked under the log's lock, so
the file keeps its history and never undoes another correction.
"""

from __future__ import annotations

import html
from datetime import date, datetime

import ipywidgets as w
import pandas as pd

from hipnb.errors import HipnbError
from hipnb.holds import hold_label
from hipnb.log import SessionLog, normalize_name
from hipnb.log.spec import SPEC_BY_NAME
from hipnb.routines import SIDES
from hipnb.widgets._common import SCORES, error_html, note_box

_UNKNOWN = -1  # a Dropdown cannot hold None as a choice
_SCORES = [("unknown", _UNKNOWN), *SCORES]
_LABEL = {"description_width": "12em"}  # one label width, so the fields line up
#: Words for the fields in what the editor says it saved.
_WORDS = {"actual_s": "held (s)", "target_s": "target (s)", "started_at": "start", "rpe": "effort"}


class HoldEditor(w.VBox):
    """Change or delete one of an athlete's logged holds of a day (today by default).

    Example::

        HoldEditor(SessionLog("data/logs/ana.csv"), athlete="ana")   # shows the editor

    Pick the hold, change seconds, side, start time, effort, discomfort or note and press
    "Save change"; "Delete hold" asks once more before it removes the hold. The hold list reads
    the log again after every change.
    """

    def __init__(self, log: SessionLog, athlete: str, day: date | str | None = None):
        self.session_log = log
        self.athlete_name = normalize_name(athlete)
        if isinstance(day, str):
            day = date.fromisoformat(day)
        self.day = w.DatePicker(
            value=day or datetime.now().astimezone().date(), description="Day", style=_LABEL
        )
        self.hold = w.Dropdown(description="Hold", layout=w.Layout(width="32em"))
        self.seconds = w.BoundedFloatText(
            min=0, max=SPEC_BY_NAME["actual_s"].high, description="Held (s)", style=_LABEL
        )
        self.side = w.Dropdown(options=list(SIDES), description="Side", style=_LABEL)
        self.time = w.Text(description="Started", placeholder="07:15", style=_LABEL)
        self.rpe = w.Dropdown(options=_SCORES, description="Effort (0-10)", style=_LABEL)
        self.discomfort = w.Dropdown(
            options=_SCORES, description="Hip discomfort (0-10)", style=_LABEL
        )
        self.note = note_box(
            w.Text, description="Note", layout=w.Layout(width="32em"), style=_LABEL
        )
        self.override = w.Checkbox(description="Override: this long hold is right", indent=False)
        self.save = w.Button(description="Save change", button_style="primary", icon="check")
        self.delete = w.Button(description="Delete hold", button_style="danger", icon="trash")
        self.status = w.HTML()
        self.holds = pd.DataFrame()
        self._armed = False
        self.day.observe(lambda _change: self.refresh(), names="value")
        self.hold.observe(lambda _change: self._show_hold(), names="value")
        self.save.on_click(self._on_save)
        self.delete.on_click(self._on_delete)
        fields = w.VBox(
            [
                self.seconds,
                self.side,
                self.time,
                self.rpe,
                self.discomfort,
                self.note,
                self.override,
            ]
        )
        super().__init__(
            [
                w.HTML(f"<b>Holds of {html.escape(self.athlete_name)}</b>"),
                w.HBox([self.day, self.hold]),
                fields,
                w.HBox([self.save, self.delete]),
                self.status,
            ]
        )
        self.refresh()

    @property
    def current(self) -> pd.Series | None:
        """The picked hold as the log reads now, or None when the day has none."""
        ref = self.hold.value
        if not ref or self.holds.empty:
            return None
        hold: pd.Series = self.holds[self.holds["ref"] == ref].iloc[0]
        return hold

    def refresh(self, keep: str | None = None) -> None:
        """Read the log again and list the day's holds (keeping the hold ``keep`` picked)."""
        self.holds = self.session_log.holds(athlete=self.athlete_name, day=self.day.value)
        options = [(hold_label(h), h["ref"]) for _, h in self.holds.iterrows()]
        self.hold.options = options or [("no holds logged this day", "")]
        refs = [ref for _, ref in options]
        self.hold.value = keep if keep in refs else (refs[0] if refs else "")
        self._show_hold()

    def _show_hold(self) -> None:
        self._disarm()
        hold = self.current
        for control in (self.save, self.delete):
            control.disabled = hold is None
        if hold is None:
            return
        self.seconds.value = float(hold["actual_s"])
        self.side.value = hold["side"]
        self.time.value = f"{hold['local_time']:%H:%M:%S}"
        self.rpe.value = _UNKNOWN if pd.isna(hold["rpe"]) else int(hold["rpe"])
        self.discomfort.value = _UNKNOWN if pd.isna(hold["discomfort"]) else int(hold["discomfort"])
        self.note.value = "" if pd.isna(hold["note"]) else str(hold["note"])

    def _on_save(self, _button: w.Button | None = None) -> None:
        hold = self.current
        if hold is None:
            return
        changes = {
            "actual_s": self.seconds.value,
            "side": self.side.value,
            "started_at": self.time.value,
            "rpe": _score(self.rpe.value),
            "discomfort": _score(self.discomfort.value),
            "note": self.note.value,
        }
        try:  # one call to the log's door: checked under its lock, written if anything changed
            done = self.session_log.patch(hold["ref"], override=self.override.value, **changes)
        except HipnbError as exc:
            self._say(f"Not saved: {exc}", error=True)
            return
        assert done is not None  # without missing_ok, a gone hold raises
        changed = done.changes
        if not changed:
            self._say("Nothing changed.")
            return
        ref = hold["ref"]
        start = dict((name, new) for name, _, new in changed).get("started_at")
        if start:
            self.day.value = pd.Timestamp(start[:10]).date()  # it may move to another day
        self.refresh(keep=ref)
        words = "; ".join(
            f"{_WORDS.get(name, name)} {old or '(empty)'} → {new or '(empty)'}"
            for name, old, new in changed
        )
        self._say(f"Saved: {words}.")

    def _on_delete(self, _button: w.Button | None = None) -> None:
        hold = self.current
        if hold is None:
            return
        if not self._armed:
            self._armed = True
            self.delete.description = "Really delete?"
            self._say(f"Delete {hold_label(hold)}? Press again to delete it.")
            return
        try:
            self.session_log.delete(hold["ref"])
        except HipnbError as exc:
            self._say(f"Not deleted: {exc}", error=True)
            return
        self.refresh()
        self._say(f"Deleted {hold_label(hold)} (its rows stay in the file as history).")

    def _disarm(self) -> None:
        self._armed = False
        self.delete.description = "Delete hold"

    def _say(self, text: str, error: bool = False) -> None:
        self.status.value = error_html(text) if error else f"<span>{html.escape(text)}</span>"


def _score(value: int) -> int | None:
    return None if value == _UNKNOWN else value
