"""import_runs: activity exports in, an athlete's run log appended, a report of what happened."""

from __future__ import annotations

import bisect
import math
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray

from hipnb.errors import HipnbError
from hipnb.log import Problem, SessionLog, athlete_path
from hipnb.log.stamps import existing_time, offset_minutes, start_problem, zone
from hipnb.runs.athletes import check_athlete
from hipnb.runs.exports import date_only
from hipnb.runs.formats import Activity, read_activity
from hipnb.runs.sources import Source, find_sources
from hipnb.runs.store import RUN_COLUMNS, RunLog, check_runs, runs_path
from hipnb.seconds import plural

#: The same run (from two sources, or uploaded twice): starts at most this far apart...
SAME_START_S = 120.0
#: ...and distances within this share of the longer one.
SAME_DISTANCE = 0.03
#: A hold this close in time lends the athlete's UTC offset to a run written without one.
NEAR_HOLD = timedelta(days=30)
#: More files than this show a progress bar (when ``progress`` is None).
PROGRESS_FILES = 20


class Skipped(NamedTuple):
    """An activity that was not imported because it is not a run."""

    file: str
    line: int
    sport: str
    name: str
    why: str

    def __str__(self) -> str:
        label = f" '{self.name}'" if self.name else ""
        return f"{self.file}:{self.line}: skipped {self.sport or 'activity'}{label}: {self.why}"


class Same(NamedTuple):
    """An activity of the export that is a run the export holds already (a re-upload, or the same
    run from two of its files): counted once, not added again."""

    file: str
    line: int
    #: Where the run it repeats comes from (``activities.csv:3``).
    other: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: the same run as {self.other} (starts within "
            f"{SAME_START_S / 60:g} minutes, distances within {SAME_DISTANCE:.0%}): counted once"
        )


@dataclass
class RunImport:
    """What one import did: runs added, runs already there, activities of the export that repeat
    another (:class:`Same`), activities skipped, problems."""

    log: Path
    added: pd.DataFrame
    already: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: How the files were chosen, when that needs saying (a Strava CSV in another language).
    notes: list[str] = field(default_factory=list)
    same: list[Same] = field(default_factory=list)

    def __str__(self) -> str:
        km = self.added["distance_m"].sum() / 1000 if len(self.added) else 0.0
        twice = f"; {len(self.same)} uploaded twice, counted once" if self.same else ""
        lines = [
            *(f"note: {n}" for n in self.notes),
            f"{plural(len(self.added), 'run')} added ({km:.1f} km) to {self.log}; "
            f"{self.already} already there{twice}; {len(self.skipped)} skipped (not runs); "
            f"{plural(len(self.problems), 'problem')}",
        ]
        return "\n".join(lines)


