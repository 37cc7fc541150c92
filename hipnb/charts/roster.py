"""The squad: roster table and small multiples per athlete."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from hipnb import analysis
from hipnb.charts.common import BAND_COLOR, SIDE_COLORS, _dates

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

GREEN, AMBER, RED = "#c7e9c0", "#fee6a8", "#f4b6b6"
#: A flag level's strong colour (text, frames): dark red for RED, dark orange for AMBER.
LEVEL_COLORS = {"red": "#b2182b", "amber": "#b35806"}


def _traffic(value: float | None, good: float, partly: float, higher_is_better: bool = True) -> str:
    if pd.isna(value):
        return f"background-color: {RED}"
    ok = value >= good if higher_is_better else value <= good
    part = value >= partly if higher_is_better else value <= partly
    return f"background-color: {GREEN if ok else AMBER if part else RED}"


#: The roster columns a table shows, flags first, with human headers and units.
ROSTER_HEADERS = {
    "flags": "Needs attention",
    "athlete": "Athlete",
    "last_day": "Last log",
    "adherence_7d": "Target met, 7 d",
    "adherence_28d": "Target met, 28 d",
    "bound_median_7d": "Bound angle (min/day, 7 d)",
    "plank_left_s": "Side plank L / R (s, 14 d)",
    "asymmetry": "L/R gap",
    "discomfort_14d": "Discomfort (0-10, 14 d mean)",
}

#: Sort order of flag levels: red first, then amber, then none.
LEVEL_ORDER = {"red": 0, "amber": 1, "": 2}


def _keep_together(reason: str) -> str:
    """A short reason with its threshold ``(≥ 7)`` kept on one line with the word before it."""
    return re.sub(r" \(([^)]*)\)", lambda m: "\u00a0(" + m[1].replace(" ", "\u00a0") + ")", reason)


def _cell(value: Any, fmt: str = "{}") -> str:
    return "-" if pd.isna(value) else fmt.format(value)


def roster_frame(roster: pd.DataFrame, links: dict[str, str] | None = None) -> pd.DataFrame:
    """The roster as display text under human headers, flags first; cells are HTML-escaped and
    athlete names link to ``links[athlete]`` when given (e.g. their report pages)."""
    esc = html.escape
    name = roster["athlete"].map(
        lambda a: f'<a href="{esc(links[a])}">{esc(a)}</a>' if links and a in links else esc(a)
    )
    flags = roster["flags"].map(lambda fs: "<br>".join(_keep_together(esc(f.short)) for f in fs))
    planks = [
        f"{_cell(left, '{:.0f}')} / {_cell(right, '{:.0f}')}"
        for left, right in zip(roster["plank_left_s"], roster["plank_right_s"], strict=True)
    ]
    out = pd.DataFrame(
        {
            "flags": flags,
            "athlete": name,
            "last_day": roster["last_day"].map(lambda v: _cell(v, "{:%a %d %b}")),
            "adherence_7d": roster["adherence_7d"].map(lambda v: _cell(v, "{:.0%}")),
            "adherence_28d": roster["adherence_28d"].map(lambda v: _cell(v, "{:.0%}")),
            "bound_median_7d": (roster["bound_median_7d"] / 60).map(lambda v: _cell(v, "{:.1f}")),
            "plank_left_s": planks,
            "asymmetry": roster["asymmetry"].map(lambda v: _cell(v, "{:.0%}")),
            "discomfort_14d": roster["discomfort_14d"].map(lambda v: _cell(v, "{:.1f}")),
        },
        index=roster.index,
    )
    return out.rename(columns=ROSTER_HEADERS)


def sort_roster(roster: pd.DataFrame, sort_by: str | None, ascending: bool = True) -> pd.DataFrame:
    """The roster sorted by a column; ``level`` (and ``flags``) sorts red first, then amber, then
    the rest, by name within each."""
    if not sort_by:
        return roster
    if sort_by in ("level", "flags"):
        key = roster["level"].map(LEVEL_ORDER)
        ordered = roster.assign(_k=key).sort_values(
            ["_k", "athlete"], ascending=[ascending, True], kind="stable"
        )
        return ordered.drop(columns="_k")
    return roster.sort_values(sort_by, ascending=ascending, kind="stable", na_position="last")


def roster_table(
    roster: pd.DataFrame,
    sort_by: str | None = None,
    ascending: bool = True,
    links: dict[str, str] | None = None,
) -> Styler:
    """The roster as a pandas Styler that fits a laptop: flags first (red for a discomfort level to
    have checked, amber for attention), human headers with units, compliance colours (green on
    target, amber partly, red missing; the last log green within 2 days, red after 6), no index, every text cell HTML-escaped. Details of each flag
    and the suggestions belong to the drill-down, not here."""
    r = sort_roster(roster, sort_by, ascending)
    view = roster_frame(r, links)
    styles = pd.DataFrame("", index=r.index, columns=view.columns)
    level_css = {
        "red": f"background-color: {RED}; color: #7f0000; font-weight: bold",
        "amber": f"background-color: {AMBER}",
    }
    styles[ROSTER_HEADERS["flags"]] = r["level"].map(level_css).fillna("")
    for col in ("adherence_7d", "adherence_28d"):
        styles[ROSTER_HEADERS[col]] = r[col].map(lambda v: _traffic(v, 5 / 7, 2 / 7))
    styles[ROSTER_HEADERS["last_day"]] = r["days_since"].map(
        lambda v: _traffic(v, 2, 6, higher_is_better=False)
    )
    styler = view.style.hide(axis="index").apply(lambda _: styles, axis=None)
    return styler.set_table_styles(
        [
            {
                "selector": "",
                "props": "border-collapse: collapse; font-size: 0.9em; width: auto; "
                "line-height: 1.3",
            },
            {
                "selector": "th",
                "props": "text-align: left; vertical-align: bottom; padding: 2px 6px; "
                "max-width: 7em; white-space: normal",
            },
            {"selector": "td", "props": "padding: 2px 6px; white-space: nowrap"},
            {
                "selector": "td.col0",
                "props": "white-space: normal; min-width: 16em; max-width: 20em",
            },
        ]
    )


def roster_grid(df: pd.DataFrame, roster: pd.DataFrame | None = None, cols: int = 4) -> Figure:
    """Small multiples: each athlete's daily Reclining Bound Angle Pose minutes on shared axes, the
    3-5 min band shaded, flagged athletes (from ``roster``) framed in their level's colour (dark
    red for a RED flag, dark orange for AMBER) with the level in the title."""
    prog = analysis.bound_angle_progress(df)
    athletes = sorted(df["athlete"].unique())
    levels = {} if roster is None else dict(zip(roster["athlete"], roster["level"], strict=True))
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
        level = str(levels.get(athlete, "") or "")
        color = LEVEL_COLORS.get(level, "black")
        words = {"red": " - RED: have it checked", "amber": " - needs attention"}
        ax.set_title(athlete + words.get(level, ""), fontsize="small", color=color)
        if level:
            for spine in ax.spines.values():
                spine.set_edgecolor(color)
                spine.set_linewidth(2)
        _dates(ax)
    for ax in axes[:, 0]:
        ax.set_ylabel("min / day")
    fig.suptitle("Reclining Bound Angle Pose per athlete (shaded: 3-5 min)", weight="bold")
    return fig
