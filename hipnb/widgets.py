"""ipywidgets skins over the library: nothing here computes, it only wires widgets to functions.

ipywidgets is imported here and nowhere in the logic modules, so analysis works without it.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import anywidget
import ipywidgets as w
import traitlets as t
from IPython.display import display

from hipnb.errors import HipnbError
from hipnb.log import SessionLog, manual_row
from hipnb.names import did_you_mean
from hipnb.routines import SIDES, Routine, load_routine
from hipnb.timer import Timer

_STATIC = Path(__file__).resolve().parent / "static"
_WIDE = {"description_width": "initial"}  # labels shown whole, not cut at the default width


def _effort_sliders() -> tuple[w.IntSlider, w.IntSlider]:
    """The 0-10 effort and hip-discomfort sliders every form asks with."""
    return (
        w.IntSlider(value=5, min=0, max=10, description="Effort (0-10)", style=_WIDE),
        w.IntSlider(value=0, min=0, max=10, description="Hip discomfort (0-10)", style=_WIDE),
    )


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
        self.rpe, self.discomfort = _effort_sliders()
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


class TimerDisplay(anywidget.AnyWidget):
    """The big countdown: a browser-side view that counts from a deadline, beeps and speaks.

    State comes from Python (:class:`TimerPanel` sets these traits); the only thing the browser
    sends back is ``{"event": "expired"}`` when a countdown reaches zero.
    """

    _esm = _STATIC / "timer.js"
    _css = _STATIC / "timer.css"
    state = t.Unicode("ready").tag(sync=True)
    kind = t.Unicode("hold").tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    side_label = t.Unicode("").tag(sync=True)
    cue = t.Unicode("").tag(sync=True)
    next_label = t.Unicode("").tag(sync=True)
    announce = t.Unicode("").tag(sync=True)
    remaining = t.Float(0).tag(sync=True)
    step_seconds = t.Float(0).tag(sync=True)
    routine_seconds = t.Float(0).tag(sync=True)
    routine_remaining = t.Float(0).tag(sync=True)
    sync_id = t.Int(0).tag(sync=True)
    muted = t.Bool(False).tag(sync=True)
    big = t.Bool(False).tag(sync=True)


class TimerPanel(w.VBox):
    """Run a routine in a notebook: big countdown, controls, sound, spoken cues, and logging.

    Each hold is appended to ``log`` the moment it ends (completed, skipped or stopped), so closing
    the tab loses at most the hold in progress. At the end it asks for effort, hip discomfort and a
    note; saving re-appends the last hold with them (``read_logs`` keeps the later copy).

    Example::

        TimerPanel(load_routine("hip-basics"), athlete="ana", log="data/logs/ana.csv")

    ``clock`` is injectable for tests; ``get_ready`` is the 3-2-1 before the first step (seconds);
    ``big=True`` is the presentation mode for a projector.
    """

    def __init__(
        self,
        routine: Routine | str = "hip-basics",
        athlete: str = "",
        log: SessionLog | str | Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] | None = None,
        get_ready: float = 3.0,
        big: bool = False,
    ):
        self.routine = load_routine(routine) if isinstance(routine, str | Path) else routine
        self.athlete = athlete
        self.session_log = SessionLog(log) if isinstance(log, str | Path) else log
        self.timer = Timer(self.routine, clock=clock, wall_clock=wall_clock)
        self.get_ready = get_ready
        self.rows_written: list[dict] = []
        self.display_widget = TimerDisplay(big=big)
        self.display_widget.on_msg(self._on_display_msg)
        b = dict(layout=w.Layout(width="auto", min_width="90px", height="44px"))
        self.start_button = w.Button(description="Start", button_style="success", icon="play", **b)
        self.pause_button = w.Button(description="Pause", icon="pause", **b)
        self.resume_button = w.Button(description="Resume", button_style="info", icon="play", **b)
        self.skip_button = w.Button(description="Skip", icon="forward", **b)
        self.stop_button = w.Button(description="Stop", button_style="danger", icon="stop", **b)
        self.mute = w.ToggleButton(description="Mute voice", icon="volume-off", **b)
        w.link((self.mute, "value"), (self.display_widget, "muted"))
        for button, handler in (
            (self.start_button, self.start),
            (self.pause_button, self.pause),
            (self.resume_button, self.resume),
            (self.skip_button, self.skip),
            (self.stop_button, self.stop),
        ):
            button.on_click(lambda _b, handler=handler: handler())
        self.status = w.HTML()
        self.rpe, self.discomfort = _effort_sliders()
        self.note = w.Textarea(placeholder="How did it feel?", description="Note", style=_WIDE)
        self.save_button = w.Button(
            description="Save answers", button_style="primary", icon="check"
        )
        self.save_button.on_click(lambda _b: self.save_answers())
        self.answers = w.VBox(
            [w.HTML("<b>How was it?</b>"), self.rpe, self.discomfort, self.note, self.save_button]
        )
        self.answers.layout.display = "none"
        self._saved = False
        controls = w.HBox(
            [
                self.start_button,
                self.pause_button,
                self.resume_button,
                self.skip_button,
                self.stop_button,
                self.mute,
            ]
        )
        super().__init__([self.display_widget, controls, self.status, self.answers])
        self._sync(announce="")

    # -- controls ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start: a 3-2-1 get-ready in the display, then the first step (at once if get_ready=0)."""
        if self.timer.state != "ready" or self.display_widget.state == "countdown":
            return
        if self.get_ready > 0:
            d = self.display_widget
            d.state, d.remaining, d.step_seconds = "countdown", self.get_ready, self.get_ready
            d.title, d.side_label, d.cue = "Get ready", "", self.routine.steps[0].label
            d.sync_id += 1
            self._update_buttons()
            return
        self._handle(self.timer.start())

    def pause(self) -> None:
        """Pause the routine (held time stops counting)."""
        self._handle(self.timer.pause())

    def resume(self) -> None:
        """Resume after a pause."""
        self._handle(self.timer.resume())

    def skip(self) -> None:
        """End the current step now; a hold logs what was held."""
        self._handle(self.timer.skip())

    def stop(self) -> None:
        """Stop for good; a hold in progress is logged as held so far."""
        self._handle(self.timer.stop())

    def tick(self) -> None:
        """Bring the panel up to the clock (the display calls this when a countdown expires)."""
        self._handle(self.timer.tick())

    def _on_display_msg(self, _widget, content, _buffers) -> None:
        if content.get("event") != "expired":
            return
        if self.display_widget.state == "countdown":
            self._handle(self.timer.start())
        else:
            self.tick()

    # -- events -> log and display ----------------------------------------------------------------

    def _handle(self, events) -> None:
        announce = ""
        for e in events:
            if e.kind in ("step_ended", "step_skipped", "stopped") and e.step_index is not None:
                self._write(e.step_index)
            if e.kind == "step_started":
                step = self.routine.steps[e.step_index]
                announce = step.cue if step.kind == "rest" else f"{step.label}. {step.cue}"
            if e.kind in ("finished", "stopped"):
                announce = "Well done. Routine complete." if e.kind == "finished" else ""
                self.answers.layout.display = "flex" if self.timer.results() else "none"
        if events:
            self._sync(announce=announce)

    def _write(self, index: int) -> None:
        row = self.timer.result_for(index, self.athlete)
        if row is None:
            return
        if self.session_log is not None:
            self.session_log.append([row])
        self.rows_written.append(row)

    def save_answers(self) -> None:
        """Attach effort, discomfort and note to the session by re-appending its last hold."""
        if self._saved or not self.rows_written:
            return
        row = {
            **self.rows_written[-1],
            "rpe": self.rpe.value,
            "discomfort": self.discomfort.value,
            "note": self.note.value,
        }
        try:
            if self.session_log is not None:
                self.session_log.append([row])
        except HipnbError as exc:
            self.status.value = (
                f"<span style='color:#b2182b'>Not saved: {html.escape(str(exc))}</span>"
            )
            return
        self.rows_written[-1] = row
        self._saved = True
        self.answers.layout.display = "none"
        self.status.value = "Answers saved. Thank you."

    def _sync(self, announce: str) -> None:
        timer, d = self.timer, self.display_widget
        step = timer.current_step
        nxt = timer.next_step
        with d.hold_sync():
            d.state = timer.state
            d.kind = step.kind if step else "hold"
            d.title = (
                step.name if step else (self.routine.title if timer.state == "ready" else "Done")
            )
            d.side_label = step.side if step and step.side != "both" else ""
            d.cue = step.cue if step else self._summary()
            d.next_label = nxt.label if nxt else ""
            ready = timer.state == "ready"
            first = self.routine.steps[0].seconds
            d.remaining = timer.remaining if step else (first if ready else 0.0)
            d.step_seconds = step.seconds if step else (first if ready else 0.0)
            d.routine_seconds = self.routine.total_seconds
            d.routine_remaining = timer.total_remaining
            d.announce = announce
            d.sync_id += 1
        self._update_buttons()

    def _summary(self) -> str:
        if self.timer.state == "ready":
            return f"{len(self.routine.steps)} steps, {self.routine.total_seconds / 60:.1f} min. Press Start."
        rows = self.timer.results()
        held = sum(r["actual_s"] for r in rows)
        done = sum(r["completed"] for r in rows)
        return f"{done} of {len(rows)} holds completed, {held / 60:.1f} min held."

    def _update_buttons(self) -> None:
        state = self.timer.state
        counting = self.display_widget.state == "countdown"
        self.start_button.disabled = state != "ready" or counting
        self.pause_button.disabled = state != "running"
        self.resume_button.disabled = state != "paused"
        self.skip_button.disabled = state not in ("running", "paused")
        self.stop_button.disabled = state not in ("running", "paused")
        n = len(self.rows_written)
        where = html.escape(str(self.session_log.path)) if self.session_log else "nowhere (no log)"
        self.status.value = f"{n} hold(s) logged to {where}." if n else ""


