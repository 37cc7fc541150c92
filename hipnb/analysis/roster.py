"""The squad roster: one row per athlete with their figures and flags (records, RED first).

The flags come from the one flag engine (:mod:`hipnb.analysis.flags`); a view renders each record's
``short`` or ``words`` and never splits a string of flags.
"""

from __future__ import annotations

import pandas as pd

from hipnb.analysis.days import Day
from hipnb.analysis.figures import FIGURE_COLUMNS
from hipnb.analysis.flags import Flag, level_of
from hipnb.analysis.thresholds import Thresholds

ROSTER_COLUMNS = ["level", "flags", *FIGURE_COLUMNS]


def roster(
    df: pd.DataFrame,
    as_of: Day,
    *,
    runs: pd.DataFrame | None = None,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
) -> pd.DataFrame:
    """One row per athlete (sorted by name) for a coach's review on the day ``as_of``.

    The views take it from a :class:`~hipnb.analysis.review_day.ReviewDay` (``day.roster``).
    Rows after ``as_of`` are ignored. Columns: athlete; level (``red``,
    ``amber`` or ``''``, a :class:`~hipnb.analysis.flags.Level`); flags (a tuple of
    :class:`~hipnb.analysis.flags.Flag` records standing on the day, RED first: render ``f.short``
    or ``f.words``; :mod:`hipnb.analysis.standing`); and the figures of
    :func:`~hipnb.analysis.figures.athlete_figures` (last_day, days_since,
    adherence_7d, adherence_28d, bound_median_7d, plank medians and asymmetry, discomfort, running
    load...). ``runs`` (from :func:`hipnb.runs.read_runs`) adds the running-load flag.
    """
    from hipnb.analysis.review_day import ReviewDay

    return ReviewDay(df, runs, as_of=as_of, thresholds=thresholds).roster


def roster_from(figures: pd.DataFrame, raised: list[Flag]) -> pd.DataFrame:
    """The roster of :func:`roster` from figures (:func:`athlete_figures`) and the flags standing."""
    fig = figures.copy()
    mine: dict[str, list[Flag]] = {a: [] for a in fig.index}
    for f in raised:
        mine[f.athlete].append(f)
    fig["flags"] = pd.Series([tuple(mine[a]) for a in fig.index], index=fig.index, dtype=object)
    fig["level"] = pd.Series(
        [level_of(mine[a]) or "" for a in fig.index], index=fig.index, dtype=object
    )
    return fig.reset_index()[["athlete", *ROSTER_COLUMNS]]
