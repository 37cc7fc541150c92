"""ipywidgets skins over the library: nothing here computes, it only wires widgets to functions.

ipywidgets is imported here and nowhere in the logic modules, so analysis works without it.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as daytime
from pathlib import Path
from typing import Any, cast

import anywidget
import ipywidgets as w
import pandas as pd
import traitlets as t
from IPython.display import display

from hipnb.errors import HipnbError
from hipnb.log import Hold, SessionLog, hold_keys, manual_row, normalize_name, to_frame
from hipnb.names import did_you_mean
from hipnb.routines import SIDES, Routine, load_routine
from hipnb.timer import Event, Timer

_STATIC = Path(__file__).resolve().parent / "static"
_WIDE = {"description_width": "initial"}  # labels shown whole, not cut at the default width
_UNSET = -1  # the answer sliders' "not answered" position: logged as empty (unknown), never 0


__all__ = [
    "HoldEditor",
    "ManualEntry",
    "ProgressView",
    "TargetOffer",
    "TimerDisplay",
    "TimerPanel",
]


def _effort_sliders() -> tuple[w.SelectionSlider, w.SelectionSlider]:
    """The 0-10 effort and hip-discomfort sliders every form asks with; untouched, they say
    "not set" and :func:`_answer` gives None (unknown), never 0."""
    options = [("not set", _UNSET)] + [(str(i), i) for i in range(11)]
    return (
        w.SelectionSlider(options=options, value=_UNSET, description="Effort (0-10)", style=_WIDE),
        w.SelectionSlider(
            options=options, value=_UNSET, description="Hip discomfort (0-10)", style=_WIDE
        ),
    )


def _answer(slider: w.SelectionSlider) -> int | None:
    return None if slider.value == _UNSET else int(slider.value)


def _error_html(text: str) -> str:
    return f"<span style='color:#b2182b'>{html.escape(text)}</span>"


def _resolve(routine: Routine | str | Path) -> Routine:
    return load_routine(routine) if isinstance(routine, str | Path) else routine


class ManualEntry(w.VBox):
    """A small form to record a hold done away from the screen, through the log's validation.

    Targets and sides come from the routine (Reclining Bound Angle Pose: its 180-300 s hold, not a
    made-up 30 s); the start is picked with a date and a time picker in this machine's time zone.

    Example::

        ManualEntry(SessionLog("data/ana.csv"), athlete="ana", routine=routine)
    """

    def __init__(self, log: SessionLog, athlete: str = "", routine: Routine | str = "hip-basics"):
        self.routine = _resolve(routine)
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
        self.rpe, self.discomfort = _effort_sliders()
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
            self.status.value = _error_html("Not saved: pick the date and the time it started.")
            return
        row = manual_row(
            self.athlete.value.strip(),
            self.exercise.value.strip(),
            self.side.value,
            self.seconds.value,
            target_s=self.target.value,
            started_at=when,
            rpe=_answer(self.rpe),
            discomfort=_answer(self.discomfort),
            note=self.note.value,
        )
        try:
            self.session_log.append([row])
        except (HipnbError, OSError) as exc:
            self.status.value = _error_html(f"Not saved: {exc}")
            return
        self.status.value = (
            f"Saved {html.escape(row['exercise'])} ({html.escape(row['side'])}), "
            f"{row['actual_s']:g} s to {html.escape(str(self.session_log.path))}."
        )


class TargetOffer(w.VBox):
    """The athlete's suggested targets (from :func:`hipnb.analysis.suggest_progression`), each with its
    reason, to accept or keep; :attr:`routine` is the routine with the accepted ones.

    Example::

        offer = TargetOffer(routine, analysis.suggest_progression(log.read()), athlete="ana")
    """

    def __init__(
        self,
        routine: Routine,
        suggestions: pd.DataFrame,
        athlete: str = "",
        on_change: Callable[[Routine], None] | None = None,
    ) -> None:
        self.base = routine
        self.on_change = on_change
        holds = {s.exercise: s for s in routine.holds}
        rows = suggestions
        if athlete and len(rows):
            rows = rows[rows["athlete"] == athlete]
        self.choices: dict[str, tuple[w.ToggleButtons, float]] = {}
        lines: list[w.Widget] = []
        for r in rows.to_dict("records") if len(rows) else []:
            step = holds.get(r["exercise"])
            if step is None:
                continue
            name = html.escape(step.name or step.exercise)
            reason = html.escape(str(r["reason"]))
            now, new = float(step.seconds), float(r["suggested_s"])
            if new == now:
                lines.append(w.HTML(f"<b>{name}</b>: keep {now:g} s. {reason}"))
                continue
            pick = w.ToggleButtons(
                options=[(f"Keep {now:g} s", now), (f"Use {new:g} s", new)], value=now
            )
            pick.observe(lambda _change: self._changed(), names="value")
            self.choices[r["exercise"]] = (pick, now)
            lines.append(w.HTML(f"<b>{name}</b>: suggested {new:g} s (now {now:g} s). {reason}"))
            lines.append(pick)
        head = "<b>Suggested from your log</b>" if lines else "No suggestions yet from your log."
        super().__init__([w.HTML(head), *lines])

    @property
    def routine(self) -> Routine:
        """The routine with every accepted suggestion applied."""
        routine = self.base
        for exercise, (pick, _now) in self.choices.items():
            routine = routine.with_seconds(exercise, pick.value)
        return routine

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.routine)


class TimerDisplay(anywidget.AnyWidget):
    """The big countdown: a browser-side view that counts from a deadline, beeps and speaks.

    State comes from Python (:class:`TimerPanel` sets these traits). The browser sends back
    ``{"event": "expired"}`` when a countdown reaches zero, ``{"event": "heartbeat"}`` every second
    while it counts, ``{"event": "visibility", "hidden": bool}`` when the page is hidden or shown
    (both with ``sync_id``, the traits it counts from, and ``counted``, the seconds it has counted
    since they arrived),
    and ``{"event": "pain"}`` for the P key in presentation mode.
    """

    _esm = _STATIC / "timer.js"
    _css = _STATIC / "timer.css"
    state = t.Unicode("ready").tag(sync=True)
    kind = t.Unicode("hold").tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    side_label = t.Unicode("").tag(sync=True)
    cue = t.Unicode("").tag(sync=True)
    next_label = t.Unicode("").tag(sync=True)
    message = t.Unicode("").tag(sync=True)
    summary = t.List(t.Unicode()).tag(sync=True)
    announce = t.Unicode("").tag(sync=True)
    remaining = t.Float(0).tag(sync=True)
    step_seconds = t.Float(0).tag(sync=True)
    routine_seconds = t.Float(0).tag(sync=True)
    routine_remaining = t.Float(0).tag(sync=True)
    sync_id = t.Int(0).tag(sync=True)
    muted = t.Bool(False).tag(sync=True)
    big = t.Bool(False).tag(sync=True)


def _duration(seconds: float) -> str:
    """``42 s``, ``3 min``, ``2 h``: a gap in words."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}" if s >= 60 else f"{s} s"