def import_runs(
    path: str | Path,
    athlete: str,
    *,
    logs: str | Path = "data/logs",
    tz: str | None = None,
    units: str | None = None,
    type: str | None = None,
    new_athlete: bool = False,
    progress: bool | None = None,
) -> RunImport:
    """Import runs from an export into ``athlete``'s run log (``<logs>/runs/<athlete>/runs.csv``).

    Example::

        result = import_runs("export_12345.zip", "ana", logs="data/logs", tz="Europe/Madrid")
        print(result)  # 12 runs added (98.4 km) to ...; 3 skipped (not runs); 0 problems
        for problem in result.problems:
            print(problem)  # FILE:LINE: REASON

    ``path``: a Strava bulk export (its ``.zip``, read without unzipping, or the unzipped
    folder: its English ``activities.csv``, else its activity files), a Garmin Connect CSV, a
    plain CSV of date, distance and duration, a ``.fit``/``.gpx``/``.tcx`` file (gzipped or
    not), or a folder of them.
    ``logs``: the athlete's hold-log folder; run logs live under ``<logs>/runs/``.
    ``tz``: the athlete's zone (``"Europe/Madrid"``) for times written without an offset
    (Strava's and GPX's UTC, Garmin's local times); by default the offset of the athlete's holds
    nearest in time (within 30 days), else this machine's zone. A local time that a clock change
    skipped is moved forward by the change (02:30 on a spring-forward night is stored as 03:30 at
    the new offset); one that happened twice is taken at its first occurrence.
    ``units``: ``"km"`` or ``"mi"``, for CSV distances that do not say their unit.
    ``type``: ``"run"`` to count activities whose file does not say its type (a bare GPX) as runs.
    ``new_athlete``: ``True`` to start the run log of an athlete with no hold log and no run log
    in ``logs`` yet; a name that matches a known athlete only by case or accents is always
    refused (:func:`hipnb.names.same_athlete_problem`).
    ``progress``: a progress bar over files (default: when there are more than 20).

    Only runs are imported; other activities are listed in ``skipped``. Re-importing adds
    nothing, and the same run twice (starts within 2 minutes, distances within 3 %) is kept once:
    from two sources, or within one export (a re-upload under another activity id), listed in
    ``same``. Runs of a plain CSV that gives a date without a time are the same run only when
    date, distance and time are (two runs of one day are two runs). Every file is read on its own: a
    bad, hostile or too big file (see :data:`hipnb.runs.formats.MAX_FILE_BYTES`) or a bad row is
    listed in ``problems`` (file, line, reason) and the rest still imports, as is a run starting
    before 1990 or more than a day in the future (:func:`hipnb.log.stamps.start_problem`). No GPS
    point is stored.
    """
    if type not in (None, "run"):
        raise HipnbError(f"type must be 'run' or None, not {type!r}")
    if units not in (None, "km", "mi"):
        raise HipnbError(f"units must be 'km' or 'mi', not {units!r}")
    where = _zone(tz)
    source, logs = Path(path), Path(logs)
    if logs.exists() and not logs.is_dir():
        raise HipnbError(
            f"{logs}: a file, not a folder: give the folder of hold logs (--logs DIR, "
            "logs=DIR); runs go to DIR/runs/"
        )
    if not source.exists():
        raise HipnbError(f"{source}: no such file or folder")
    log = RunLog(runs_path(logs, athlete))
    check_athlete(logs, athlete, new_athlete=new_athlete)
    with ExitStack() as stack:
        found = find_sources(source, stack)
        activities, problems = _read_all(found.sources, units, progress)
    problems = found.problems + problems
    runs, skipped = [], []
    for a in activities:
        if a.is_run or (a.is_run is None and type == "run"):
            runs.append(a)
        elif a.is_run is None:
            skipped.append(Skipped(a.file, a.line, a.sport, a.name, _UNTYPED))
        else:
            skipped.append(Skipped(a.file, a.line, a.sport, a.name, "not a run"))
    offsets = _hold_offsets(logs, athlete) if where is None and runs else None
    now = datetime.now(UTC)
    timed = []  # the runs whose start can be put in the athlete's zone (not near year 1 or 9999)
    for a in runs:
        why = _start_problem(a, now)
        if why:
            problems.append(Problem(a.file, a.line, why))
        else:
            timed.append(a)
    text, typed, reason = check_runs([_row(a, athlete, where, offsets) for a in timed], now=now)
    good = reason.isna().to_numpy()
    problems += [
        Problem(a.file, a.line, str(why)) for a, why in zip(timed, reason, strict=True) if why
    ]
    kept = [a for a, ok in zip(timed, good, strict=True) if ok]
    new, already, same, old_problems = _append_new(log, text, typed[good], kept)
    notes = found.notes + [f"{p} (a row already in the run log, left out)" for p in old_problems]
    added = text.take(np.flatnonzero(good)[new]).to_pandas()[list(RUN_COLUMNS)]
    added["distance_m"] = pd.to_numeric(added["distance_m"]).astype("float64")
    added["duration_s"] = pd.to_numeric(added["duration_s"]).astype("float64")
    return RunImport(log.path, added, already, skipped, problems, notes, same)


