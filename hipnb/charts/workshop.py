"""Workshop pictures: the routine timeline and stick-figure exercise diagrams."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Circle

from hipnb.charts.common import SIDE_COLORS
from hipnb.routines import Routine
from hipnb.seconds import seconds_text

#: A point on a diagram, (x, y) in data units.
Point = tuple[float, float]


def routine_timeline(routine: Routine, *, ax: Axes | None = None) -> Axes:
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
                f"{label}\n{step.side}\n{seconds_text(step.seconds)}",
                ha="center",
                va="center",
                fontsize="small",
                color="white" if step.side != "right" else "black",
            )
        start += step.seconds
    ax.set_yticks([])
    ax.set_xlim(0, start / 60)
    ax.set_xlabel("minutes from start")
    ax.set_title(f"{routine.title}: {seconds_text(start)} (grey: rest and switch sides)")
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    return ax


def _limb(
    ax: Axes, points: Iterable[Point], color: str = "black", lw: float = 4, **kw: Any
) -> None:
    xs, ys = zip(*points, strict=True)
    ax.plot(xs, ys, color=color, lw=lw, solid_capstyle="round", **kw)


def _head(body_end: Point, neck: Point, radius: float) -> Point:
    """Where a head of ``radius`` sits on the line from ``body_end`` through ``neck``: overlapping
    the neck a little, so head and body touch however thick the lines are drawn."""
    dx, dy = neck[0] - body_end[0], neck[1] - body_end[1]
    length = (dx * dx + dy * dy) ** 0.5
    reach = 0.85 * radius
    return neck[0] + dx / length * reach, neck[1] + dy / length * reach


def _note(ax: Axes, text: str, xy: Point, xytext: Point, color: str = "#333333") -> None:
    ax.annotate(
        text,
        xy=xy,
        xytext=xytext,
        fontsize="small",
        color=color,
        arrowprops={"arrowstyle": "->", "color": color, "lw": 1},
    )


def exercise_diagram(exercise: str, *, ax: Axes | None = None) -> Axes:
    """A simple stick-figure diagram of a hip-basics exercise, with the cues that matter most.

    ``exercise`` is ``glute_roll``, ``bound_angle`` or ``side_plank``.
    """
    ax = ax or plt.gca()
    ax.set_aspect("equal")
    ax.axis("off")
    floor: dict[str, Any] = {"color": "#999999", "lw": 1}
    if exercise == "side_plank":
        ax.plot([-0.5, 10.5], [0, 0], **floor)
        shoulder, hip, heel = (8.3, 2.75), (4.6, 1.5), (0.6, 0.2)
        head = _head(hip, shoulder, 0.55)
        _limb(ax, [shoulder, (8.3, 0.1), (9.9, 0.1)], color=SIDE_COLORS["left"])  # arm, forearm
        _limb(ax, [shoulder, hip, heel], color=SIDE_COLORS["left"])
        ax.add_patch(Circle(head, 0.55, color=SIDE_COLORS["left"], zorder=3))
        _limb(ax, [shoulder, (4.6, 0.7), heel], color="#D55E00", lw=2, ls=":")  # sagging hips
        _note(ax, "one straight line,\nhips stacked and lifted", hip, (3.2, 3.6))
        _note(ax, "not sagging", (4.6, 0.75), (4.2, -1.3), color="#D55E00")
        _note(ax, "elbow under the shoulder", (8.3, 0.5), (9.0, -1.3))
        ax.set_xlim(-0.5, 12)
        ax.set_ylim(-1.8, 4.5)
        ax.set_title("Side plank (side view)")
    elif exercise == "bound_angle":
        neck, hip = (0, 6.5), (0, 3.2)
        head = _head(hip, neck, 0.7)
        ax.add_patch(Circle(head, 0.7, color=SIDE_COLORS["both"], zorder=3))
        _limb(ax, [neck, hip], color=SIDE_COLORS["both"], lw=8)
        for s in (-1, 1):
            knee, foot = (s * 3.2, 1.6), (s * 0.05, 0.6)
            _limb(ax, [(s * 0.5, hip[1]), knee, foot], color=SIDE_COLORS["both"])
            ax.add_patch(Circle((s * 3.4, 1.0), 0.45, color="#DDDDDD", zorder=0))
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
        ax.add_patch(Circle((5, 0.8), 0.8, color="#BBBBBB"))
        hip, shoulder, hand = (5.0, 1.9), (3.2, 4.6), (2.2, 0.05)
        ax.add_patch(Circle(_head(hip, shoulder, 0.55), 0.55, color=SIDE_COLORS["right"], zorder=3))
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
