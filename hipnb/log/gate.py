"""The one gate a new hold passes, at every door: :class:`hipnb.SessionLog`'s ``add`` and ``patch``,
which ``hipnb log``, ManualEntry, the HoldEditor, the timer and the demo generator call.

A row passes when:

* its athlete's name is usable and is not a known athlete's written another way
  (:func:`hipnb.names.same_athlete_problem`);
* it meets the rules of every column (:mod:`hipnb.log.check`: types, ranges, choices, the 1990 floor);
* its exercise is one a routine or an earlier row knows, unless the caller says it is custom;
* it starts no more than a day in the future (:func:`hipnb.log.stamps.start_problem`);
* its held and target seconds are within the exercise's plausible maximum (the routine's
  ``plausible_max_seconds``), unless the caller says the value is right (an override).

The rules that need only the row are also every read's; the others (routines, the clock, an
override) are the doors' and ``hipnb validate``'s. Every door says the same words for the same input.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from hipnb.errors import HipnbError, LogError
from hipnb.log.check import Problem, check_rows
from hipnb.log.rows import _batch
from hipnb.log.spec import MAX_HOLD_S, SPEC_BY_NAME, Rows
from hipnb.log.stamps import FUTURE_SLACK, future_words, parse_stamp
from hipnb.names import athlete_path, did_you_mean, normalize_name, same_athlete_problem
from hipnb.routines import Exercise, Routine, list_routines, load_routine
from hipnb.seconds import seconds_text

#: How each door says "on purpose": Python's keywords (what the log's face raises), the command
#: line's flags and the form's boxes. Each front end shows a refusal in its own words
#: (:func:`in_door_words`), never another door's.
ON_PURPOSE = {
    "python": {"custom": "custom=True", "override": "override=True", "new": "new_athlete=True"},
    "cli": {"custom": "--custom", "override": "--override", "new": "--new-athlete"},
    "form": {
        "custom": "the Custom box",
        "override": "the Override box",
        "new": "the New athlete box",
    },
}
#: What a refusal adds to say an exercise may be one's own on purpose.
CUSTOM_HINT = (
    f"to log an exercise of your own on purpose, mark it custom ({ON_PURPOSE['python']['custom']})"
)
#: What a refusal adds to say a long hold may be right.
OVERRIDE_HINT = f"if it is right, say so ({ON_PURPOSE['python']['override']})"


def in_door_words(text: str, door: Literal["python", "cli", "form"]) -> str:
    """A refusal of the log's face (worded for Python) in the words of ``door``.

    >>> in_door_words("if it is right, say so (override=True)", "cli")
    'if it is right, say so (--override)'
    >>> in_door_words("... on purpose, say so: new_athlete=True)", "form")
    '... on purpose, say so: the New athlete box)'
    """
    for key, words in ON_PURPOSE["python"].items():
        text = text.replace(words, ON_PURPOSE[door][key])
    return text


def for_people(reason: str) -> str:
    """A row's reason with the column it starts with named by its label (``actual_s`` -> ``time
    held``), as a door says it to the person entering the hold.

    >>> for_people("rpe '11' is not a whole number from 0 to 10")
    "effort '11' is not a whole number from 0 to 10"
    """
    name, sep, rest = reason.partition(" ")
    column = SPEC_BY_NAME.get(name)
    return f"{column.words}{sep}{rest}" if column is not None and sep else reason


@dataclass(frozen=True)
class Catalog:
    """The exercises the doors know: the routines' (built-in, files, the one being run) and the ones
    earlier rows of the log used. Example::

        >>> Catalog.load().target("side_plank", "left")
        30.0
    """

    routines: tuple[Routine, ...] = ()
    logged: frozenset[str] = frozenset()
    #: Where the routines came from, for messages ("the built-in routines or data/routines/*.toml").
    where: str = "the built-in routines"
    #: Routine files that could not be read (each message once), for the caller to show.
    skipped: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def load(
        cls,
        folder: str | Path | None = None,
        *,
        routines: Iterable[Routine] = (),
        logged: Iterable[str] = (),
    ) -> Catalog:
        """The given ``routines``, the built-in ones, and every ``*.toml`` routine in ``folder``."""
        found = list(routines)
        found += _built_in()
        skipped = []
        files = sorted(Path(folder).glob("*.toml")) if folder and Path(folder).is_dir() else []
        for f in files:
            try:
                found.append(load_routine(f))
            except HipnbError as exc:
                skipped.append(f"skipped {exc}")
        where = "the built-in routines" + (f" or {folder}/*.toml" if files else "")
        return cls(tuple(found), frozenset(logged), where, tuple(skipped))

    def with_logged(self, exercises: Iterable[str]) -> Catalog:
        """This catalog, knowing the exercises of a log's earlier rows too."""
        return Catalog(self.routines, self.logged | set(exercises), self.where, self.skipped)

    @property
    def known(self) -> set[str]:
        """Every exercise id a hold may name without being custom."""
        out = set(self.logged)
        for r in self.routines:
            out |= {s.exercise for s in r.holds}
        return out

    def exercise(self, exercise: str) -> Exercise | None:
        """The definition of ``exercise`` in the first routine that has one."""
        for r in self.routines:
            if exercise in r.exercises:
                return r.exercises[exercise]
        return None

    def target(self, exercise: str, side: str) -> float | None:
        """The planned seconds of ``exercise`` on ``side`` in the first routine that holds it."""
        for r in self.routines:
            steps = [s for s in r.holds if s.exercise == exercise]
            for s in sorted(steps, key=lambda s: (s.side != side, s.side != "both")):
                return s.seconds
        return None

    def most(self, exercise: str) -> float:
        """The longest plausible hold of ``exercise``: its routine's ``plausible_max_seconds`` (or the
        default), or the log's hard maximum for an exercise no routine defines."""
        ex = self.exercise(exercise)
        if ex is not None:
            return ex.plausible_max
        if any(s.exercise == exercise for r in self.routines for s in r.holds):
            return Exercise(exercise, exercise).plausible_max
        return MAX_HOLD_S

    def unknown(self, exercise: str) -> str:
        """Why ``exercise`` is refused when not custom (the closest known id named)."""
        known = sorted(self.known)
        hint = did_you_mean(exercise, known)
        return (
            f"no exercise {exercise!r} in {self.where} or this log"
            + (f" ({hint})" if hint else f" (known: {', '.join(known)})")
            + f"; {CUSTOM_HINT}"
        )


