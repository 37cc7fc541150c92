"""Progress analysis: pure, vectorised functions from a log frame to summary frames.

Input is a frame as returned by :func:`hipnb.read_logs` (or :meth:`hipnb.SessionLog.read`). A "day" is
the athlete's local calendar date, taken from ``local_time`` (the row's own UTC offset), never the
UTC date: a session at 23:30 in Madrid belongs to that Madrid day.

Every function accepts an empty log and returns an empty frame with the documented columns.

One module per task: :mod:`~hipnb.analysis.days` (local days, trends), :mod:`~hipnb.analysis.progress`,
:mod:`~hipnb.analysis.adherence`, :mod:`~hipnb.analysis.discomfort`, :mod:`~hipnb.analysis.summary`,
:mod:`~hipnb.analysis.figures` (each athlete's figures on a day, computed once),
:mod:`~hipnb.analysis.flags` (the one flag engine: :class:`Flag` records from one :class:`Thresholds`),
:mod:`~hipnb.analysis.standing` (flags judged on each kind's latest data: silence clears none),
:mod:`~hipnb.analysis.roster`, :mod:`~hipnb.analysis.review` (since the last review) and
:mod:`~hipnb.analysis.load` (running load beside hip care).

:class:`ReviewDay` (:mod:`~hipnb.analysis.review_day`) is one review day: built once where "today"
is decided (:meth:`ReviewDay.on`), it computes the figures once and serves the roster, the flags,
summaries, changes and load to every view. Under it the analysis is pure: every function that
judges a day takes it (``as_of``), and every adherence figure takes the daily target.
Every public name is importable from ``hipnb.analysis``.
"""

from hipnb.analysis.adherence import (
    adherence_rate,
    days_met,
    streaks,
    target_met_days,
    weekly_adherence,
)
from hipnb.analysis.days import (
    BAND_HIGH_S,
    BAND_LOW_S,
    Day,
    as_day,
    daily_summary,
    day_of,
    days_ago,
    trend_slope,
    up_to,
    window,
    with_day,
    within,
)
from hipnb.analysis.discomfort import discomfort_levels, discomfort_trend
from hipnb.analysis.figures import athlete_figures
from hipnb.analysis.flags import Flag, Kind, Level, flags
from hipnb.analysis.load import load_status, long_run_discomfort, weekly_load
from hipnb.analysis.progress import (
    asymmetry,
    band_counts,
    bound_angle_progress,
    personal_bests,
    plank_asymmetry,
    plank_progress,
    suggest_progression,
)
from hipnb.analysis.review import CHANGES, changes_since, review_period
from hipnb.analysis.review_day import ReviewDay
from hipnb.analysis.roster import roster
from hipnb.analysis.standing import evidence_days, standing_flags
from hipnb.analysis.summary import summary_text
from hipnb.analysis.thresholds import Thresholds

__all__ = [
    "BAND_HIGH_S",
    "BAND_LOW_S",
    "CHANGES",
    "Day",
    "Flag",
    "Kind",
    "Level",
    "ReviewDay",
    "Thresholds",
    "adherence_rate",
    "as_day",
    "asymmetry",
    "athlete_figures",
    "band_counts",
    "bound_angle_progress",
    "changes_since",
    "daily_summary",
    "day_of",
    "days_ago",
    "days_met",
    "discomfort_levels",
    "discomfort_trend",
    "evidence_days",
    "flags",
    "load_status",
    "long_run_discomfort",
    "personal_bests",
    "plank_asymmetry",
    "plank_progress",
    "review_period",
    "roster",
    "standing_flags",
    "streaks",
    "suggest_progression",
    "summary_text",
    "target_met_days",
    "trend_slope",
    "up_to",
    "weekly_adherence",
    "weekly_load",
    "window",
    "with_day",
    "within",
]
