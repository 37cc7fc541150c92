"""Stamps: when a hold (or a run) may have started.

The date rule lives here once. Every door that writes a hold or a run, and ``hipnb validate``,
applies :func:`start_problem` with the clock; every read applies its floor (no clock needed).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: No hold or run starts before this instant: earlier dates are typing or clock mistakes.
EARLIEST_START = datetime(1990, 1, 1, tzinfo=UTC)
#: How far past the present a start may be (clock skew, a zone typed wrong): a day.
FUTURE_SLACK = timedelta(days=1)


def start_problem(when: datetime, *, now: datetime | None = None) -> str | None:
    """Why a start at ``when`` (aware) cannot be stored, or None when it can.

    Without ``now`` only the floor is checked (what a read can check from the row alone); with
    ``now`` a start more than :data:`FUTURE_SLACK` after it is refused too (what doors check).

        >>> start_problem(datetime(1989, 12, 31, tzinfo=UTC))
        'starts before 1990-01-01'
        >>> now = datetime(2026, 11, 29, 12, tzinfo=UTC)
        >>> start_problem(datetime(2062, 9, 13, 11, tzinfo=UTC), now=now)
        'starts more than a day in the future (2062-09-13)'
        >>> start_problem(datetime(2026, 11, 29, 7, tzinfo=UTC), now=now) is None
        True
    """
    if when.tzinfo is None:
        raise ValueError("start_problem needs an aware datetime")
    if when < EARLIEST_START:
        return f"starts before {EARLIEST_START.date().isoformat()}"
    if now is not None and when > now + FUTURE_SLACK:
        return f"starts more than a day in the future ({when.date().isoformat()})"
    return None