def _edits(rows: list[Hold], changes: list[dict[str, Any]] | None = None) -> list[Hold]:
    """Correction rows (``action="edit"``) for logged holds, naming each by its key."""
    keys = hold_keys(to_frame(rows)).tolist()
    changes = changes or [{} for _ in rows]
    return [
        cast(Hold, {**row, **change, "hold_id": key, "action": "edit"})
        for row, change, key in zip(rows, changes, keys, strict=True)
    ]


class TimerPanel(w.VBox):
    """Run a routine in a notebook: big countdown, controls, sound, spoken cues, and logging.

    Each hold is appended to ``log`` the moment it ends (completed, skipped, stopped or ended by
    Pain), so closing the tab loses at most the hold in progress. A failed write is shown on the
    panel; the rows are kept and **Retry saving** writes them. At the end it shows a summary and asks
    for effort, hip discomfort and a note (written as corrections of the session's holds; a Pain
    score is never replaced), and **New session** starts again with a new session id.

    The page sends a heartbeat while it counts; if it falls silent (screen off, frozen tab) for
    more than ``grace`` seconds the session pauses where the heartbeats stopped and says so.

    Example::

        TimerPanel(load_routine("hip-basics"), athlete="ana", log="data/logs/ana.csv")

    ``clock`` is injectable for tests; ``get_ready`` is the 3-2-1 before the first step (seconds);
    ``big=True`` is the presentation mode for a projector; ``suggestions`` (a frame from
    :func:`hipnb.analysis.suggest_progression`) offers new targets before the start.
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
        grace: float = 5.0,
        suggestions: pd.DataFrame | None = None,
    ) -> None:
        self.routine = _resolve(routine)
        self.athlete = normalize_name(athlete) if athlete else athlete  # as the log keeps it
        self.session_log = SessionLog(log) if isinstance(log, str | Path) else log
        self._clock, self._wall_clock = clock, wall_clock
        self.get_ready, self.grace = get_ready, grace
        self.timer = self._new_timer()
        self.rows_written: list[Hold] = []
        self.unsaved: list[Hold] = []  # rows whose write failed, kept for Retry saving
        self.error = ""
        self.page_visible = True
        self._message = ""
        self._pain_index: int | None = None
        # sync_id -> (running seconds when it was sent, the most the page can count from it)
        self._synced: dict[int, tuple[float, float]] = {}
        self.display_widget = TimerDisplay(big=big)
        self.display_widget.on_msg(self._on_display_msg)

        def b(
            min_width: str = "84px",
        ) -> dict[str, Any]:  # one Layout each: a shared one hides them all
            return dict(layout=w.Layout(width="auto", min_width=min_width, height="44px"))

        self.start_button = w.Button(
            description="Start", button_style="success", icon="play", **b()
        )
        self.pause_button = w.Button(description="Pause", icon="pause", **b())
        self.resume_button = w.Button(description="Resume", button_style="info", icon="play", **b())
        self.skip_button = w.Button(description="Skip", icon="forward", **b())
        self.stop_button = w.Button(description="Stop", button_style="danger", icon="stop", **b())
        self.pain_button = w.Button(
            description="Pain",
            button_style="warning",
            icon="exclamation-triangle",
            tooltip="Pain: stop this hold now (key P on the big screen)",
            **b("140px"),
        )
        self.mute = w.ToggleButton(description="Mute sound", icon="volume-off", **b())
        self.new_button = w.Button(
            description="New session", button_style="success", icon="refresh", **b()
        )
        w.link((self.mute, "value"), (self.display_widget, "muted"))
        for button, handler in (
            (self.start_button, self.start),
            (self.pause_button, self.pause),
            (self.resume_button, self.resume),
            (self.skip_button, self.skip),
            (self.stop_button, self.stop),
            (self.pain_button, self.pain),
            (self.new_button, self.new_session),
        ):
            button.on_click(lambda _b, handler=handler: handler())
        self.status = w.HTML()
        self.retry_button = w.Button(
            description="Retry saving", icon="repeat", button_style="warning"
        )
        self.retry_button.on_click(lambda _b: self.retry_save())
        self.save_problem = w.HBox([self.retry_button])
        # Pain: the hold has ended; how bad, then go on or end
        self.pain_score = w.SelectionSlider(
            options=[("not set", _UNSET)] + [(str(i), i) for i in range(11)],
            value=_UNSET,
            description="Pain (0-10)",
            style=_WIDE,
        )
        self.go_on_button = w.Button(description="Go on", icon="play", button_style="info")
        self.end_button = w.Button(description="End session", icon="stop", button_style="danger")
        self.go_on_button.on_click(lambda _b: self.after_pain(go_on=True))
        self.end_button.on_click(lambda _b: self.after_pain(go_on=False))
        self.pain_box = w.VBox(
            [
                w.HTML("<b>Pain noted: this hold has ended.</b> How bad was it?"),
                self.pain_score,
                w.HBox([self.go_on_button, self.end_button]),
            ]
        )
        # End-of-session answers
        self.rpe, self.discomfort = _effort_sliders()
        self.note = w.Textarea(placeholder="How did it feel?", description="Note", style=_WIDE)
        self.save_button = w.Button(
            description="Save answers", button_style="primary", icon="check"
        )
        self.save_button.on_click(lambda _b: self.save_answers())
        self.answers = w.VBox(
            [w.HTML("<b>How was it?</b>"), self.rpe, self.discomfort, self.note, self.save_button]
        )
        self._saved = False
        self.offer = None
        if suggestions is not None:
            self.offer = TargetOffer(
                self.routine, suggestions, athlete=athlete, on_change=self._set_routine
            )
        controls = w.HBox(
            [
                self.start_button,
                self.new_button,
                self.pause_button,
                self.resume_button,
                self.skip_button,
                self.stop_button,
                self.pain_button,
                self.mute,
            ],
            layout=w.Layout(flex_flow="row wrap"),
        )
        controls.add_class("hipnb-controls")
        parts = [self.display_widget, controls, self.status, self.save_problem, self.pain_box]
        super().__init__(([self.offer] if self.offer else []) + parts + [self.answers])
        self.add_class("hipnb-panel")
        if big:
            self.add_class("hipnb-panel-big")
        self._sync(announce="")

    def _new_timer(self) -> Timer:
        return Timer(
            self.routine,
            clock=self._clock,
            wall_clock=self._wall_clock,
            get_ready=self.get_ready,
            grace=self.grace,
        )

    def _set_routine(self, routine: Routine) -> None:
        """Use ``routine`` (accepted targets) for the session, if it has not started yet."""
        if self.timer.state != "ready":
            return
        self.routine = routine
        self.timer = self._new_timer()
        self._sync(announce="")

    # -- controls ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start: the full get-ready countdown, then the first step."""
        self._handle(self.timer.start())

    def pause(self) -> None:
        """Pause the routine (held time stops counting)."""
        self._handle(self.timer.pause())

    def resume(self) -> None:
        """Resume after a pause."""
        if self._pain_index is None:
            self._handle(self.timer.resume())

    def skip(self) -> None:
        """End the current step now; a hold logs what was held."""
        self._handle(self.timer.skip())

    def stop(self) -> None:
        """Stop for good; a hold in progress is logged as held so far."""
        if self._pain_index is not None:
            self.after_pain(go_on=False)
        else:
            self._handle(self.timer.stop())

    def pain(self) -> None:
        """Pain during a hold: it ends now; the panel asks how bad, then go on or end."""
        self._handle(self.timer.pain())

    def after_pain(self, go_on: bool) -> None:
        """Log the hold that ended with pain (with its score), then go on or end the session."""
        if self._pain_index is None:
            return
        index, self._pain_index = self._pain_index, None
        score = _answer(self.pain_score)
        self.timer.rate_pain(index, score)
        row = self.timer.result_for(index, self.athlete)
        if score is not None and row is not None:
            self._correct([row])
        self._message = ""
        self._handle(self.timer.resume() if go_on else self.timer.stop(), force=True)

    def tick(self) -> None:
        """Bring the panel up to the clock (the display calls this when a countdown expires)."""
        self._handle(self.timer.tick())

    def heartbeat(self, sync_id: int | None = None, counted: float | None = None) -> None:
        """The page is counting (the display calls this every second while it runs): it has
        counted ``counted`` seconds from the display state ``sync_id``. A later silence credits
        the session up to there, however late this message arrived."""
        shown = None
        if sync_id in self._synced and isinstance(counted, int | float):
            at, most = self._synced[sync_id]
            shown = at + min(max(float(counted), 0.0), most)
        self._handle(self.timer.heartbeat(shown=shown))

    def new_session(self) -> None:
        """After the end: a fresh session (new session id, fresh answers form) on the same routine."""
        if self.timer.state not in ("finished", "stopped") or self._pain_index is not None:
            return
        self.timer = self._new_timer()
        self.rows_written, self._saved, self._message = [], False, ""
        self.rpe.value = self.discomfort.value = self.pain_score.value = _UNSET
        self.note.value = ""
        self._sync(announce="")

    def _on_display_msg(
        self, _widget: TimerDisplay, content: dict[str, Any], _buffers: list[bytes]
    ) -> None:
        event = content.get("event")
        if event == "expired":
            self.tick()
        elif event == "heartbeat":
            self.heartbeat(content.get("sync_id"), content.get("counted"))
        elif event == "visibility":
            self.page_visible = not content.get("hidden")
            self.heartbeat(content.get("sync_id"), content.get("counted"))
        elif event == "pain":
            self.pain()

    # -- events -> log and display ----------------------------------------------------------------

    def _handle(self, events: list[Event], force: bool = False) -> None:
        announce = ""
        for e in events:
            i = e.step_index  # None only for events of the whole session (started, paused...)
            if e.kind in ("step_ended", "step_skipped", "stopped") and i is not None:
                self._write(i)
            if e.kind == "pain" and i is not None and self.timer.result_for(i) is not None:
                self._write(i)  # on disk at once; the score follows as an edit
                self._pain_index = i
                self.pain_score.value = _UNSET
                self._message = "Pain noted: this hold has ended. Rate it, then go on or end."
            if e.kind == "away":
                self._message = f"Paused: the page was away for {_duration(self.timer.away_s)}."
            if e.kind in ("resumed", "started", "get_ready"):
                self._message = ""
            if e.kind == "get_ready":
                announce = "Get ready."
            if e.kind == "step_started" and i is not None:
                step = self.routine.steps[i]
                announce = step.cue if step.kind == "rest" else f"{step.label}. {step.cue}"
            if e.kind == "finished":
                done = all(r["completed"] for r in self.timer.results())
                announce = "Well done. Routine complete." if done else ""
            if e.kind == "stopped":
                announce = ""
        if events or force:
            self._sync(announce=announce)

    def _write(self, index: int) -> None:
        row = self.timer.result_for(index, self.athlete)
        if row is not None and not any(r is row or r == row for r in self.unsaved):
            self._queue([row])

    def _correct(self, rows: list[Hold], changes: list[dict[str, Any]] | None = None) -> None:
        """Queue corrections of logged holds (nothing to correct when there is no log)."""
        if self.session_log is None:
            return
        try:
            edits = _edits(rows, changes)
        except HipnbError as exc:
            self.error = f"Not saved: {exc}"
            return
        self._queue(edits)

    def _queue(self, rows: list[Hold]) -> None:
        """Append ``rows`` after any rows still unsaved (so corrections follow their holds)."""
        self.unsaved += rows
        self._flush()

    def _flush(self) -> bool:
        """Write the rows still unsaved, in one append; on failure keep them and say why."""
        if not self.unsaved:
            return True
        if self.session_log is not None:
            try:
                self.session_log.append(self.unsaved)
            except (HipnbError, OSError, ValueError) as exc:
                self.error = f"Not saved ({len(self.unsaved)} hold(s) kept): {exc}"
                return False
        self.rows_written += self.unsaved
        self.unsaved, self.error = [], ""
        return True

    def retry_save(self) -> None:
        """Try again to write the holds a failed append kept."""
        self._flush()
        self._sync(announce="")

    def save_answers(self) -> None:
        """Write effort, discomfort and note as corrections (``action="edit"``) of every hold of the
        session; an unanswered slider is logged as unknown (empty), and a hold's Pain score is kept."""
        rows = self.timer.results(self.athlete)
        if self._saved or not rows:
            return
        rpe, discomfort, note = _answer(self.rpe), _answer(self.discomfort), self.note.value
        if rpe is not None or discomfort is not None or note:
            changes = [
                {
                    "rpe": rpe,
                    "discomfort": r["discomfort"] if r["pain_at_s"] is not None else discomfort,
                    "note": note,
                }
                for r in rows
            ]
            self._correct(rows, changes)
        if self.unsaved or self.error:
            self._sync(announce="")
            return
        self._saved = True
        self._sync(announce="")
        self.status.value = "Answers saved. Thank you."

    def _sync(self, announce: str) -> None:
        timer, d = self.timer, self.display_widget
        step, state = timer.current_step, timer.state
        nxt = timer.next_step
        ended = state in ("finished", "stopped")
        first = self.routine.steps[0]
        with d.hold_sync():
            d.state = state
            d.kind = step.kind if step else "hold"
            d.side_label = step.side if step and step.side != "both" else ""
            if state == "get_ready":
                d.title, d.cue = "Get ready", f"First: {first.label}"
                d.remaining, d.step_seconds = timer.remaining, timer.get_ready
            elif step is not None:
                d.title, d.cue = step.name, step.cue
                d.remaining, d.step_seconds = timer.remaining, step.seconds
            elif state == "ready":
                d.title, d.cue = self.routine.title, self._intro()
                d.remaining = d.step_seconds = first.seconds
            else:
                rows = timer.results()
                complete = state == "finished" and all(r["completed"] for r in rows)
                d.title = "Routine complete" if complete else "Session ended"
                d.cue, d.remaining, d.step_seconds = "", 0.0, 0.0
            d.next_label = nxt.label if nxt and not ended and state != "get_ready" else ""
            d.summary = self._summary() if ended else []
            d.message = self.error or self._message
            d.routine_seconds = self.routine.total_seconds
            d.routine_remaining = timer.total_remaining
            d.announce = announce
            d.sync_id += 1
        if state in ("running", "get_ready"):  # what a heartbeat counted from this state means
            running = state == "running"
            self._synced[d.sync_id] = (timer.elapsed, timer.remaining if running else 0.0)
            self._synced = dict(list(self._synced.items())[-8:])
        self._update_buttons()

    def _intro(self) -> str:
        n = len(self.routine.steps)
        return f"{_plural(n, 'step')}, {self.routine.total_seconds / 60:.1f} min. Press Start."

    def _summary(self) -> list[str]:
        """The end screen: holds done, time held, and time held per side."""
        rows = self.timer.results()
        held = sum(r["actual_s"] for r in rows)
        done = sum(r["completed"] for r in rows)
        lines = [
            f"{done} of {_plural(len(rows), 'hold')} done to target",
            f"{_clock(held)} held in all",
        ]
        sides: dict[str, float] = {}
        for r in rows:
            sides[r["side"]] = sides.get(r["side"], 0.0) + r["actual_s"]
        if sides:
            lines.append(" · ".join(f"{side} {_clock(s)}" for side, s in sides.items()))
        if any(r["pain_at_s"] is not None for r in rows):
            lines.append("Pain noted during a hold: take care, and tell your coach.")
        return lines

    def _update_buttons(self) -> None:
        state = self.timer.state
        pain_open = self._pain_index is not None
        ended = state in ("finished", "stopped")
        step = self.timer.current_step
        self.start_button.disabled = state != "ready"
        self.start_button.layout.display = "none" if ended else None
        self.new_button.layout.display = None if ended else "none"
        self.new_button.disabled = not ended or pain_open
        self.pause_button.disabled = state != "running"
        self.resume_button.disabled = state != "paused" or pain_open
        self.skip_button.disabled = state not in ("running", "paused") or pain_open
        self.stop_button.disabled = state not in ("running", "paused", "get_ready")
        self.pain_button.disabled = pain_open or step is None or not step.is_hold
        self.pain_box.layout.display = "flex" if pain_open else "none"
        self.go_on_button.disabled = state == "finished"
        self.save_problem.layout.display = "flex" if self.unsaved else "none"
        show_answers = (
            ended
            and bool(self.rows_written)
            and self.session_log is not None
            and not (self._saved or pain_open)
        )
        self.answers.layout.display = "flex" if show_answers else "none"
        if self.offer is not None:
            self.offer.layout.display = "flex" if state == "ready" else "none"
        n = sum(not r.get("action") for r in self.rows_written)
        where = html.escape(str(self.session_log.path)) if self.session_log else ""
        text = f"{n} hold(s) logged to {where}." if n and where else ""
        self.status.value = _error_html(self.error) + " " + text if self.error else text


