"""One athlete's progress in a few plain sentences."""

from __future__ import annotations

import pandas as pd

from hipnb.analysis.adherence import streaks
from hipnb.analysis.days import trend_slope
from hipnb.analysis.discomfort import discomfort_trend
from hipnb.analysis.progress import bound_angle_progress, plank_progress, suggest_progression


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
