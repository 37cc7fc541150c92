"""The run log: one open CSV per athlete of imported runs, as durable as the hold log.

Layout: ``<logs>/runs/<athlete>/runs.csv``. The hold-log reader reads the ``*.csv`` files directly
inside the folder it is given; a run log always sits two folders below, so neither the hold-log
folder nor ``<logs>/runs`` ever holds a run log at its top level, and a squad read never mixes
runs into holds.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock

from hipnb.errors import LogError
from hipnb.log import EOL, Problem, athlete_path
from hipnb.log.append import append_text
from hipnb.log.export import spreadsheet_safe
from hipnb.log.stamps import start_problem

RUN_COLUMNS = (
    "run_id",
    "athlete",
    "started_at",
    "distance_m",
    "duration_s",
    "sport",
    "source",
    "name",
)
#: One run longer than this is a typo or a watch left running.
MAX_DISTANCE_M = 1_000_000.0
MAX_DURATION_S = 7 * 86400.0
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def runs_path(logs: str | Path, athlete: str) -> Path:
    """The run log of ``athlete`` for the hold logs in ``logs``: ``<logs>/runs/<athlete>/runs.csv``.

    The athlete's folder comes from :func:`hipnb.athlete_path`, the one gate from names to files.
    """
    return athlete_path(Path(logs) / "runs", athlete, suffix="") / "runs.csv"


def _reason(row: Mapping[str, Any], now: datetime | None = None) -> str | None:
    """Why a row of text cannot be used, or None; ``now`` also refuses starts too far ahead.

    The date rule is :func:`hipnb.log.stamps.start_problem`'s.
    """
    for name in ("run_id", "athlete", "started_at"):
        if not row.get(name, "").strip():
            return f"{name} is empty"
    for name in ("run_id", "athlete", "sport", "source"):
        if _CONTROL.search(row.get(name, "")):
            return f"{name} holds a control character"
    stamp = row["started_at"].strip()
    if not _STAMP.match(stamp):
        return f"started_at '{stamp[:40]}' is not an ISO 8601 date-time with a UTC offset"
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        why = start_problem(when, now=now)
    except (ValueError, OverflowError):
        return f"started_at '{stamp[:40]}' is not a valid date-time"
    if why:
        return f"started_at '{stamp[:40]}' {why}"
    for name, top in (("distance_m", MAX_DISTANCE_M), ("duration_s", MAX_DURATION_S)):
        text = row.get(name, "").strip()
        if not text:
            return f"{name} is missing"
        try:
            value = float(text)
        except ValueError:
            return f"{name} '{text[:40]}' is not a number"
        if not math.isfinite(value) or value < 0:
            return f"{name} '{text[:40]}' is not a number >= 0"
        if value > top:
            return f"{name} '{text[:40]}' is absurd for one run"
    if len(row.get("name", "")) > 500:
        return "name is longer than 500 characters"
    return None


#: Free-text columns, written spreadsheet-safe (:func:`spreadsheet_safe`) by every append.
TEXT_COLUMNS = ("run_id", "sport", "source", "name")


def _text_row(row: Mapping[Any, Any]) -> dict[str, str]:
    """A row as the run log's text cells; free text made safe to open in a spreadsheet."""
    out = {}
    for name in RUN_COLUMNS:
        v = row.get(name, "")
        if v is None or (isinstance(v, float) and math.isnan(v)):
            v = ""
        elif isinstance(v, float):
            v = repr(round(v, 3))
        elif isinstance(v, pd.Timestamp):
            v = v.isoformat()
        out[name] = spreadsheet_safe(str(v)) if name in TEXT_COLUMNS else str(v)
    return out


def _csv_text(rows: list[dict[str, str]], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, columns, restval="", extrasaction="ignore", lineterminator=EOL)
    writer.writerows(rows)
    return buf.getvalue()


