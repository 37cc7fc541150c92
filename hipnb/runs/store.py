"""The run log: one open CSV per athlete of imported runs, a table of the one log engine.

Its columns are declared beside the hold log's (:data:`hipnb.log.spec.RUNS`); it is read, checked,
appended and kept safe from cut-off lines by the same code as the hold log
(:mod:`hipnb.log.read`, :mod:`hipnb.log.check`, :mod:`hipnb.log.append`, :mod:`hipnb.log.torn`).

Layout: ``<logs>/runs/<athlete>/runs.csv``. The hold-log reader reads the ``*.csv`` files directly
inside the folder it is given; a run log always sits two folders below, so neither the hold-log
folder nor ``<logs>/runs`` ever holds a run log at its top level, and a squad read never mixes
runs into holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa

from hipnb.errors import LogError
from hipnb.log import Problem, athlete_path
from hipnb.log.append import Writer, append_rows, lock_of
from hipnb.log.check import check_rows, first_rejected
from hipnb.log.read import read_files
from hipnb.log.rows import as_text
from hipnb.log.spec import MAX_DISTANCE_M, MAX_DURATION_S, RUNS

__all__ = ["MAX_DISTANCE_M", "MAX_DURATION_S", "RUN_COLUMNS", "RunLog", "read_runs", "runs_path"]

#: The run log's columns, in the order its files have them (:data:`hipnb.log.spec.RUNS`).
RUN_COLUMNS = RUNS.names
#: The columns of a read, in order: ``local_time`` (the athlete's wall clock) after the start.
_READ = ("run_id", "athlete", "started_at", "local_time", *RUN_COLUMNS[3:])

#: Rows on their way into a run log: dicts, a frame with its columns, or their text as the log
#: writes it (:func:`check_runs`).
RunRows: TypeAlias = Iterable[Mapping[str, Any]] | pd.DataFrame | pa.Table


def runs_path(logs: str | Path, athlete: str) -> Path:
    """The run log of ``athlete`` for the hold logs in ``logs``: ``<logs>/runs/<athlete>/runs.csv``.

    The athlete's folder comes from :func:`hipnb.athlete_path`, the one gate from names to files.
    """
    return athlete_path(Path(logs) / "runs", athlete, suffix="") / "runs.csv"


def check_runs(
    rows: RunRows, *, now: datetime | None = None
) -> tuple[pa.Table, pd.DataFrame, pd.Series]:
    """Runs checked as the run log's door checks them: (the rows as the log writes them, typed as
    a read gives them, why each cannot be stored or None), by position. The rules are every
    read's (:data:`hipnb.log.spec.RUNS`, a start more than a day after ``now`` included: default
    the present) and the door's length limit of its text columns."""
    text = as_text(rows, RUNS)
    now = datetime.now(UTC) if now is None else now
    typed, reason = check_rows(text, table=RUNS, now=now)
    for column in RUNS.columns:
        if column.max_chars is None or not reason.isna().any():
            continue
        cells = text.column(column.name).to_pylist()
        long = np.array([column.too_long(c or "") for c in cells], dtype=bool)
        words = f"{column.name} is longer than {column.max_chars} characters"
        reason = reason.where(~long | reason.notna(), words)  # the first broken rule stands
    return text, typed, reason


class RunLog:
    """One athlete's run log (CSV, UTF-8, header row, one row per run; no GPS points).

    Example::

        >>> log = RunLog(runs_path("data/logs", "ana"))
        >>> log.append([{"run_id": "csv:1", "athlete": "ana", ...}])   # doctest: +SKIP
        >>> runs = log.read()              # typed frame; runs.attrs["problems"] lists bad rows

    ``write`` is the low-level write (``os.write``), which tests replace to make a write fail.
    """

    def __init__(self, path: str | Path, *, write: Writer = os.write):
        self.path = Path(path)
        #: The cross-process lock every append takes; hold it to read and append as one step.
        self.lock = lock_of(self.path)
        self._write = write

    def __repr__(self) -> str:
        return f"RunLog({str(self.path)!r})"

    def append(self, rows: RunRows) -> int:
        """Validate ``rows`` (dicts or a DataFrame) and append them durably; return how many.

        All or nothing: a bad row raises :class:`hipnb.LogError` naming it and nothing is written.
        The write is the hold log's (:func:`hipnb.log.append.append_rows`): one ``write`` under a
        lock, then fsync; a last line cut off by a crash is set aside first (:mod:`hipnb.log.torn`).
        """
        text, _, reason = check_runs(rows)
        first = first_rejected(reason)
        if first:
            raise LogError(
                f"{self.path}: row {first[0]} of this append: {first[1]} (nothing was written)"
            )
        return append_rows(
            self.path, text, table=RUNS, lock=self.lock, write=self._write, checked=True
        )

    def read(self, errors: Literal["report", "raise"] = "report") -> pd.DataFrame:
        """The runs as a typed frame (see :func:`read_runs`); a missing file reads as no runs."""
        return _read([self.path], errors)


def _read(files: Iterable[Path], errors: Literal["report", "raise"]) -> pd.DataFrame:
    """The runs of ``files`` (missing ones are no runs), in file order, problems in attrs."""
    present = [f for f in files if os.path.lexists(f)]
    df, found = read_files(present, RUNS, errors=errors)
    df = df[list(_READ)].reset_index(drop=True)
    df.attrs = {"problems": found}
    return df


def read_runs(
    logs: str | Path,
    athlete: str | None = None,
    errors: Literal["report", "raise"] = "report",
) -> pd.DataFrame:
    """Runs imported beside the hold logs in ``logs`` (every athlete's, or one athlete's).

    ``logs`` is the hold-log folder (run logs are under ``<logs>/runs/``) or one ``runs.csv``.
    Columns: ``run_id``, ``athlete``, ``started_at`` (UTC), ``local_time`` (the athlete's wall
    clock), ``distance_m``, ``duration_s``, ``sport``, ``source``, ``name``; rows by athlete, each
    athlete's in time order. Rows that cannot be used are listed in ``df.attrs["problems"]`` as
    :class:`hipnb.log.Problem` (file, line, reason), as the hold log's are (the same reader); a
    file that cannot be read at all is a problem at its line 1. With ``errors="raise"`` the first
    problem is raised as :class:`hipnb.LogError` instead.
    """
    logs = Path(logs)
    if logs.is_file():
        files = [logs]
    elif athlete is not None:
        files = [runs_path(logs, athlete)]
    else:
        files = sorted((logs / "runs").glob("*/runs.csv"))
    df = _read(files, errors)
    found: list[Problem] = df.attrs["problems"]
    if athlete is not None:
        df = df[df["athlete"] == athlete]
    df = df.sort_values(["athlete", "started_at"], kind="stable").reset_index(drop=True)
    df.attrs = {"problems": found}
    return df
