"""An activity's summary as an export wrote it, before its time is put in the athlete's zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from hipnb.log import Problem

#: How a start time was written: ``utc`` (an instant, the athlete's offset unknown), ``local`` (a
#: wall-clock time, its offset unknown) or ``aware`` (both known).
Clock = Literal["utc", "local", "aware"]
_RUN = re.compile(r"\brun(ning)?\b", re.IGNORECASE)


@dataclass
class Activity:
    """One activity's summary, as its source wrote it (times not yet in the athlete's zone)."""

    file: str
    line: int
    run_id: str
    start: datetime
    clock: Clock
    distance_m: float
    duration_s: float
    sport: str
    is_run: bool | None  # None: the source does not say what it was
    name: str = ""


Parsed = tuple[list[Activity], list[Problem]]
#: A file's bytes as read (grown in place, so a big file is never copied).
Data = bytes | bytearray


def is_run_type(sport: str) -> bool:
    """Whether an activity type names running (``Run``, ``Trail Run``, ``Treadmill Running``...)."""
    return bool(_RUN.search(sport or ""))


def utc_id(kind: str, start: datetime) -> str:
    """An activity file's run id: its kind and its start in UTC (``gpx:2026-11-10T07:00:00Z``).

    A start too close to year 1 or 9999 to convert keeps its own offset; the date rule refuses it.
    """
    try:
        return f"{kind}:{start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
    except OverflowError:
        return f"{kind}:{start.isoformat()}"


def or_nan(value: float | None) -> float:
    """``value`` as a float, NaN when missing."""
    return float("nan") if value is None else float(value)
