"""Progress charts (matplotlib), following seaborn's conventions.

Axes-level functions take the log frame, an athlete and ``ax=None`` (the current Axes then) and return
the Axes; :func:`athlete_dashboard` builds and returns a whole Figure. Nothing calls ``plt.show()``.
Colours come from the Okabe-Ito colour-blind-safe palette, and left/right are the same everywhere.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap

from hipnb import analysis

#: Okabe-Ito colours; left and right keep theirs on every chart.
SIDE_COLORS = {"left": "#0072B2", "right": "#E69F00", "both": "#009E73"}
BAND_COLOR = "#009E73"
DISCOMFORT_COLOR = "#CC79A7"
TARGET_COLOR = "#555555"


def _athlete(df: pd.DataFrame, athlete: str | None) -> pd.DataFrame:
    return df if athlete is None else df[df["athlete"] == athlete]


def _dates(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="y", alpha=0.3)


def _empty(ax, title: str) -> plt.Axes:
    ax.set_title(title)
    ax.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=ax.transAxes, color="grey")
    return ax


def bound_angle_chart(df: pd.DataFrame, athlete: str | None = None, *, ax=None) -> plt.Axes:
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
    df: pd.DataFrame, athlete: str | None = None, *, target_s: float | None = None, ax=None
) -> plt.Axes:
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
        ax.axhline(target_s, color=TARGET_COLOR, ls="--", lw=1, label=f"target {target_s:g} s")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small", frameon=False, ncols=3)
    _dates(ax)
    return ax


def asymmetry_chart(df: pd.DataFrame, athlete: str | None = None, *, ax=None) -> plt.Axes:
    """Left/right side-plank asymmetry per day, in percent of the stronger side."""
    ax = ax or plt.gca()
    prog = analysis.plank_progress(_athlete(df, athlete))
    title = "Side plank asymmetry"
    ax.set_ylabel("|left - right| (% of stronger)")
    if prog.empty:
        return _empty(ax, title)
    ax.bar(prog["day"], prog["asymmetry"] * 100, color=TARGET_COLOR, width=0.8)
    ax.set_title(title)
    _dates(ax)
    return ax


def adherence_calendar(
    df: pd.DataFrame, athlete: str | None = None, *, target_s: float = analysis.BAND_LOW_S, ax=None
) -> plt.Axes:
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
    grid = grid.reshape(weeks, 7).T
    cmap = ListedColormap(["#EEEEEE", "#F0E442", BAND_COLOR])
    ax.imshow(grid, cmap=cmap, vmin=0, vmax=2, aspect="equal")
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
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in (BAND_COLOR, "#F0E442", "#EEEEEE")]
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


def discomfort_chart(
    df: pd.DataFrame, athlete: str | None = None, *, window: str = "14D", ax=None
) -> plt.Axes:
    """Hip discomfort (0-10) reported per day, with its rolling mean."""
    ax = ax or plt.gca()
    title = "Hip discomfort"
    trend = analysis.discomfort_trend(_athlete(df, athlete), window)
    ax.set_ylabel("discomfort (0-10)")
    ax.set_ylim(0, 10)
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


def athlete_dashboard(df: pd.DataFrame, athlete: str) -> plt.Figure:
    """One athlete's progress on one Figure: bound angle, side planks, adherence, discomfort."""
    d = _athlete(df, athlete)
    fig, axes = plt.subplots(2, 2, figsize=(13, 8), layout="constrained")
    bound_angle_chart(d, ax=axes[0, 0])
    plank_chart(d, ax=axes[0, 1])
    adherence_calendar(d, ax=axes[1, 0])
    discomfort_chart(d, ax=axes[1, 1])
    if not d.empty:
        days = analysis.with_day(d)["day"]
        span = f"{days.min():%d %b %Y} - {days.max():%d %b %Y}"
    else:
        span = "no sessions"
    fig.suptitle(f"{athlete}: hip routine progress ({span})", fontsize="x-large", weight="bold")
    return fig


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


def routine_timeline(routine, *, ax=None) -> plt.Axes:
    """The routine as a timeline: one bar per step, holds coloured by side, rests in grey (minutes)."""
    ax = ax or plt.gca()
    start = 0.0
    for step in routine.steps:
        color = SIDE_COLORS[step.side] if step.is_hold else "#DDDDDD"
        ax.barh(0, step.seconds / 60, left=start / 60, color=color, edgecolor="white", height=0.6)
        if step.is_hold and step.seconds >= 25:
            label = step.name.split(":")[0].replace("Reclining ", "")
            ax.text(
                (start + step.seconds / 2) / 60,
                0,
                f"{label}\n{step.side}\n{step.seconds:g} s",
                ha="center",
                va="center",
                fontsize="small",
                color="white" if step.side != "right" else "black",
            )
        start += step.seconds
    ax.set_yticks([])
    ax.set_xlim(0, start / 60)
    ax.set_xlabel("minutes from start")
    ax.set_title(f"{routine.title}: {start / 60:.1f} min (grey: rest and switch sides)")
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    return ax


