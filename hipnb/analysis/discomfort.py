"""Discomfort: per-day reported hip discomfort and its rolling mean."""

from __future__ import annotations

import pandas as pd

from hipnb.analysis.days import Day, day_of, days_ago, with_day, within


def discomfort_trend(df: pd.DataFrame, window: str = "14D") -> pd.DataFrame:
    """Per athlete-day mean discomfort (0-10) and its rolling mean over ``window`` of calendar days."""
    d = with_day(df.dropna(subset=["discomfort"]))
    if d.empty:
        return pd.DataFrame(columns=["athlete", "day", "discomfort", "rolling"])
    daily = (
        d.assign(discomfort=d["discomfort"].astype("float64"))
        .groupby(["athlete", "day"])["discomfort"]
        .mean()
        .reset_index()
    )
    rolled = (
        daily.set_index("day")
        .groupby("athlete")["discomfort"]
        .rolling(window, min_periods=1)
        .mean()
        .reset_index(drop=True)
    )
    return daily.assign(rolling=rolled.to_numpy())


def discomfort_levels(
    df: pd.DataFrame,
    as_of: Day,
    recent_days: int = 7,
    mean_days: int = 14,
) -> pd.DataFrame:
    """Per athlete: the highest hip discomfort scored on a hold in the last ``recent_days`` days and
    the mean score over the last ``mean_days`` days, both ending on ``as_of``.

    A hold without a score is unknown, never 0: it is left out, and an athlete with no score in a
    window gets NaN there. Columns: athlete, max_recent, mean_recent, scored (holds with a score in
    the ``mean_days`` window).
    """
    athletes = pd.Index(sorted(df["athlete"].unique()), name="athlete")
    scored = df.dropna(subset=["discomfort"])
    ago = days_ago(day_of(scored), as_of)
    score = scored["discomfort"].astype("float64")
    in_recent, in_mean = within(ago, recent_days), within(ago, mean_days)
    out = pd.DataFrame(
        {
            "max_recent": score[in_recent].groupby(scored.loc[in_recent, "athlete"]).max(),
            "mean_recent": score[in_mean].groupby(scored.loc[in_mean, "athlete"]).mean(),
            "scored": score[in_mean].groupby(scored.loc[in_mean, "athlete"]).size(),
        }
    ).reindex(athletes)
    out["scored"] = out["scored"].fillna(0).astype(int)
    return out.reset_index()
