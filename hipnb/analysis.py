"""Progress analysis: pure, vectorised functions from a log frame to summary frames.

Input is a frame as returned by :func:`hipnb.read_logs` (or :meth:`hipnb.SessionLog.read`). A "day" is
the athlete's local calendar date, taken from ``local_time`` (the row's own UTC offset), never the
UTC date: a session at 23:30 in Madrid belongs to that Madrid day.

Every function accepts an empty log and returns an empty frame with the documented columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Reclining Bound Angle Pose guidance: 3-5 minutes a day.
BAND_LOW_S, BAND_HIGH_S = 180.0, 300.0


def with_day(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a ``day`` column: the athlete's local date (midnight, no time zone)."""
    return df.assign(day=df["local_time"].dt.normalize())


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


def bound_angle_progress(
    df: pd.DataFrame, low: float = BAND_LOW_S, high: float = BAND_HIGH_S
) -> pd.DataFrame:
    """Per athlete-day Reclining Bound Angle Pose time against the 3-5 min band.

    Columns: athlete, day, total_s (seconds held that day), longest_s, band (``under``, ``in`` or
    ``over``, judged on total_s).
    """
    daily = daily_summary(df[df["exercise"] == "bound_angle"])
    daily = daily[["athlete", "day", "total_s", "longest_s"]].reset_index(drop=True)
    band = np.select(
        [daily["total_s"] < low, daily["total_s"] > high], ["under", "over"], default="in"
    )
    return daily.assign(band=pd.Series(band, index=daily.index, dtype="str"))


def band_counts(progress: pd.DataFrame) -> pd.DataFrame:
    """Days under, in and over the band per athlete, from :func:`bound_angle_progress`."""
    counts = pd.crosstab(progress["athlete"], progress["band"])
    return counts.reindex(columns=["under", "in", "over"], fill_value=0)


def plank_progress(df: pd.DataFrame) -> pd.DataFrame:
    """Per athlete-day side-plank bests per side and their asymmetry.

    Columns: athlete, day, left_s, right_s (longest hold that day, NaN if that side was not done),
    asymmetry (``|left - right| / max(left, right)``, 0 = even), weaker (``left``/``right``/``even``).
    """
    planks = df[(df["exercise"] == "side_plank") & df["side"].isin(["left", "right"])]
    if planks.empty:
        return pd.DataFrame(columns=["athlete", "day", "left_s", "right_s", "asymmetry", "weaker"])
    wide = (
        with_day(planks)
        .pivot_table(index=["athlete", "day"], columns="side", values="actual_s", aggfunc="max")
        .reindex(columns=["left", "right"])
        .rename(columns={"left": "left_s", "right": "right_s"})
        .reset_index()
    )
    wide.columns.name = None
    best = wide[["left_s", "right_s"]].max(axis=1)
    wide["asymmetry"] = (wide["left_s"] - wide["right_s"]).abs() / best.where(best > 0)
    wide["weaker"] = np.select(
        [wide["left_s"] < wide["right_s"], wide["right_s"] < wide["left_s"]],
        ["left", "right"],
        default="even",
    )
    return wide


def target_met_days(df: pd.DataFrame, target_s: float = BAND_LOW_S) -> pd.DataFrame:
    """Per athlete-day: whether the daily bound-angle target was met (total held >= target_s)."""
    prog = bound_angle_progress(df)
    return prog.assign(met=prog["total_s"] >= target_s)[["athlete", "day", "total_s", "met"]]


