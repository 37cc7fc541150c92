"""Progress analysis: pure, vectorised functions from a log frame to summary frames.

Input is a frame as returned by :func:`hipnb.read_logs` (or :meth:`hipnb.SessionLog.read`). A "day" is
the athlete's local calendar date, taken from ``local_time`` (the row's own UTC offset), never the
UTC date: a session at 23:30 in Madrid belongs to that Madrid day.

Every function accepts an empty log and returns an empty frame with the documented columns.

One module per task: :mod:`~hipnb.analysis.days` (local days, trends), :mod:`~hipnb.analysis.progress`,
:mod:`~hipnb.analysis.adherence`, :mod:`~hipnb.analysis.discomfort`, :mod:`~hipnb.analysis.summary`,
:mod:`~hipnb.analysis.roster` (flags), :mod:`~hipnb.analysis.review` (since the last review) and
:mod:`~hipnb.analysis.load` (running load beside hip care).
Every public name is importable from ``hipnb.analysis``.
"""

from hipnb.analysis.adherence import adherence_rate, streaks, target_met_days, weekly_adherence
from hipnb.analysis.days import BAND_HIGH_S, BAND_LOW_S, daily_summary, trend_slope, with_day
from hipnb.analysis.discomfort import discomfort_levels, discomfort_trend
from hipnb.analysis.load import load_status, long_run_discomfort, weekly_load
from hipnb.analysis.progress import (
    band_counts,
    bound_angle_progress,
    personal_bests,
    plank_asymmetry,
    plank_progress,
    suggest_progression,
)
from hipnb.analysis.review import CHANGES, changes_since
from hipnb.analysis.roster import THRESHOLDS, flag_table, roster
from hipnb.analysis.summary import summary_text

__all__ = [
    "BAND_HIGH_S",
    "BAND_LOW_S",
    "CHANGES",
    "THRESHOLDS",
    "adherence_rate",
    "band_counts",
    "bound_angle_progress",
    "changes_since",
    "daily_summary",
    "discomfort_levels",
    "discomfort_trend",
    "flag_table",
    "load_status",
    "long_run_discomfort",
    "personal_bests",
    "plank_asymmetry",
    "plank_progress",
    "roster",
    "streaks",
    "suggest_progression",
    "summary_text",
    "target_met_days",
    "trend_slope",
    "weekly_adherence",
    "weekly_load",
    "with_day",
]