def _append_new(
    log: RunLog, text: pa.Table, typed: pd.DataFrame, activities: list[Activity]
) -> tuple[list[int], int, list[Same], list[Problem]]:
    """Append the runs of ``typed`` (good rows of ``text``, read from ``activities``) that are
    not in the log yet, under its lock; return their positions in ``typed``, how many were in the
    log already, the ones the export holds twice, and the log's bad rows.

    A folder that refuses writes is a :class:`hipnb.HipnbError` saying so.
    """
    try:
        log.path.parent.mkdir(parents=True, exist_ok=True)
        with log.lock:  # two imports at once still add each run once
            existing = log.read()  # its bad rows are reported, never used
            new, already, twice = _new_runs(typed, existing)
            if new:
                log.append(text.take(typed.index.to_numpy()[new]))
    except OSError as exc:
        raise HipnbError(
            f"{log.path.parent}: cannot write the run log there ({exc.strerror or exc})"
        ) from None
    same = [Same(activities[i].file, activities[i].line, _where(activities[j])) for i, j in twice]
    return new, already, same, list(existing.attrs["problems"])


def _where(a: Activity) -> str:
    return f"{Path(a.file).name}:{a.line}"


def _start_problem(a: Activity, now: datetime) -> str | None:
    """The one date rule, on the start as written (a wall-clock time is taken as UTC: the rule's
    bounds are a day wide or more)."""
    start = a.start if a.start.tzinfo else a.start.replace(tzinfo=UTC)
    return start_problem(start, now=now)


#: (UTC instants in seconds, UTC offsets in minutes) of an athlete's holds, sorted by instant.
Offsets = tuple[NDArray[np.float64], NDArray[np.int64]]

_UNTYPED = "the file does not say what activity it was (pass type='run', --type run, if a run)"


def _zone(tz: str | None) -> tzinfo | None:
    """The athlete's zone from its IANA name (None: not given); an unknown name raises
    :class:`hipnb.LogError` (:func:`hipnb.log.stamps.zone`)."""
    return None if tz is None else zone(tz)


def _read_all(
    sources: list[Source], units: str | None, progress: bool | None
) -> tuple[list[Activity], list[Problem]]:
    from tqdm.auto import tqdm

    show = len(sources) > PROGRESS_FILES if progress is None else progress
    activities: list[Activity] = []
    problems: list[Problem] = []
    for f in tqdm(sources, desc="reading activities", unit="file", disable=not show):
        found, probs = read_activity(f.name, f.open, units)
        activities += found
        problems += probs
    return activities, problems


def _hold_offsets(logs: str | Path, athlete: str) -> Offsets | None:
    """(UTC instants in seconds, offsets in minutes) of the athlete's holds, sorted; None if none."""
    try:
        path = athlete_path(logs, athlete)
    except HipnbError:
        return None
    if not path.is_file():
        return None
    holds = SessionLog(path).read()
    if holds.empty:
        return None
    minutes = offset_minutes(holds["started_at"], holds["local_time"]).to_numpy(dtype="int64")
    seconds = _seconds(holds["started_at"])
    order = np.argsort(seconds, kind="stable")
    return seconds[order], minutes[order]


def _row(a: Activity, athlete: str, zone: tzinfo | None, offsets: Offsets | None) -> dict[str, Any]:
    start = _local(a, zone, offsets)
    return {
        "run_id": a.run_id,
        "athlete": athlete,
        "started_at": start.isoformat(timespec="seconds"),
        "distance_m": None if math.isnan(a.distance_m) else a.distance_m,
        "duration_s": None if math.isnan(a.duration_s) else a.duration_s,
        "sport": a.sport,
        "source": _where(a),
        "name": a.name,
    }


def _local(a: Activity, zone: tzinfo | None, offsets: Offsets | None) -> datetime:
    """The activity's start in the athlete's local time, with its UTC offset.

    A wall-clock time goes through UTC and back, so a time in a spring-forward gap comes out as
    the real time at the new offset (02:30 -> 03:30+02:00 in Madrid); ``fold=0`` takes the first
    of a time that happened twice.
    """
    if a.clock == "aware":
        return a.start
    if zone is not None:
        if a.clock == "utc":
            return a.start.astimezone(zone)
        return existing_time(a.start, zone)[0]
    minutes = _near_offset(a.start, offsets)
    if minutes is not None:
        fixed = timezone(timedelta(minutes=minutes))
        if a.clock == "utc":
            return a.start.astimezone(fixed)
        return a.start.replace(tzinfo=fixed)
    if a.clock == "utc":
        return a.start.astimezone()  # this machine's zone
    return existing_time(a.start, None)[0]  # a naive time is this machine's local time


