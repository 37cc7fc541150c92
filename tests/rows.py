"""Writing a log file as it may already be, for tests of what reads it: rows go straight to the
durable append under the lock, by the columns' rules only. New holds go through the door
(:meth:`hipnb.SessionLog.add`), which tests of the door use instead."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from hipnb import SessionLog
from hipnb.log.append import append_rows


def write_rows(log: SessionLog | str | Path, rows: Any, **how: Any) -> int:
    """Append ``rows`` to ``log`` (a SessionLog, whose low-level write is used, or a path); a hold
    without a target (:func:`hipnb.log.manual_row`) is written with its held time as the target."""
    path = log.path if isinstance(log, SessionLog) else Path(log)
    write = log._write if isinstance(log, SessionLog) else os.write
    if not isinstance(rows, pd.DataFrame):
        rows = [dict(r) for r in ([rows] if isinstance(rows, dict) else rows)]
        for row in rows:
            if row.get("target_s") is None and not row.get("action"):
                row["target_s"] = row["actual_s"]
                row["completed"] = True if row.get("completed") is None else row["completed"]
    return append_rows(path, rows, write=write, **how)
