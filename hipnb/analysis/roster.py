"""The squad roster: one row per athlete with their figures and flags (records, RED first).

The flags come from the one flag engine (:mod:`hipnb.analysis.flags`); a view renders each record's
``short`` or ``words`` and never splits a string of flags.
"""

from __future__ import annotations

import pandas as pd

from hipnb.analysis.days import Day, as_day, review_day
from hipnb.analysis.figures import FIGURE_COLUMNS, athlete_figures
from hipnb.analysis.flags import Flag, flags_from_figures, level_of
from hipnb.analysis.thresholds import Thresholds

ROSTER_COLUMNS = ["level", "flags", *FIGURE_COLUMNS]


def roster(
    df: pd.DataFrame,
    as_of: Day | None = None,
    *,
    runs: pd.DataFrame | None = None,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
) -> pd.DataFrame:
    """One row per athlete (sorted by name) for a coach's review on the day ``as_of``.

    The views pass ``as_of`` (today by default at the edges: the CLI, the widgets); None here is
    the last day in ``df``. Rows after ``as_of`` are ignored. Columns: athlete; level (``red``,
    ``amber`` or ``''``, a :class:`~hipnb.analysis.flags.Level`); flags (a tuple of
    :class:`~hipnb.analysis.flags.Flag` records, RED first: render ``f.short`` or ``f.words``); and
    the figures of :func:`~hipnb.analysis.figures.athlete_figures` (last_day, days_since,
    adherence_7d, adherence_28d, bound_median_7d, plank medians and asymmetry, discomfort, running
    load...). ``runs`` (from :func:`hipnb.runs.read_runs`) adds the running-load flag.
    """
    day = as_day(as_of) if as_of is not None else review_day(df)
    if day is None:
        return pd.DataFrame(columns=["athlete", *ROSTER_COLUMNS])
    fig = athlete_figures(df, runs, as_of=day, target_s=thresholds.target_s)
    mine: dict[str, list[Flag]] = {a: [] for a in fig.index}
    for f in flags_from_figures(fig, as_of=day, thresholds=thresholds):
        mine[f.athlete].append(f)
    fig["flags"] = pd.Series([tuple(mine[a]) for a in fig.index], index=fig.index, dtype=object)
    fig["level"] = pd.Series(
        [level_of(mine[a]) or "" for a in fig.index], index=fig.index, dtype=object
    )
    return fig.reset_index()[["athlete", *ROSTER_COLUMNS]]