def _near_offset(start: datetime, offsets: Offsets | None) -> int | None:
    if offsets is None:
        return None
    seconds, minutes = offsets
    t = (start.replace(tzinfo=UTC) if start.tzinfo is None else start).timestamp()
    i = int(np.searchsorted(seconds, t))
    best = min((j for j in (i - 1, i) if 0 <= j < len(seconds)), key=lambda j: abs(seconds[j] - t))
    if abs(seconds[best] - t) > NEAR_HOLD.total_seconds():
        return None
    return int(minutes[best])


def _new_runs(
    typed: pd.DataFrame, existing: pd.DataFrame
) -> tuple[list[int], int, list[tuple[int, int]]]:
    """Which runs of ``typed`` (checked) to add: (their positions, in time order; how many
    are in ``existing`` already, (position, position of the run it repeats) for each the export
    holds twice).

    The same run is the same id, or (a plain CSV's run) the old id ``csv:<date>`` with the same
    distance and time, or starts within :data:`SAME_START_S` and distances within
    :data:`SAME_DISTANCE`: from two sources, or one export's re-upload. A run whose source gave a
    date without a time (:func:`hipnb.runs.exports.date_only`) has no start to compare: it is
    never matched so with another such run.
    """
    ids = {r: -1 for r in existing["run_id"]}  # id -> position in typed, -1 for the log's
    legacy = {
        (r, round(d), round(t))
        for r, d, t in zip(
            existing["run_id"], existing["distance_m"], existing["duration_s"], strict=True
        )
        if r.startswith("csv:") and "/" not in r and d == d and t == t
    }
    kept = sorted(
        zip(
            _seconds(existing["started_at"]),
            existing["distance_m"],
            existing["run_id"].map(date_only),
            [-1] * len(existing),
            strict=True,
        )
    )
    starts = [k[0] for k in kept]
    new: list[int] = []
    twice: list[tuple[int, int]] = []
    already = 0
    seconds = _seconds(typed["started_at"])
    run_ids, distances = typed["run_id"].tolist(), typed["distance_m"].tolist()
    times = typed["duration_s"].tolist()
    for i in np.argsort(seconds, kind="stable"):
        t, d, run_id = float(seconds[i]), float(distances[i]), run_ids[i]
        alone = date_only(run_id)
        lo = bisect.bisect_left(starts, t - SAME_START_S)
        hi = bisect.bisect_right(starts, t + SAME_START_S)
        match = ids.get(run_id)  # the run it is: -1 for one in the log, else its place in typed
        if match is None and _legacy_key(run_id, d, times[i]) in legacy:
            match = -1
        if match is None:
            match = next(
                (
                    kept[j][3]
                    for j in range(lo, hi)
                    if not (alone and kept[j][2]) and _same_distance(d, kept[j][1])
                ),
                None,
            )
        if match is not None:
            if match < 0:
                already += 1
            else:
                twice.append((int(i), match))
            continue
        new.append(int(i))
        ids[run_id] = int(i)
        at = bisect.bisect_left(starts, t)
        starts.insert(at, t)
        kept.insert(at, (t, d, alone, int(i)))
    return new, already, sorted(twice)


def _seconds(utc: pd.Series) -> np.ndarray:
    """UTC instants as seconds since 1970."""
    return (utc - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()


def _legacy_key(run_id: str, distance: float, seconds: float) -> tuple[str, int, int] | None:
    """A plain-CSV run as the old ``csv:<date>`` id would have it, with its distance and time."""
    if not run_id.startswith("csv:") or run_id.count("/") < 2:
        return None
    return (run_id.rsplit("/", 2)[0], round(distance), round(seconds))


def _same_distance(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= SAME_DISTANCE * max(a, b)
