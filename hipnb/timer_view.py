"""What a timer's display shows: the words and numbers of one moment of a :class:`hipnb.Timer`.

One place for the notebook's panel (:class:`hipnb.widgets.TimerPanel`) and the room's server
(:mod:`hipnb.room`), which send the same fields to the same display (``static/timer.js``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hipnb.log import Hold
from hipnb.routines import Routine
from hipnb.seconds import plural, seconds_text
from hipnb.timer import Event, Timer

#: What a display says when Pain ends a hold: to the athlete (``"own"``) or in a room (``"room"``).
PAIN_WORDS = {
    "own": (
        "Pain noted: this hold has ended. Rate it, then go on or end.",
        "<b>Pain noted: this hold has ended.</b> How bad was it?",
        "Pain noted during a hold: take care, and tell your coach.",
    ),
    "room": (
        "Paused: take a moment.",
        "Go on when the room is ready, or end the session.",
        "A hold ended early: take care, and move within comfort.",
    ),
}


def totals(rows: Sequence[Hold], names: dict[str, str]) -> list[str]:
    """One line per exercise, in the order first held: its time held per side (or in all).

    >>> totals([{"exercise": "side_plank", "side": "left", "actual_s": 14.2},
    ...         {"exercise": "glute_roll", "side": "left", "actual_s": 60},
    ...         {"exercise": "side_plank", "side": "right", "actual_s": 12}], {"side_plank": "Side plank"})
    ['Side plank: left 14 s · right 12 s', 'glute_roll: left 60 s']
    """
    held: dict[str, dict[str, float]] = {}
    for r in rows:
        sides = held.setdefault(str(r["exercise"]), {})
        sides[str(r["side"])] = sides.get(str(r["side"]), 0.0) + float(r["actual_s"])
    lines = []
    for exercise, sides in held.items():
        name = names.get(exercise, exercise)
        if list(sides) == ["both"]:
            lines.append(f"{name}: {seconds_text(sides['both'])}")
        else:
            each = " · ".join(f"{side} {seconds_text(s)}" for side, s in sides.items())
            lines.append(f"{name}: {each}")
    return lines


def intro(routine: Routine) -> str:
    """The line under a routine's title before it starts: its steps and length."""
    n = len(routine.steps)
    return f"{plural(n, 'step')}, {seconds_text(routine.total_seconds)}. Press Start."


def summary(rows: Sequence[Hold], routine: Routine, words: str = "own") -> list[str]:
    """The end screen: holds done, then the time held per exercise and side (never the seconds
    of two exercises added together), and a word of care after Pain."""
    done = sum(bool(r["completed"]) for r in rows)
    lines = [f"{done} of {plural(len(rows), 'hold')} done to target"]
    lines += totals(rows, {s.exercise: s.name or s.exercise for s in routine.holds})
    if any(r["pain_at_s"] is not None for r in rows):
        lines.append(PAIN_WORDS[words][2])
    return lines


def display_fields(
    timer: Timer, *, summary: Sequence[str] = (), message: str = "", pain: bool = False
) -> dict[str, Any]:
    """The display's fields for ``timer`` now (the traits of :class:`hipnb.widgets.TimerDisplay`
    but ``sync_id``, ``announce`` and the page's own ``muted``, ``big``, ``phone``)."""
    routine = timer.routine
    step, state, nxt = timer.current_step, timer.state, timer.next_step
    ended = state in ("finished", "stopped")
    first = routine.steps[0]
    shown: dict[str, Any] = {
        "state": str(state),
        "kind": step.kind if step else "hold",
        "side_label": step.side if step and step.side != "both" else "",
    }
    if state == "get_ready":
        shown.update(title="Get ready", cue=f"First: {first.label}")
        shown.update(remaining=timer.remaining, step_seconds=timer.get_ready)
    elif step is not None:
        shown.update(title=step.name, cue=step.cue)
        shown.update(remaining=timer.remaining, step_seconds=float(step.seconds))
    elif state == "ready":
        shown.update(title=routine.title, cue=intro(routine))
        shown.update(remaining=float(first.seconds), step_seconds=float(first.seconds))
    else:
        complete = state == "finished" and all(r["completed"] for r in timer.results())
        shown.update(title="Routine complete" if complete else "Session ended", cue="")
        shown.update(remaining=0.0, step_seconds=0.0)
    shown["next_label"] = nxt.label if nxt and not ended and state != "get_ready" else ""
    shown["summary"] = list(summary) if ended else []
    shown["message"] = message
    shown["routine_seconds"] = float(routine.total_seconds)
    shown["routine_remaining"] = timer.total_remaining
    shown["routine_title"] = routine.title
    shown["pain"] = pain
    return shown


def announcement(events: Sequence[Event], timer: Timer) -> str:
    """What a display says aloud for ``events`` (the last that says anything): the get-ready, each
    step's name and cue (a rest's cue alone), a word of praise at a routine completed; nothing at a
    stop."""
    said = ""
    for e in events:
        if e.kind == "get_ready":
            said = "Get ready."
        elif e.kind == "step_started" and e.step_index is not None:
            step = timer.steps[e.step_index]
            said = step.cue if step.kind == "rest" else f"{step.label}. {step.cue}"
        elif e.kind == "finished":
            done = all(r["completed"] for r in timer.results())
            said = "Well done. Routine complete." if done else ""
        elif e.kind == "stopped":
            said = ""
    return said
