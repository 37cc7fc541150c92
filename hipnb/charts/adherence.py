"""The adherence calendar."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from hipnb import analysis
from hipnb.charts.common import BAND_COLOR, _athlete, _empty


def adherence_calendar(
    df: pd.DataFrame,
    athlete: str | None = None,
    *,
    target_s: float = analysis.BAND_LOW_S,
    ax: Axes | None = None,
) -> Axes:
    """A GitHub-style calendar: weeks across, weekdays down; target met, partly done, or missed."""
    ax = ax or plt.gca()
    title = "Adherence: daily Reclining Bound Angle Pose target"
    d = _athlete(df, athlete)
    if d.empty:
        return _empty(ax, title)
    days = analysis.with_day(d)["day"]
    first = days.min() - pd.Timedelta(days=days.min().day_of_week)
    span = pd.date_range(first, days.max(), freq="D")
    met = analysis.target_met_days(d, target_s)
    met_days = met.loc[met["met"], "day"]
    level = np.where(span.isin(met_days), 2.0, np.where(span.isin(days), 1.0, 0.0))
    weeks = (len(span) + 6) // 7
    grid = np.full(weeks * 7, np.nan)
    grid[: len(level)] = level
    by_weekday = grid.reshape(weeks, 7).T
    cmap = ListedColormap(["#EEEEEE", "#F0E442", BAND_COLOR])
    ax.imshow(by_weekday, cmap=cmap, vmin=0, vmax=2, aspect="equal")
    ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], fontsize="small")
    starts = pd.date_range(first, periods=weeks, freq="7D")
    step = max(1, -(-weeks // 6))
    ax.set_xticks(
        range(0, weeks, step), [s.strftime("%d %b") for s in starts[::step]], fontsize="small"
    )
    ax.set_xlabel("week starting")
    ax.set_title(title)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in (BAND_COLOR, "#F0E442", "#EEEEEE")]
    ax.legend(
        handles,
        ["target met", "logged, under target", "no log"],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        ncols=3,
        fontsize="small",
        frameon=False,
    )
    return ax