def streaks(
    df: pd.DataFrame, target_s: float = BAND_LOW_S, as_of: pd.Timestamp | str | None = None
) -> pd.DataFrame:
    """Per athlete: current and longest streak of consecutive days the bound-angle target was met.

    The current streak counts back from ``as_of`` (default: each athlete's last logged day); a day
    not yet done (``as_of`` itself) does not break it.
    """
    met = target_met_days(df, target_s)
    met = met[met["met"]]
    athletes = pd.Index(df["athlete"].unique(), name="athlete")
    if met.empty:
        out = pd.DataFrame({"current_streak": 0, "longest_streak": 0}, index=athletes)
        return out.reset_index()
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
    if as_of is None:
        ref = with_day(df).groupby("athlete")["day"].max()
    else:
        ref = pd.Series(pd.Timestamp(as_of).normalize(), index=athletes)
    runs["ref"] = runs["athlete"].map(ref)
    alive = runs[(runs["ref"] - runs["last"]).dt.days.between(0, 1)]
    current = alive.groupby("athlete")["length"].max()
    out = pd.DataFrame({"current_streak": current, "longest_streak": longest}).reindex(athletes)
    return out.fillna(0).astype(int).reset_index()


def weekly_adherence(df: pd.DataFrame, target_s: float = BAND_LOW_S) -> pd.DataFrame:
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
    met["week"] = met["day"] - pd.to_timedelta(met["day"].dt.day_of_week, unit="D")
    days_met = met.groupby(["athlete", "week"])["met"].sum().rename("days_met")
    out = activity.join(days_met, how="left").fillna({"days_met": 0}).reset_index()
    out["days_met"] = out["days_met"].astype(int)
    return out[cols]


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


def trend_slope(frame: pd.DataFrame, value: str, by: str = "athlete") -> pd.Series:
    """Least-squares slope of ``value`` per day, per ``by`` group (units of value per day)."""
    x = (frame["day"] - frame["day"].min()).dt.days.astype("float64")
    f = frame.assign(_x=x, _y=frame[value].astype("float64")).dropna(subset=["_y"])
    g = f.groupby(by)
    mx, my = g["_x"].transform("mean"), g["_y"].transform("mean")
    cov = ((f["_x"] - mx) * (f["_y"] - my)).groupby(f[by]).sum()
    var = ((f["_x"] - mx) ** 2).groupby(f[by]).sum()
    return (cov / var.where(var > 0)).rename(f"{value}_per_day")


def personal_bests(df: pd.DataFrame) -> pd.DataFrame:
    """Per athlete, exercise and side: the longest hold and the day it happened."""
    if df.empty:
        return pd.DataFrame(columns=["athlete", "exercise", "side", "best_s", "day"])
    d = with_day(df)
    idx = d.groupby(["athlete", "exercise", "side"])["actual_s"].idxmax()
    best = d.loc[idx, ["athlete", "exercise", "side", "actual_s", "day"]]
    return best.rename(columns={"actual_s": "best_s"}).reset_index(drop=True)