class ProgressView(w.VBox):
    """Pick an athlete and a date range; see the dashboard and a short summary in words."""

    def __init__(self, df: pd.DataFrame, athlete: str | None = None) -> None:
        import matplotlib.pyplot as plt

        from hipnb import analysis, charts

        self._plt, self._analysis, self._charts = plt, analysis, charts
        self.df = df
        athletes = sorted(df["athlete"].unique()) or [""]
        athlete = normalize_name(athlete) if athlete else None  # "Zoë" typed decomposed too
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

    def selected(self) -> pd.DataFrame:
        """The rows of the chosen athlete within the chosen dates."""
        d = self.df[self.df["athlete"] == self.athlete.value]
        day = d["local_time"].dt.date
        if self.start.value:
            d = d[day >= self.start.value]
        if self.end.value:
            d = d[d["local_time"].dt.date <= self.end.value]
        rows: pd.DataFrame = d
        return rows

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


def __getattr__(name: str) -> Any:
    """``RosterView`` and ``ReviewBox`` live in :mod:`hipnb.roster_view` (they build on
    ProgressView); they are importable from here too."""
    if name in ("RosterView", "ReviewBox"):
        from hipnb import roster_view

        return getattr(roster_view, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


from hipnb.hold_editor import HoldEditor  # noqa: E402,F401  (re-exported: hipnb.widgets.HoldEditor)
