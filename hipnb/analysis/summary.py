"""One athlete's progress in a few plain sentences."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hipnb.analysis.adherence import days_met, streaks, target_met_days
from hipnb.analysis.days import Day, as_day, trend_slope, up_to
from hipnb.analysis.discomfort import discomfort_trend
from hipnb.analysis.flags import Flag, Kind, Level, target_met_words
from hipnb.analysis.progress import plank_asymmetry, suggest_progression
from hipnb.analysis.standing import standing_flags
from hipnb.analysis.thresholds import Thresholds
from hipnb.seconds import plural, seconds_text


def summary_text(
    df: pd.DataFrame,
    athlete: str,
    days: int = 28,
    *,
    as_of: Day,
    runs: pd.DataFrame | None = None,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
    raised: Sequence[Flag] | None = None,
) -> str:
    """A few plain sentences on one athlete's progress over the rows given, e.g. ``"Current
    streak 9 days (best 12); Reclining Bound Angle Pose target met on 20 of 25 days logged between
    26 Oct and 22 Nov (median 3.4 min); right side plank 18 % weaker than left ..."``.

    The period is the last ``days`` days of ``df`` (or less, when ``df`` covers less), and the text
    names its real dates. Every flag standing on the day ``as_of`` (rows after it are left out;
    :func:`~hipnb.analysis.standing.standing_flags`, or ``raised`` when already known) is said in
    its own words: the RED ones first, the AMBER ones after the streak and the target; ``runs``
    adds the running-load flag. The streak and the days the target was met are judged on
    ``thresholds.target_s``, as the flags are. The current streak counts back from ``as_of``.
    """
    day = as_day(as_of)
    d = up_to(df[df["athlete"] == athlete], day)
    if d.empty:
        return f"No sessions logged for {athlete} yet."
    parts: list[str] = []
    if raised is None:
        mine = runs[runs["athlete"] == athlete] if runs is not None and len(runs) else None
        raised = standing_flags(d, mine, as_of=day, thresholds=thresholds)
    kinds = {f.kind for f in raised}
    parts += [f.words for f in raised if f.level is Level.RED]
    target_s = thresholds.target_s
    s = streaks(d, target_s, as_of=day).iloc[0]
    parts.append(f"current streak {plural(s.current_streak, 'day')} (best {s.longest_streak})")
    last = d["local_time"].max().normalize()
    first = max(d["local_time"].min().normalize(), last - pd.Timedelta(days=days - 1))
    recent = d[d["local_time"] >= first]
    span = f"between {first:%d %b} and {last:%d %b}" if first < last else f"on {last:%d %b}"
    met = target_met_days(recent, target_s)
    if len(met) and Kind.LOW_ADHERENCE not in kinds:  # else the flag says it, in the same words
        # the last 28 days, or every day since the first log when there are fewer
        since = (as_day(day) - d["local_time"].min().normalize()).days + 1
        window = int(min(days, max(since, 1)))
        n = int(days_met(d, window, as_of=day, target_s=target_s).iloc[0])
        daily = seconds_text(met["total_s"].median())
        parts.append(f"{target_met_words(n, window)}; median {daily} on each day logged {span}")
    parts += [f.words for f in raised if f.level is Level.AMBER]
    asym = plank_asymmetry(d, days=14, as_of=day).iloc[0]
    if pd.notna(asym["asymmetry"]) and Kind.ASYMMETRY not in kinds:
        strong = "left" if asym["weaker"] == "right" else "right"
        parts.append(
            "side planks even on both sides (last 14 days)"
            if asym["asymmetry"] < 0.05
            else f"{asym['weaker']} side plank {asym['asymmetry']:.0%} weaker than {strong} "
            f"(median {seconds_text(asym['left_s'])} left, {seconds_text(asym['right_s'])} right, "
            "last 14 days)"
        )
    trend = discomfort_trend(recent)
    if len(trend) >= 2 and Kind.DISCOMFORT_RISING not in kinds:
        slope = trend_slope(trend, "discomfort").iloc[0] * 14
        word = "rising" if slope > 0.5 else "falling" if slope < -0.5 else "steady"
        parts.append(
            f"discomfort {word} {span} (latest 14-day mean {trend['rolling'].iloc[-1]:.1f}/10)"
        )
    for row in suggest_progression(d).itertuples():
        parts.append(str(row.reason))
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
