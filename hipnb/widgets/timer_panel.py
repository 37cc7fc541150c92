"""TimerPanel: run a routine in a notebook, logging each hold as it ends."""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from hipnb.errors import HipnbError, WriteError
from hipnb.log import Hold, SessionLog, hold_keys, normalize_name, to_frame
from hipnb.routines import Routine
from hipnb.seconds import plural, seconds_text
from hipnb.timer import Event, Timer
from hipnb.timer_view import PAIN_WORDS, announcement, display_fields, summary
from hipnb.widgets._common import (
    SCORES,
    UNSET,
    WIDE,
    answer,
    effort_sliders,
    error_html,
    note_box,
    resolve_routine,
)
from hipnb.widgets.target_offer import TargetOffer
from hipnb.widgets.timer_display import TimerDisplay


def _where(path: Path) -> str:
    """``path`` as a page shows it: relative to the notebook's folder, else the file's name alone
    (a page is shared; the machine's folders are not part of it)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name


def _patches(rows: list[Hold], changes: list[dict[str, Any]]) -> list[_Patch]:
    """Patches of logged holds, each naming its hold by identity and carrying only the answers
    given (a hold with none gets no patch)."""
    keys = hold_keys(to_frame(rows)).tolist()
    out = []
    for change, key in zip(changes, keys, strict=True):
        given = {k: v for k, v in change.items() if v is not None and v != ""}
        if given:
            out.append(_Patch(key, given))
    return out


@dataclass(frozen=True)
class _Patch:
    """A change of a logged hold, waiting to be written: its identity and the fields given."""

    hold_id: str
    changes: dict[str, Any]


def _label(item: Hold | _Patch) -> str:
    if isinstance(item, _Patch):
        return "a change of " + item.hold_id.split("|")[1].replace("_", " ")
    side = f" ({item['side']})" if item["side"] != "both" else ""
    return f"{item['exercise'].replace('_', ' ')}{side}, {seconds_text(item['actual_s'])}"


class TimerPanel(w.VBox):
    """Run a routine in a notebook: big countdown, controls, sound, spoken cues, and logging.

    Each hold goes through the log's door (:meth:`hipnb.SessionLog.add`) the moment it ends
    (completed, skipped, stopped or ended by Pain), so closing the tab loses at most the hold in
    progress. A failed write is shown on the panel; the rows are kept and **Retry saving** writes
    them. A hold the door refuses is shown with its reason and kept (Retry sends it again); it never
    holds up the others. At the end it shows a summary and asks
    for effort, hip discomfort and a note (written as corrections of the session's holds; a Pain
    score is never replaced), and **New session** starts again with a new session id.

    The page sends a heartbeat while it counts; if it falls silent (screen off, frozen tab) for
    more than ``grace`` seconds the session pauses where the heartbeats stopped and says so.

    Example::

        TimerPanel(load_routine("hip-basics"), athlete="ana", log="data/logs/ana.csv")

    ``clock`` is injectable for tests; ``get_ready`` is the 3-2-1 before the first step (seconds);
    ``big=True`` is the presentation mode for a projector (room words on Pain, no score asked;
    clicker keys); ``phone=True`` the layout for a phone (:mod:`hipnb.phone`); ``suggestions`` (a
    frame from :func:`hipnb.analysis.suggest_progression`) offers new targets before the start;
    ``new_athlete=True`` lets a name the log folder does not know yet start its log (else the name
    gate refuses it before the start, naming the closest known athlete).
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
        phone: bool = False,
        suggestions: pd.DataFrame | None = None,
        new_athlete: bool = False,
    ) -> None:
        self.routine = resolve_routine(routine)
        self.athlete = normalize_name(athlete) if athlete else athlete  # as the log keeps it
        self.session_log = SessionLog(log) if isinstance(log, str | Path) else log
        self.new_athlete = new_athlete
        self._door_for: tuple[Any, Any, SessionLog | None] = (None, None, None)
        self._gone = 0  # corrections left out: their hold had been deleted meanwhile
        self._clock, self._wall_clock = clock, wall_clock
        self.get_ready, self.grace = get_ready, grace
        self.timer = self._new_timer()
        self.rows_written: list[Hold] = []
        self.unsaved: list[Hold | _Patch] = []  # writes that failed, kept for Retry saving
        #: Writes the log's door refused, each with its reason: shown, kept, sent again by Retry.
        self.refused: list[tuple[Hold | _Patch, str]] = []
        self.error = ""
        self.page_visible = True
        self._message = ""
        self._pain_index: int | None = None
        # sync_id -> (running seconds when it was sent, the most the page can count from it)
        self._synced: dict[int, tuple[float, float]] = {}
        self.big, self.phone = big, phone
        self.display_widget = TimerDisplay(big=big, phone=phone)
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
            options=[("not set", UNSET), *SCORES],
            value=UNSET,
            description="Pain (0-10)",
            style=WIDE,
        )
        self.go_on_button = w.Button(description="Go on", icon="play", button_style="info")
        self.end_button = w.Button(description="End session", icon="stop", button_style="danger")
        self.go_on_button.on_click(lambda _b: self.after_pain(go_on=True))
        self.end_button.on_click(lambda _b: self.after_pain(go_on=False))
        self.pain_score.layout.display = "none" if big else None  # no score asked in a room
        self.pain_box = w.VBox(
            [
                w.HTML(self._words[1]),
                self.pain_score,
                w.HBox([self.go_on_button, self.end_button]),
            ]
        )
        # End-of-session answers
        self.rpe, self.discomfort = effort_sliders()
        self.note = note_box(placeholder="How did it feel?", description="Note", style=WIDE)
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
        self.pain_box.add_class("hipnb-pain-box")
        self.add_class("hipnb-panel")
        if big:
            self.add_class("hipnb-panel-big")
        if phone:
            self.add_class("hipnb-panel-phone")
            for button in (self.start_button, self.pause_button, self.resume_button):
                button.add_class("hipnb-main")
            self.new_button.add_class("hipnb-main")
            self.pain_button.add_class("hipnb-pain")
            self.mute.description = "Mute"  # fits a phone's third of a row
        self._refused_athlete = self._athlete_problem()
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
        score = answer(self.pain_score)
        self.timer.rate_pain(index, score)
        row = self.timer.result_for(index, self.athlete)
        if score is not None and row is not None:
            self._correct([row], [{"discomfort": score}])  # a patch of its score
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
        self.rpe.value = self.discomfort.value = self.pain_score.value = UNSET
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
        elif event == "clicker" and content.get("action") in ("next", "toggle", "pause"):
            self.clicker(str(content["action"]))

    # -- events -> log and display ----------------------------------------------------------------

    def _handle(self, events: list[Event], force: bool = False) -> None:
        for e in events:
            i = e.step_index  # None only for events of the whole session (started, paused...)
            if e.kind in ("step_ended", "step_skipped", "stopped") and i is not None:
                self._write(i)
            if e.kind == "pain" and i is not None and self.timer.result_for(i) is not None:
                self._write(i)  # on disk at once; the score follows as an edit
                self._pain_index = i
                self.pain_score.value = UNSET
                self._message = self._words[0]
            if e.kind == "away":
                self._message = f"Paused: the page was away for {seconds_text(self.timer.away_s)}."
            if e.kind in ("resumed", "started", "get_ready", "stopped") or (
                e.kind == "finished" and self._pain_index is None
            ):
                self._message = ""  # an away banner ends with what it paused
        if events or force:
            self._sync(announce=announcement(events, self.timer))

    def _door(self) -> SessionLog | None:
        """The log's door for this session: it knows the routine being run (made once for the log
        and routine in use, so its catalog is built once)."""
        if self.session_log is None:
            return None
        log, routine, door = self._door_for
        if log is not self.session_log or routine is not self.routine or door is None:
            door = self.session_log.running(self.routine)
            self._door_for = (self.session_log, self.routine, door)
        return door

    def _athlete_problem(self) -> str:
        """Why this athlete may not log here (the name gate), checked before the start."""
        door = self._door()
        if door is None or not self.athlete:
            return ""
        return door.athlete_problem(self.athlete, new_athlete=self.new_athlete) or ""

    def _write(self, index: int) -> None:
        row = self.timer.result_for(index, self.athlete)
        if row is not None:
            self._log(row)

    def _log(self, row: Hold) -> None:
        """Log a hold the timer ended: the door's gate first, then the queue of writes."""
        if any(r == row for r in self.unsaved):
            return
        door = self._door()
        if door is not None:
            try:  # the gate, before the queue: a refused hold never holds up the others
                door.check([row], new_athlete=self.new_athlete)
            except WriteError:
                pass  # the file cannot be read just now: queued, written by Retry saving
            except (HipnbError, ValueError) as exc:
                self.refused.append((row, str(exc)))
                return
        self._queue([row])

    def _correct(self, rows: list[Hold], changes: list[dict[str, Any]]) -> None:
        """Queue corrections of logged holds (nothing to correct when there is no log)."""
        if self.session_log is None:
            return
        try:
            edits = _patches(rows, changes)
        except HipnbError as exc:
            self.error = f"Not saved: {exc}"
            return
        self._queue(edits)

    def _queue(self, rows: Sequence[Hold | _Patch]) -> None:
        """Write ``rows`` after any writes still waiting (so corrections follow their holds)."""
        self.unsaved += rows
        self._flush()

    def _flush(self) -> bool:
        """Write what waits, in order, each through the log's door. A write that fails (disk full,
        no permission) stops here and keeps the rest for Retry saving; a write the door refuses is
        set aside with its reason, and the rest go on."""
        door = self._door()
        while self.unsaved:
            item = self.unsaved[0]
            if door is not None:
                try:
                    if isinstance(item, _Patch):
                        done = door.patch(item.hold_id, missing_ok=True, **item.changes)
                        self._gone += done is None
                    else:
                        door.add([item], new_athlete=self.new_athlete)
                except WriteError as exc:
                    self.error = f"Not saved ({plural(len(self.unsaved), 'write')} kept): {exc}"
                    return False
                except (HipnbError, OSError, ValueError) as exc:
                    self.refused.append((item, str(exc)))
                    self.unsaved.pop(0)
                    continue
            if not isinstance(item, _Patch):
                self.rows_written.append(item)
            self.unsaved.pop(0)
        self.error = ""
        return True

    def retry_save(self) -> None:
        """Try again to write what a failed write kept, and what the door refused (it may take it
        now: a routine file fixed, a hold deleted meanwhile)."""
        self.unsaved += [item for item, _ in self.refused]
        self.refused = []
        self._flush()
        self._sync(announce="")

    def save_answers(self) -> None:
        """Write effort, discomfort and note as patches (``action="patch"``) of the session's holds:
        only the answers given, so they never revert another field, never bring back a hold deleted
        meanwhile (its patch is left out, and the panel says so) and never replace a hold's Pain
        score. An unanswered slider changes nothing (the hold's value stays unknown)."""
        rows = self.timer.results(self.athlete)
        if self._saved or not rows:
            return
        rpe, discomfort, note = answer(self.rpe), answer(self.discomfort), self.note.value
        if rpe is not None or discomfort is not None or note:
            changes = [
                {
                    "rpe": rpe,
                    "discomfort": None if r["pain_at_s"] is not None else discomfort,
                    "note": note,
                }
                for r in rows
            ]
            refused = len(self.refused)
            self._correct(rows, changes)
            if len(self.refused) > refused:  # kept in the form: change it and save again
                self.refused, said = self.refused[:refused], self.refused[refused:]
                self.error = f"Answers not saved: {said[0][1]}"
        if self.unsaved or self.error:
            self._sync(announce="")
            return
        self._saved = True
        self._sync(announce="")
        gone = (
            f" {plural(self._gone, 'hold')} had been deleted meanwhile: left as deleted."
            if self._gone
            else ""
        )
        self.status.value = "Answers saved. Thank you." + gone

    def _sync(self, announce: str) -> None:
        timer, d = self.timer, self.display_widget
        state = timer.state
        ended = state in ("finished", "stopped")
        with d.hold_sync():
            fields = display_fields(
                timer,
                summary=self._summary() if ended else (),
                message=self.error or self._message,
                pain=self._pain_index is not None,
            )
            for name, value in fields.items():
                setattr(d, name, value)
            d.announce = announce
            d.sync_id += 1
        if state in ("running", "get_ready"):  # what a heartbeat counted from this state means
            running = state == "running"
            self._synced[d.sync_id] = (timer.elapsed, timer.remaining if running else 0.0)
            self._synced = dict(list(self._synced.items())[-8:])
        self._update_buttons()

    @property
    def _words(self) -> tuple[str, str, str]:
        return PAIN_WORDS["room" if self.big else "own"]

    def clicker(self, action: str) -> None:
        """A presentation clicker's key: ``"next"`` starts, or ends the step now (as Skip);
        ``"toggle"`` pauses or resumes; ``"pause"`` pauses. Nothing while Pain is open."""
        state = self.timer.state
        if self._pain_index is not None:
            return
        if action == "next":
            self.start() if state == "ready" else self.skip()
        elif action == "toggle":
            self.resume() if state == "paused" else self.pause()
        elif action == "pause":
            self.pause()

    def _summary(self) -> list[str]:
        return summary(self.timer.results(), self.routine, "room" if self.big else "own")

    def _update_buttons(self) -> None:
        state = self.timer.state
        pain_open = self._pain_index is not None
        ended = state in ("finished", "stopped")
        step = self.timer.current_step
        self.start_button.disabled = state != "ready" or bool(self._refused_athlete)
        self.start_button.layout.display = "none" if ended else None
        self.new_button.layout.display = None if ended else "none"
        self.new_button.disabled = not ended or pain_open
        if self.phone:  # one large control: the one that applies now
            main = (
                self.start_button
                if state == "ready"
                else self.new_button
                if ended
                else self.resume_button
                if state == "paused"
                else self.pause_button
            )
            for button in (self.start_button, self.pause_button, self.resume_button):
                button.layout.display = None if button is main else "none"
            self.new_button.layout.display = None if main is self.new_button else "none"
        self.pause_button.disabled = state != "running"
        self.resume_button.disabled = state != "paused" or pain_open
        self.skip_button.disabled = state not in ("running", "paused") or pain_open
        self.stop_button.disabled = state not in ("running", "paused", "get_ready")
        self.pain_button.disabled = pain_open or step is None or not step.is_hold
        self.pain_box.layout.display = "flex" if pain_open else "none"
        self.go_on_button.disabled = state == "finished"
        self.save_problem.layout.display = "flex" if self.unsaved or self.refused else "none"
        show_answers = (
            ended
            and bool(self.rows_written)
            and self.session_log is not None
            and not (self._saved or pain_open)
        )
        self.answers.layout.display = "flex" if show_answers else "none"
        if self.offer is not None:
            self.offer.layout.display = "flex" if state == "ready" else "none"
        n = len(self.rows_written)
        where = html.escape(_where(Path(self.session_log.path))) if self.session_log else ""
        text = f"{plural(n, 'hold')} logged to {where}." if n and where else ""
        problems = [self._refused_athlete, self.error]
        problems += [f"Not logged: {_label(item)}: {why}" for item, why in self.refused]
        said = "<br>".join(error_html(p) for p in problems if p)
        self.status.value = f"{said}<br>{text}" if said and text else said or text