class RunLog:
    """One athlete's run log (CSV, UTF-8, header row, one row per run; no GPS points).

    Example::

        >>> log = RunLog(runs_path("data/logs", "ana"))
        >>> log.append([{"run_id": "csv:1", "athlete": "ana", ...}])   # doctest: +SKIP
        >>> runs = log.read()              # typed frame; runs.attrs["problems"] lists bad rows
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        #: The cross-process lock every append takes; hold it to read and append as one step.
        self.lock = FileLock(str(self.path.with_name(f".{self.path.name}.lock")))

    def __repr__(self) -> str:
        return f"RunLog({str(self.path)!r})"

    def append(self, rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> int:
        """Validate ``rows`` (dicts or a DataFrame) and append them durably; return how many.

        All or nothing: a bad row raises :class:`hipnb.LogError` naming it and nothing is written.
        The write is the hold log's: one ``write`` under a lock, then fsync.
        """
        records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows
        text = [_text_row(r) for r in records]
        for i, row in enumerate(text, 1):
            why = _reason(row, now=datetime.now(UTC))
            if why:
                raise LogError(f"{self.path}: row {i} of this append: {why} (nothing was written)")
        if text:
            append_text(
                self.path, self.lock, lambda cols: _csv_text(text, cols), RUN_COLUMNS, RUN_COLUMNS
            )
        return len(text)

    def read(self) -> pd.DataFrame:
        """The runs as a typed frame (see :func:`read_runs`); a missing file reads as no runs."""
        df, found = _read_file(self.path)
        df.attrs["problems"] = found
        return df


def _typed(rows: list[dict[str, str]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(RUN_COLUMNS))
    stamps = [pd.Timestamp(s) for s in df["started_at"]]
    out = pd.DataFrame(
        {
            "run_id": df["run_id"].str.strip().astype("str"),
            "athlete": df["athlete"].str.strip().astype("str"),
            "started_at": pd.to_datetime([s.tz_convert("UTC") for s in stamps], utc=True),
            "local_time": pd.to_datetime([s.tz_localize(None) for s in stamps]),
            "distance_m": pd.to_numeric(df["distance_m"]).astype("float64"),
            "duration_s": pd.to_numeric(df["duration_s"]).astype("float64"),
            "sport": df["sport"].astype("str"),
            "source": df["source"].astype("str"),
            "name": df["name"].astype("str"),
        }
    )
    if out.empty:
        out["started_at"] = pd.Series([], dtype="datetime64[us, UTC]")
        out["local_time"] = pd.Series([], dtype="datetime64[us]")
    return out


def _read_file(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    name = str(path)
    if not path.exists():
        return _typed([]), []
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return _typed([]), [Problem(name, line, "the file is not UTF-8 text")]
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, found, start = [], [], 1
    try:
        header = [c.strip() for c in next(reader)]
    except StopIteration:
        return _typed([]), [Problem(name, 1, "empty file: expected " + ",".join(RUN_COLUMNS))]
    missing = [c for c in RUN_COLUMNS[:5] if c not in header]
    if missing:
        return _typed([]), [Problem(name, 1, f"the header lacks {', '.join(missing)}")]
    start = here = reader.line_num + 1
    now = datetime.now(UTC)  # a start more than a day ahead is as wrong when read as written
    torn = not text.endswith(("\n", "\r"))
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            found.append(Problem(name, start, f"unreadable CSV record: {exc}"))
            break
        here, start = start, reader.line_num + 1
        if not any(f.strip() for f in fields):
            continue
        why: str | None
        if len(fields) != len(header):
            why = f"{len(fields)} fields where the header has {len(header)}"
        else:
            row = dict(zip(header, fields, strict=True))
            why = _reason(row, now=now)
            if not why:
                rows.append(row)
                continue
        found.append(Problem(name, here, why))
    if torn and found and found[-1].line == here:
        found[-1] = found[-1]._replace(
            reason=found[-1].reason + " (the last line is incomplete: a write was cut off)"
        )
    return _typed(rows), found


def read_runs(logs: str | Path, athlete: str | None = None) -> pd.DataFrame:
    """Runs imported beside the hold logs in ``logs`` (every athlete's, or one athlete's).

    ``logs`` is the hold-log folder (run logs are under ``<logs>/runs/``) or one ``runs.csv``.
    Columns: ``run_id``, ``athlete``, ``started_at`` (UTC), ``local_time`` (the athlete's wall
    clock), ``distance_m``, ``duration_s``, ``sport``, ``source``, ``name``. Rows that cannot be
    used are listed in ``df.attrs["problems"]`` as :class:`hipnb.log.Problem` (file, line, reason).
    """
    logs = Path(logs)
    if logs.is_file():
        files = [logs]
    elif athlete is not None:
        files = [runs_path(logs, athlete)]
    else:
        files = sorted((logs / "runs").glob("*/runs.csv"))
    frames, found = [], []
    for f in files:
        df, probs = _read_file(f)
        frames.append(df)
        found += probs
    df = pd.concat(frames, ignore_index=True) if frames else _typed([])
    if athlete is not None:
        df = df[df["athlete"] == athlete]
    df = df.sort_values(["athlete", "started_at"], kind="stable").reset_index(drop=True)
    df.attrs["problems"] = found
    return df
