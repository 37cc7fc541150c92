"""The routine timer: a pure state machine driven by an injected clock.

Every time it reports or logs is derived from ``clock()``, never from counting ticks: a ``tick()`` that
comes 40 s late still lands on the right step with the right held seconds, and pauses are excluded.
No widgets, no plotting here; :class:`hipnb.widgets.TimerPanel` is a skin over it.

    >>> from hipnb import Timer, load_routine
    >>> now = [0.0]
    >>> t = Timer(load_routine("hip-basics"), clock=lambda: now[0])
    >>> _ = t.start()
    >>> now[0] = 75.0                       # 60 s roll left, 10 s rest, 5 s into roll right
    >>> [e.kind for e in t.tick()]
    ['step_ended', 'step_started', 'step_ended', 'step_started']
    >>> t.current_step.label, t.remaining
    ('Foam roll: glutes and upper IT band (right)', 55.0)

A page that shows the timer passes ``get_ready`` (a 3-2-1 before the first step, a state of its own)
and ``grace``: then running time is credited only while the page sends :meth:`Timer.heartbeat`
(``grace`` seconds apart at most). A longer silence (a phone screen turned off, a frozen tab) pauses
the session at the last heartbeat the page sent, never past it, so no hold is logged as completed
that no page counted down:

    >>> now = [0.0]
    >>> t = Timer(load_routine("hip-basics"), clock=lambda: now[0], get_ready=3, grace=5)
    >>> [e.kind for e in t.start()], t.state, t.remaining
    (['get_ready'], <TimerState.GET_READY: 'get_ready'>, 3.0)
    >>> for second in range(1, 14):         # the page counts: 3 s get-ready, 10 s of the first hold
    ...     now[0] = second
    ...     _ = t.heartbeat()
    >>> now[0] = 7213.0                     # the page went away for two hours
    >>> [e.kind for e in t.tick()], t.state, t.step_elapsed, t.away_s
    (['away'], <TimerState.PAUSED: 'paused'>, 10.0, 7200.0)

A heartbeat that says how far the page had counted (``shown``, in running seconds) pins the credit
there: a busy machine that delivers it late adds nothing the page did not show.

    >>> t = Timer(load_routine("hip-basics"), clock=lambda: now[0], grace=5)
    >>> now[0] = 0.0; _ = t.start()
    >>> now[0] = 4.2; _ = t.heartbeat(shown=3.0)   # sent at 3.0 s of counting, arrived 1.2 s late
    >>> now[0] = 60.0; [e.kind for e in t.tick()], t.elapsed
    (['away'], 3.0)
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, cast

from hipnb.errors import HipnbError
from hipnb.log import Hold
from hipnb.routines import Routine, Step


class TimerState(StrEnum):
    """Where a :class:`Timer` is: a string enum, so ``timer.state == "running"`` reads as before."""

    READY = "ready"
    GET_READY = "get_ready"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"


READY, GET_READY, RUNNING, PAUSED = (
    TimerState.READY,
    TimerState.GET_READY,
    TimerState.RUNNING,
    TimerState.PAUSED,
)
FINISHED, STOPPED = TimerState.FINISHED, TimerState.STOPPED
ACTIVE = (RUNNING, PAUSED)  # a step is being timed
#: The longest get-ready count before the first step, in seconds (every page that sets one).
GET_READY_MAX_S = 30


def checked_get_ready(seconds: object) -> float:
    """``seconds`` as a get-ready count (0 to :data:`GET_READY_MAX_S`), else :class:`HipnbError`."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise HipnbError("get-ready is a number of seconds")
    if not 0 <= seconds <= GET_READY_MAX_S:
        raise HipnbError(f"get-ready {seconds} s: must be 0-{GET_READY_MAX_S} s")
    return float(seconds)


#: What an :class:`Event` reports.
EventKind = Literal[
    "get_ready",
    "started",
    "step_started",
    "step_ended",
    "step_skipped",
    "pain",
    "paused",
    "away",
    "resumed",
    "finished",
    "stopped",
]


@dataclass(frozen=True)
class Event:
    """Something that happened: ``kind`` is one of get_ready, started, step_started, step_ended,
    step_skipped, pain, paused, away (paused because the page fell silent), resumed, finished,
    stopped; ``at`` is running seconds since start (pauses excluded)."""

    kind: EventKind
    step_index: int | None
    at: float


