"""Routines as data: TOML files read into frozen :class:`Routine` and :class:`Step` objects.

A routine is a named, ordered list of steps. Each step times one thing: a hold of an exercise on a side,
or a rest (which is not logged). Exercise ids, display names and cues live in the file's
``[exercises.<id>]`` tables; an exercise may declare ``min_seconds`` / ``max_seconds`` and every hold of it
is checked against that range (Reclining Bound Angle Pose: 180-300 s). ``plausible_max_seconds`` is the
longest hold of it anyone would log (default :data:`PLAUSIBLE_MAX_S`): a door refuses a longer one
unless told it is right (``hipnb log --override``).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from hipnb.errors import HipnbError, RoutineError
from hipnb.seconds import seconds_text

SIDES = ("left", "right", "both")
KINDS = ("hold", "rest")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_ROUTINE_KEYS = {"name", "title", "description", "exercises", "steps"}
_EXERCISE_KEYS = {"name", "cue", "min_seconds", "max_seconds", "plausible_max_seconds"}
#: Longest plausible hold of an exercise that does not say its own, in seconds: generous, so that
#: ordinary progress (a 2-minute side plank) never needs an override.
PLAUSIBLE_MAX_S = 600.0
_STEP_KEYS = {"exercise", "side", "seconds", "kind", "cue"}


@dataclass(frozen=True)
class Exercise:
    """An exercise: id (lower_snake_case), display name, cue, the allowed range of a step's seconds,
    and the longest hold of it anyone would log (:attr:`plausible_max`)."""

    id: str
    name: str
    cue: str = ""
    min_seconds: float | None = None
    max_seconds: float | None = None
    plausible_max_seconds: float | None = None

    @property
    def plausible_max(self) -> float:
        """Longest plausible hold in seconds: its own, else :data:`PLAUSIBLE_MAX_S` (or its
        ``max_seconds`` when that is longer)."""
        if self.plausible_max_seconds is not None:
            return self.plausible_max_seconds
        return max(PLAUSIBLE_MAX_S, self.max_seconds or 0.0)


@dataclass(frozen=True)
class Step:
    """One timed step of a routine.

    ``kind`` is ``"hold"`` (logged) or ``"rest"`` (not logged); ``seconds`` is the target duration;
    ``name`` is the exercise's display name and ``cue`` the words shown (and spoken) during the step.
    """

    exercise: str
    side: str
    seconds: float
    kind: str = "hold"
    name: str = ""
    cue: str = ""

    @property
    def is_hold(self) -> bool:
        """True for a hold step (one log row), False for a rest."""
        return self.kind == "hold"

    @property
    def label(self) -> str:
        """A short human label, e.g. ``"Side plank (left)"``."""
        name = self.name or self.exercise
        return name if self.side == "both" else f"{name} ({self.side})"


@dataclass(frozen=True)
class Routine:
    """A named, ordered list of steps, plus the exercises they refer to.

    Example::

        >>> r = load_routine("hip-basics")
        >>> r.with_seconds("side_plank", 45).steps[-1].seconds
        45.0
    """

    name: str
    title: str
    steps: tuple[Step, ...]
    exercises: dict[str, Exercise] = field(default_factory=dict, compare=False, hash=False)
    description: str = ""
    source: str = ""

    @property
    def holds(self) -> tuple[Step, ...]:
        """The hold steps, in order (the ones that produce log rows)."""
        return tuple(s for s in self.steps if s.is_hold)

    @property
    def total_seconds(self) -> float:
        """Planned duration of the whole routine, rests included."""
        return float(sum(s.seconds for s in self.steps))

    def with_seconds(self, exercise: str, seconds: float, side: str | None = None) -> Routine:
        """Return a copy with every hold of ``exercise`` (optionally only on ``side``) set to ``seconds``.

        The new duration is validated like a value read from a file: it must be positive, within the
        exercise's ``min_seconds`` / ``max_seconds`` and no more than its plausible maximum (the
        log's door refuses longer holds), else :class:`RoutineError` says why.
        """
        if exercise not in {s.exercise for s in self.holds}:
            raise RoutineError(f"routine {self.name!r} has no hold of exercise {exercise!r}")
        steps = []
        for i, s in enumerate(self.steps):
            if s.is_hold and s.exercise == exercise and (side is None or s.side == side):
                s = dataclasses.replace(s, seconds=_check_seconds(seconds, f"step {i + 1}", self))
                ex = self.exercises.get(exercise) or Exercise(exercise, exercise)
                _check_range(s, ex, f"step {i + 1}", self.name)
                if s.seconds > ex.plausible_max:  # the log's door would refuse every such hold
                    raise RoutineError(
                        f"{exercise} {seconds_text(s.seconds, exact=True)}: more than its "
                        f"plausible maximum of {seconds_text(ex.plausible_max, exact=True)}"
                    )
            steps.append(s)
        return dataclasses.replace(self, steps=tuple(steps))


def _builtin_dir() -> Traversable:
    return resources.files("hipnb") / "routines"


def list_routines() -> list[str]:
    """Names of the built-in routines, sorted (e.g. ``["hip-basics"]``)."""
    return sorted(
        p.name[: -len(".toml")] for p in _builtin_dir().iterdir() if p.name.endswith(".toml")
    )


def load_routine(name_or_path: str | Path) -> Routine:
    """Load a built-in routine by name, or a routine TOML file by path.

    Example::

        >>> load_routine("hip-basics").title
        'Hip basics'

    Raises :class:`hipnb.RoutineError` naming the file and the offending step or key for a missing file,
    malformed TOML, an unknown key, a missing field, zero or negative seconds or an unknown side.
    """
    text, source = _read_source(name_or_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RoutineError(f"{source}: malformed TOML: {exc}") from None
    return parse_routine(data, source=source)


def routine_choices(folder: str | Path) -> tuple[list[tuple[str, str]], list[str]]:
    """The routines a room can pick: the built-in ones, then every ``*.toml`` in ``folder``.

    Returns ``(label, reference)`` pairs and the files not offered, each with its reason.
    """
    choices = [(f"{load_routine(n).title} (built in)", n) for n in list_routines()]
    problems = []
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            choices.append((f"{load_routine(path).title} ({path.name})", str(path.resolve())))
        except HipnbError as exc:
            problems.append(str(exc))
    return choices, problems


def _read_source(name_or_path: str | Path) -> tuple[str, str]:
    as_text = str(name_or_path)
    if isinstance(name_or_path, str) and as_text in list_routines():
        res = _builtin_dir() / f"{as_text}.toml"
        return res.read_text(encoding="utf-8"), f"hipnb:routines/{as_text}.toml"
    path = Path(name_or_path)
    if not path.is_file():
        raise RoutineError(
            f"{as_text}: no such routine file, and not a built-in routine "
            f"(built-ins: {', '.join(list_routines())})"
        )
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except UnicodeDecodeError as exc:
        raise RoutineError(f"{path}: not UTF-8 text ({exc.reason})") from None


def parse_routine(data: dict[str, Any], source: str = "<routine>") -> Routine:
    """Build a :class:`Routine` from already-parsed TOML data, validating every key."""
    _check_keys(data, _ROUTINE_KEYS, source, "routine")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RoutineError(f"{source}: missing field 'name' (the routine's name)")
    exercises = {}
    raw_ex = data.get("exercises", {})
    if not isinstance(raw_ex, dict):
        raise RoutineError(f"{source}: 'exercises' must be a table of [exercises.<id>] tables")
    for ex_id, ex in raw_ex.items():
        where = f"{source}: exercise {ex_id!r}"
        if not _SLUG.match(ex_id):
            raise RoutineError(f"{where}: exercise ids are lower_snake_case, like 'side_plank'")
        if not isinstance(ex, dict):
            raise RoutineError(f"{where}: must be a table")
        _check_keys(ex, _EXERCISE_KEYS, source, f"exercise {ex_id!r}")
        exercises[ex_id] = Exercise(
            id=ex_id,
            name=str(ex.get("name", ex_id.replace("_", " ").capitalize())),
            cue=str(ex.get("cue", "")),
            min_seconds=_opt_seconds(ex, "min_seconds", where),
            max_seconds=_opt_seconds(ex, "max_seconds", where),
            plausible_max_seconds=_opt_seconds(ex, "plausible_max_seconds", where),
        )
        most, top = exercises[ex_id].plausible_max_seconds, exercises[ex_id].max_seconds
        if most is not None and top is not None and most < top:
            raise RoutineError(
                f"{where}: plausible_max_seconds {most:g} is below max_seconds {top:g}"
            )
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise RoutineError(f"{source}: missing field 'steps' (at least one [[steps]] table)")
    routine = Routine(
        name=name,
        title=str(data.get("title", name)),
        description=str(data.get("description", "")),
        steps=(),
        exercises=exercises,
        source=source,
    )
    steps = tuple(_parse_step(raw, i, routine) for i, raw in enumerate(raw_steps))
    if not any(s.is_hold for s in steps):
        raise RoutineError(f"{source}: the routine has no hold step, so nothing would be logged")
    return dataclasses.replace(routine, steps=steps)


def _parse_step(raw: object, i: int, routine: Routine) -> Step:
    where = f"step {i + 1}"
    src = routine.source
    if not isinstance(raw, dict):
        raise RoutineError(f"{src}: {where}: must be a table")
    _check_keys(raw, _STEP_KEYS, src, where)
    for key in ("exercise", "seconds"):
        if key not in raw:
            raise RoutineError(f"{src}: {where}: missing field {key!r}")
    exercise = raw["exercise"]
    if not isinstance(exercise, str) or not _SLUG.match(exercise):
        raise RoutineError(
            f"{src}: {where}: exercise must be a lower_snake_case id, got {exercise!r}"
        )
    kind = raw.get("kind", "hold")
    if kind not in KINDS:
        raise RoutineError(f"{src}: {where}: unknown kind {kind!r} (expected one of {KINDS})")
    side = raw.get("side", "both")
    if side not in SIDES:
        raise RoutineError(f"{src}: {where}: unknown side {side!r} (expected one of {SIDES})")
    ex = routine.exercises.get(exercise)
    step = Step(
        exercise=exercise,
        side=side,
        seconds=_check_seconds(raw["seconds"], where, routine),
        kind=kind,
        name=ex.name if ex else exercise.replace("_", " ").capitalize(),
        cue=str(raw.get("cue", ex.cue if ex else "")),
    )
    _check_range(step, ex, where, src)
    return step


def _check_seconds(value: object, where: str, routine: Routine) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RoutineError(f"{routine.source}: {where}: seconds must be a number, got {value!r}")
    if not value > 0 or value != value or value == float("inf"):
        raise RoutineError(f"{routine.source}: {where}: seconds must be positive, got {value!r}")
    return float(value)


def _check_range(step: Step, ex: Exercise | None, where: str, src: str) -> None:
    if ex is None or not step.is_hold:
        return
    lo, hi = ex.min_seconds, ex.max_seconds
    if (lo is not None and step.seconds < lo) or (hi is not None and step.seconds > hi):
        raise RoutineError(
            f"{src}: {where}: {ex.name} is held {seconds_text(lo, exact=True)} to "
            f"{seconds_text(hi, exact=True)}, got "
            f"{seconds_text(step.seconds, exact=True)}"
            if lo is not None and hi is not None
            else f"{src}: {where}: {ex.name} seconds {step.seconds:g} is outside its allowed range"
        )


def _opt_seconds(table: dict[str, Any], key: str, where: str) -> float | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise RoutineError(f"{where}: {key} must be a positive number, got {value!r}")
    return float(value)


def _check_keys(table: dict[str, Any], allowed: set[str], source: str, where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise RoutineError(
            f"{source}: {where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )
