"""One athlete's progress charts: bound angle, side planks, asymmetry, discomfort, dashboard."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hipnb import analysis
from hipnb.charts.adherence import adherence_calendar
from hipnb.charts.common import (
    BAND_COLOR,
    DISCOMFORT_COLOR,
    SIDE_COLORS,
    TARGET_COLOR,
    _athlete,
    _dates,
    _empty,
    _fixed_margins,
    _suptitle,
)
from hipnb.seconds import seconds_text


def bound_angle_chart(
    df: pd.DataFrame, athlete: str | None = None, *, ax: Axes | None = None
) -> Axes:
    """Minutes in Reclining Bound Angle Pose per day, with the 3-5 min band shaded."""
    ax = ax or plt.gca()
    title = "Reclining Bound Angle Pose: time per day"
    prog = analysis.bound_angle_progress(_athlete(df, athlete))
    ax.axhspan(
        analysis.BAND_LOW_S / 60,
        analysis.BAND_HIGH_S / 60,
        color=BAND_COLOR,
        alpha=0.15,
        label="3-5 min band",
    )
    ax.set_ylabel("time held (min)")
    if prog.empty:
        return _empty(ax, title)
    minutes = prog["total_s"] / 60
    ax.plot(prog["day"], minutes, marker="o", ms=3, lw=1.2, color=SIDE_COLORS["both"], label="held")
    under = prog["band"] == "under"
    ax.scatter(
        prog.loc[under, "day"], minutes[under], s=18, color="#D55E00", zorder=3, label="under 3 min"
    )
    ax.set_ylim(0, max(6.0, float(minutes.max()) * 1.1))
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    _dates(ax)
    return ax


def plank_chart(
    df: pd.DataFrame,
    athlete: str | None = None,
    *,
    target_s: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Best side plank per day, left and right, with the target line (latest target by default)."""
    ax = ax or plt.gca()
    title = "Side plank: best hold per side"
    d = _athlete(df, athlete)
    prog = analysis.plank_progress(d)
    ax.set_ylabel("hold (s)")
    if prog.empty:
        return _empty(ax, title)
    for side in ("left", "right"):
        ax.plot(
            prog["day"],
            prog[f"{side}_s"],
            marker="o",
            ms=3,
            lw=1.2,
            color=SIDE_COLORS[side],
            label=side,
        )
    if target_s is None:
        planks = d[d["exercise"] == "side_plank"].sort_values("started_at")
        target_s = float(planks["target_s"].iloc[-1]) if len(planks) else None
    if target_s:
        ax.axhline(
            target_s, color=TARGET_COLOR, ls="--", lw=1, label=f"target {seconds_text(target_s)}"
        )
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small", frameon=False, ncols=3)
    _dates(ax)
    return ax


def asymmetry_chart(
    df: pd.DataFrame, athlete: str | None = None, *, days: int = 14, ax: Axes | None = None
) -> Axes:
    """Side-plank asymmetry on each day planks were logged, as the roster and the summary judge it
    (:func:`~hipnb.analysis.plank_asymmetry` over the ``days`` days ending that day), in percent."""
    ax = ax or plt.gca()
    d = _athlete(df, athlete)
    if d["athlete"].nunique() > 1:
        raise ValueError("asymmetry_chart draws one athlete: give athlete=")
    title = f"Side plank asymmetry ({days}-day medians)"
    ax.set_ylabel("|L - R| / max(L, R) (%)")
    plank_days = sorted(analysis.day_of(d[d["exercise"] == "side_plank"]).unique())
    if not plank_days:
        return _empty(ax, title)
    gap = [
        analysis.plank_asymmetry(d, days=days, as_of=day)["asymmetry"].iloc[0] for day in plank_days
    ]
    ax.plot(plank_days, [g * 100 for g in gap], color=TARGET_COLOR, lw=1.5)
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    _dates(ax)
    return ax


def discomfort_chart(
    df: pd.DataFrame, athlete: str | None = None, *, window: str = "14D", ax: Axes | None = None
) -> Axes:
    """Hip discomfort (0-10) reported per day, with its rolling mean."""
    ax = ax or plt.gca()
    title = "Hip discomfort"
    trend = analysis.discomfort_trend(_athlete(df, athlete), window)
    ax.set_ylabel("discomfort (0-10)")
    ax.set_ylim(-0.6, 10.6)  # a 0 or a 10 is drawn whole, not cut by the axis
    ax.set_yticks(range(0, 11, 2))
    if trend.empty:
        return _empty(ax, title)
    ax.scatter(
        trend["day"], trend["discomfort"], s=12, color=DISCOMFORT_COLOR, alpha=0.5, label="reported"
    )
    ax.plot(
        trend["day"],
        trend["rolling"],
        color=DISCOMFORT_COLOR,
        lw=2,
        label=f"{window.replace('D', '-day')} mean",
    )
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    _dates(ax)
    return ax


def athlete_dashboard(df: pd.DataFrame, athlete: str) -> Figure:
    """One athlete's progress on one Figure: bound angle, side planks, adherence, discomfort."""
    d = _athlete(df, athlete)
    fig, axes = plt.subplots(2, 2, figsize=(13, 8), layout="none")
    # room for the bold suptitle and panel titles above, tick labels, the calendar's axis label and
    # legend below, and the right column's tick labels and axis label between the columns
    _fixed_margins(fig, left=5.5, right=1.5, top=5.0, bottom=7.0, wspace=8.0, hspace=6.5)
    bound_angle_chart(d, ax=axes[0, 0])
    plank_chart(d, ax=axes[0, 1])
    adherence_calendar(d, ax=axes[1, 0])
    discomfort_chart(d, ax=axes[1, 1])
    if not d.empty:
        days = analysis.with_day(d)["day"]
        span = f"{days.min():%d %b %Y} - {days.max():%d %b %Y}"
    else:
        span = "no sessions"
    _suptitle(fig, f"{athlete}: hip routine progress ({span})", fontsize="x-large", weight="bold")
    return fig
