"""The one gate a new hold passes, at every door: ``hipnb log``, ManualEntry, the HoldEditor's
patches, the timer's rows and the demo generator.

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
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hipnb.errors import HipnbError, LogError
from hipnb.log.check import Problem, check_rows
from hipnb.log.rows import _to_text_frame, manual_row
from hipnb.log.spec import MAX_HOLD_S, Hold, Rows
from hipnb.log.stamps import FUTURE_SLACK, start_problem
from hipnb.names import athlete_path, did_you_mean, normalize_name, same_athlete_problem
from hipnb.routines import Exercise, Routine, list_routines, load_routine

#: What a caller adds to say an exercise is their own on purpose (the CLI's flag; the form's box).
CUSTOM_HINT = (
    "to log an exercise of your own on purpose, mark it custom (--custom, or the Custom box)"
)
#: What a caller adds to say a long hold is right.
OVERRIDE_HINT = "if it is right, say so (--override, or the Override box)"


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
        found += [load_routine(name) for name in list_routines()]
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
    text = _to_text_frame(rows)
    many = len(text) > 1
    try:
        names = text["athlete"].map(lambda n: normalize_name(n) if n.strip() else n)
    except LogError as exc:
        raise LogError(str(exc)) from None
    known = list(known_athletes)
    for i, name in enumerate(names):
        why = same_athlete_problem(name, known) if name else None
        if why:
            raise LogError(f"row {i + 1}: {why}" if many else why)
    typed, reason = check_rows(text)
    now = datetime.now(UTC) if now is None else now
    suspect = reason.notna().to_numpy() | _suspect(typed, catalog, now, custom, override)
    for at in np.flatnonzero(suspect):  # the masks find the rows; the words come from one place
        i = int(at)
        why = reason.iloc[i] or _door_problem(typed.iloc[i], catalog, now, custom, override)
        if why:
            raise LogError(f"row {i + 1}: {why}" if many else why)
    typed.attrs["problems"] = []
    return typed


def _suspect(
    typed: pd.DataFrame, catalog: Catalog, now: datetime, custom: bool, override: bool
) -> np.ndarray:
    """Rows that may break a door's rule (vectorised, so a batch of thousands stays quick)."""
    mask = np.array(typed["started_at"] > pd.Timestamp(now + FUTURE_SLACK), dtype=bool)
    exercise = typed["exercise"].astype("object")
    if not custom:
        mask |= ~exercise.isin(catalog.known).to_numpy(dtype=bool)
    if not override:
        most = exercise.map({e: catalog.most(e) for e in exercise.unique()}).astype("float64")
        longest = typed[["actual_s", "target_s"]].max(axis=1).astype("float64")
        mask |= (longest > most).fillna(False).to_numpy(dtype=bool)
    return mask


def _door_problem(
    row: pd.Series, catalog: Catalog, now: datetime, custom: bool, override: bool
) -> str | None:
    exercise = str(row["exercise"])
    if not custom and exercise not in catalog.known:
        return catalog.unknown(exercise)
    when = pd.Timestamp(row["started_at"]).to_pydatetime()
    late = start_problem(when, now=now)
    if late:
        return f"started_at {late}"
    if not override:
        most = catalog.most(exercise)
        for name in ("actual_s", "target_s"):
            value = float(row[name])
            if value > most:
                what = f"{value:g} s of" if name == "actual_s" else f"a target of {value:g} s for"
                return (
                    f"{name} {value:g}: {what} {exercise} is more than its plausible maximum of "
                    f"{most:g} s; {OVERRIDE_HINT}"
                )
    return None


def new_hold(
    athlete: str,
    exercise: str,
    side: str,
    actual_s: float,
    *,
    catalog: Catalog,
    target_s: float | None = None,
    started_at: datetime | str | None = None,
    rpe: int | None = None,
    discomfort: int | None = None,
    note: str = "",
    known_athletes: Iterable[str] = (),
    now: datetime | None = None,
    custom: bool = False,
    override: bool = False,
) -> tuple[Hold, list[str]]:
    """A hold done away from the screen (``routine`` ``manual``), through the gate: (row, notes).

    Without ``target_s`` the target is the routine's for that exercise and side; for an exercise
    no routine holds, the held time (a note says so). Raises :class:`hipnb.LogError` as
    :func:`admit` does.
    """
    notes = []
    exercise, side = exercise.strip(), side.strip().lower()
    if target_s is None:
        target_s = catalog.target(exercise, side)
        if target_s is not None:
            notes.append(f"target {target_s:g} s, from the routine")
        else:
            notes.append("no target given and no routine has one: the held time is the target")
    row = manual_row(
        athlete,
        exercise,
        side,
        actual_s,
        target_s=target_s,
        started_at=started_at,
        rpe=rpe,
        discomfort=discomfort,
        note=note,
    )
    admit(
        [row],
        catalog=catalog,
        known_athletes=known_athletes,
        now=now,
        custom=custom,
        override=override,
    )
    return row, notes


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
    own = athlete_path(Path(path).parent, athlete)
    return (
        f"{path} holds the log of {', '.join(map(repr, names))}, not {athlete!r}"
        + (f"; {hint}" if hint else "")
        + f" (each athlete has a file of their own, e.g. {own})"
    )


def known_athletes(folder: str | Path) -> set[str]:
    """The athletes of the logs in ``folder`` (one athlete a file: the first row of each says whose).

    Only the header and the first row of each ``*.csv`` are read, so this stays cheap for a squad.
    """
    out = set()
    base = Path(folder)
    for f in sorted(base.glob("*.csv")) if base.is_dir() else []:
        name = file_athlete(f)
        if name:
            out.add(name)
    return out


def file_athlete(path: str | Path) -> str | None:
    """Whose log the file at ``path`` is (its first row's athlete), or None (no file, no rows)."""
    path = Path(path)
    try:
        if not path.is_file():
            return None
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        reader = csv.DictReader(io.StringIO(head.decode("utf-8-sig", errors="replace")))
        first: Mapping[str, Any] = next(reader, {})
    except (OSError, csv.Error):
        return None
    name = str(first.get("athlete") or "").strip()
    return name or None


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
    late = (df["started_at"] > pd.Timestamp(now + FUTURE_SLACK)).to_numpy()
    for i in range(len(df)):
        row = df.iloc[i]
        exercise = str(row["exercise"])
        if late[i]:
            found.append(
                (i, f"started_at {start_problem(row['started_at'].to_pydatetime(), now=now)}")
            )
        elif exercise not in known and did_you_mean(exercise, sorted(known)):
            found.append((i, routines_only.unknown(exercise)))
        most = catalog.most(exercise)
        if exercise in known and max(row["actual_s"], row["target_s"]) > most:
            held = max(row["actual_s"], row["target_s"])
            checks.append(
                (i, f"{exercise} {held:g} s is more than its plausible maximum of {most:g} s")
            )
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
                when = datetime.fromisoformat(
                    str(record.get("started_at", "")).strip().replace("Z", "+00:00")
                )
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