def _limb(ax, points, color="black", lw=4, **kw):
    xs, ys = zip(*points, strict=True)
    ax.plot(xs, ys, color=color, lw=lw, solid_capstyle="round", **kw)


def _note(ax, text, xy, xytext, color="#333333"):
    ax.annotate(
        text,
        xy=xy,
        xytext=xytext,
        fontsize="small",
        color=color,
        arrowprops={"arrowstyle": "->", "color": color, "lw": 1},
    )


def exercise_diagram(exercise: str, *, ax=None) -> plt.Axes:
    """A simple stick-figure diagram of a hip-basics exercise, with the cues that matter most.

    ``exercise`` is ``glute_roll``, ``bound_angle`` or ``side_plank``.
    """
    ax = ax or plt.gca()
    ax.set_aspect("equal")
    ax.axis("off")
    floor = dict(color="#999999", lw=1)
    if exercise == "side_plank":
        ax.plot([-0.5, 10.5], [0, 0], **floor)
        head, shoulder, hip, heel = (9.3, 3.35), (8.3, 2.75), (4.6, 1.5), (0.6, 0.2)
        _limb(ax, [shoulder, (8.3, 0.1), (9.9, 0.1)], color=SIDE_COLORS["left"])  # arm, forearm
        _limb(ax, [shoulder, hip, heel], color=SIDE_COLORS["left"])
        ax.add_patch(plt.Circle(head, 0.55, color=SIDE_COLORS["left"]))
        _limb(ax, [shoulder, (4.6, 0.7), heel], color="#D55E00", lw=2, ls=":")  # sagging hips
        _note(ax, "one straight line,\nhips stacked and lifted", hip, (3.2, 3.6))
        _note(ax, "not sagging", (4.6, 0.75), (4.2, -1.3), color="#D55E00")
        _note(ax, "elbow under the shoulder", (8.3, 0.5), (9.0, -1.3))
        ax.set_xlim(-0.5, 12)
        ax.set_ylim(-1.8, 4.5)
        ax.set_title("Side plank (side view)")
    elif exercise == "bound_angle":
        head, neck, hip = (0, 7.4), (0, 6.5), (0, 3.2)
        ax.add_patch(plt.Circle(head, 0.7, color=SIDE_COLORS["both"]))
        _limb(ax, [neck, hip], color=SIDE_COLORS["both"], lw=8)
        for s in (-1, 1):
            knee, foot = (s * 3.2, 1.6), (s * 0.3, 0.6)
            _limb(ax, [(s * 0.5, hip[1]), knee, foot], color=SIDE_COLORS["both"])
            ax.add_patch(plt.Circle((s * 3.4, 1.0), 0.45, color="#DDDDDD", zorder=0))
            _limb(ax, [(0, 6.0), (s * 2.0, 4.4)], color=SIDE_COLORS["both"], lw=3)
        _note(ax, "soles together", (0, 0.6), (1.5, -1.2))
        _note(ax, "knees fall open on their own:\nnever push them down", (-3.2, 1.6), (-8.5, 3.6))
        _note(ax, "optional cushion\nunder each knee", (3.4, 1.0), (4.5, 3.2))
        _note(ax, "slow belly breaths, 3-5 min", (0, 4.6), (2.6, 6.8))
        ax.set_xlim(-9, 9)
        ax.set_ylim(-1.8, 8.5)
        ax.set_title("Reclining Bound Angle Pose (seen from above)")
    elif exercise == "glute_roll":
        ax.plot([-0.5, 10.5], [0, 0], **floor)
        ax.add_patch(plt.Circle((5, 0.8), 0.8, color="#BBBBBB"))
        hip, shoulder, hand = (5.0, 1.9), (3.2, 4.6), (2.2, 0.05)
        ax.add_patch(plt.Circle((2.9, 5.6), 0.55, color=SIDE_COLORS["right"]))
        _limb(ax, [hip, shoulder], color=SIDE_COLORS["right"])
        _limb(ax, [shoulder, hand], color=SIDE_COLORS["right"], lw=3)
        _limb(ax, [hip, (7.8, 3.6), (8.6, 0.05)], color=SIDE_COLORS["right"])  # supporting leg
        _limb(ax, [hip, (7.2, 3.8), (7.9, 3.5)], color="#8a5a00", lw=3)  # crossed leg
        _note(
            ax, "roll slowly over the glute\nand the top of the outer hip", (5.6, 1.5), (7.4, 5.4)
        )
        _note(ax, "pause on tender spots\nand breathe out", (4.4, 1.2), (-0.4, 3.0))
        ax.annotate(
            "",
            xy=(6.3, -0.6),
            xytext=(3.7, -0.6),
            arrowprops={"arrowstyle": "<->", "color": "#333333"},
        )
        ax.set_xlim(-0.5, 11)
        ax.set_ylim(-1.2, 6.6)
        ax.set_title("Foam roll: glutes and upper IT band")
    else:
        raise ValueError(f"no diagram for exercise {exercise!r}")
    return ax