class ProgressView(w.VBox):
    """Pick an athlete and a date range; see the dashboard and a short summary in words."""

    def __init__(self, df, athlete: str | None = None):
        import matplotlib.pyplot as plt

        from hipnb import analysis, charts

        self._plt, self._analysis, self._charts = plt, analysis, charts
        self.df = df
        athletes = sorted(df["athlete"].unique()) or [""]
        if athlete is not None and athlete not in athletes:
            hint = did_you_mean(athlete, athletes) or f"athletes in the log: {', '.join(athletes)}"
            raise HipnbError(f"no rows for athlete {athlete!r}; {hint}")
        days = df["local_time"].dt.date
        self.athlete = w.Dropdown(
            options=athletes, value=athlete or athletes[0], description="Athlete"
        )
        self.start = w.DatePicker(value=days.min() if len(df) else None, description="From")
        self.end = w.DatePicker(value=days.max() if len(df) else None, description="To")
        self.summary = w.HTML()
        self.output = w.Output()
        for control in (self.athlete, self.start, self.end):
            control.observe(lambda _change: self.refresh(), names="value")
        super().__init__([w.HBox([self.athlete, self.start, self.end]), self.summary, self.output])
        self.refresh()

    def selected(self):
        """The rows of the chosen athlete within the chosen dates."""
        d = self.df[self.df["athlete"] == self.athlete.value]
        day = d["local_time"].dt.date
        if self.start.value:
            d = d[day >= self.start.value]
        if self.end.value:
            d = d[d["local_time"].dt.date <= self.end.value]
        return d

    def refresh(self) -> None:
        """Redraw the summary and the dashboard for the current choices."""
        d = self.selected()
        self.summary.value = html.escape(self._analysis.summary_text(d, self.athlete.value))
        self.output.clear_output(wait=True)
        with self.output:
            fig = self._charts.athlete_dashboard(d, self.athlete.value)
            self.figure = fig
            display(fig)
            self._plt.close(fig)


def __getattr__(name: str):
    """``RosterView`` and ``ReviewBox`` live in :mod:`hipnb.roster_view` (they build on
    ProgressView); they are importable from here too."""
    if name in ("RosterView", "ReviewBox"):
        from hipnb import roster_view

        return getattr(roster_view, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


from hipnb.hold_editor import HoldEditor  # noqa: E402,F401  (re-exported: hipnb.widgets.HoldEditor)
