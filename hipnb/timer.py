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
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hipnb.routines import Routine, Step

READY, RUNNING, PAUSED, FINISHED, STOPPED = "ready", "running", "paused", "finished", "stopped"


@dataclass(frozen=True)
class Event:
    """Something that happened: ``kind`` is one of started, step_started, step_ended, step_skipped,
    paused, resumed, finished, stopped; ``at`` is running seconds since start (pauses excluded)."""

    kind: str
    step_index: int | None
    at: float


class Timer:
    """Times a :class:`Routine` step by step from an injected clock.

    ``clock`` returns seconds (monotonic); ``wall_clock`` returns an aware ``datetime`` for
    ``started_at`` (default: now, in this machine's time zone). Methods return the events they caused.
    """

    def __init__(
        self,
        routine: Routine,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] | None = None,
        session_id: str | None = None,
    ):
        self.routine = routine
        self.steps: tuple[Step, ...] = routine.steps
        self.clock = clock
        self.wall_clock = wall_clock or (lambda: datetime.now().astimezone())
        self.session_id = session_id or uuid.uuid4().hex[:12]
        self.state = READY
        self._index = 0
        self._active = 0.0  # running seconds before the current running stretch
        self._run_from: float | None = None  # clock time the current running stretch began
        self._step_from = 0.0  # running seconds at which the current step began
        self._t0_clock = 0.0
        self._t0_wall: datetime | None = None
        self._step_clock: dict[int, float] = {}
        self._results: dict[int, dict] = {}

    # -- reading the state ------------------------------------------------------------------------

    def _running_seconds(self, now: float) -> float:
        extra = now - self._run_from if self._run_from is not None else 0.0
        return self._active + max(extra, 0.0)

    @property
    def elapsed(self) -> float:
        """Running seconds since start, pauses excluded."""
        return self._running_seconds(self.clock())

    def _locate(self) -> tuple[int, float]:
        """(index, start) of the step running now, without changing anything."""
        index, start, active = self._index, self._step_from, self.elapsed
        while self.state in (RUNNING, PAUSED) and index < len(self.steps):
            if active < start + self.steps[index].seconds:
                break
            start += self.steps[index].seconds
            index += 1
        return index, start

    @property
    def current_step(self) -> Step | None:
        """The step being timed (None before start and after the end)."""
        if self.state not in (RUNNING, PAUSED):
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
        """The step after the current one (the first step before start)."""
        if self.state == READY:
            return self.steps[0]
        index, _ = self._locate()
        return self.steps[index + 1] if index + 1 < len(self.steps) else None

    @property
    def remaining(self) -> float:
        """Seconds left in the current step (0 when no step runs)."""
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
        if self.state == READY:
            return self.routine.total_seconds
        index, _ = self._locate()
        later = sum(s.seconds for s in self.steps[index + 1 :])
        return self.remaining + later if self.current_step is not None else 0.0

    # -- changing the state -----------------------------------------------------------------------

    def start(self) -> list[Event]:
        """Start the routine at the first step (a second call does nothing)."""
        if self.state != READY:
            return []
        now = self.clock()
        self._t0_clock, self._t0_wall = now, self.wall_clock()
        self._run_from, self.state = now, RUNNING
        self._step_clock[0] = now
        return [Event("started", None, 0.0), Event("step_started", 0, 0.0)]

    def tick(self) -> list[Event]:
        """Bring the state up to the clock; return what happened since the last call."""
        if self.state not in (RUNNING, PAUSED):
            return []
        return self._advance(self.clock())

    def _advance(self, now: float) -> list[Event]:
        events, active = [], self._running_seconds(now)
        while self._index < len(self.steps):
            step = self.steps[self._index]
            end = self._step_from + step.seconds
            if active < end:
                break
            self._record(self._index, step.seconds, completed=True)
            events.append(Event("step_ended", self._index, end))
            self._index += 1
            self._step_from = end
            if self._index < len(self.steps):
                self._step_clock[self._index] = now - (active - end)
                events.append(Event("step_started", self._index, end))
        if self._index >= len(self.steps):
            self._freeze(now)
            self.state = FINISHED
            events.append(Event("finished", None, self._active))
        return events

    def pause(self) -> list[Event]:
        """Pause (time stops counting); events up to now are returned first."""
        if self.state != RUNNING:
            return []
        now = self.clock()
        events = self._advance(now)
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
        self._run_from, self.state = now, RUNNING
        return [Event("resumed", self._index, self._active)]

    def skip(self) -> list[Event]:
        """End the current step now (a hold records what was held) and move to the next."""
        if self.state not in (RUNNING, PAUSED):
            return []
        now = self.clock()
        events = self._advance(now)
        if self.state not in (RUNNING, PAUSED):
            return events
        active = self._running_seconds(now)
        held = active - self._step_from
        self._record(self._index, held, completed=False)
        events.append(Event("step_skipped", self._index, active))
        self._index += 1
        self._step_from = active
        if self._index < len(self.steps):
            self._step_clock[self._index] = now
            events.append(Event("step_started", self._index, active))
        else:
            self._freeze(now)
            self.state = FINISHED
            events.append(Event("finished", None, self._active))
        return events

    def stop(self) -> list[Event]:
        """Stop for good: a hold in progress is recorded as held so far (not completed)."""
        if self.state not in (RUNNING, PAUSED):
            return []
        now = self.clock()
        events = self._advance(now)
        if self.state == FINISHED:
            return events
        self._freeze(now)
        self._record(self._index, self._active - self._step_from, completed=False)
        self.state = STOPPED
        events.append(Event("stopped", self._index, self._active))
        return events

    def _freeze(self, now: float) -> None:
        self._active = self._running_seconds(now)
        self._run_from = None

    def _record(self, index: int, held: float, completed: bool) -> None:
        step = self.steps[index]
        if not step.is_hold or index in self._results:
            return
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
        }

    # -- results ----------------------------------------------------------------------------------

    def result_for(self, index: int, athlete: str = "") -> dict | None:
        """The log row of hold step ``index`` once it has ended (None before, or for a rest)."""
        row = self._results.get(index)
        return None if row is None else {**row, "athlete": athlete}

    def results(self, athlete: str = "") -> list[dict]:
        """One log row per hold performed so far, in order (rests are not logged)."""
        return [self.result_for(i, athlete) for i in sorted(self._results)]
