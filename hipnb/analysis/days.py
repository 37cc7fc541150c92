"""Days and trends shared by every analysis: the athlete's local day, daily totals, slopes, windows."""

from __future__ import annotations

from datetime import date

import pandas as pd

from hipnb.routines import load_routine


def _bound_angle_band() -> tuple[float, float]:
    """The Reclining Bound Angle band as the built-in routine's exercise defines it (3-5 min)."""
    pose = load_routine("hip-basics").exercises["bound_angle"]
    assert pose.min_seconds is not None and pose.max_seconds is not None
    return float(pose.min_seconds), float(pose.max_seconds)


#: Reclining Bound Angle Pose guidance, 3-5 minutes a day: read from the exercise definition in
#: ``hip-basics.toml`` (``min_seconds``/``max_seconds``), the one place it is written.
BAND_LOW_S, BAND_HIGH_S = _bound_angle_band()


def day_of(df: pd.DataFrame) -> pd.Series:
    """The one rule for a hold's (or a run's) day: the date of its ``started_at`` in the offset it
    was logged with, the athlete's own zone (``local_time``), as midnight with no time zone; never
    the UTC date. Every day-level figure, chart, widget and page takes its days from here."""
    day: pd.Series = df["local_time"].dt.normalize()
    return day


def with_day(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a ``day`` column: each row's :func:`day_of`."""
    return df.assign(day=day_of(df))


def daily_summary(df: pd.DataFrame) -> pd.DataFrame:
    """One row per athlete, day, exercise and side: holds, total, longest and target seconds, and
    how many holds were completed."""
    cols = ["athlete", "day", "exercise", "side"]
    if df.empty:
        return pd.DataFrame(
            columns=[*cols, "holds", "total_s", "longest_s", "target_s", "completed"]
        )
    return (
        with_day(df)
        .groupby(cols, observed=True, sort=True)
        .agg(
            holds=("actual_s", "size"),
            total_s=("actual_s", "sum"),
            longest_s=("actual_s", "max"),
            target_s=("target_s", "max"),
            completed=("completed", "sum"),
        )
        .reset_index()
    )


def trend_slope(frame: pd.DataFrame, value: str, by: str = "athlete") -> pd.Series:
    """Least-squares slope of ``value`` per day, per ``by`` group (units of value per day)."""
    x = (frame["day"] - frame["day"].min()).dt.days.astype("float64")
    f = frame.assign(_x=x, _y=frame[value].astype("float64")).dropna(subset=["_y"])
    g = f.groupby(by)
    mx, my = g["_x"].transform("mean"), g["_y"].transform("mean")
    cov = ((f["_x"] - mx) * (f["_y"] - my)).groupby(f[by]).sum()
    var = ((f["_x"] - mx) ** 2).groupby(f[by]).sum()
    return (cov / var.where(var > 0)).rename(f"{value}_per_day")


#: A day as the analysis takes it: a date, a timestamp (its date is used) or ``YYYY-MM-DD`` text.
Day = date | pd.Timestamp | str


def as_day(value: Day) -> pd.Timestamp:
    """``value`` as a day: midnight, no time zone (an aware stamp keeps its own wall-clock date)."""
    day = pd.Timestamp(value)
    if day.tzinfo is not None:
        day = day.tz_localize(None)
    return day.normalize()


def days_ago(day: pd.Series, as_of: Day) -> pd.Series:
    """Whole days from each local ``day`` (midnight stamps) to ``as_of``: 0 on the day itself,
    negative after it."""
    ago: pd.Series = (as_day(as_of) - pd.to_datetime(day)).dt.days
    return ago


def within(ago: pd.Series, days: int) -> pd.Series:
    """The one window rule: a day ``ago`` days before the judged day (:func:`days_ago`) is within
    the ``days`` days ending on that day, both ends counted (0 to ``days - 1`` ago)."""
    inside: pd.Series = (ago >= 0) & (ago < days)
    return inside


def window(df: pd.DataFrame, days: int, as_of: Day) -> pd.DataFrame:
    """Rows whose local day is within the ``days`` days ending on ``as_of`` (inclusive)."""
    rows: pd.DataFrame = df[within(days_ago(day_of(df), as_of), days)]
    return rows


def up_to(df: pd.DataFrame, as_of: Day) -> pd.DataFrame:
    """Rows whose local day is ``as_of`` or before (rows after the judged day are never seen)."""
    rows: pd.DataFrame = df[df["local_time"] < as_day(as_of) + pd.Timedelta(days=1)]
    return rows