@functools.cache
def _built_in() -> tuple[Routine, ...]:
    """The built-in routines (files of the package: read once a process)."""
    return tuple(load_routine(name) for name in list_routines())


def admit(
    rows: Rows,
    *,
    catalog: Catalog,
    known_athletes: Iterable[str] = (),
    now: datetime | None = None,
    custom: bool = False,
    override: bool = False,
) -> pd.DataFrame:
    """Check new holds at a door; return them typed (as :func:`hipnb.log.to_frame` does).

    Raises :class:`hipnb.LogError` with the first rule a row breaks (``row N:`` first when there are
    several rows). ``now`` is the clock (default: the present); ``custom`` lets an exercise no
    routine knows through; ``override`` a hold longer than its exercise's plausible maximum.
    """
    text = _batch(rows)  # each value as the log writes it
    many = len(text) > 1
    try:
        names = [
            normalize_name(n) if n.strip() else n for n in text.table.column("athlete").to_pylist()
        ]
    except LogError as exc:
        raise LogError(str(exc)) from None
    known = list(known_athletes)
    said = {n: same_athlete_problem(n, known) for n in set(names) if n}  # once a name
    for i, name in enumerate(names):
        why = said.get(name)
        if why:
            raise LogError(f"row {i + 1}: {why}" if many else why)
    typed, reason = check_rows(text.table, index=text.index)
    note = SPEC_BY_NAME["note"]
    notes = pd.Series(text.table.column("note").to_pylist(), index=text.index, dtype=object)
    long = notes.map(note.too_long).astype(bool)
    if long.any():  # the door's limit: a read keeps a longer note that is already in a file
        words = notes.map(
            lambda t: f"the note has {len(t):,} characters; notes hold at most {note.max_chars:,}"
        )
        reason = reason.where(~long | reason.notna(), words)  # the first broken rule stands
    now = datetime.now(UTC) if now is None else now
    rules = _Rules.of(typed, catalog, now)
    broken = reason.notna().to_numpy() | rules.late
    if not custom:
        broken |= rules.unknown
    if not override:
        broken |= rules.over["actual_s"] | rules.over["target_s"]
    for at in np.flatnonzero(broken):  # the masks decide; the words come from one place
        i = int(at)
        why = for_people(reason.iloc[i]) if reason.iloc[i] else None
        why = why or rules.words(i, typed.iloc[i], catalog, custom)
        raise LogError(f"row {i + 1}: {why}" if many else why)
    typed.attrs["problems"] = []
    return typed


@dataclass(frozen=True)
class _Rules:
    """Which rows break each rule of the doors, one comparison a rule (vectorised, so a batch of
    thousands stays quick); :meth:`words` says it for one row."""

    unknown: np.ndarray
    late: np.ndarray
    over: dict[str, np.ndarray]
    most: np.ndarray

    @classmethod
    def of(cls, typed: pd.DataFrame, catalog: Catalog, now: datetime) -> _Rules:
        exercise = typed["exercise"].astype("object")
        most = exercise.map({e: catalog.most(e) for e in exercise.unique()}).astype("float64")
        over = {
            name: (typed[name].astype("float64") > most).fillna(False).to_numpy(dtype=bool)
            for name in ("actual_s", "target_s")
        }
        return cls(
            unknown=~exercise.isin(catalog.known).to_numpy(dtype=bool),
            late=np.array(typed["started_at"] > pd.Timestamp(now + FUTURE_SLACK), dtype=bool),
            over=over,
            most=most.to_numpy(),
        )

    def words(self, i: int, row: pd.Series, catalog: Catalog, custom: bool) -> str:
        """The first rule row ``i`` breaks, in words (it breaks one: the masks said so)."""
        exercise = str(row["exercise"])
        if self.unknown[i] and not custom:
            return catalog.unknown(exercise)
        if self.late[i]:
            return f"the hold {future_words(pd.Timestamp(row['started_at']).to_pydatetime())}"
        for name in ("actual_s", "target_s"):
            if self.over[name][i]:  # an overridden row never gets here for its length
                value, most = float(row[name]), float(self.most[i])
                return (
                    f"{SPEC_BY_NAME[name].words} {seconds_text(value, exact=True)} is more than "
                    f"{exercise}'s plausible maximum of {seconds_text(most, exact=True)}; "
                    f"{OVERRIDE_HINT}"
                )
        raise AssertionError(f"row {i + 1} breaks no rule of the door")  # pragma: no cover


