"""Running load beside hip care: weekly distance, load ratio, sharp rises, discomfort after long runs.

Runs come from :func:`hipnb.runs.read_runs` (one row per run, ``local_time`` the athlete's wall
clock); holds from :func:`hipnb.read_logs`. Load is distance. A week starts on the athlete's local
Monday. Flags are coaching guidance, never a diagnosis; their words carry the numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hipnb.analysis.days import Day, day_of
from hipnb.analysis.discomfort import discomfort_trend
from hipnb.analysis.flags import Flag, Kind, running_load_context, running_load_facts
from hipnb.analysis.thresholds import Thresholds
from hipnb.log import empty_log
from hipnb.seconds import plural

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
    week: pd.Series = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    return week


def _runs(runs: pd.DataFrame, athlete: str | None) -> pd.DataFrame:
    r = runs if athlete is None else runs[runs["athlete"] == athlete]
    return r.assign(day=day_of(r))


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


def load_status(
    runs: pd.DataFrame,
    holds: pd.DataFrame | None,
    as_of: Day,
    *,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
) -> pd.DataFrame:
    """Per athlete with runs, on the day ``as_of`` (the views pass it: today by default at the
    edges): running load against hip-routine adherence, with the running-load flag of
    :func:`~hipnb.analysis.flags.flags` (the same rule and thresholds).

    Columns: ``km_7d`` (the 7 days ending on ``as_of``), ``km_prev_7d`` (the 7 days before),
    ``weekly_avg_28d`` (28-day distance / 4), ``ratio`` (``km_7d / weekly_avg_28d``: NaN until the
    athlete has 28 days of runs, and the words say so), ``change_7d`` (on the 7 days before; NaN
    after an empty week), ``adherence_28d`` (share of the last 28 days the daily hip target was
    met; 0 when no hold was logged), ``flag`` (the running-load flag stands: raised on the last
    run, :mod:`hipnb.analysis.standing`) and ``words``: a sentence with the numbers (the flag's
    words when it stands). ``holds`` may be None (runs
    only: adherence 0).
    """
    from hipnb.analysis.review_day import ReviewDay

    return ReviewDay(
        holds if holds is not None else empty_log(), runs, as_of=as_of, thresholds=thresholds
    ).load


def status_from(
    figures: pd.DataFrame,
    runs: pd.DataFrame | None,
    standing: list[Flag],
    day: pd.Timestamp,
    thresholds: Thresholds,
) -> pd.DataFrame:
    """The table of :func:`load_status` from the day's figures and standing flags."""
    if runs is None or runs.empty:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    fig = figures.reindex(pd.Index(sorted(runs["athlete"].unique()), name="athlete"))
    for col in ("km_7d", "km_prev_7d", "weekly_avg_28d"):
        fig[col] = fig[col].fillna(0.0)
    flagged = {f.athlete: f for f in standing if f.kind is Kind.RUNNING_LOAD}
    words = [
        flagged[a].words
        if a in flagged
        else running_load_facts(running_load_context(r, thresholds))
        for a, r in fig.iterrows()
    ]
    out = pd.DataFrame(
        {
            "as_of": day,
            "km_7d": fig["km_7d"],
            "km_prev_7d": fig["km_prev_7d"],
            "weekly_avg_28d": fig["weekly_avg_28d"],
            "ratio": fig["load_ratio"],
            "change_7d": fig["load_change"],
            "adherence_28d": fig["adherence_28d"],
            "flag": pd.Series([a in flagged for a in fig.index], index=fig.index, dtype=bool),
            "words": words,
        },
        index=fig.index,
    )
    return out.reset_index()[STATUS_COLUMNS]


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
                f"not enough data yet: {plural(len(a), 'scored day')} after a long run and "
                f"{len(o)} other{'' if len(o) == 1 else 's'}; {min_days} of each needed"
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
