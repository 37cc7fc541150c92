"""The squad: roster table and small multiples per athlete."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from hipnb import analysis
from hipnb.charts.common import BAND_COLOR, SIDE_COLORS, _dates

GREEN, AMBER, RED = "#c7e9c0", "#fee6a8", "#f4b6b6"


def _traffic(value, good, partly, higher_is_better=True) -> str:
    if pd.isna(value):
        return f"background-color: {RED}"
    ok = value >= good if higher_is_better else value <= good
    part = value >= partly if higher_is_better else value <= partly
    return f"background-color: {GREEN if ok else AMBER if part else RED}"


def roster_table(roster: pd.DataFrame, sort_by: str | None = None, ascending: bool = True):
    """The roster as a pandas Styler with compliance colours (green on target, amber partly, red
    missing), readable units, and every text cell HTML-escaped."""
    r = roster.sort_values(sort_by, ascending=ascending, kind="stable") if sort_by else roster
    styler = r.style.hide(axis="index")
    styler = styler.format(
        {
            "last_day": lambda v: "" if pd.isna(v) else f"{v:%a %d %b}",
            "adherence_7d": "{:.0%}",
            "adherence_28d": "{:.0%}",
            "bound_median_7d": lambda v: "-" if pd.isna(v) else f"{v / 60:.1f} min",
            "bound_trend": lambda v: "-" if pd.isna(v) else f"{v:+.0f} s/wk",
            "plank_left_s": lambda v: "-" if pd.isna(v) else f"{v:.0f} s",
            "plank_right_s": lambda v: "-" if pd.isna(v) else f"{v:.0f} s",
            "asymmetry": lambda v: "-" if pd.isna(v) else f"{v:.0%}",
            "discomfort_14d": lambda v: "-" if pd.isna(v) else f"{v:.1f}/10",
            "discomfort_trend": lambda v: "-" if pd.isna(v) else f"{v:+.1f}",
        },
        escape="html",
        na_rep="-",
    )
    styler = styler.map(
        lambda v: _traffic(v, 5 / 7, 2 / 7), subset=["adherence_7d", "adherence_28d"]
    )
    styler = styler.map(lambda v: _traffic(v, 2, 6, higher_is_better=False), subset=["days_since"])
    styler = styler.map(
        lambda v: "color: #b2182b; font-weight: bold" if isinstance(v, str) and v else "",
        subset=["flags"],
    )
    return styler.set_caption("Squad roster").set_table_styles(
        [{"selector": "th", "props": "text-align: left; font-size: 0.9em"}]
    )


def roster_grid(df: pd.DataFrame, roster: pd.DataFrame | None = None, cols: int = 4) -> plt.Figure:
    """Small multiples: each athlete's daily Reclining Bound Angle Pose minutes on shared axes, the
    3-5 min band shaded, flagged athletes (from ``roster``) framed in red with their flag."""
    prog = analysis.bound_angle_progress(df)
    athletes = sorted(df["athlete"].unique())
    flags = {} if roster is None else dict(zip(roster["athlete"], roster["flags"], strict=True))
    rows = max(1, -(-len(athletes) // cols))
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(3.2 * cols, 2.2 * rows),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    for ax in axes.flat[len(athletes) :]:
        ax.set_visible(False)
    for ax, athlete in zip(axes.flat, athletes, strict=False):
        mine = prog[prog["athlete"] == athlete]
        ax.axhspan(
            analysis.BAND_LOW_S / 60, analysis.BAND_HIGH_S / 60, color=BAND_COLOR, alpha=0.15
        )
        ax.plot(mine["day"], mine["total_s"] / 60, lw=1, color=SIDE_COLORS["both"])
        flag = flags.get(athlete, "")
        ax.set_title(
            athlete + (" - needs attention" if flag else ""),
            fontsize="small",
            color="#b2182b" if flag else "black",
        )
        if flag:
            for spine in ax.spines.values():
                spine.set_edgecolor("#b2182b")
                spine.set_linewidth(2)
        _dates(ax)
    for ax in axes[:, 0]:
        ax.set_ylabel("min / day")
    fig.suptitle("Reclining Bound Angle Pose per athlete (shaded: 3-5 min)", weight="bold")
    return fig
