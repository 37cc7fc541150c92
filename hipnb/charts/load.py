"""Running load beside hip care: weekly distance bars with the routine's adherence over them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from hipnb import analysis
from hipnb.analysis.thresholds import Thresholds
from hipnb.charts.common import BAND_COLOR, _empty, _fixed_margins

RUN_COLOR = "#56B4E9"
RISE_COLOR = "#D55E00"


def load_chart(
    runs: pd.DataFrame,
    holds: pd.DataFrame | None = None,
    athlete: str | None = None,
    *,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
    ax: Axes | None = None,
) -> Axes:
    """Weekly running distance (bars, km) with the hip routine's weekly adherence over them
    (line, share of the week's 7 days the daily target was met, right axis).

    A week at whose end (Sunday) the running-load flag was raised is drawn in vermillion: the flag
    engine's own rule (:func:`hipnb.analysis.flags.running_load_raised`) on that day's figures, with
    ``thresholds``. Returns the distance Axes (``ax``, or the current one); the adherence axis is
    its twin.
    """
    ax = ax or plt.gca()
    if athlete is None and runs["athlete"].nunique() > 1:
        raise ValueError("several athletes' runs: pass athlete=")
    who = athlete or (runs["athlete"].iloc[0] if len(runs) else "")
    title = "Weekly running distance and hip-routine adherence" + (f": {who}" if who else "")
    weekly = analysis.weekly_load(runs, who or None)
    if weekly.empty:
        return _empty(ax, title)
    weeks = weekly["week"]
    share = pd.Series(np.nan, index=weeks)
    if holds is not None and len(holds):
        h = holds[holds["athlete"] == who]
        if len(h):
            adh = (
                analysis.weekly_adherence(h, thresholds.target_s).set_index("week")["days_met"] / 7
            )
            share = adh.reindex(weeks).fillna(0.0)
            share.index = weeks
    adherence_low = thresholds.load_adherence_low
    rising = _flagged_weeks(runs[runs["athlete"] == who], holds, weeks, thresholds)
    x = np.arange(len(weekly))
    colors = np.where(rising, RISE_COLOR, RUN_COLOR)
    ax.bar(x, weekly["distance_km"], color=colors, width=0.8, label="distance")
    ax.set_ylabel("distance per week (km)")
    ax.set_xlabel("week starting (Monday)")
    step = max(1, -(-len(x) // 8))
    ax.set_xticks(x[::step], [w.strftime("%d %b") for w in weeks[::step]], fontsize="small")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    handles: list[Artist] = [Rectangle((0, 0), 1, 1, color=RUN_COLOR)]
    labels = ["km per week"]
    if rising.any():
        handles.append(Rectangle((0, 0), 1, 1, color=RISE_COLOR))
        labels.append("running-load flag raised at the week's end")
    if share.notna().any():
        twin = ax.twinx()
        (line,) = twin.plot(
            x, share.to_numpy(), color=BAND_COLOR, marker="o", linewidth=2, label="adherence"
        )
        twin.set_ylim(0, 1.05)
        twin.yaxis.set_major_formatter(PercentFormatter(1.0))
        twin.set_ylabel("hip routine: days target met (% of week)", color=BAND_COLOR)
        twin.axhline(adherence_low, color=BAND_COLOR, linestyle=":", linewidth=1)
        handles.append(line)
        labels.append("hip-routine adherence")
    ax.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=3,
        fontsize="small",
        frameon=False,
    )
    return ax


def _flagged_weeks(
    runs: pd.DataFrame, holds: pd.DataFrame | None, weeks: pd.Series, thresholds: Thresholds
) -> np.ndarray:
    """Per week: whether the running-load flag was raised on its last day (Sunday)."""
    from hipnb.analysis.figures import athlete_figures
    from hipnb.analysis.flags import running_load_raised
    from hipnb.log import empty_log

    who = runs["athlete"].iloc[0]
    mine = empty_log() if holds is None else holds[holds["athlete"] == who]
    out = []
    for week in weeks:
        fig = athlete_figures(
            mine, runs, as_of=week + pd.Timedelta(days=6), target_s=thresholds.target_s
        )
        out.append(bool(running_load_raised(fig, thresholds).get(who, False)))
    return np.array(out, dtype=bool)


def load_figure(
    runs: pd.DataFrame,
    holds: pd.DataFrame | None = None,
    athlete: str | None = None,
    *,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
) -> Figure:
    """:func:`load_chart` on a Figure of its own (9 x 4.5 in, as the report shows it), with fixed
    margins that keep its title, both axis labels and the legend under it inside the Figure."""
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="none")
    _fixed_margins(fig, left=5.5, right=6.5, top=2.5, bottom=7.0)
    load_chart(runs, holds, athlete, thresholds=thresholds, ax=ax)
    return fig
