"""The log's face: :class:`SessionLog`, the one door every hold goes through.

``add`` (new holds), ``patch`` (change fields of a logged hold) and ``delete`` (remove one) are the
only ways to write. Each takes the log's lock, reads what it needs of the file as it is, runs the
gate (:mod:`hipnb.log.gate`: the name gate, the columns' rules, the catalog of exercises, the clock,
the plausible maximum) and writes one durable append (:mod:`hipnb.log.append`). The command line,
the widgets, the phone and the demo generator each make one call here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd
from filelock import FileLock

from hipnb.errors import LogError, WriteError
from hipnb.log.append import Writer, append_rows, lock_of, locked
from hipnb.log.check import empty_log
from hipnb.log.gate import Catalog, admit, other_athlete_problem
from hipnb.log.identity import hold_ids, plain
from hipnb.log.read import read_logs, refuse_odd_file, rows_as_written
from hipnb.log.spec import COLUMNS, Hold, Rows, held_to_target
from hipnb.names import athlete_problem, kept_name, known_athletes, normalize_name
from hipnb.routines import Routine
from hipnb.seconds import seconds_text

#: The fields that make a logged hold what it is: a hold sent again with these equal is the same
#: hold (a retry), acknowledged and not written twice.
_SAME = [c for c in COLUMNS if c not in ("athlete", "session_id", "exercise", "side")]


@dataclass(frozen=True)
class Added:
    """What :meth:`SessionLog.add` did: the holds it wrote (as the log keeps them), the holds that
    were already in the log (a retry: acknowledged, not written twice), and notes for the person
    (where a default came from)."""

    written: tuple[Hold, ...] = ()
    already: tuple[Hold, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Changed:
    """What :meth:`SessionLog.patch` or :meth:`SessionLog.delete` did: the hold as it read before,
    and each field changed as ``(field, old, new)`` text (empty for a delete, or when the hold
    already read so and nothing was written)."""

    hold: pd.Series
    changes: tuple[tuple[str, str, str], ...] = ()


@dataclass
class _Seen:
    """What the door knows of one file, valid while the file is unchanged (its ``stamp``): whose
    holds it holds, the exercises logged, and each hold as first logged (by athlete and identity:
    its values, or its position in ``read``, the plain rows as read, made into values when asked)."""

    stamp: tuple[int, int, int, int] | None
    athletes: set[str] = field(default_factory=set)
    exercises: set[str] = field(default_factory=set)
    holds: dict[tuple[str, str], tuple[Any, ...] | int] = field(default_factory=dict)
    read: pd.DataFrame | None = None

    def learn(
        self, typed: pd.DataFrame, keys: list[tuple[str, str]], values: list[tuple[Any, ...]]
    ) -> None:
        """Take in new holds (typed, with :func:`_keys` and :func:`_values`) as written."""
        self.athletes |= set(typed["athlete"])
        self.exercises |= set(typed["exercise"])
        self.holds.update(zip(keys, values, strict=True))

    def logged(self, key: tuple[str, str]) -> tuple[Any, ...] | None:
        """The values of the hold ``key`` as first logged, or None when the file has no such hold."""
        found = self.holds.get(key)
        if isinstance(found, int) and self.read is not None:
            found = self.holds[key] = _values(self.read.iloc[[found]])[0]
        return found if isinstance(found, tuple) else None


#: The door's view of each file, by path: kept between calls, checked against the file's stamp
#: under the lock, so a log that only this process appends to is read once.
_SEEN: dict[Path, _Seen] = {}


class SessionLog:
    """An athlete's hold log (CSV, UTF-8, a header row, one row per hold) and its one door.

    Example::

        >>> log = SessionLog("data/logs/ana.csv", routines="data/routines")
        >>> log.add([hold])                       # doctest: +SKIP
        >>> log.patch("3fa2b1c0", actual_s=40)    # doctest: +SKIP
        >>> log.delete("3fa2b1c0")                # doctest: +SKIP
        >>> df = log.read()      # typed frame; df.attrs["problems"] lists rows that cannot be used

    What the door needs beyond the path is given here, once: ``routines``, a folder of routine
    files whose exercises are known (besides the built-in routines and the exercises the log
    already holds), and ``routine``, the routine being run (:meth:`running` gives the same log
    knowing another one). ``now`` is the clock of the future-start rule (default: the present);
    ``write`` is the low-level write (``os.write``), which tests replace to make a write fail.
    Whether a hold is custom, overridden or starts a new athlete is said on each call.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        routines: str | Path | None = None,
        routine: Routine | None = None,
        now: Callable[[], datetime] | None = None,
        write: Writer = os.write,
    ):
        self.path = Path(path)
        self.routines = Path(routines) if routines is not None else None
        self.routine = routine
        self._now = now
        self._write = write
        self._catalog: Catalog | None = None

    def __repr__(self) -> str:
        return f"SessionLog({str(self.path)!r})"

    def running(self, routine: Routine) -> SessionLog:
        """This log, its door knowing ``routine`` (the one being run) too."""
        return SessionLog(
            self.path, routines=self.routines, routine=routine, now=self._now, write=self._write
        )

    # -- reading ----------------------------------------------------------------------------------

    def read(self, errors: Literal["report", "raise"] = "report") -> pd.DataFrame:
        """Read and validate the whole log: the same frame as :func:`hipnb.read_logs` of this file.

        A missing file reads as an empty log (a log not yet written); :func:`hipnb.read_logs` calls
        a missing path an error instead (a mistyped path). See :func:`hipnb.read_logs` for the
        columns, the corrections applied, ``errors`` and ``df.attrs["problems"]``.
        """
        if errors not in ("report", "raise"):
            raise ValueError("errors must be 'report' or 'raise'")
        refuse_odd_file(self.path)
        if not self.path.exists() and not self.path.is_symlink():
            return empty_log()
        return read_logs(self.path, errors=errors)

    def holds(self, athlete: str | None = None, day: date | str | None = None) -> pd.DataFrame:
        """The current holds (one athlete's, one local day's, when given), each with its short
        reference in ``ref`` for :meth:`patch` and :meth:`delete`, athlete by athlete in time order.
        Rows that cannot be read are left out (see :meth:`read`)."""
        from hipnb.holds import select_holds

        return select_holds(self.read(), athlete=athlete, day=day)

    # -- the door ---------------------------------------------------------------------------------

    def check(
        self,
        holds: Rows,
        *,
        custom: bool = False,
        override: bool = False,
        new_athlete: bool = False,
    ) -> pd.DataFrame:
        """The gate :meth:`add` runs, without writing: the holds typed, as the log would keep them,
        or :class:`hipnb.LogError` with the first rule one breaks (``row N:`` first when several).
        A front end checks a hold with this before it queues it."""
        rows = _holds(holds)
        typed, _ = self._admit(rows, self._seen(), custom, override, new_athlete)
        return typed

    def add(
        self,
        holds: Rows,
        *,
        custom: bool = False,
        override: bool = False,
        new_athlete: bool = False,
    ) -> Added:
        """Log new holds: every one passes the gate, then all are written in one durable append.

        Under the log's lock: the file's athletes are checked (a log is one athlete's; a name new
        to the folder needs ``new_athlete``, :func:`hipnb.names.athlete_problem`), a hold without a
        target gets its routine's (else the held time, and ``completed`` follows), and each hold
        passes :func:`hipnb.log.gate.admit`: ``custom`` lets an exercise no routine knows through,
        ``override`` a hold longer than its exercise's plausible maximum. A hold already in the log
        (same athlete and identity, same values: a retry) is acknowledged in ``already`` and not
        written again; the same identity with other values is refused (correct it with
        :meth:`patch`). Raises :class:`hipnb.LogError` and writes nothing when any hold is refused
        or the write fails.
        """
        rows = _holds(holds)
        with self._locked():
            seen = self._seen()
            typed, notes = self._admit(rows, seen, custom, override, new_athlete)
            keys, values = _keys(typed), _values(typed)
            new: list[int] = []
            already: list[int] = []
            batch: dict[tuple[str, str], tuple[Any, ...]] = {}
            for i, (key, value) in enumerate(zip(keys, values, strict=True)):
                logged = batch.get(key) or seen.logged(key)
                if logged is None:
                    batch[key] = value
                    new.append(i)
                elif logged == value:
                    already.append(i)
                else:
                    where = f"row {i + 1}: " if len(rows) > 1 else ""
                    raise LogError(
                        f"{self.path}: {where}a hold {key[1]!r} of {key[0]} is already logged "
                        "with other values; change it with a patch (hipnb edit), nothing was written"
                    )
            if new:
                self._append([rows[i] for i in new], checked=True)
                seen.learn(typed.iloc[new], [keys[i] for i in new], [values[i] for i in new])
                seen.stamp = _stamp(self.path)
            return Added(tuple(rows[i] for i in new), tuple(rows[i] for i in already), tuple(notes))

    def patch(
        self,
        ref: str,
        *,
        custom: bool = False,
        override: bool = False,
        missing_ok: bool = False,
        **changes: Any,
    ) -> Changed | None:
        """Change fields of a logged hold: one correction row carrying only the fields that change.

        ``ref`` names the hold: its short reference (``hipnb holds``, at least 4 digits) or its
        identity (``hold_id``). ``changes`` are fields of :data:`hipnb.log.EDITABLE`; an empty value
        clears an optional field; ``started_at`` is an aware datetime or text in any form ``hipnb
        log --when`` reads, a time alone (``06:50``) on the hold's own day, in its own offset.
        Under the lock the hold is found in the file as it is, and the hold as it will read passes
        the gate of every new hold (``custom``, ``override`` as for :meth:`add`). Returns what changed (nothing is written when the hold already reads so);
        with ``missing_ok``, None when the hold is gone (deleted meanwhile) instead of an error.
        """
        from hipnb.holds import changed_fields, correction_row, hold_after, hold_start, only_changed

        with self._locked():
            df = self._current()
            hold = _find(df, ref, missing_ok)
            if hold is None:
                return None
            when = changes.get("started_at")
            if isinstance(when, str) and when.strip():
                changes["started_at"] = hold_start(hold, when)
            row = correction_row(hold, "patch", **changes)
            changed = changed_fields(hold, row)
            if changed:
                seen, after = self._seen(), hold_after(hold, **changes)
                admit(
                    [after],
                    catalog=self._catalog_of(seen),
                    now=self._clock(),
                    custom=custom,
                    override=override,
                )
                self._append([only_changed(row, changed)])
                seen.exercises.add(str(after["exercise"]))
                seen.stamp = _stamp(self.path)
            return Changed(hold, tuple(changed))

    def delete(self, ref: str, *, missing_ok: bool = False) -> Changed | None:
        """Remove a logged hold: one ``delete`` row naming it (the file keeps its history).

        ``ref`` as for :meth:`patch`. Returns the hold removed; with ``missing_ok``, None when it
        is already gone instead of an error.
        """
        from hipnb.holds import correction_row

        with self._locked():
            hold = _find(self._current(), ref, missing_ok)
            if hold is None:
                return None
            seen = self._seen()  # as the file is before the write: it stays valid after it
            self._append([correction_row(hold, "delete")])
            seen.stamp = _stamp(self.path)
            return Changed(hold)

    def athlete_problem(self, athlete: str, *, new_athlete: bool = False) -> str | None:
        """Why ``athlete`` may not log here, or None: the file is another athlete's, or the name
        gate refuses the name beside the folder's athletes (:func:`hipnb.names.athlete_problem`).
        What :meth:`add` would say of the name, asked before there is a hold (a timer, a phone)."""
        try:
            name = normalize_name(athlete)
            return self._athlete_why(name, self._seen(), new_athlete, set())
        except LogError as exc:
            return str(exc)

    # -- under the lock ---------------------------------------------------------------------------

    @property
    def _lock(self) -> FileLock:
        return lock_of(self.path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the log's lock (a file that cannot be locked is the file's trouble)."""
        with contextlib.ExitStack() as stack:
            with _file_trouble():
                stack.enter_context(locked(self.path, self._lock))
            yield

    def _clock(self) -> datetime:
        return self._now() if self._now is not None else datetime.now(UTC)

    def _seen(self) -> _Seen:
        """What the door knows of the file: read again only when the file changed since.
        A file that cannot be read raises :class:`hipnb.WriteError` (the file's trouble, not the
        rows')."""
        with _file_trouble():
            return self._seen_now()

    def _seen_now(self) -> _Seen:
        stamp = _stamp(self.path)
        seen = _SEEN.get(self.path.absolute())
        if seen is not None and seen.stamp == stamp:
            return seen
        seen = _Seen(stamp)
        if stamp is not None and stamp[2] > 0:
            rows = rows_as_written(self.path)
            seen.athletes = set(rows["athlete"])
            seen.exercises = set(rows["exercise"].dropna())
            seen.read = rows[rows["action"].isna()]
            seen.holds = {key: i for i, key in enumerate(_keys(seen.read))}  # the later copy wins
        _SEEN[self.path.absolute()] = seen
        return seen

    def _current(self) -> pd.DataFrame:
        """The current holds, read under the lock (corrections applied)."""
        if not self.path.exists():
            return empty_log()
        with _file_trouble():
            return read_logs(self.path)

    def _append(self, rows: list[Hold], *, checked: bool = False) -> None:
        """The durable append, under the lock already held (``checked``: new holds the gate has
        just passed by the columns' rules); a failure is the file's trouble."""
        with _file_trouble():
            append_rows(self.path, rows, lock=self._lock, write=self._write, checked=checked)

    def _athlete_why(
        self, name: str, seen: _Seen, new_athlete: bool, folder: set[str]
    ) -> str | None:
        """Why ``name`` may not log in this file: another athlete's file, or the name gate against
        the folder's athletes (read into ``folder`` once, only for a name new to this file)."""
        if name in seen.athletes:
            return None
        why = other_athlete_problem(self.path, name, seen.athletes)
        if why is None:
            if not folder:
                folder |= known_athletes(self.path.parent) - {""}
            why = athlete_problem(name, folder, new_athlete=new_athlete, where=self.path.parent)
        return why

    @property
    def skipped(self) -> tuple[str, ...]:
        """Routine files in ``routines`` that could not be read (each message once): the door
        knows none of their exercises."""
        return self._routines().skipped

    def _routines(self) -> Catalog:
        """The routines' exercises (built-in, the folder's, the one being run), loaded once."""
        if self._catalog is None:
            mine = (self.routine,) if self.routine is not None else ()
            self._catalog = Catalog.load(self.routines, routines=mine)
        return self._catalog

    def _catalog_of(self, seen: _Seen) -> Catalog:
        return self._routines().with_logged(seen.exercises)

    def _admit(
        self,
        rows: list[Hold],
        seen: _Seen,
        custom: bool,
        override: bool,
        new_athlete: bool,
    ) -> tuple[pd.DataFrame, list[str]]:
        """The gate, for rows of new holds: (typed rows, notes). Fills missing targets in place."""
        if not rows:
            return empty_log(), []
        for i, row in enumerate(rows):
            if plain(row.get("action")) or plain(row.get("hold_id")):
                where = f"row {i + 1}: " if len(rows) > 1 else ""
                raise LogError(
                    f"{where}a correction row: change a logged hold with patch or delete, not add"
                )
        catalog = self._catalog_of(seen)
        notes = _fill_targets(rows, catalog)
        many = len(rows) > 1
        folder: set[str] = set()
        said: dict[str, str | None] = {}  # once a name
        for i, row in enumerate(rows):
            name = kept_name(str(row.get("athlete") or ""))
            if name and name not in said:
                said[name] = self._athlete_why(name, seen, new_athlete, folder)
            why = said.get(name)
            if why:
                raise LogError(f"row {i + 1}: {why}" if many else why)
        typed = admit(
            rows,
            catalog=catalog,
            known_athletes=seen.athletes | folder,
            now=self._clock(),
            custom=custom,
            override=override,
        )
        return typed, notes


@contextlib.contextmanager
def _file_trouble() -> Iterator[None]:
    """Errors of the file itself (unreadable, a header that cannot take the rows, a full disk) as
    :class:`hipnb.WriteError`: nothing was written, and the same call may work once the file is
    fixed. A row the door refuses stays a plain :class:`hipnb.LogError`."""
    try:
        yield
    except WriteError:
        raise
    except LogError as exc:
        raise WriteError(str(exc)) from None


def _holds(holds: Rows) -> list[Hold]:
    """Rows given to a verb as a list of mappings (a frame's rows as the log writes them)."""
    if isinstance(holds, pd.DataFrame) and "local_time" not in holds:
        return cast(list[Hold], holds.to_dict("records"))
    if isinstance(holds, pd.DataFrame):  # a read frame: its stamps as written, offsets kept
        from hipnb.log.rows import _to_text_frame

        text = _to_text_frame(holds)
        records = text.to_dict("records")
        return [cast(Hold, {k: (v if v != "" else None) for k, v in r.items()}) for r in records]
    if isinstance(holds, Mapping):
        return [cast(Hold, dict(holds))]
    return [cast(Hold, dict(h)) for h in holds]


def _fill_targets(rows: list[Hold], catalog: Catalog) -> list[str]:
    """A hold logged without a target gets its routine's for that exercise and side, else the held
    time; ``completed``, when not given, follows. Returns what the person should be told."""
    notes: list[str] = []
    for row in rows:
        if plain(row.get("target_s")) not in (None, ""):
            continue
        exercise = str(row.get("exercise") or "").strip()
        side = str(row.get("side") or "").strip().lower()
        target = catalog.target(exercise, side)
        if target is None:
            target = row.get("actual_s")
            notes.append("no target given and no routine has one: the held time is the target")
        else:
            notes.append(f"target {seconds_text(target, exact=True)}, from the routine")
        row["target_s"] = target
        if plain(row.get("completed")) is None:
            with contextlib.suppress(TypeError, ValueError):  # a bad number: the gate says so
                row["completed"] = held_to_target(row["actual_s"], target)
    return list(dict.fromkeys(notes))


def _keys(typed: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(typed["athlete"].astype(str), hold_ids(typed).astype(str), strict=True))


def _values(typed: pd.DataFrame) -> list[tuple[Any, ...]]:
    columns = [typed[c].tolist() for c in _SAME]
    return [tuple(plain(v) for v in row) for row in zip(*columns, strict=True)]


def _find(df: pd.DataFrame, ref: str, missing_ok: bool) -> pd.Series | None:
    """The current hold ``ref`` names: a short reference, or an identity (it holds ``|``)."""
    from hipnb.holds import find_hold

    if "|" in ref:
        hits = df[hold_ids(df).to_numpy() == ref] if len(df) else df
        if len(hits) == 1:
            hold: pd.Series = hits.iloc[0]
            return hold
        if missing_ok and len(hits) == 0:
            return None
        raise LogError(f"no current hold {ref!r} (list them with `hipnb holds`)")
    try:
        return find_hold(df, ref)
    except LogError:
        if missing_ok and len(ref.strip()) >= 4:
            return None
        raise


def _stamp(path: Path) -> tuple[int, int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