def other_athlete_problem(path: str | Path, athlete: str, others: Iterable[str]) -> str | None:
    """Why ``athlete``'s hold must not go into the log at ``path`` holding ``others``' holds, or
    None: each athlete has a file of their own (:func:`hipnb.athlete_path`).

        >>> other_athlete_problem("logs/ana.csv", "anna", ["ana"])[:44]
        "logs/ana.csv holds the log of 'ana', not 'an"
    """
    names = sorted(set(others))
    if not names or athlete in names:
        return None
    hint = did_you_mean(athlete, names)
    own = Path(path).with_name(
        athlete_path(Path(path).parent, athlete).name
    )  # as ``path`` is given
    return (
        f"{path} holds the log of {', '.join(map(repr, names))}, not {athlete!r}"
        + (f"; {hint}" if hint else "")
        + f" (each athlete has a file of their own, e.g. {own})"
    )


def door_problems(
    path: str | Path, df: pd.DataFrame, *, catalog: Catalog, now: datetime | None = None
) -> tuple[list[Problem], list[Problem]]:
    """The rules of the doors, applied to holds already in a log (``hipnb validate``).

    ``df`` is the read of ``path`` (a file or a folder). Returns (problems, checks): a start more
    than a day after ``now``, or an exercise no routine knows that looks like a typo of one that
    does, is a problem; a hold longer than its exercise's plausible maximum is a check (it may
    have been logged with an override). Each is placed at the file line of the row it comes from.
    """
    if df.empty:
        return [], []
    now = datetime.now(UTC) if now is None else now
    routines_only = Catalog(catalog.routines, frozenset(), catalog.where)
    known = routines_only.known
    found: list[tuple[int, str]] = []
    checks: list[tuple[int, str]] = []
    rules = _Rules.of(df, catalog, now)
    known_rows = df["exercise"].isin(known).to_numpy(dtype=bool)
    over = (rules.over["actual_s"] | rules.over["target_s"]) & known_rows
    for at in np.flatnonzero(rules.late | ~known_rows | over):
        i = int(at)
        row = df.iloc[i]
        exercise = str(row["exercise"])
        if rules.late[i]:
            found.append((i, f"the hold {future_words(row['started_at'].to_pydatetime())}"))
        elif not known_rows[i] and did_you_mean(exercise, sorted(known)):
            found.append((i, routines_only.unknown(exercise)))
        if over[i]:
            held, most = max(row["actual_s"], row["target_s"]), float(rules.most[i])
            said = f"{exercise} {seconds_text(held, exact=True)} is more than its plausible maximum"
            checks.append((i, f"{said} of {seconds_text(most, exact=True)}"))
    where = _locate(Path(path), df.iloc[sorted({i for i, _ in found + checks})])
    return (
        [Problem(*where[i], why) for i, why in found],
        [Problem(*where[i], why) for i, why in checks],
    )


def _locate(path: Path, rows: pd.DataFrame) -> dict[int, tuple[str, int]]:
    """(file, line) of the last row in the logs at ``path`` that reads as each of ``rows``."""
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    wanted = {
        _key(r): int(i) for i, r in zip(range(len(rows)), rows.to_dict("records"), strict=True)
    }
    positions = {int(i): p for i, p in zip(range(len(rows)), rows.index, strict=True)}
    out = {positions[i]: (str(path), 1) for i in wanted.values()}
    for f in files:
        try:
            text = f.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        csv.field_size_limit(max(len(text), csv.field_size_limit()))  # a note may be that long
        reader = csv.DictReader(io.StringIO(text, newline=""))
        start = 2
        for record in reader:
            line, start = start, reader.line_num + 1
            try:
                when = parse_stamp(str(record.get("started_at", "")))
                key = (
                    normalize_name(str(record.get("athlete", ""))),
                    str(record.get("session_id", "")).strip(),
                    str(record.get("exercise", "")).strip(),
                    str(record.get("side", "")).strip().lower(),
                    pd.Timestamp(when).tz_convert("UTC"),
                )
            except (ValueError, TypeError, LogError):
                continue
            if key in wanted:
                out[positions[wanted[key]]] = (str(f), line)
    return out


def _key(row: Mapping[Any, Any]) -> tuple[str, str, str, str, pd.Timestamp]:
    return (
        str(row["athlete"]),
        str(row["session_id"]),
        str(row["exercise"]),
        str(row["side"]),
        pd.Timestamp(row["started_at"]).tz_convert("UTC"),
    )
