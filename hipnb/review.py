"""The date of a coach's last review, kept in a small file beside the logs.

The file is ``.hipnb-review.json`` in the log folder (or beside a single log file). The log reader
only takes ``*.csv`` files, so it never mistakes this file for a log.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date, datetime
from pathlib import Path

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


def last_review(log: str | Path) -> date | None:
    """The day of the last review recorded beside ``log``, or None if none was recorded."""
    path = review_path(log)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return date.fromisoformat(data["reviewed"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise HipnbError(
            f'{path}: not a review file ({exc}); expected {{"reviewed": "YYYY-MM-DD"}}'
        ) from exc


def mark_reviewed(log: str | Path, day: date | str | None = None) -> Path:
    """Record ``day`` (default: today) as the last review of the logs at ``log``; return the file.

    The file is replaced in one step (written beside it, then renamed), so a reader never sees half.
    """
    day = today() if day is None else date.fromisoformat(str(day)[:10])
    path = review_path(log)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hipnb-review-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"reviewed": day.isoformat()}, f)
        f.write("\n")
    os.replace(tmp, path)
    return path
