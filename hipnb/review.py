"""The date of a coach's last review and the flags acknowledged, kept in a small file beside the logs.

The file is ``.hipnb-review.json`` in the log folder (or beside a single log file). The log reader
only takes ``*.csv`` files, so it never mistakes this file for a log.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hipnb.analysis.flags import Kind
from hipnb.errors import HipnbError

REVIEW_FILE = ".hipnb-review.json"


def today() -> date:
    """Today in this machine's time zone: the day every view reviews by default (the CLI, the
    widgets); :mod:`hipnb.analysis` takes the day as an argument instead."""
    return datetime.now().astimezone().date()


def review_path(log: str | Path) -> Path:
    """Where the review date of the logs at ``log`` (a folder or one log file) is kept."""
    log = Path(log)
    return (log if log.is_dir() else log.parent) / REVIEW_FILE


def _read(log: str | Path) -> dict[str, Any]:
    path = review_path(log)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise HipnbError(f"{path}: not a review file ({exc}); {_EXPECTED}") from exc
    if not isinstance(data, dict):
        raise HipnbError(f"{path}: not a review file; {_EXPECTED}")
    return data


_EXPECTED = 'expected {"reviewed": "YYYY-MM-DD", "acknowledged": {ATHLETE: {KIND: "YYYY-MM-DD"}}}'


def last_review(log: str | Path) -> date | None:
    """The day of the last review recorded beside ``log``, or None if none was recorded."""
    data = _read(log)
    if "reviewed" not in data:
        return None
    try:
        return date.fromisoformat(data["reviewed"])
    except (ValueError, TypeError) as exc:
        raise HipnbError(f"{review_path(log)}: not a review file ({exc}); {_EXPECTED}") from exc


def acknowledged(log: str | Path) -> dict[tuple[str, Kind], date]:
    """The flags the coach has acknowledged for the logs at ``log``: (athlete, kind) -> the day.

    A flag acknowledged on a day stays hidden while no newer data raises it again
    (:func:`hipnb.analysis.standing.acknowledged_flags`); the review date alone clears nothing.
    """
    data = _read(log)
    try:
        return {
            (athlete, Kind(kind)): date.fromisoformat(day)
            for athlete, kinds in data.get("acknowledged", {}).items()
            for kind, day in kinds.items()
        }
    except (ValueError, TypeError, AttributeError) as exc:
        raise HipnbError(f"{review_path(log)}: not a review file ({exc}); {_EXPECTED}") from exc


def _write(log: str | Path, data: dict[str, Any]) -> Path:
    """Replace the review file in one step (written beside it, then renamed): no reader sees half."""
    path = review_path(log)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hipnb-review-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)
    return path


def _day(day: date | str | None) -> date:
    return today() if day is None else date.fromisoformat(str(day)[:10])


def mark_reviewed(log: str | Path, day: date | str | None = None) -> Path:
    """Record ``day`` (default: today) as the last review of the logs at ``log``; return the file.

    Acknowledged flags already recorded are kept. A review date clears no flag.
    """
    data = _read(log)
    data["reviewed"] = _day(day).isoformat()
    return _write(log, data)


def acknowledge(
    log: str | Path, athlete: str, kind: Kind | str, day: date | str | None = None
) -> Path:
    """Record that the coach acknowledged ``athlete``'s ``kind`` flag on ``day`` (default: today);
    return the file. The flag stays hidden until newer data raises it again."""
    data = _read(log)
    try:
        kind = Kind(kind)
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise HipnbError(f"no kind of flag {kind!r}; the kinds: {known}") from None
    data.setdefault("acknowledged", {}).setdefault(athlete, {})[kind.value] = _day(day).isoformat()
    return _write(log, data)
