"""Progress charts (matplotlib), following seaborn's conventions.

Axes-level functions take the log frame, an athlete and ``ax=None`` (the current Axes then) and return
the Axes; :func:`athlete_dashboard` builds and returns a whole Figure. Nothing calls ``plt.show()``.
Colours come from the Okabe-Ito colour-blind-safe palette, and left/right are the same everywhere.

One module per task: :mod:`~hipnb.charts.progress` (one athlete), :mod:`~hipnb.charts.adherence`,
:mod:`~hipnb.charts.roster` (the squad), :mod:`~hipnb.charts.tables` (tables people read),
:mod:`~hipnb.charts.load` (running load) and :mod:`~hipnb.charts.workshop` (routine pictures).
Every public name is importable from ``hipnb.charts``.
"""

from hipnb.charts.adherence import adherence_calendar
from hipnb.charts.common import BAND_COLOR, DISCOMFORT_COLOR, SIDE_COLORS, TARGET_COLOR
from hipnb.charts.load import load_chart, load_figure
from hipnb.charts.progress import (
    asymmetry_chart,
    athlete_dashboard,
    bound_angle_chart,
    discomfort_chart,
    plank_chart,
)
from hipnb.charts.roster import (
    AMBER,
    GREEN,
    LEVEL_COLORS,
    RED,
    ROSTER_HEADERS,
    roster_frame,
    roster_grid,
    roster_table,
    sort_roster,
)
from hipnb.charts.tables import (
    bests_table,
    exercise_name,
    flags_table,
    holds_table,
    load_table,
    next_steps_table,
    notes_table,
    weekly_table,
)
from hipnb.charts.workshop import exercise_diagram, routine_timeline
from hipnb.seconds import seconds_text  # seconds as people read them, for tables of one's own

__all__ = [
    "AMBER",
    "BAND_COLOR",
    "DISCOMFORT_COLOR",
    "GREEN",
    "LEVEL_COLORS",
    "RED",
    "ROSTER_HEADERS",
    "SIDE_COLORS",
    "TARGET_COLOR",
    "adherence_calendar",
    "asymmetry_chart",
    "athlete_dashboard",
    "bests_table",
    "bound_angle_chart",
    "discomfort_chart",
    "exercise_diagram",
    "exercise_name",
    "flags_table",
    "holds_table",
    "load_chart",
    "load_figure",
    "load_table",
    "next_steps_table",
    "notes_table",
    "plank_chart",
    "roster_frame",
    "roster_grid",
    "roster_table",
    "routine_timeline",
    "seconds_text",
    "sort_roster",
    "weekly_table",
]
