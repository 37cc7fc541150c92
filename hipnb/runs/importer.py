"""import_runs: activity exports in, an athlete's run log appended, a report of what happened."""

from __future__ import annotations

import bisect
import math
import warnings
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
from hipnb.runs.formats import ACTIVITY_SUFFIXES, Activity, read_activity_file
from hipnb.runs.store import RunLog, _reason, _text_row, runs_path

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

    def __str__(self) -> str:
        km = self.added["distance_m"].sum() / 1000 if len(self.added) else 0.0
        lines = [
            f"{len(self.added)} run(s) added ({km:.1f} km) to {self.log}; "
            f"{self.already} already there; {len(self.skipped)} skipped (not runs); "
            f"{len(self.problems)} problem(s)"
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
    progress: bool | None = None,
) -> RunImport:
    """Import runs from an export into ``athlete``'s run log (``<logs>/runs/<athlete>/runs.csv``).

    Example::

        result = import_runs("export_12345/", "ana", logs="data/logs", tz="Europe/Madrid")
        print(result)  # 12 run(s) added (98.4 km) to ...; 3 skipped (not runs); 0 problem(s)
        for problem in result.problems:
            print(problem)  # FILE:LINE: REASON

    ``path``: a Strava bulk export folder (its ``activities.csv``, or its activity files when
    there is no CSV), a Garmin Connect CSV, a plain CSV of date, distance and duration, a
    ``.fit``/``.gpx``/``.tcx`` file (gzipped or not), or a folder of them.
    ``logs``: the athlete's hold-log folder; run logs live under ``<logs>/runs/``.
    ``tz``: the athlete's zone (``"Europe/Madrid"``) for times written without an offset
    (Strava's and GPX's UTC, Garmin's local times); by default the offset of the athlete's holds
    nearest in time (within 30 days), else this machine's zone.
    ``units``: ``"km"`` or ``"mi"``, for CSV distances that do not say their unit.
    ``type``: ``"run"`` to count activities whose file does not say its type (a bare GPX) as runs.
    ``progress``: a progress bar over files (default: when there are more than 20).

    Only runs are imported; other activities are listed in ``skipped``. Re-importing adds
    nothing, and the same run from two sources (starts within 2 minutes, distances within 3 %) is
    kept once. A bad file or row is listed in ``problems`` (file, line, reason) and the rest still
    imports. No GPS point is stored.
    """
    if type not in (None, "run"):
        raise HipnbError(f"type must be 'run' or None, not {type!r}")
    if units not in (None, "km", "mi"):
        raise HipnbError(f"units must be 'km' or 'mi', not {units!r}")
    zone = _zone(tz)
    source = Path(path)
    if not source.exists():
        raise HipnbError(f"{source}: no such file or folder")
    log = RunLog(runs_path(logs, athlete))
    files = _files(source)
    activities, problems = _read_all(files, units, progress)
    runs, skipped = [], []
    for a in activities:
        if a.is_run or (a.is_run is None and type == "run"):
            runs.append(a)
        elif a.is_run is None:
            skipped.append(Skipped(a.file, a.line, a.sport, a.name, _UNTYPED))
        else:
            skipped.append(Skipped(a.file, a.line, a.sport, a.name, "not a run"))
    offsets = _hold_offsets(logs, athlete) if zone is None and runs else None
    rows = []
    for a in runs:
        row = _text_row(_row(a, athlete, zone, offsets))
        why = _reason(row)
        if why:
            problems.append(Problem(a.file, a.line, why))
        else:
            rows.append(row)
    log.path.parent.mkdir(parents=True, exist_ok=True)
    with log.lock:  # two imports at once still add each run once
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            existing = log.read()
        new, already = _new_runs(rows, existing)
        log.append(new)
    added = pd.DataFrame(new, columns=list(existing.columns.drop("local_time")))
    added["distance_m"] = pd.to_numeric(added["distance_m"])
    added["duration_s"] = pd.to_numeric(added["duration_s"])
    return RunImport(log.path, added, already, skipped, problems)


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


def _files(source: Path) -> list[Path]:
    if source.is_file():
        return [source]
    strava = source / "activities.csv"
    if strava.is_file():  # a Strava bulk export: its CSV lists every activity
        return [strava]
    wanted = (*ACTIVITY_SUFFIXES, ".csv")
    return sorted(
        p
        for p in source.rglob("*")
        if p.is_file() and any(p.name.lower().endswith(s + z) for s in wanted for z in ("", ".gz"))
    )


def _read_all(
    files: list[Path], units: str | None, progress: bool | None
) -> tuple[list[Activity], list[Problem]]:
    from tqdm.auto import tqdm

    show = len(files) > PROGRESS_FILES if progress is None else progress
    activities: list[Activity] = []
    problems: list[Problem] = []
    for f in tqdm(files, desc="reading activities", unit="file", disable=not show):
        found, probs = read_activity_file(f, units)
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
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
    """The activity's start in the athlete's local time, with its UTC offset."""
    if a.clock == "aware":
        return a.start
    if zone is not None:
        if a.clock == "utc":
            return a.start.astimezone(zone)
        return a.start.replace(tzinfo=zone)
    minutes = _near_offset(a.start, offsets)
    if minutes is not None:
        fixed = timezone(timedelta(minutes=minutes))
        if a.clock == "utc":
            return a.start.astimezone(fixed)
        return a.start.replace(tzinfo=fixed)
    if a.clock == "utc":
        return a.start.astimezone()  # this machine's zone
    return a.start.astimezone()  # a naive time is taken as this machine's local time


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
    rows: list[dict[str, str]], existing: pd.DataFrame
) -> tuple[list[dict[str, str]], int]:
    """The rows that are neither in ``existing`` nor the same run as one kept before them."""
    ids = set(existing["run_id"])
    kept = sorted(
        zip(
            (existing["started_at"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds(),
            existing["distance_m"],
            strict=True,
        )
    )
    starts = [s for s, _ in kept]
    new, already = [], 0
    order = sorted(rows, key=lambda r: pd.Timestamp(r["started_at"]))
    for row in order:
        t = pd.Timestamp(row["started_at"]).timestamp()
        d = float(row["distance_m"])
        lo = bisect.bisect_left(starts, t - SAME_START_S)
        hi = bisect.bisect_right(starts, t + SAME_START_S)
        if row["run_id"] in ids or any(_same_distance(d, kept[j][1]) for j in range(lo, hi)):
            already += 1
            continue
        new.append(row)
        ids.add(row["run_id"])
        i = bisect.bisect_left(starts, t)
        starts.insert(i, t)
        kept.insert(i, (t, d))
    return new, already


def _same_distance(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= SAME_DISTANCE * max(a, b)
