"""The squad roster: one row per athlete with flags and their reasons in words."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hipnb.analysis.adherence import target_met_days
from hipnb.analysis.days import BAND_LOW_S, _window, trend_slope, with_day
from hipnb.analysis.discomfort import discomfort_trend
from hipnb.analysis.progress import bound_angle_progress, plank_progress, suggest_progression


def roster(
    df: pd.DataFrame,
    as_of: pd.Timestamp | str | None = None,
    target_s: float = BAND_LOW_S,
    inactive_days: int = 7,
    max_asymmetry: float = 0.15,
    discomfort_rise: float = 0.75,
    hold_drop_s: float = 20.0,
) -> pd.DataFrame:
    """One row per athlete for a coach's Monday review, with flags and their reasons in words.

    ``as_of`` defaults to the last day in the log. Columns:

    * last_day, days_since: last session and days since it;
    * adherence_7d, adherence_28d: share of days the bound-angle target was met (0-1);
    * bound_median_7d: median daily bound-angle seconds over the last 7 days;
      bound_trend: change of daily bound-angle seconds over the last 28 days (s per week);
    * plank_left_s, plank_right_s: best side plank per side over the last 28 days, asymmetry;
    * discomfort_14d: mean discomfort over 14 days; discomfort_trend: change per 2 weeks over 28 days;
    * suggestion: the progression suggestions in words;
    * flags: what needs attention, in words ('' when nothing does).

    Flags: no log for ``inactive_days``+ days; asymmetry above ``max_asymmetry``; discomfort rising
    by ``discomfort_rise`` or more per two weeks; bound-angle holds falling by ``hold_drop_s`` or more
    a week.
    """
    athletes = pd.Index(sorted(df["athlete"].unique()), name="athlete")
    cols = [
        "last_day", "days_since", "adherence_7d", "adherence_28d", "bound_median_7d",
        "bound_trend", "plank_left_s", "plank_right_s", "asymmetry", "discomfort_14d",
        "discomfort_trend", "suggestion", "flags",
    ]  # fmt: skip
    if df.empty:
        return pd.DataFrame(columns=["athlete", *cols])
    d = with_day(df)
    as_of = d["day"].max() if as_of is None else pd.Timestamp(as_of).normalize()
    d = d[d["day"] <= as_of]
    out = pd.DataFrame(index=athletes)
    out["last_day"] = d.groupby("athlete")["day"].max()
    out["days_since"] = (as_of - out["last_day"]).dt.days.astype("Int64")

    met = target_met_days(d, target_s)
    for days in (7, 28):
        recent = met[met["day"] > as_of - pd.Timedelta(days=days)]
        out[f"adherence_{days}d"] = (
            recent.groupby("athlete")["met"].sum().reindex(athletes).fillna(0) / days
        )

    d28 = _window(d, as_of, 28)
    prog28 = bound_angle_progress(d28)
    prog7 = prog28[prog28["day"] > as_of - pd.Timedelta(days=7)]
    out["bound_median_7d"] = prog7.groupby("athlete")["total_s"].median()
    out["bound_trend"] = trend_slope(prog28, "total_s") * 7 if len(prog28) else np.nan

    planks = plank_progress(d28)
    best = planks.groupby("athlete")[["left_s", "right_s"]].max() if len(planks) else None
    out["plank_left_s"] = best["left_s"] if best is not None else np.nan
    out["plank_right_s"] = best["right_s"] if best is not None else np.nan
    stronger = out[["plank_left_s", "plank_right_s"]].max(axis=1)
    out["asymmetry"] = (out["plank_left_s"] - out["plank_right_s"]).abs() / stronger.where(
        stronger > 0
    )

    trend = discomfort_trend(d28)
    recent14 = trend[trend["day"] > as_of - pd.Timedelta(days=14)] if len(trend) else trend
    out["discomfort_14d"] = (
        recent14.groupby("athlete")["discomfort"].mean() if len(trend) else np.nan
    )
    out["discomfort_trend"] = trend_slope(trend, "discomfort") * 14 if len(trend) else np.nan

    sug = suggest_progression(d)
    out["suggestion"] = sug.groupby("athlete")["reason"].agg("; ".join).reindex(athletes).fillna("")

    flags = pd.DataFrame(
        {
            "inactive": np.where(
                out["days_since"].fillna(10**6) >= inactive_days,
                "no log for " + out["days_since"].astype("str") + " days",
                "",
            ),
            "asymmetry": np.where(
                out["asymmetry"] > max_asymmetry,
                "side plank asymmetry "
                + (out["asymmetry"] * 100).round().astype("Int64").astype("str")
                + " %",
                "",
            ),
            "discomfort": np.where(
                out["discomfort_trend"] >= discomfort_rise,
                "discomfort rising (+"
                + out["discomfort_trend"].round(1).astype("str")
                + " per 2 weeks)",
                "",
            ),
            "holds": np.where(
                out["bound_trend"] <= -hold_drop_s,
                "bound-angle holds falling ("
                + out["bound_trend"].round().astype("Int64").astype("str")
                + " s a week)",
                "",
            ),
        },
        index=athletes,
    )
    out["flags"] = (
        flags.apply(lambda c: c.where(c == "", c + "; ")).sum(axis=1).str.removesuffix("; ")
    )
    return out[cols].reset_index()
