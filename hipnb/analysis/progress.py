"""Progress per exercise: Reclining Bound Angle Pose time against its band, side-plank bests per side,
personal bests and progression suggestions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hipnb.analysis.days import BAND_HIGH_S, BAND_LOW_S, Day, daily_summary, window, with_day
from hipnb.seconds import seconds_text


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


def asymmetry(left: pd.Series, right: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The one definition of side-plank asymmetry, from each side's seconds: ``|L - R| / max(L,
    R)`` (0 = even, 0.25 = the weaker side holds a quarter less; NaN unless both sides were held)
    and the weaker side (``left``, ``right`` or ``even``)."""
    left, right = left.astype("float64"), right.astype("float64")
    stronger = pd.concat([left, right], axis=1).max(axis=1, skipna=False)
    share = (left - right).abs() / stronger.where(stronger > 0)
    weaker = np.select([left < right, right < left], ["left", "right"], default="even")
    return share, pd.Series(weaker, index=left.index, dtype="str")


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
    wide["asymmetry"], wide["weaker"] = asymmetry(wide["left_s"], wide["right_s"])
    return wide


def plank_asymmetry(df: pd.DataFrame, days: int = 14, *, as_of: Day) -> pd.DataFrame:
    """Side-plank asymmetry per athlete: the one definition the summary, roster and workshop use.

    L and R are each side's median hold (seconds) over the ``days`` days ending on ``as_of``
    (inclusive); asymmetry is ``|L - R| / max(L, R)`` (0 = even,
    0.25 = the weaker side holds a quarter less). Columns: athlete, left_s, right_s, asymmetry
    (NaN unless both sides were held), weaker (``left``, ``right`` or ``even``).

    Example::

        plank_asymmetry(df, as_of="2026-11-22").set_index("athlete").loc["dev", "asymmetry"]   # 0.3
    """
    cols = ["athlete", "left_s", "right_s", "asymmetry", "weaker"]
    athletes = pd.Index(sorted(df["athlete"].unique()), name="athlete")
    recent = window(df, days, as_of)
    planks = recent[(recent["exercise"] == "side_plank") & recent["side"].isin(["left", "right"])]
    med = (
        planks.groupby(["athlete", "side"])["actual_s"].median().unstack("side")
        if len(planks)
        else pd.DataFrame()
    )
    out = med.reindex(index=athletes, columns=["left", "right"]).astype("float64")
    out.columns = ["left_s", "right_s"]
    out["asymmetry"], out["weaker"] = asymmetry(out["left_s"], out["right_s"])
    return out.reset_index()[cols]


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
    """A progression suggestion per athlete and exercise, from what the athlete holds, with its
    reason in words.

    The start is what the last ``sessions`` sessions show the athlete can hold: the shortest of
    their holds (the weaker side's, for the side plank), rounded down to 5 s, or the target when
    that is more. When each of those sessions was completed with discomfort <= ``max_discomfort``,
    the suggestion is that start plus ``plank_step_s`` (side plank) or ``bound_step_s`` (Reclining
    Bound Angle Pose, up to the top of its band); otherwise the target stays, and the reason says
    why. A hold without a score is unknown, never 0: sessions with no score at all keep the target.
    Columns: athlete, exercise, target_s, held_s (the shortest recent hold), suggested_s, reason.

        >>> from hipnb.log import to_frame
        >>> rows = [{"session_id": f"s{i}", "athlete": "ana", "routine": "manual",
        ...     "started_at": f"2026-11-0{i}T07:00:00+00:00", "exercise": "bound_angle",
        ...     "side": "both", "target_s": 180, "actual_s": held, "completed": True,
        ...     "discomfort": 1} for i, held in ((1, 262), (2, 276), (3, 300))]
        >>> s = suggest_progression(to_frame(rows)).iloc[0]
        >>> float(s["suggested_s"]), s["reason"]
        (290.0, 'bound angle: held 4 min 22 s or more in each of the last 3 sessions (target 3 min), discomfort at most 3: next 4 min 50 s')
    """
    cols = ["athlete", "exercise", "target_s", "held_s", "suggested_s", "reason"]
    d = df[df["exercise"].isin(["side_plank", "bound_angle"])]
    if d.empty:
        return pd.DataFrame(columns=cols)
    per = d.groupby(["athlete", "exercise", "session_id"]).agg(
        start=("started_at", "min"),
        done=("completed", "all"),
        target_s=("target_s", "max"),
        held_s=("actual_s", "min"),
    )
    with_score = df.dropna(subset=["discomfort"])
    pain = with_score.groupby(["athlete", "session_id"])["discomfort"].max().astype("float64")
    per = per.join(pain.rename("discomfort"), on=["athlete", "session_id"]).reset_index()
    per = per.sort_values("start")
    last = per.groupby(["athlete", "exercise"]).tail(sessions)
    g = last.groupby(["athlete", "exercise"])
    summary = g.agg(
        n=("done", "size"),
        all_done=("done", "all"),
        worst=("discomfort", "max"),
        target_s=("target_s", "last"),
        held_s=("held_s", "min"),
    ).reset_index()
    scored = summary["worst"].notna()  # no score is unknown, never 0: it cannot clear a step up
    ok_pain = summary["worst"] <= max_discomfort
    ready = (summary["n"] >= sessions) & summary["all_done"] & ok_pain
    step = np.where(summary["exercise"] == "side_plank", plank_step_s, bound_step_s)
    cap = np.where(summary["exercise"] == "bound_angle", BAND_HIGH_S, np.inf)
    base = np.maximum(summary["target_s"], np.floor(summary["held_s"] / 5) * 5)
    at_cap = base >= cap
    summary["suggested_s"] = np.where(
        ready & ~at_cap, np.minimum(base + step, cap), summary["target_s"]
    )
    label = summary["exercise"].map({"side_plank": "side plank", "bound_angle": "bound angle"})
    grow = [
        f"held {seconds_text(h)} or more in each of the last {sessions} sessions "
        f"(target {seconds_text(t)}), discomfort at most {max_discomfort}: next {seconds_text(n)}"
        for h, t, n in zip(
            summary["held_s"], summary["target_s"], summary["suggested_s"], strict=True
        )
    ]
    why = np.select(
        [ready & ~at_cap, ready & at_cap, summary["n"] < sessions, ~scored, ~ok_pain],
        [
            np.array(grow, dtype=object),
            f"already holding the top of the band ({seconds_text(BAND_HIGH_S)}): keep it",
            f"fewer than {sessions} sessions logged yet: keep the target",
            f"no discomfort score in the last {sessions} sessions: keep the target",
            f"discomfort above {max_discomfort} recently: keep the target and ease off",
        ],
        default=f"not every hold completed in the last {sessions} sessions: keep the target",
    )
    summary["reason"] = label + ": " + pd.Series(why, index=summary.index, dtype="str")
    return summary[cols]