def suggest_progression(
    df: pd.DataFrame,
    sessions: int = 3,
    max_discomfort: int = 3,
    plank_step_s: float = 15.0,
    bound_step_s: float = 30.0,
) -> pd.DataFrame:
    """A progression suggestion per athlete and exercise, with its reason in words.

    Rules: side plank target +``plank_step_s`` after ``sessions`` sessions in a row where both
    sides were completed with discomfort <= ``max_discomfort``; Reclining Bound Angle Pose +
    ``bound_step_s`` (up to 300 s) under the same condition; otherwise keep the target, and say why.
    Columns: athlete, exercise, target_s, suggested_s, reason.
    """
    cols = ["athlete", "exercise", "target_s", "suggested_s", "reason"]
    d = df[df["exercise"].isin(["side_plank", "bound_angle"])]
    if d.empty:
        return pd.DataFrame(columns=cols)
    per = d.groupby(["athlete", "exercise", "session_id"]).agg(
        start=("started_at", "min"), done=("completed", "all"), target_s=("target_s", "max")
    )
    pain = (
        df.dropna(subset=["discomfort"]).groupby("session_id")["discomfort"].max().astype("float64")
    )
    per = per.join(pain.rename("discomfort"), on="session_id").reset_index()
    per = per.sort_values("start")
    last = per.groupby(["athlete", "exercise"]).tail(sessions)
    g = last.groupby(["athlete", "exercise"])
    summary = g.agg(
        n=("done", "size"),
        all_done=("done", "all"),
        worst=("discomfort", "max"),
        target_s=("target_s", "last"),
    ).reset_index()
    ok_pain = summary["worst"].fillna(0) <= max_discomfort
    ready = (summary["n"] >= sessions) & summary["all_done"] & ok_pain
    step = np.where(summary["exercise"] == "side_plank", plank_step_s, bound_step_s)
    cap = np.where(summary["exercise"] == "bound_angle", BAND_HIGH_S, np.inf)
    at_cap = summary["target_s"] >= cap
    summary["suggested_s"] = np.where(
        ready & ~at_cap, np.minimum(summary["target_s"] + step, cap), summary["target_s"]
    )
    label = summary["exercise"].map({"side_plank": "side plank", "bound_angle": "bound angle"})
    grow = (
        f"last {sessions} sessions completed with discomfort <= {max_discomfort}, so add "
        + pd.Series(step, index=summary.index).map("{:g}".format)
        + " s"
    )
    why = np.select(
        [ready & ~at_cap, ready & at_cap, summary["n"] < sessions, ~ok_pain],
        [
            grow,
            "already at the top of the 3-5 min band: keep it",
            f"fewer than {sessions} sessions logged yet: keep the target",
            f"discomfort above {max_discomfort} recently: keep the target and ease off",
        ],
        default=f"not every hold completed in the last {sessions} sessions: keep the target",
    )
    summary["reason"] = label + ": " + pd.Series(why, index=summary.index, dtype="str")
    return summary[cols]


def summary_text(df: pd.DataFrame, athlete: str) -> str:
    """A few plain sentences on one athlete's progress, e.g. ``"Current streak 9 days (best 12); right
    side plank 18 % weaker than left over the last 4 weeks; ..."``."""
    d = df[df["athlete"] == athlete]
    if d.empty:
        return f"No sessions logged for {athlete} yet."
    parts = []
    s = streaks(d).iloc[0]
    parts.append(f"current streak {s.current_streak} days (best {s.longest_streak})")
    recent = d[d["local_time"] >= d["local_time"].max().normalize() - pd.Timedelta(days=27)]
    prog = bound_angle_progress(recent)
    if len(prog):
        in_band = int((prog["band"] != "under").sum())
        parts.append(
            f"Reclining Bound Angle Pose target met on {in_band} of {len(prog)} days logged "
            f"in the last 4 weeks (median {prog['total_s'].median() / 60:.1f} min)"
        )
    planks = plank_progress(recent)
    if len(planks) and planks[["left_s", "right_s"]].notna().all(axis=None):
        left, right = planks["left_s"].mean(), planks["right_s"].mean()
        weaker, stronger = ("right", "left") if right < left else ("left", "right")
        gap = abs(left - right) / max(left, right) * 100
        parts.append(
            "side planks even on both sides"
            if gap < 5
            else f"{weaker} side plank {gap:.0f} % weaker than {stronger}"
        )
    trend = discomfort_trend(d)
    if len(trend) >= 2:
        slope = trend_slope(trend, "discomfort").iloc[0] * 14
        word = "rising" if slope > 0.5 else "falling" if slope < -0.5 else "steady"
        parts.append(f"discomfort {word} (latest 14-day mean {trend['rolling'].iloc[-1]:.1f}/10)")
    for row in suggest_progression(d).itertuples():
        parts.append(row.reason)
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _window(df: pd.DataFrame, as_of: pd.Timestamp, days: int) -> pd.DataFrame:
    """Rows whose local day is within the ``days`` days ending on ``as_of`` (inclusive)."""
    day = df["local_time"].dt.normalize()
    return df[(day > as_of - pd.Timedelta(days=days)) & (day <= as_of)]


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