class Timer:
    """Times a :class:`Routine` step by step from an injected clock.

    ``clock`` returns seconds (monotonic); ``wall_clock`` returns an aware ``datetime`` for
    ``started_at`` (default: now, in this machine's time zone). Methods return the events they caused.

    ``get_ready``: seconds of the 3-2-1 between :meth:`start` and the first step (state ``get_ready``).
    ``grace``: None when nothing watches the timer (every clock second counts); a number of seconds
    when a page counts it down: time is credited while :meth:`heartbeat` comes at most ``grace``
    seconds apart; a longer silence pauses the session at the last heartbeat the page sent (event
    ``away``; ``away_s`` says how long it lasted), never past it. Nothing is credited that no page
    counted.
    """

    def __init__(
        self,
        routine: Routine,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] | None = None,
        session_id: str | None = None,
        get_ready: float = 0.0,
        grace: float | None = None,
    ):
        self.routine = routine
        self.get_ready = float(get_ready)
        self.grace = grace
        self.away_s = 0.0  # length of the last silence that paused the session
        self._heard = 0.0  # clock time the last heartbeat (or start/resume) arrived
        self._seen = 0.0  # clock time up to which the page had counted when it sent it
        self._last_credit = 0.0  # clock time up to which running time is spent on what was recorded
        self._ready_from = 0.0
        self.steps: tuple[Step, ...] = routine.steps
        self.clock = clock
        self.wall_clock = wall_clock or (lambda: datetime.now().astimezone())
        self.session_id = session_id or uuid.uuid4().hex[:12]
        self.state: TimerState = READY
        self._index = 0
        self._active = 0.0  # running seconds before the current running stretch
        self._run_from: float | None = None  # clock time the current running stretch began
        self._step_from = 0.0  # running seconds at which the current step began
        self._t0_clock = 0.0
        self._t0_wall: datetime | None = None
        self._step_clock: dict[int, float] = {}
        self._results: dict[int, dict[str, Any]] = {}  # rows without their athlete

    # -- reading the state ------------------------------------------------------------------------

    def _credited(self, now: float) -> float:
        """The clock time up to which running time counts: ``now`` while the page is heard from
        (a heartbeat within ``grace``); after a longer silence, as far as the page had counted when
        it sent its last heartbeat (or the end of what was already recorded, if later)."""
        if self.grace is None or now <= self._heard + self.grace:
            return now
        return max(self._seen, self._last_credit)

    def _running_seconds(self, now: float) -> float:
        if self._run_from is None:
            return self._active
        return self._active + max(self._credited(now) - self._run_from, 0.0)

    @property
    def elapsed(self) -> float:
        """Running seconds since start, pauses excluded."""
        return self._running_seconds(self.clock())

    def _locate(self) -> tuple[int, float]:
        """(index, start) of the step running now, without changing anything."""
        index, start, active = self._index, self._step_from, self.elapsed
        while self.state in ACTIVE and index < len(self.steps):
            if active < start + self.steps[index].seconds:
                break
            start += self.steps[index].seconds
            index += 1
        return index, start

    @property
    def current_step(self) -> Step | None:
        """The step being timed (None before start and after the end)."""
        if self.state not in ACTIVE:
            return None
        index, _ = self._locate()
        return self.steps[index] if index < len(self.steps) else None

    @property
    def current_index(self) -> int | None:
        """Index of the current step in ``routine.steps`` (None when no step runs)."""
        index, _ = self._locate()
        return index if self.current_step is not None else None

    @property
    def next_step(self) -> Step | None:
        """The step after the current one (the first step before start and while getting ready)."""
        if self.state in (READY, GET_READY):
            return self.steps[0]
        index, _ = self._locate()
        return self.steps[index + 1] if index + 1 < len(self.steps) else None

    @property
    def remaining(self) -> float:
        """Seconds left in the current step, or in the get-ready (0 when no step runs)."""
        if self.state == GET_READY:
            return max(self.get_ready - (self.clock() - self._ready_from), 0.0)
        if self.current_step is None:
            return 0.0
        index, start = self._locate()
        return max(start + self.steps[index].seconds - self.elapsed, 0.0)

    @property
    def step_elapsed(self) -> float:
        """Running seconds spent in the current step."""
        if self.current_step is None:
            return 0.0
        _, start = self._locate()
        return self.elapsed - start

    @property
    def total_remaining(self) -> float:
        """Seconds left in the whole routine if nothing is skipped."""
        if self.state in (READY, GET_READY):
            return self.routine.total_seconds
        index, _ = self._locate()
        later = sum(s.seconds for s in self.steps[index + 1 :])
        return self.remaining + later if self.current_step is not None else 0.0

    # -- changing the state -----------------------------------------------------------------------

    def start(self) -> list[Event]:
        """Start: the get-ready countdown if there is one, else the first step (once only)."""
        if self.state != READY:
            return []
        now = self.clock()
        self._seen = self._heard = now
        if self.get_ready > 0:
            self._ready_from, self.state = now, GET_READY
            return [Event("get_ready", None, 0.0)]
        return self._begin(now)

    def _begin(self, at: float) -> list[Event]:
        self._t0_clock, self._last_credit = at, at
        self._t0_wall = self.wall_clock() - timedelta(seconds=max(self.clock() - at, 0.0))
        self._run_from, self.state = at, RUNNING
        self._step_clock[0] = at
        return [Event("started", None, 0.0), Event("step_started", 0, 0.0)]

    def tick(self) -> list[Event]:
        """Bring the state up to the clock; return what happened since the last call."""
        now = self.clock()
        events = self._catch_up(now)
        return events + (self._advance(now) if self.state == RUNNING else [])

    def heartbeat(self, shown: float | None = None) -> list[Event]:
        """The page is alive and counting. Returns what happened since the last call: if the page
        had been silent longer than ``grace``, the session was paused where the credit ended.

        ``shown``: how far the page had counted when it sent this heartbeat, in running seconds
        (:attr:`elapsed`); a later silence credits up to there, not up to when the heartbeat
        arrived. None: the page counted up to now."""
        now = self.clock()
        events = self.tick()
        if self.state in (RUNNING, GET_READY):
            self._heard = now
            self._seen = max(self._seen, self._clock_at(shown, now))
        return events

    def _clock_at(self, shown: float | None, now: float) -> float:
        """The clock time at which running time reached ``shown`` (at most ``now``)."""
        if shown is None or self._run_from is None:
            return now
        return min(self._run_from + (shown - self._active), now)

    def _catch_up(self, now: float) -> list[Event]:
        """Leave the get-ready when it is over, and pause a session whose page fell silent."""
        events: list[Event] = []
        if self.state == GET_READY:
            if self.grace is not None and now > self._heard + self.grace:
                self.away_s = now - self._heard  # the page missed the 3-2-1: it starts again
                self._ready_from = self._seen = self._heard = now
                return [Event("away", None, 0.0), Event("get_ready", None, 0.0)]
            end = self._ready_from + self.get_ready
            if now < end:
                return events
            events += self._begin(end)
        if self.state == RUNNING and self.grace is not None and now > self._heard + self.grace:
            events += self._advance(now)
            if self.state == RUNNING:
                self.away_s = now - self._heard
                self._freeze(now)
                self.state = PAUSED
                events.append(Event("away", self._index, self._active))
        return events

    def _advance(self, now: float) -> list[Event]:
        events, active = [], self._running_seconds(now)
        while self._index < len(self.steps):
            step = self.steps[self._index]
            end = self._step_from + step.seconds
            if active < end:
                break
            self._record(self._index, step.seconds, completed=True)
            assert self._run_from is not None  # steps advance only while running
            self._spent_until(self._run_from + (end - self._active))
            events.append(Event("step_ended", self._index, end))
            self._index += 1
            self._step_from = end
            if self._index < len(self.steps):
                self._step_clock[self._index] = self._run_from + (end - self._active)
                events.append(Event("step_started", self._index, end))
        if self._index >= len(self.steps):
            self._freeze(now)
            self.state = FINISHED
            events.append(Event("finished", None, self._active))
        return events

    def pause(self) -> list[Event]:
        """Pause (time stops counting); events up to now are returned first."""
        now = self.clock()
        events = self._catch_up(now)
        if self.state != RUNNING:
            return events
        events += self._advance(now)
        if self.state == RUNNING:
            self._freeze(now)
            self.state = PAUSED
            events.append(Event("paused", self._index, self._active))
        return events

    def resume(self) -> list[Event]:
        """Resume after a pause."""
        if self.state != PAUSED:
            return []
        now = self.clock()
        self._run_from, self._seen, self._heard, self.state = now, now, now, RUNNING
        return [Event("resumed", self._index, self._active)]

    def skip(self) -> list[Event]:
        """End the current step now (a hold records what was held) and move to the next."""
        if self.state not in ACTIVE:
            return []
        return self._end_step("step_skipped")

    def pain(self, score: int | None = None) -> list[Event]:
        """Pain during a hold: end it now (not completed), record the second it happened
        (``pain_at_s``) and ``score`` (0-10, into ``discomfort``; see :meth:`rate_pain`), and pause
        at the start of the next step, so the athlete chooses to go on (resume) or end (stop)."""
        events = self.tick()
        step = self.current_step
        if step is None or not step.is_hold:
            return events
        events += self._end_step("pain", pain_score=score)
        if self.state == RUNNING:
            self._freeze(self.clock())
            self.state = PAUSED
            events.append(Event("paused", self._index, self._active))
        return events

    def rate_pain(self, index: int, score: int | None) -> None:
        """Set the 0-10 pain score of hold ``index`` (one that ended with :meth:`pain`)."""
        row = self._results.get(index)
        if row is None or row.get("pain_at_s") is None:
            raise ValueError(f"step {index} did not end with pain")
        row["discomfort"] = score

    def _end_step(self, kind: EventKind, pain_score: int | None = None) -> list[Event]:
        """End the current step now (a hold records what was held) and move on to the next."""
        now = self.clock()
        events = self.tick()
        if self.state not in ACTIVE:
            return events
        active = self._running_seconds(now)
        held = active - self._step_from
        self._record(self._index, held, completed=False)
        if self._run_from is not None:  # the button was pressed where the credit ends
            self._spent_until(self._credited(now))
        if kind == "pain" and self._index in self._results:
            row = self._results[self._index]
            row["pain_at_s"], row["discomfort"] = row["actual_s"], pain_score
        events.append(Event(kind, self._index, active))
        self._index += 1
        self._step_from = active
        if self._index < len(self.steps):
            self._step_clock[self._index] = (
                self._credited(now) if self._run_from is not None else now
            )
            events.append(Event("step_started", self._index, active))
        else:
            self._freeze(now)
            self.state = FINISHED
            events.append(Event("finished", None, self._active))
        return events

    def stop(self) -> list[Event]:
        """Stop for good: a hold in progress is recorded as held so far (not completed); a hold not
        yet begun (0 s held, e.g. after Pain) is not recorded. Stopping the get-ready ends with
        nothing recorded."""
        if self.state == GET_READY:
            self.state = STOPPED
            return [Event("stopped", None, 0.0)]
        if self.state not in ACTIVE:
            return []
        now = self.clock()
        events = self.tick()
        if self.state == FINISHED:
            return events
        self._freeze(now)
        if self._active - self._step_from > 0:
            self._record(self._index, self._active - self._step_from, completed=False)
        self.state = STOPPED
        events.append(Event("stopped", self._index, self._active))
        return events

    def _freeze(self, now: float) -> None:
        self._active = self._running_seconds(now)
        self._run_from = None

    def _spent_until(self, at: float) -> None:
        """Running time up to clock time ``at`` went into what was recorded: never taken back."""
        self._last_credit = max(self._last_credit, at)

    def _record(self, index: int, held: float, completed: bool) -> None:
        step = self.steps[index]
        if not step.is_hold or index in self._results:
            return
        assert self._t0_wall is not None  # a step ends only after start()
        when = self._t0_wall + timedelta(
            seconds=self._step_clock.get(index, self._t0_clock) - self._t0_clock
        )
        self._results[index] = {
            "session_id": self.session_id,
            "started_at": when.replace(microsecond=0),
            "routine": self.routine.name,
            "exercise": step.exercise,
            "side": step.side,
            "target_s": float(step.seconds),
            "actual_s": max(min(held, step.seconds), 0.0),
            "completed": bool(completed),
            "pain_at_s": None,
        }

    # -- results ----------------------------------------------------------------------------------

    def result_for(self, index: int, athlete: str = "") -> Hold | None:
        """The log row of hold step ``index`` once it has ended (None before, or for a rest)."""
        row = self._results.get(index)
        return None if row is None else cast(Hold, {**row, "athlete": athlete})

    def results(self, athlete: str = "") -> list[Hold]:
        """One log row per hold performed so far, in order (rests are not logged)."""
        return [cast(Hold, {**self._results[i], "athlete": athlete}) for i in sorted(self._results)]
