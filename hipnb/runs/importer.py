"""import_runs: activity exports in, an athlete's run log appended, a report of what happened."""

from __future__ import annotations

import bisect
import math
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hipnb.errors import HipnbError
from hipnb.log import Problem, SessionLog, athlete_path
from hipnb.log.stamps import existing_time, start_problem
from hipnb.runs.athletes import check_athlete
from hipnb.runs.formats import Activity, read_activity
from hipnb.runs.sources import Source, find_sources
from hipnb.runs.store import RUN_COLUMNS, RunLog, _reason, _text_row, runs_path

#: The same run from two sources: starts at most this far apart...
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


@dataclass
class RunImport:
    """What one import did: runs added, runs already there, activities skipped, problems."""

    log: Path
    added: pd.DataFrame
    already: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: How the files were chosen, when that needs saying (a Strava CSV in another language).
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        km = self.added["distance_m"].sum() / 1000 if len(self.added) else 0.0
        lines = [
            *(f"note: {n}" for n in self.notes),
            f"{len(self.added)} run(s) added ({km:.1f} km) to {self.log}; "
            f"{self.already} already there; {len(self.skipped)} skipped (not runs); "
            f"{len(self.problems)} problem(s)",
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
        print(result)  # 12 run(s) added (98.4 km) to ...; 3 skipped (not runs); 0 problem(s)
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
    nothing, and the same run from two sources (starts within 2 minutes, distances within 3 %) is
    kept once; rows of one file are never taken for each other. Every file is read on its own: a
    bad, hostile or too big file (see :data:`hipnb.runs.formats.MAX_FILE_BYTES`) or a bad row is
    listed in ``problems`` (file, line, reason) and the rest still imports, as is a run starting
    before 1990 or more than a day in the future (:func:`hipnb.log.stamps.start_problem`). No GPS
    point is stored.
    """
    if type not in (None, "run"):
        raise HipnbError(f"type must be 'run' or None, not {type!r}")
    if units not in (None, "km", "mi"):
        raise HipnbError(f"units must be 'km' or 'mi', not {units!r}")
    zone = _zone(tz)
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
    offsets = _hold_offsets(logs, athlete) if zone is None and runs else None
    now = datetime.now(UTC)
    rows = []
    for a in runs:
        why = _start_problem(a, now)
        row = None if why else _text_row(_row(a, athlete, zone, offsets))
        why = why or _reason(row or {}, now=now)
        if why:
            problems.append(Problem(a.file, a.line, why))
        elif row is not None:
            rows.append(row)
    new, old_problems = _append_new(log, rows)
    notes = found.notes + [f"{p} (a row already in the run log, left out)" for p in old_problems]
    added = pd.DataFrame(new, columns=list(RUN_COLUMNS))
    added["distance_m"] = pd.to_numeric(added["distance_m"])
    added["duration_s"] = pd.to_numeric(added["duration_s"])
    return RunImport(log.path, added, len(rows) - len(new), skipped, problems, notes)


def _append_new(
    log: RunLog, rows: list[dict[str, str]]
) -> tuple[list[dict[str, str]], list[Problem]]:
    """Append the rows not in the log yet, under its lock; return them and the log's bad rows.

    A folder that refuses writes is a :class:`hipnb.HipnbError` saying so.
    """
    try:
        log.path.parent.mkdir(parents=True, exist_ok=True)
        with log.lock:  # two imports at once still add each run once
            existing = log.read()  # its bad rows are reported, never used
            new = _new_runs(rows, existing)
            log.append(new)
    except OSError as exc:
        raise HipnbError(
            f"{log.path.parent}: cannot write the run log there ({exc.strerror or exc})"
        ) from None
    return new, list(existing.attrs["problems"])


def _start_problem(a: Activity, now: datetime) -> str | None:
    """The one date rule, on the start as written (a wall-clock time is taken as UTC: the rule's
    bounds are a day wide or more)."""
    start = a.start if a.start.tzinfo else a.start.replace(tzinfo=UTC)
    return start_problem(start, now=now)


#: (UTC instants in seconds, UTC offsets in minutes) of an athlete's holds, sorted by instant.
Offsets = tuple[NDArray[np.float64], NDArray[np.int64]]

_UNTYPED = "the file does not say what activity it was (pass type='run', --type run, if a run)"


def _zone(tz: str | None) -> ZoneInfo | None:
    if tz is None:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise HipnbError(f"unknown time zone {tz!r}: use names like Europe/Madrid") from None


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
    utc = holds["started_at"].dt.tz_localize(None)
    minutes = ((holds["local_time"] - utc).dt.total_seconds() // 60).to_numpy(dtype="int64")
    seconds = (utc - pd.Timestamp(0)).dt.total_seconds().to_numpy()
    order = np.argsort(seconds, kind="stable")
    return seconds[order], minutes[order]


def _row(
    a: Activity, athlete: str, zone: ZoneInfo | None, offsets: Offsets | None
) -> dict[str, Any]:
    start = _local(a, zone, offsets)
    return {
        "run_id": a.run_id,
        "athlete": athlete,
        "started_at": start.isoformat(timespec="seconds"),
        "distance_m": a.distance_m,
        "duration_s": a.duration_s,
        "sport": a.sport,
        "source": f"{Path(a.file).name}:{a.line}",
        "name": a.name,
    }


def _local(a: Activity, zone: ZoneInfo | None, offsets: Offsets | None) -> datetime:
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


def _new_runs(rows: list[dict[str, str]], existing: pd.DataFrame) -> list[dict[str, str]]:
    """The rows that are neither in ``existing`` nor the same run as one kept before them.

    The same run is the same id, or (a plain CSV's run) the old id ``csv:<date>`` with the same
    distance and time, or the two-sources rule: starts within :data:`SAME_START_S` and distances
    within :data:`SAME_DISTANCE`, from another file (rows of one file are never merged).
    """
    ids = set(existing["run_id"])
    legacy = {
        (r, round(d), round(t))
        for r, d, t in zip(
            existing["run_id"], existing["distance_m"], existing["duration_s"], strict=True
        )
        if r.startswith("csv:") and "/" not in r and d == d and t == t
    }
    kept = sorted(
        zip(
            (existing["started_at"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds(),
            existing["distance_m"],
            existing["source"].map(_file_of),
            strict=True,
        )
    )
    starts = [k[0] for k in kept]
    new = []
    for row in sorted(rows, key=lambda r: pd.Timestamp(r["started_at"])):
        t = pd.Timestamp(row["started_at"]).timestamp()
        d, source = float(row["distance_m"]), _file_of(row["source"])
        lo = bisect.bisect_left(starts, t - SAME_START_S)
        hi = bisect.bisect_right(starts, t + SAME_START_S)
        if (
            row["run_id"] in ids
            or _legacy_key(row) in legacy
            or any(kept[j][2] != source and _same_distance(d, kept[j][1]) for j in range(lo, hi))
        ):
            continue
        new.append(row)
        ids.add(row["run_id"])
        i = bisect.bisect_left(starts, t)
        starts.insert(i, t)
        kept.insert(i, (t, d, source))
    return new


def _file_of(source: str) -> str:
    """The file part of a ``source`` cell (``activities.csv:3`` -> ``activities.csv``)."""
    return source.rpartition(":")[0] or source


def _legacy_key(row: dict[str, str]) -> tuple[str, int, int] | None:
    """A plain-CSV row as the old ``csv:<date>`` id would have it, with its distance and time."""
    if not row["run_id"].startswith("csv:") or row["run_id"].count("/") < 2:
        return None
    try:
        distance, seconds = float(row["distance_m"]), float(row["duration_s"])
        return (row["run_id"].rsplit("/", 2)[0], round(distance), round(seconds))
    except ValueError:
        return None


def _same_distance(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= SAME_DISTANCE * max(a, b)
