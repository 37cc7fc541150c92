"""Discomfort: per-day reported hip discomfort and its rolling mean."""

from __future__ import annotations

import pandas as pd

from hipnb.analysis.days import with_day


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
