"""Per-athlete figures on a day: every number a flag or the roster reads, each computed once.

Vectorised over athletes (group-bys, no loop per athlete), over the last 28 days' rows; each figure
that has a function of its own (days met, side-plank asymmetry, discomfort levels) is that function. The flag engine
(:mod:`hipnb.analysis.flags`) and the roster read these figures; nothing computes them a second way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hipnb.analysis.adherence import days_met
from hipnb.analysis.days import Day, as_day, day_of, days_ago, up_to, window, within
from hipnb.analysis.discomfort import discomfort_levels
from hipnb.analysis.progress import plank_asymmetry

FIGURE_COLUMNS = [
    "last_day", "days_since", "adherence_7d", "adherence_28d", "days_met_28d",
    "bound_median_7d", "bound_trend", "plank_left_s", "plank_right_s", "asymmetry", "weaker",
    "discomfort_max_7d", "discomfort_14d", "discomfort_trend", "history_days",
    "km_7d", "km_prev_7d", "weekly_avg_28d", "load_ratio", "load_change", "run_days",
    "holds_logged",
]  # fmt: skip


def _slope(day_no: pd.Series, value: pd.Series, by: pd.Series) -> pd.Series:
    """Least-squares slope of ``value`` per day, per ``by`` group (NaN for fewer than 2 days)."""
    x, y = day_no.astype("float64"), value.astype("float64")
    f = pd.DataFrame({"by": by, "x": x, "y": y, "xx": x * x, "xy": x * y})
    s = f.groupby("by", sort=False).agg(
        n=("x", "size"), x=("x", "sum"), y=("y", "sum"), xx=("xx", "sum"), xy=("xy", "sum")
    )
    var = s["n"] * s["xx"] - s["x"] ** 2
    slope: pd.Series = (s["n"] * s["xy"] - s["x"] * s["y"]) / var.where(var > 1e-9)
    return slope


def _hold_figures(holds: pd.DataFrame, day: pd.Timestamp, target_s: float) -> pd.DataFrame:
    seen = up_to(holds, day)
    local, athlete = seen["local_time"], seen["athlete"]
    span = local.groupby(athlete, sort=False).agg(["min", "max"])
    out = pd.DataFrame({"last_day": span["max"].dt.normalize()})
    out["days_since"] = days_ago(out["last_day"], day)
    out["history_days"] = days_ago(span["min"].dt.normalize(), day) + 1
    recent = window(seen, 28, day)

    out["days_met_28d"] = days_met(recent, 28, as_of=day, target_s=target_s)
    out["days_met_7d"] = days_met(recent, 7, as_of=day, target_s=target_s)
    out[["days_met_28d", "days_met_7d"]] = out[["days_met_28d", "days_met_7d"]].fillna(0)
    out["adherence_28d"] = out["days_met_28d"] / 28
    out["adherence_7d"] = out["days_met_7d"] / 7
    bound = recent[recent["exercise"] == "bound_angle"]
    ago = days_ago(day_of(bound), day)
    by_day = bound.groupby([bound["athlete"], ago.rename("ago")], sort=False)["actual_s"].sum()
    daily = by_day.reset_index()
    week = daily[within(daily["ago"], 7)]
    out["bound_median_7d"] = week.groupby("athlete")["actual_s"].median()
    out["bound_trend"] = _slope(-daily["ago"], daily["actual_s"], daily["athlete"]) * 7

    planks = plank_asymmetry(recent, 14, as_of=day).set_index("athlete")
    out["plank_left_s"], out["plank_right_s"] = planks["left_s"], planks["right_s"]
    out["asymmetry"], out["weaker"] = planks["asymmetry"], planks["weaker"]

    levels = discomfort_levels(recent, day, 7, 14).set_index("athlete")
    out["discomfort_max_7d"], out["discomfort_14d"] = levels["max_recent"], levels["mean_recent"]
    scored = recent.dropna(subset=["discomfort"])
    score = scored["discomfort"].astype("float64")
    s_ago = days_ago(day_of(scored), day).rename("ago")
    per_day = score.groupby([scored["athlete"], s_ago], sort=False).mean().reset_index()
    trend = _slope(-per_day["ago"], per_day["discomfort"], per_day["athlete"]) * 14
    out["discomfort_trend"] = trend
    out["holds_logged"] = True
    return out


def _run_figures(runs: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    r = up_to(runs, day)
    r = r.assign(ago=days_ago(day_of(r), day), km=r["distance_m"] / 1000)
    g = r.groupby("athlete", sort=False)
    out = pd.DataFrame({"run_days": g["ago"].max() + 1})

    def total(ago: pd.Series, days: int) -> pd.Series:
        km: pd.Series = r[within(ago, days)].groupby("athlete")["km"].sum()
        return km.reindex(out.index).fillna(0.0)

    out["km_7d"], out["km_prev_7d"] = total(r["ago"], 7), total(r["ago"] - 7, 7)
    out["weekly_avg_28d"] = total(r["ago"], 28) / 4
    avg = out["weekly_avg_28d"]
    out["load_ratio"] = (out["km_7d"] / avg.where(avg > 0)).where(out["run_days"] >= 28)
    prev = out["km_prev_7d"]
    out["load_change"] = (out["km_7d"] - prev) / prev.where(prev > 0)
    return out


def athlete_figures(
    holds: pd.DataFrame,
    runs: pd.DataFrame | None = None,
    *,
    as_of: Day,
    target_s: float,
) -> pd.DataFrame:
    """One row per athlete (index ``athlete``, sorted; athletes of the holds and of the runs) with
    the figures on the day ``as_of``; rows after it are ignored. Columns:

    * last_day, days_since: the last day with a hold on or before ``as_of``, and days since (NaN
      with no hold yet); history_days: days from the first hold to ``as_of``, both counted;
    * adherence_7d, adherence_28d, days_met_28d: share of the last 7/28 days (and days of 28) the
      daily bound-angle target ``target_s`` was met (a day with no log is not met);
    * bound_median_7d: median daily bound-angle seconds over the last 7 days; bound_trend: the
      change of daily bound-angle seconds over the last 28 days (s per week);
    * plank_left_s, plank_right_s: each side's median side-plank hold over 14 days; asymmetry
      ``|L - R| / max(L, R)``; weaker (``left``, ``right`` or ``even``);
    * discomfort_max_7d, discomfort_14d, discomfort_trend: the highest score on a hold in 7 days,
      the mean over 14 days, and the change per two weeks over 28 days (unscored holds left out);
    * km_7d, km_prev_7d, weekly_avg_28d: running distance in the 7 days ending on ``as_of``, the 7
      before, and 28 days / 4; load_ratio (``km_7d / weekly_avg_28d``, NaN until 28 days of runs),
      load_change (on the 7 days before; NaN after an empty week), run_days (days since the first
      run, NaN without runs);
    * holds_logged: whether the athlete has a hold on or before ``as_of``.
    """
    day = as_day(as_of)
    names = set(holds["athlete"].unique())
    if runs is not None and len(runs):
        names |= set(runs["athlete"].unique())
    athletes = pd.Index(sorted(names), name="athlete", dtype="str")
    out = _hold_figures(holds, day, target_s).reindex(athletes)
    out["holds_logged"] = out["holds_logged"].eq(True)
    for col in ("days_met_28d", "adherence_28d", "adherence_7d"):
        out[col] = out[col].fillna(0.0)
    out["days_met_28d"] = out["days_met_28d"].astype(int)
    out["weaker"] = out["weaker"].fillna("even")
    if runs is not None and len(runs):
        load = _run_figures(runs, day).reindex(athletes)
        out = out.join(load)
    else:
        for col in ("run_days", "km_7d", "km_prev_7d", "weekly_avg_28d", "load_ratio"):
            out[col] = np.nan
        out["load_change"] = np.nan
    return out[FIGURE_COLUMNS]
