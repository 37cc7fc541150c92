"""Seconds (and counts) as people read them, and seconds as the log stores them: one rule for
every view.

Every table, panel, command and message that shows an amount of seconds calls
:func:`seconds_text`; the log writes seconds rounded by :func:`stored`.

- A held or planned time reads in whole seconds, rounded to the nearest: ``45 s`` under 90 s,
  ``2 min 05 s`` from there (``3 min`` on the minute), ``1 h 05 min`` from an hour.
- ``exact=True`` keeps the stored precision (0.1 s) and the plain count of seconds, for a message
  that repeats a value someone typed: ``125.4 s``, ``4000 s``.
- A countdown (the timer page, ``hipnb/static/timer.js``'s ``clockText``) shows the time left,
  in whole seconds rounded **up** (:func:`countdown_text`): a 30 s hold shows 30 when it starts and
  0 only once it has ended, so the number on the clock is never less than the time still to hold.
  A hold of 125.4 s therefore starts at ``2:06`` and is logged as ``2 min 05 s``.

    >>> seconds_text(125.4), seconds_text(125.4, exact=True), countdown_text(125.4)
    ('2 min 05 s', '125.4 s', '2:06')
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: The precision the log stores seconds at: new rows are written rounded to it (old files keep theirs).
PRECISION_S = 0.1
#: Below this many seconds a time reads in seconds alone (``75 s``, not ``1 min 15 s``).
SECONDS_ONLY_BELOW = 90


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or None when it is missing or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def stored(seconds: float) -> float:
    """``seconds`` rounded to :data:`PRECISION_S`, as a new row of the log stores them.

    >>> stored(3.7485391689999688), stored(35)
    (3.7, 35.0)
    """
    return float(np.round(float(seconds), 1))  # numpy's rule, as a whole column is rounded


def seconds_text(seconds: Any, *, exact: bool = False) -> str:
    """``seconds`` as a person reads them; ``''`` when unknown (None, NaN, not a number).

    >>> [seconds_text(s) for s in (7.2, 89.4, 89.6, 185, 180, 3900)]
    ['7 s', '89 s', '1 min 30 s', '3 min 05 s', '3 min', '1 h 05 min']
    >>> seconds_text(35.0, exact=True), seconds_text(3.7485, exact=True)
    ('35 s', '3.7 s')
    """
    f = _number(seconds)
    if f is None:
        return ""
    if exact:
        return f"{stored(f):g} s"
    s = round(f)
    if abs(s) < SECONDS_ONLY_BELOW:
        return f"{s} s"
    sign, s = ("-" if s < 0 else ""), abs(s)
    if s < 3600:
        m, r = divmod(s, 60)
        return f"{sign}{m} min" + (f" {r:02d} s" if r else "")
    h, m = divmod(round(s / 60), 60)
    return f"{sign}{h} h" + (f" {m:02d} min" if m else "")


def countdown_text(seconds_left: float) -> str:
    """The clock face of a countdown: the time left in whole seconds rounded up, ``M:SS`` from a
    minute (``2:06``, ``1:00``), the seconds alone under it (``59``, ``0``). The same rule as
    ``clockText`` in ``hipnb/static/timer.js`` (a test runs both).

    >>> [countdown_text(s) for s in (125.4, 60, 59.01, 59, 0.2, 0, -3)]
    ['2:06', '1:00', '1:00', '59', '1', '0', '0']
    """
    s = max(0, math.ceil(seconds_left - 1e-6))
    return f"{s // 60}:{s % 60:02d}" if s >= 60 else str(s)


def plural(n: int, word: str, words: str | None = None) -> str:
    """A count with its noun: ``1 hold``, ``2 holds``, ``0 holds`` (``words``: an irregular plural).

    >>> plural(1, "hold"), plural(2, "hold"), plural(3, "athlete"), plural(2, "try", "tries")
    ('1 hold', '2 holds', '3 athletes', '2 tries')
    """
    return f"{n} {word if n == 1 else (words or word + 's')}"
