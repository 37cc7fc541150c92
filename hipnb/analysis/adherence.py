"""Adherence: days the daily target was met, streaks and weekly counts.

The daily target is ``Thresholds.target_s`` (:class:`~hipnb.analysis.thresholds.Thresholds`): every
function here takes it, none has a default of its own, so no figure is judged on another target.
"""

from __future__ import annotations

import pandas as pd

from hipnb.analysis.days import Day, as_day, days_ago, up_to, with_day, within
from hipnb.analysis.progress import bound_angle_progress


def target_met_days(df: pd.DataFrame, target_s: float) -> pd.DataFrame:
    """Per athlete-day: whether the daily bound-angle target was met (total held >= target_s)."""
    prog = bound_angle_progress(df)
    return prog.assign(met=prog["total_s"] >= target_s)[["athlete", "day", "total_s", "met"]]


def streaks(df: pd.DataFrame, target_s: float, *, as_of: Day) -> pd.DataFrame:
    """Per athlete (by name): current and longest streak of consecutive days the bound-angle target
    was met.

    The current streak counts back from ``as_of``: a day not yet done (``as_of`` itself) does not
    break it, an earlier day without the target does; rows after ``as_of`` are not counted.
    ``current_start`` is the first day of the current streak (NaT when there is none).
    """
    day = as_day(as_of)
    df = up_to(df, day)
    met = target_met_days(df, target_s)
    met = met[met["met"]]
    athletes = pd.Index(sorted(df["athlete"].unique()), name="athlete")
    if met.empty:
        out = pd.DataFrame({"current_streak": 0, "longest_streak": 0}, index=athletes)
        # pandas-stubs: assign() does not list NaT among the scalars it takes
        return out.assign(current_start=pd.NaT).reset_index()  # type: ignore[arg-type]
    day_no = (met["day"] - pd.Timestamp("2000-01-01")).dt.days
    # consecutive days share (day number - rank within athlete)
    run_id = day_no - met.groupby("athlete").cumcount()
    runs = (
        met.assign(run=run_id.to_numpy())
        .groupby(["athlete", "run"])
        .agg(length=("day", "size"), last=("day", "max"))
        .reset_index()
    )
    longest = runs.groupby("athlete")["length"].max()
    alive = runs[(day - runs["last"]).dt.days.between(0, 1)]
    alive = alive.sort_values("length").groupby("athlete").tail(1).set_index("athlete")
    current = alive["length"]
    out = pd.DataFrame({"current_streak": current, "longest_streak": longest}).reindex(athletes)
    out = out.fillna(0).astype(int)
    start = alive["last"] - pd.to_timedelta(alive["length"] - 1, unit="D")
    return out.assign(current_start=start.reindex(athletes)).reset_index()


def weekly_adherence(df: pd.DataFrame, target_s: float) -> pd.DataFrame:
    """Per athlete and week (Monday start): days the bound-angle target was met, active days and
    sessions."""
    cols = ["athlete", "week", "days_met", "active_days", "sessions"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    d = with_day(df)
    d["week"] = d["day"] - pd.to_timedelta(d["day"].dt.day_of_week, unit="D")
    activity = d.groupby(["athlete", "week"]).agg(
        active_days=("day", "nunique"), sessions=("session_id", "nunique")
    )
    met = target_met_days(df, target_s)
    met["day"] = pd.to_datetime(met["day"])  # typed even when no bound-angle hold was logged
    met["week"] = met["day"] - pd.to_timedelta(met["day"].dt.day_of_week, unit="D")
    days_met = met.groupby(["athlete", "week"])["met"].sum().rename("days_met")
    out = activity.join(days_met, how="left").fillna({"days_met": 0}).reset_index()
    out["days_met"] = out["days_met"].astype(int)
    return out[cols]


def days_met(df: pd.DataFrame, days: int, *, as_of: Day, target_s: float) -> pd.Series:
    """Per athlete (every athlete of ``df``, by name): how many of the ``days`` days ending on
    ``as_of`` met the daily bound-angle target ``target_s`` (a day with no log is not met)."""
    athletes = pd.Index(sorted(df["athlete"].unique()), name="athlete")
    met = target_met_days(df, target_s)
    recent = met[within(days_ago(met["day"], as_of), days) & met["met"]]
    count: pd.Series = recent.groupby("athlete").size().reindex(athletes).fillna(0).astype(int)
    return count.rename(f"days_met_{days}d")


def adherence_rate(df: pd.DataFrame, days: int = 28, *, as_of: Day, target_s: float) -> pd.Series:
    """Per athlete: the share (0-1) of the last ``days`` calendar days on which the daily
    Reclining Bound Angle Pose target (``target_s`` seconds held in the day) was met.

    The window ends on ``as_of`` inclusive; a day with no log counts as not met. This is the
    adherence the roster shows and the low-adherence flag uses (:func:`days_met` / ``days``).

    Example::

        adherence_rate(df, 28, as_of="2026-11-22", target_s=180)["ana"]   # 0.75: 21 of 28 days
    """
    rate: pd.Series = days_met(df, days, as_of=as_of, target_s=target_s) / days
    return rate.astype("float64").rename(f"adherence_{days}d")
