"""The squad roster: one row per athlete with flags and their reasons in words.

Flags are coaching guidance, never a diagnosis. Each flag's words give the athlete's number and the
threshold it crossed; every threshold is a named parameter of :func:`roster` and :func:`flag_table`
with the default documented there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hipnb.analysis.adherence import adherence_rate
from hipnb.analysis.days import BAND_LOW_S, review_day, trend_slope, window, with_day
from hipnb.analysis.discomfort import discomfort_levels, discomfort_trend
from hipnb.analysis.progress import bound_angle_progress, plank_asymmetry, suggest_progression

#: Flag levels: a red flag comes first and says to have it checked; amber needs attention.
RED, AMBER = "red", "amber"

#: Every threshold with its default (the keyword arguments of roster() and flag_table()).
THRESHOLDS = {
    "inactive_days": 7,
    "min_adherence": 0.40,
    "max_asymmetry": 0.15,
    "discomfort_high": 7,
    "discomfort_mean_high": 5.0,
    "discomfort_rise": 0.75,
    "hold_drop_s": 20.0,
}

CHECKED = "ease off and have it checked by a qualified professional"

ROSTER_COLUMNS = [
    "level", "flags", "last_day", "days_since", "adherence_7d", "adherence_28d",
    "bound_median_7d", "bound_trend", "plank_left_s", "plank_right_s", "asymmetry", "weaker",
    "discomfort_max_7d", "discomfort_14d", "discomfort_trend", "suggestion", "flag_details",
]  # fmt: skip


def _metrics(df: pd.DataFrame, as_of: pd.Timestamp, target_s: float) -> pd.DataFrame:
    athletes = pd.Index(sorted(df["athlete"].unique()), name="athlete")
    d = with_day(df)
    d = d[d["day"] <= as_of]
    out = pd.DataFrame(index=athletes)
    out["last_day"] = d.groupby("athlete")["day"].max()
    out["days_since"] = (as_of - out["last_day"]).dt.days.astype("Int64")
    for days in (7, 28):
        out[f"adherence_{days}d"] = adherence_rate(d, days, as_of, target_s)
    out["days_met_28d"] = (out["adherence_28d"] * 28).round().astype(int)

    d28 = window(d, 28, as_of)
    prog28 = bound_angle_progress(d28)
    prog7 = prog28[prog28["day"] > as_of - pd.Timedelta(days=7)]
    out["bound_median_7d"] = prog7.groupby("athlete")["total_s"].median()
    out["bound_trend"] = trend_slope(prog28, "total_s") * 7 if len(prog28) else np.nan

    asym = plank_asymmetry(d, days=14, as_of=as_of).set_index("athlete")
    out["plank_left_s"], out["plank_right_s"] = asym["left_s"], asym["right_s"]
    out["asymmetry"], out["weaker"] = asym["asymmetry"], asym["weaker"]

    levels = discomfort_levels(d, as_of, recent_days=7, mean_days=14).set_index("athlete")
    out["discomfort_max_7d"] = levels["max_recent"]
    out["discomfort_14d"] = levels["mean_recent"]
    trend = discomfort_trend(d28)
    out["discomfort_trend"] = trend_slope(trend, "discomfort") * 14 if len(trend) else np.nan

    sug = suggest_progression(d)
    reasons = sug.groupby("athlete")["reason"].agg("; ".join) if len(sug) else pd.Series()
    out["suggestion"] = reasons.reindex(athletes).fillna("")
    return out


def _flags(m: pd.DataFrame, as_of: pd.Timestamp, t: dict) -> pd.DataFrame:
    """Long table of raised flags: athlete, rule, level, short (a few words), detail (a sentence)."""
    rows = []
    for athlete, r in m.iterrows():

        def add(rule, level, short, detail, athlete=athlete):
            rows.append((athlete, rule, level, short, detail))

        hi, mean = r["discomfort_max_7d"], r["discomfort_14d"]
        high = pd.notna(hi) and hi >= t["discomfort_high"]
        high_mean = pd.notna(mean) and mean >= t["discomfort_mean_high"]
        if high or high_mean:
            short, said = [], []
            if high:
                short.append(f"discomfort {hi:.0f}/10 (≥ {t['discomfort_high']:g})")
                said.append(
                    f"hip discomfort {hi:.0f}/10 on a hold in the last 7 days "
                    f"(flag at {t['discomfort_high']:g} or more)"
                )
            if high_mean:
                short.append(f"14-day mean {mean:.1f}/10 (≥ {t['discomfort_mean_high']:g})")
                said.append(
                    f"mean hip discomfort {mean:.1f}/10 over the last 14 days "
                    f"(flag at {t['discomfort_mean_high']:g} or more)"
                )
            add("discomfort_level", RED, "; ".join(short), " and ".join(said) + f": {CHECKED}")
        if pd.isna(r["days_since"]):
            add("inactive", AMBER, "no log yet", f"no log on or before {as_of:%d %b %Y}")
        elif r["days_since"] >= t["inactive_days"]:
            add(
                "inactive",
                AMBER,
                f"no log {r['days_since']} d (≥ {t['inactive_days']})",
                f"no log for {r['days_since']} days, since {r['last_day']:%a %d %b} "
                f"(flag at {t['inactive_days']} days or more)",
            )
        if r["adherence_28d"] < t["min_adherence"]:
            add(
                "low_adherence",
                AMBER,
                f"target met {r['adherence_28d']:.0%} of 28 d (< {t['min_adherence']:.0%})",
                f"daily Reclining Bound Angle Pose target met on {r['days_met_28d']} of the last "
                f"28 days ({r['adherence_28d']:.0%}; flag under {t['min_adherence']:.0%})",
            )
        if r["asymmetry"] > t["max_asymmetry"]:
            strong = "left" if r["weaker"] == "right" else "right"
            add(
                "asymmetry",
                AMBER,
                f"plank {r['weaker']} {r['asymmetry']:.0%} weaker (> {t['max_asymmetry']:.0%})",
                f"{r['weaker']} side plank {r['asymmetry']:.0%} weaker than {strong} (median "
                f"{r['plank_left_s']:.0f} s left, {r['plank_right_s']:.0f} s right over the last "
                f"14 days; flag above {t['max_asymmetry']:.0%})",
            )
        if r["discomfort_trend"] >= t["discomfort_rise"]:
            add(
                "discomfort_rising",
                AMBER,
                f"discomfort {r['discomfort_trend']:+.1f}/2 wk (≥ +{t['discomfort_rise']:g})",
                f"discomfort rising (+{r['discomfort_trend']:.1f} points per two weeks over the "
                f"last 28 days; flag at +{t['discomfort_rise']:g}): keep the target and ease off",
            )
        if r["bound_trend"] <= -t["hold_drop_s"]:
            add(
                "holds_falling",
                AMBER,
                f"bound angle {r['bound_trend']:+.0f} s/wk (≤ -{t['hold_drop_s']:g})",
                f"bound-angle holds falling ({r['bound_trend']:+.0f} s a week over the last 28 "
                f"days; flag at -{t['hold_drop_s']:g} s a week)",
            )
    return pd.DataFrame(rows, columns=["athlete", "rule", "level", "short", "detail"])


def _thresholds(overrides: dict) -> dict:
    unknown = set(overrides) - set(THRESHOLDS)
    if unknown:
        raise TypeError(f"unknown threshold(s) {sorted(unknown)}; known: {sorted(THRESHOLDS)}")
    return {**THRESHOLDS, **overrides}


def flag_table(
    df: pd.DataFrame,
    as_of: pd.Timestamp | str | None = None,
    target_s: float = BAND_LOW_S,
    **thresholds,
) -> pd.DataFrame:
    """Every flag raised on ``as_of`` (default: the last day in the log), one row each.

    Columns: athlete, rule (``discomfort_level``, ``inactive``, ``low_adherence``, ``asymmetry``,
    ``discomfort_rising``, ``holds_falling``), level (``red`` or ``amber``), short (a few words for a
    table) and detail (a sentence with the number and the threshold). ``thresholds`` are those of
    :func:`roster`.
    """
    t = _thresholds(thresholds)
    day = review_day(df, as_of)
    if day is None:
        return _flags(pd.DataFrame(columns=["days_since"]), pd.Timestamp(0), t)
    return _flags(_metrics(df, day, target_s), day, t)


def roster(
    df: pd.DataFrame,
    as_of: pd.Timestamp | str | None = None,
    target_s: float = BAND_LOW_S,
    inactive_days: int = THRESHOLDS["inactive_days"],
    min_adherence: float = THRESHOLDS["min_adherence"],
    max_asymmetry: float = THRESHOLDS["max_asymmetry"],
    discomfort_high: float = THRESHOLDS["discomfort_high"],
    discomfort_mean_high: float = THRESHOLDS["discomfort_mean_high"],
    discomfort_rise: float = THRESHOLDS["discomfort_rise"],
    hold_drop_s: float = THRESHOLDS["hold_drop_s"],
) -> pd.DataFrame:
    """One row per athlete (sorted by name) for a coach's weekly review, with flags in words.

    ``as_of`` defaults to the last day in the log; rows after it are ignored. Columns:

    * level: ``red`` (discomfort high: have it checked), ``amber`` (needs attention) or ``''``;
    * flags: the short reasons, ``"; "`` between them ('' when nothing needs attention);
      flag_details: the same as sentences with the number and the threshold, one a line, the red
      one first;
    * last_day, days_since: last session and days since it;
    * adherence_7d, adherence_28d: share of the last 7/28 days the bound-angle target was met (0-1,
      :func:`~hipnb.analysis.adherence_rate`);
    * bound_median_7d: median daily bound-angle seconds over the last 7 days; bound_trend: change
      of daily bound-angle seconds over the last 28 days (s per week);
    * plank_left_s, plank_right_s, asymmetry, weaker: side-plank medians per side over 14 days and
      their asymmetry (:func:`~hipnb.analysis.plank_asymmetry`);
    * discomfort_max_7d: highest score on a hold in 7 days; discomfort_14d: mean score over 14
      days; discomfort_trend: change per two weeks over 28 days (unscored holds left out);
    * suggestion: the progression suggestions in words.

    Flags and their default thresholds (coaching guidance, not diagnosis):

    * discomfort level (red): any hold in the last 7 days scored ``discomfort_high`` (7) or more,
      or a 14-day mean of ``discomfort_mean_high`` (5) or more;
    * inactive: no log for ``inactive_days`` (7) days or more;
    * low adherence: target met on fewer than ``min_adherence`` (40 %) of the last 28 days;
    * asymmetry: side-plank asymmetry above ``max_asymmetry`` (15 %);
    * discomfort rising: ``discomfort_rise`` (0.75) points or more per two weeks;
    * holds falling: bound-angle holds falling ``hold_drop_s`` (20 s) or more a week.
    """
    t = dict(
        inactive_days=inactive_days,
        min_adherence=min_adherence,
        max_asymmetry=max_asymmetry,
        discomfort_high=discomfort_high,
        discomfort_mean_high=discomfort_mean_high,
        discomfort_rise=discomfort_rise,
        hold_drop_s=hold_drop_s,
    )
    day = review_day(df, as_of)
    if day is None:
        return pd.DataFrame(columns=["athlete", *ROSTER_COLUMNS])
    m = _metrics(df, day, target_s)
    flags = _flags(m, day, t)
    rank = flags["level"].map({RED: 0, AMBER: 1})
    flags = flags.assign(_rank=rank).sort_values(["athlete", "_rank"], kind="stable")
    g = flags.groupby("athlete")
    m["level"] = g["_rank"].min().map({0: RED, 1: AMBER}).reindex(m.index).fillna("")
    m["flags"] = g["short"].agg("; ".join).reindex(m.index).fillna("")
    m["flag_details"] = g["detail"].agg("\n".join).reindex(m.index).fillna("")
    return m.reset_index()[["athlete", *ROSTER_COLUMNS]]
