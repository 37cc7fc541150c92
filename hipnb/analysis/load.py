"""Running load beside hip care: weekly distance, load ratio, sharp rises, discomfort after long runs.

Runs come from :func:`hipnb.runs.read_runs` (one row per run, ``local_time`` the athlete's wall
clock); holds from :func:`hipnb.read_logs`. Load is distance. A week starts on the athlete's local
Monday. Flags are coaching guidance, never a diagnosis; their words carry the numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hipnb.analysis.adherence import adherence_rate
from hipnb.analysis.discomfort import discomfort_trend

#: Defaults of the sharp-rise flag: 7-day load over 1.5x the 28-day weekly average, or up more than
#: 30 % on the 7 days before, while the hip routine's daily target was met on under half of 28 days.
RATIO_HIGH, CHANGE_HIGH, ADHERENCE_LOW = 1.5, 0.30, 0.5
#: A long run: at least 1.5x the median of the athlete's runs in the 8 weeks before it.
LONG_FACTOR, LONG_WEEKS = 1.5, 8
#: Fewest days on each side before discomfort after long runs is compared.
MIN_DAYS = 3

WEEKLY_COLUMNS = ["athlete", "week", "runs", "distance_km", "time_h", "change"]
STATUS_COLUMNS = [
    "athlete", "as_of", "km_7d", "km_prev_7d", "weekly_avg_28d", "ratio", "change_7d",
    "adherence_28d", "flag", "words",
]  # fmt: skip
LONG_COLUMNS = [
    "athlete", "long_runs", "after_days", "after_mean", "other_days", "other_mean", "words",
]  # fmt: skip


def _week(day: pd.Series) -> pd.Series:
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def _runs(runs: pd.DataFrame, athlete: str | None) -> pd.DataFrame:
    r = runs if athlete is None else runs[runs["athlete"] == athlete]
    return r.assign(day=r["local_time"].dt.normalize())


def weekly_load(runs: pd.DataFrame, athlete: str | None = None) -> pd.DataFrame:
    """Per athlete and local Monday-based week: runs, distance (km), time (h) and the change in
    distance on the week before (a fraction; NaN when that week had no distance).

    Weeks without runs between an athlete's first and last run are rows of zeros.

    Example::

        weekly_load(read_runs("data/sample", "ana")).tail(2)   # the last two weeks of ana's running
    """
    r = _runs(runs, athlete)
    if r.empty:
        return pd.DataFrame(columns=WEEKLY_COLUMNS)
    r = r.assign(week=_week(r["day"]))
    out = []
    for name, g in r.groupby("athlete", sort=True):
        weeks = pd.date_range(g["week"].min(), g["week"].max(), freq="7D", name="week")
        w = (
            g.groupby("week")
            .agg(
                runs=("run_id", "size"),
                distance_m=("distance_m", "sum"),
                time_s=("duration_s", "sum"),
            )
            .reindex(weeks, fill_value=0)
        )
        km = w["distance_m"] / 1000
        prev = km.shift(1)
        out.append(
            pd.DataFrame(
                {
                    "athlete": name,
                    "week": weeks,
                    "runs": w["runs"].astype(int).to_numpy(),
                    "distance_km": km.to_numpy(),
                    "time_h": (w["time_s"] / 3600).to_numpy(),
                    "change": ((km - prev) / prev.where(prev > 0)).to_numpy(),
                }
            )
        )
    return pd.concat(out, ignore_index=True)[WEEKLY_COLUMNS]


def _as_of(runs: pd.DataFrame, holds: pd.DataFrame | None, as_of) -> pd.Timestamp | None:
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    days = [runs["local_time"].max()] if len(runs) else []
    if holds is not None and len(holds):
        days.append(holds["local_time"].max())
    return max(days).normalize() if days else None


def load_status(
    runs: pd.DataFrame,
    holds: pd.DataFrame | None = None,
    as_of: pd.Timestamp | str | None = None,
    *,
    ratio_high: float = RATIO_HIGH,
    change_high: float = CHANGE_HIGH,
    adherence_low: float = ADHERENCE_LOW,
) -> pd.DataFrame:
    """Per athlete on ``as_of`` (default: the last day of runs or holds): running load against
    hip-routine adherence, with a flag when load rises sharply while the routine lapses.

    Columns: ``km_7d`` (the 7 days ending on ``as_of``), ``km_prev_7d`` (the 7 days before),
    ``weekly_avg_28d`` (28-day distance / 4), ``ratio`` (``km_7d / weekly_avg_28d``: NaN until the
    athlete has 28 days of runs, and the words say so), ``change_7d`` (on the 7 days before; NaN
    after an empty week), ``adherence_28d`` (share of the last 28 days the daily hip target was
    met, :func:`adherence_28d`; 0 when no hold was logged), ``flag`` (ratio above
    ``ratio_high`` or change above ``change_high``, while adherence is under ``adherence_low``)
    and ``words``: a sentence with the numbers.
    """
    day = _as_of(runs, holds, as_of)
    if day is None or runs.empty:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    r = _runs(runs, None)
    r = r[r["day"] <= day]
    age = (day - r.groupby("athlete")["day"].min()).dt.days + 1
    km = r["distance_m"] / 1000
    ago = (day - r["day"]).dt.days

    def total(lo: int, hi: int) -> pd.Series:
        inside = (ago >= lo) & (ago < hi)
        return km[inside].groupby(r.loc[inside, "athlete"]).sum()

    athletes = pd.Index(sorted(runs["athlete"].unique()), name="athlete")
    m = pd.DataFrame(
        {
            "km_7d": total(0, 7),
            "km_prev_7d": total(7, 14),
            "weekly_avg_28d": total(0, 28) / 4,
            "age": age,
        }
    ).reindex(athletes)
    m[["km_7d", "km_prev_7d", "weekly_avg_28d"]] = m[
        ["km_7d", "km_prev_7d", "weekly_avg_28d"]
    ].fillna(0.0)
    m["age"] = m["age"].fillna(0).astype(int)
    m["ratio"] = (m["km_7d"] / m["weekly_avg_28d"].where(m["weekly_avg_28d"] > 0)).where(
        m["age"] >= 28
    )
    m["change_7d"] = (m["km_7d"] - m["km_prev_7d"]) / m["km_prev_7d"].where(m["km_prev_7d"] > 0)
    if holds is not None and len(holds):
        adherence = adherence_rate(holds, days=28, as_of=day).reindex(athletes)
    else:
        adherence = pd.Series(np.nan, index=athletes)
    m["logged"] = adherence.notna()
    m["adherence_28d"] = adherence.fillna(0.0)
    rising = (m["ratio"] > ratio_high).fillna(False) | (m["change_7d"] > change_high).fillna(False)
    m["flag"] = rising & (m["adherence_28d"] < adherence_low)
    m["words"] = [_words(a, row, ratio_high, change_high, adherence_low) for a, row in m.iterrows()]
    m["as_of"] = day
    return m.reset_index()[STATUS_COLUMNS]


def _words(athlete: str, r, ratio_high: float, change_high: float, adherence_low: float) -> str:
    parts = [f"{r.km_7d:.1f} km in the last 7 days"]
    if np.isnan(r.ratio):
        parts.append(f"load ratio undefined until 28 days of runs ({r.age} so far)")
    else:
        parts.append(f"{r.ratio:.2f}x the 28-day weekly average of {r.weekly_avg_28d:.1f} km")
    if not np.isnan(r.change_7d):
        parts.append(f"{r.change_7d:+.0%} on the 7 days before ({r.km_prev_7d:.1f} km)")
    care = (
        f"hip routine target met on {round(r.adherence_28d * 28)} of 28 days ({r.adherence_28d:.0%})"
        if r.logged
        else "no hip routine logged"
    )
    text = "; ".join(parts) + "; " + care
    if r.flag:
        return (
            f"load rising sharply while the hip routine lapses: {text} "
            f"(flag: ratio over {ratio_high:g} or over {change_high:+.0%} a week, with the "
            f"routine under {adherence_low:.0%})"
        )
    return text


def long_run_discomfort(
    runs: pd.DataFrame,
    holds: pd.DataFrame,
    athlete: str | None = None,
    *,
    factor: float = LONG_FACTOR,
    weeks: int = LONG_WEEKS,
    min_days: int = MIN_DAYS,
) -> pd.DataFrame:
    """Per athlete: hip discomfort on the day after a long run against the other days scored.

    A long run is at least ``factor`` times the median distance of the athlete's runs in the
    ``weeks`` weeks before it (judged once at least 3 runs precede it). Discomfort is the day's
    mean score on holds (an unscored hold is unknown, never 0). Columns: ``long_runs``,
    ``after_days`` / ``after_mean`` (days after a long run with a score, and their mean),
    ``other_days`` / ``other_mean``, ``words`` ("not enough data yet" until each side has
    ``min_days`` days).
    """
    r = _runs(runs, athlete).sort_values(["athlete", "local_time"])
    scored = discomfort_trend(holds if athlete is None else holds[holds["athlete"] == athlete])
    names = sorted(set(r["athlete"]) | set(scored["athlete"]))
    rows = []
    for name in names:
        g = r[r["athlete"] == name].set_index("local_time")
        median = g["distance_m"].rolling(f"{weeks * 7}D", closed="left", min_periods=3).median()
        long_days = g.loc[(g["distance_m"] >= factor * median).to_numpy(), "day"]
        after = set(long_days + pd.Timedelta(days=1))
        s = scored[scored["athlete"] == name]
        is_after = s["day"].isin(after)
        a, o = s.loc[is_after, "discomfort"], s.loc[~is_after, "discomfort"]
        if len(a) < min_days or len(o) < min_days:
            words = (
                f"not enough data yet: {len(a)} scored day(s) after a long run and {len(o)} "
                f"other(s); {min_days} of each needed"
            )
        else:
            words = (
                f"discomfort the day after a long run: {a.mean():.1f} on {len(a)} days, against "
                f"{o.mean():.1f} on {len(o)} other days"
            )
        rows.append(
            {
                "athlete": name,
                "long_runs": len(long_days),
                "after_days": len(a),
                "after_mean": a.mean() if len(a) else np.nan,
                "other_days": len(o),
                "other_mean": o.mean() if len(o) else np.nan,
                "words": words,
            }
        )
    return pd.DataFrame(rows, columns=LONG_COLUMNS)
