"""The room's clock and who follows it: :class:`Room`, pure, driven by an injected clock.

One :class:`hipnb.Timer` for the room; each participant is credited with the time their phone
followed a hold (heard at most ``grace`` seconds apart, never where the room did not run).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hipnb.errors import HipnbError
from hipnb.log import Hold
from hipnb.phone import GRACE_S
from hipnb.routines import Routine
from hipnb.timer import PAUSED, READY, RUNNING, Event, Timer
from hipnb.timer_view import PAIN_WORDS, announcement, display_fields, summary

__all__ = ["ACTIONS", "Participant", "Room"]

#: What the teacher's page may ask of the room (the clicker's keys are next, toggle and pause).
ACTIONS = ("start", "pause", "resume", "skip", "pain", "go_on", "end", "new", "next", "toggle")


@dataclass
class Participant:
    """One athlete in the room: the phones that joined as them and when they followed."""

    athlete: str
    new_athlete: bool = False
    #: Clock intervals during which a phone of theirs was heard at most ``grace`` apart.
    seen: list[list[float]] = field(default_factory=list)
    #: Step index -> clock time of their own Pain in this session.
    pain: dict[int, float] = field(default_factory=dict)
    #: After their own Pain, until they rejoin: their phone shows the room but is not credited.
    out: bool = False
    #: Their holds written in this session (step index -> the row), for their answers.
    written: dict[int, Hold] = field(default_factory=dict)


class Room:
    """The room's clock and who follows it: pure, driven by an injected ``clock``.

    Every method that changes the room returns the holds due to be written (one per participant
    who followed a hold that has just ended); :attr:`version` grows with every change a display
    shows.
    """

    def __init__(
        self,
        routine: Routine,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] | None = None,
        get_ready: float = 5.0,
        grace: float = GRACE_S,
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock or (lambda: datetime.now().astimezone())
        self.grace = grace
        self.get_ready = get_ready
        self.participants: dict[str, Participant] = {}
        #: phone id -> (athlete, clock time last heard)
        self.phones: dict[str, list[Any]] = {}
        self.version = 0
        self.announce = ""
        self.routine: Routine = routine
        self.new(routine)

    # -- the session ------------------------------------------------------------------------------

    def new(self, routine: Routine | None = None, get_ready: float | None = None) -> list[Hold]:
        """A new session of ``routine`` (or the same), ready to start. Returns the holds of the
        last session still waiting for a phone that was away when they ended."""
        due = self.flush() if hasattr(self, "timer") else []
        self.routine = routine or self.routine
        self.get_ready = self.get_ready if get_ready is None else get_ready
        self.timer = Timer(
            self.routine, clock=self.clock, wall_clock=self.wall_clock, get_ready=self.get_ready
        )
        self.pain_open = False  # the teacher's Pain: the room waits for Go on or End
        self.pains: list[dict[str, Any]] = []  # participants' own Pain in this session
        self._stretches: list[list[Any]] = []  # [clock - running seconds, from, to] per stretch
        self._windows: dict[int, list[Any]] = {}  # step index -> [running s from, to]
        self._ended: set[int] = set()
        self.pending: dict[str, set[int]] = {}  # athlete -> holds ended while their phone was away
        for p in self.participants.values():
            p.pain.clear()
            p.written.clear()
            p.out = False
        self._changed("")
        return due

    def _changed(self, announce: str) -> None:
        self.version += 1
        self.announce = announce

    def command(self, action: str) -> list[Hold]:
        """The teacher's ``action`` (one of :data:`ACTIONS`)."""
        t = self.timer
        if action not in ACTIONS:
            raise HipnbError(f"{action!r} is not something the room does")
        if self.pain_open and action not in ("go_on", "end"):
            return []
        events: list[Event] = []
        if action == "start" or (action == "next" and t.state == READY):
            events = t.start()
        elif action in ("skip", "next"):
            events = t.skip()
        elif action == "pause" or (action == "toggle" and t.state != PAUSED):
            events = t.pause()
        elif action in ("resume", "toggle"):
            events = t.resume()
        elif action == "pain":
            events = t.pain()
            self.pain_open = any(e.kind == "pain" for e in events)
        elif action == "go_on" and self.pain_open:
            self.pain_open = False
            events = t.resume() or [Event("resumed", None, 0.0)]
        elif action == "end":
            self.pain_open = False
            events = t.stop() or t.tick()
            if not events:
                return []
        elif action == "new":
            return self.new() if t.state in ("finished", "stopped") else []
        return self._after(events)

    def tick(self) -> list[Hold]:
        """Bring the room up to the clock (a step that ended, the routine's end)."""
        return self._after(self.timer.tick())

    # -- who follows ------------------------------------------------------------------------------

    def join(self, phone: str, athlete: str, *, new_athlete: bool = False) -> Participant:
        """Tie ``phone`` to ``athlete`` (already checked by the name gate) from now on."""
        p = self.participants.setdefault(athlete, Participant(athlete, new_athlete))
        p.new_athlete = p.new_athlete or new_athlete
        self.phones[phone] = [athlete, None, self.clock()]
        self.heard(phone)
        return p

    def heard(self, phone: str) -> None:
        """A heartbeat of ``phone``: its participant follows now."""
        if phone not in self.phones:
            return
        now = self.clock()
        self.phones[phone][1] = now
        p = self.participants[self.phones[phone][0]]
        if p.out:
            return
        if p.seen and now - p.seen[-1][1] <= self.grace:
            p.seen[-1][1] = now
        else:
            p.seen.append([now, now])

    def following(self) -> list[str]:
        """The phones heard within ``grace`` seconds."""
        now = self.clock()
        return [
            ph
            for ph, (_, at, _) in self.phones.items()
            if at is not None and now - at <= self.grace
        ]

    def _live(self, p: Participant, now: float) -> bool:
        return any(
            a == p.athlete and at is not None and now - at <= self.grace
            for a, at, _ in self.phones.values()
        )

    def was_here(self, phone: str, spans: object) -> list[Hold]:
        """What ``phone`` counted while its network was down: ``spans`` of this room's clock
        (``[[from, to], ...]``: the page beat each second meanwhile, as a frozen page cannot).
        They count as heard, from when it joined to now; then the holds that waited for it."""
        if phone not in self.phones:
            return []
        athlete, _, joined = self.phones[phone]
        p = self.participants[athlete]
        now = self.clock()
        if not p.out and isinstance(spans, list):
            for span in spans[:10_000]:
                if not (isinstance(span, list) and len(span) == 2):
                    continue
                a, b = (_number(x) for x in span)
                if a is None or b is None:
                    continue
                a, b = max(a, joined), min(b, now)
                if a <= b:
                    p.seen.append([a, b])
            p.seen = _merged(p.seen, self.grace)
        return self.flush(athlete)

    def flush(self, athlete: str | None = None) -> list[Hold]:
        """The holds that waited for a phone away when they ended (``athlete``'s, or all),
        credited with what is known now."""
        now = self.clock()
        due = []
        for name in [athlete] if athlete is not None else list(self.pending):
            p = self.participants.get(name or "")
            for index in sorted(self.pending.pop(name or "", set())):
                if p is not None and index not in p.written:
                    hold = self._hold_of(p, index, now)
                    if hold is not None:
                        due.append(hold)
        return due

    def pain(self, phone: str) -> list[Hold]:
        """``phone``'s own Pain: their hold in progress ends now for them alone (logged with the
        second it happened); their phone stops being credited until :meth:`rejoin`."""
        if phone not in self.phones:
            return []
        p = self.participants[self.phones[phone][0]]
        index, step = self.timer.current_index, self.timer.current_step
        if p.out or index is None or step is None or not step.is_hold:
            return []
        self.heard(phone)
        now = self.clock()
        p.pain[index] = now
        p.out = True
        self.pains.append({"athlete": p.athlete, "step": index, "label": step.label})
        self._changed("")
        hold = self._hold_of(p, index, now)
        return [hold] if hold is not None else []

    def rejoin(self, phone: str) -> None:
        """After their own Pain, ``phone``'s participant follows the room again from now."""
        if phone in self.phones:
            self.participants[self.phones[phone][0]].out = False
            self.heard(phone)
            self._changed("")

    # -- what is credited -------------------------------------------------------------------------

    def _after(self, events: list[Event]) -> list[Hold]:
        now = self.clock()
        t = self.timer
        open_ = bool(self._stretches) and self._stretches[-1][2] is None
        if t.state == RUNNING and not open_:
            start = self._stretches[-1][2] if self._stretches else 0.0
            self._stretches.append([now - t.elapsed, start, None])
        elif t.state != RUNNING and open_:
            self._stretches[-1][2] = t.elapsed
        for e in events:
            i = e.step_index
            if e.kind == "step_started" and i is not None:
                self._windows[i] = [e.at, None]
            elif e.kind in ("step_ended", "step_skipped", "pain", "stopped") and i is not None:
                self._windows.setdefault(i, [e.at, None])[1] = e.at
        if events:
            self._changed(announcement(events, t))
        due = []
        for index in sorted(self._windows):
            if index in self._ended or t.result_for(index) is None:
                continue
            self._ended.add(index)
            for p in self.participants.values():
                if index in p.written:
                    continue
                if not (p.out or self._live(p, now)):  # its phone may tell what it counted
                    self.pending.setdefault(p.athlete, set()).add(index)
                    continue
                hold = self._hold_of(p, index, now)
                if hold is not None:
                    due.append(hold)
        return due

    def _presence(self, p: Participant, now: float) -> list[tuple[float, float]]:
        spans = [(a, b) for a, b in p.seen]
        if spans and not p.out and now - spans[-1][1] <= self.grace:
            spans[-1] = (spans[-1][0], now)  # heard lately: still following
        return spans

    def credit(self, p: Participant, index: int, now: float) -> tuple[float, float | None]:
        """The seconds of step ``index`` that ``p`` followed (the room running, their phone
        heard, before their own Pain), and the clock time they began (None: not at all)."""
        window = self._windows.get(index)
        if window is None:
            return 0.0, None
        t = self.timer
        a, b = window[0], t.elapsed if window[1] is None else window[1]
        cut = p.pain.get(index, now)
        total, first = 0.0, None
        for offset, e0, e1 in self._stretches:
            lo, hi = max(e0, a), min(t.elapsed if e1 is None else e1, b)
            if hi <= lo:
                continue
            c0, c1 = offset + lo, min(offset + hi, cut)
            for s0, s1 in self._presence(p, now):
                lo_c, hi_c = max(c0, s0), min(c1, s1)
                if hi_c > lo_c:
                    total += hi_c - lo_c
                    first = lo_c if first is None else min(first, lo_c)
        return total, first

    def _hold_of(self, p: Participant, index: int, now: float) -> Hold | None:
        held, first = self.credit(p, index, now)
        step = self.routine.steps[index]
        room = self.timer.result_for(index)
        room_held = float(room["actual_s"]) if room is not None else held
        if first is None or held <= 0 or not step.is_hold:
            return None
        window_start = self._windows[index][0]
        offset = next(
            (
                o
                for o, e0, e1 in self._stretches
                if e0 <= window_start and (e1 is None or window_start <= e1)
            ),
            None,
        )
        step_clock = offset + window_start if offset is not None else first
        started = self.wall_clock() - timedelta(seconds=max(now - max(first, step_clock), 0.0))
        pain = index in p.pain
        held = min(held, room_held, float(step.seconds))
        completed = room is not None and bool(room["completed"]) and held >= room_held - 1e-6
        hold = Hold(
            session_id=self.timer.session_id,
            athlete=p.athlete,
            started_at=started.replace(microsecond=0),
            routine=self.routine.name,
            exercise=step.exercise,
            side=step.side,
            target_s=float(step.seconds),
            actual_s=held,
            completed=completed and not pain,
            pain_at_s=held if pain else None,
        )
        p.written[index] = hold
        return hold

    # -- what the pages show ----------------------------------------------------------------------

    def shown(self) -> dict[str, Any]:
        """The room as every page shows it: the display's fields, and who follows."""
        t = self.timer
        ended = t.state in ("finished", "stopped")
        message = PAIN_WORDS["room"][0] if self.pain_open else ""
        rows = t.results()
        return {
            "version": self.version,
            "session": t.session_id,
            "display": {
                **display_fields(
                    t,
                    summary=summary(rows, self.routine, "room") if ended and rows else (),
                    message=message,
                    pain=self.pain_open,
                ),
                "announce": self.announce,
            },
            "phones": len(self.following()),
            "pains": list(self.pains),
        }


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _merged(spans: list[list[float]], gap: float) -> list[list[float]]:
    """``spans`` sorted, those less than ``gap`` apart joined."""
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a - out[-1][1] <= gap:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out
