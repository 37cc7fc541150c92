"""The one flag engine: flags as records, raised once from holds and runs, rendered by every view.

:func:`flags` reads the per-athlete figures (:func:`~hipnb.analysis.figures.athlete_figures`) on a
day and one :class:`Thresholds` value, and returns :class:`Flag` records: athlete, kind, level, the
athlete's figure and the threshold it crossed. A view never builds or splits a flag's text: it asks
the record for :attr:`Flag.short` (a few words for a table cell) or :attr:`Flag.words` (a sentence),
which are made from the record's figures when asked, so a changed threshold changes the prose.

Flags are coaching guidance, never a diagnosis: a RED flag says to ease off and have it checked by
a qualified professional; AMBER needs attention.

Example::

    from hipnb.analysis import Thresholds, flags
    for f in flags(holds, runs, as_of="2026-11-22", thresholds=Thresholds(min_adherence=0.5)):
        print(f.athlete, f.level, f.words)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, cast

import numpy as np
import pandas as pd

from hipnb.analysis.days import Day, as_day
from hipnb.analysis.figures import athlete_figures
from hipnb.analysis.thresholds import Thresholds
from hipnb.seconds import seconds_text

__all__ = [
    "CHECKED",
    "Flag",
    "Kind",
    "Level",
    "Thresholds",
    "flags",
    "flags_from_figures",
    "level_of",
    "ordered",
    "running_load_context",
    "running_load_facts",
    "running_load_raised",
]

CHECKED = "ease off and have it checked by a qualified professional"


class Level(StrEnum):
    """How much a flag asks: RED (ease off, have it checked) comes before AMBER (attention)."""

    RED = "red"
    AMBER = "amber"


class Kind(StrEnum):
    """What a flag is about, in the order a coach reads them (the RED ones first)."""

    DISCOMFORT_HIGH = "discomfort_high"
    DISCOMFORT_MEAN = "discomfort_mean"
    INACTIVE = "inactive"
    LOW_ADHERENCE = "low_adherence"
    ASYMMETRY = "asymmetry"
    DISCOMFORT_RISING = "discomfort_rising"
    HOLDS_FALLING = "holds_falling"
    RUNNING_LOAD = "running_load"

    @property
    def level(self) -> Level:
        """The level a flag of this kind has."""
        red = (Kind.DISCOMFORT_HIGH, Kind.DISCOMFORT_MEAN)
        return Level.RED if self in red else Level.AMBER


_KIND_ORDER = {k: i for i, k in enumerate(Kind)}


def _pct(share: float) -> str:
    return f"{share:.0%}"


def target_met_words(met: int, days: int = 28, more: str = "") -> str:
    """The one wording of how often the daily target was met (every view says it so).

    >>> target_met_words(20), target_met_words(6, more="flag under 40%")
    ('daily Reclining Bound Angle Pose target met on 20 of the last 28 days (71%)', 'daily Reclining Bound Angle Pose target met on 6 of the last 28 days (21%; flag under 40%)')
    """
    share = _pct(met / days) + (f"; {more}" if more else "")
    return f"daily Reclining Bound Angle Pose target met on {met} of the last {days} days ({share})"


@dataclass(frozen=True)
class Flag:
    """One raised flag: whose, what kind, its level, the athlete's figure and the threshold.

    ``figure`` is in the kind's unit (a 0-10 score, days, a 0-1 share, seconds or points per period,
    a load ratio or weekly change); None only for "no log yet". ``context`` holds the other figures
    the words name (the weaker side and both medians, the running distances...). ``as_of`` is the
    day the flag was raised on. ``quiet``: that day is the athlete's last with the flag's data,
    before the review day; the flag stands on it until newer data clears it or the coach
    acknowledges it (:mod:`hipnb.analysis.standing`), and its words say since when.
    """

    athlete: str
    kind: Kind
    level: Level
    figure: float | None
    threshold: float
    as_of: date
    context: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    quiet: bool = False

    @property
    def short(self) -> str:
        """A few words for a table cell, with the figure and the threshold: ``discomfort 9/10 (≥ 7)``."""
        text = _SHORT[self.kind](self)
        return f"{text}, {_QUIET[self.kind]} since {self.as_of:%d %b}" if self.quiet else text

    @property
    def words(self) -> str:
        """A sentence with the figure, the threshold and what to do."""
        text = _WORDS[self.kind](self)
        if not self.quiet:
            return text
        return (
            f"{text} ({_QUIET[self.kind]} since {self.as_of:%a %d %b %Y}: the flag stands until "
            "newer data clears it or the coach acknowledges it)"
        )


def _short_discomfort_high(f: Flag) -> str:
    return f"discomfort {f.figure:.0f}/10 (≥ {f.threshold:g})"


def _words_discomfort_high(f: Flag) -> str:
    return (
        f"hip discomfort {f.figure:.0f}/10 on a hold in the last 7 days "
        f"(flag at {f.threshold:g} or more): {CHECKED}"
    )


def _short_discomfort_mean(f: Flag) -> str:
    return f"14-day mean {f.figure:.1f}/10 (≥ {f.threshold:g})"


def _words_discomfort_mean(f: Flag) -> str:
    return (
        f"mean hip discomfort {f.figure:.1f}/10 over the last 14 days "
        f"(flag at {f.threshold:g} or more): {CHECKED}"
    )


def _short_inactive(f: Flag) -> str:
    return "no log yet" if f.figure is None else f"no log {f.figure:.0f} d (≥ {f.threshold:g})"


def _words_inactive(f: Flag) -> str:
    if f.figure is None:
        return f"no log on or before {f.as_of:%a %d %b %Y}"
    last = f.as_of - timedelta(days=int(f.figure))
    return (
        f"no log for {f.figure:.0f} days, since {last:%a %d %b} "
        f"(flag at {f.threshold:g} days or more)"
    )


def _short_low_adherence(f: Flag) -> str:
    assert f.figure is not None
    return f"target met {_pct(f.figure)} of 28 d (< {_pct(f.threshold)})"


def _words_low_adherence(f: Flag) -> str:
    assert f.figure is not None
    return target_met_words(round(f.figure * 28), more=f"flag under {_pct(f.threshold)}")


def _short_asymmetry(f: Flag) -> str:
    assert f.figure is not None
    return f"plank {f.context['weaker']} {_pct(f.figure)} weaker (> {_pct(f.threshold)})"


def _words_asymmetry(f: Flag) -> str:
    assert f.figure is not None
    weaker = f.context["weaker"]
    strong = "left" if weaker == "right" else "right"
    return (
        f"{weaker} side plank {_pct(f.figure)} weaker than {strong} (median "
        f"{seconds_text(f.context['left_s'])} left, {seconds_text(f.context['right_s'])} right over "
        "the last "
        f"14 days; flag above {_pct(f.threshold)})"
    )


def _short_discomfort_rising(f: Flag) -> str:
    return f"discomfort {f.figure:+.1f}/2 wk (≥ +{f.threshold:g})"


def _words_discomfort_rising(f: Flag) -> str:
    return (
        f"discomfort rising (+{f.figure:.1f} points per two weeks over the last 28 days; "
        f"flag at +{f.threshold:g}): keep the target and ease off"
    )


def _short_holds_falling(f: Flag) -> str:
    return f"bound angle {f.figure:+.0f} s/wk (≤ -{f.threshold:g})"


def _words_holds_falling(f: Flag) -> str:
    return (
        f"bound-angle holds falling ({f.figure:+.0f} s a week over the last 28 days; "
        f"flag at -{f.threshold:g} s a week)"
    )


def _short_running_load(f: Flag) -> str:
    c = f.context
    if f.threshold == c["ratio_high"]:
        rise = f"running {f.figure:.2f}x load (> {f.threshold:g})"
    else:
        rise = f"running {f.figure:+.0%} a week (> {f.threshold:+.0%})"
    return f"{rise}, routine {_pct(c['adherence'])} (< {_pct(c['adherence_low'])})"


def running_load_facts(c: Mapping[str, Any]) -> str:
    """The running-load figures in words (``c`` is a running-load flag's ``context``): distance in
    7 days, the load ratio (or why there is none yet), the weekly change and the hip routine."""
    parts = [f"{c['km_7d']:.1f} km in the last 7 days"]
    if pd.isna(c["ratio"]):
        parts.append(f"load ratio undefined until 28 days of runs ({c['run_days']:.0f} so far)")
    else:
        parts.append(f"{c['ratio']:.2f}x the 28-day weekly average of {c['weekly_avg']:.1f} km")
    if pd.notna(c["change"]):
        parts.append(f"{c['change']:+.0%} on the 7 days before ({c['km_prev_7d']:.1f} km)")
    care = (
        target_met_words(round(c["adherence"] * 28))
        if c["holds_logged"]
        else "no hip routine logged"
    )
    return "; ".join([*parts, care])


def _words_running_load(f: Flag) -> str:
    c = f.context
    return (
        f"load rising sharply while the hip routine lapses: {running_load_facts(c)} "
        f"(flag: ratio over {c['ratio_high']:g} or over {c['change_high']:+.0%} a week, with the "
        f"routine under {_pct(c['adherence_low'])})"
    )


#: What a quiet athlete has not logged since a flag's day, per kind judged on data.
_QUIET = {
    Kind.DISCOMFORT_HIGH: "no discomfort score",
    Kind.DISCOMFORT_MEAN: "no discomfort score",
    Kind.INACTIVE: "no log",
    Kind.LOW_ADHERENCE: "no bound-angle hold",
    Kind.ASYMMETRY: "no side plank",
    Kind.DISCOMFORT_RISING: "no discomfort score",
    Kind.HOLDS_FALLING: "no bound-angle hold",
    Kind.RUNNING_LOAD: "no run",
}
_SHORT = {
    Kind.DISCOMFORT_HIGH: _short_discomfort_high,
    Kind.DISCOMFORT_MEAN: _short_discomfort_mean,
    Kind.INACTIVE: _short_inactive,
    Kind.LOW_ADHERENCE: _short_low_adherence,
    Kind.ASYMMETRY: _short_asymmetry,
    Kind.DISCOMFORT_RISING: _short_discomfort_rising,
    Kind.HOLDS_FALLING: _short_holds_falling,
    Kind.RUNNING_LOAD: _short_running_load,
}
_WORDS = {
    Kind.DISCOMFORT_HIGH: _words_discomfort_high,
    Kind.DISCOMFORT_MEAN: _words_discomfort_mean,
    Kind.INACTIVE: _words_inactive,
    Kind.LOW_ADHERENCE: _words_low_adherence,
    Kind.ASYMMETRY: _words_asymmetry,
    Kind.DISCOMFORT_RISING: _words_discomfort_rising,
    Kind.HOLDS_FALLING: _words_holds_falling,
    Kind.RUNNING_LOAD: _words_running_load,
}


def running_load_raised(fig: pd.DataFrame, t: Thresholds) -> pd.Series:
    """The running-load rule, per athlete of :func:`athlete_figures`: load ratio over
    ``load_ratio_high`` or weekly change over ``load_change_high``, while the hip routine's target
    was met on under ``load_adherence_low`` of 28 days (no hold logged counts as 0)."""
    rising = (fig["load_ratio"] > t.load_ratio_high) | (fig["load_change"] > t.load_change_high)
    raised: pd.Series = rising.fillna(False) & (fig["adherence_28d"] < t.load_adherence_low)
    return raised


def _raised(
    fig: pd.DataFrame, t: Thresholds
) -> dict[Kind, tuple[pd.Series, pd.Series, float | pd.Series]]:
    """Per kind: which athletes have it, their figure, and the threshold (one rule a kind)."""
    never = fig["days_since"].isna()
    by_ratio = fig["load_ratio"] > t.load_ratio_high  # the ratio is the figure when it is over
    return {
        Kind.DISCOMFORT_HIGH: (
            fig["discomfort_max_7d"] >= t.discomfort_high,
            fig["discomfort_max_7d"],
            t.discomfort_high,
        ),
        Kind.DISCOMFORT_MEAN: (
            fig["discomfort_14d"] >= t.discomfort_mean_high,
            fig["discomfort_14d"],
            t.discomfort_mean_high,
        ),
        Kind.INACTIVE: (
            never | (fig["days_since"] >= t.inactive_days),
            fig["days_since"],
            t.inactive_days,
        ),
        Kind.LOW_ADHERENCE: (
            (fig["history_days"] >= 28) & (fig["adherence_28d"] < t.min_adherence),
            fig["adherence_28d"],
            t.min_adherence,
        ),
        Kind.ASYMMETRY: (fig["asymmetry"] > t.max_asymmetry, fig["asymmetry"], t.max_asymmetry),
        Kind.DISCOMFORT_RISING: (
            fig["discomfort_trend"] >= t.discomfort_rise,
            fig["discomfort_trend"],
            t.discomfort_rise,
        ),
        Kind.HOLDS_FALLING: (
            fig["bound_trend"] <= -t.hold_drop_s,
            fig["bound_trend"],
            t.hold_drop_s,
        ),
        Kind.RUNNING_LOAD: (
            running_load_raised(fig, t),
            fig["load_ratio"].where(by_ratio, fig["load_change"]),
            pd.Series(np.where(by_ratio, t.load_ratio_high, t.load_change_high), index=fig.index),
        ),
    }


def running_load_context(r: pd.Series, t: Thresholds) -> dict[str, Any]:
    """The figures a running-load flag's words name, from one athlete's row of figures."""
    return {
        "ratio": r["load_ratio"],
        "change": r["load_change"],
        "km_7d": r["km_7d"],
        "km_prev_7d": r["km_prev_7d"],
        "weekly_avg": r["weekly_avg_28d"],
        "run_days": r["run_days"],
        "adherence": r["adherence_28d"],
        "holds_logged": bool(r["holds_logged"]),
        "ratio_high": t.load_ratio_high,
        "change_high": t.load_change_high,
        "adherence_low": t.load_adherence_low,
    }


def _context(kind: Kind, fig: pd.DataFrame, athlete: str, t: Thresholds) -> dict[str, Any]:
    if kind is Kind.ASYMMETRY:
        cols = ("weaker", "plank_left_s", "plank_right_s")
        weaker, left, right = (fig.at[athlete, c] for c in cols)
        return {"weaker": weaker, "left_s": left, "right_s": right}
    if kind is Kind.RUNNING_LOAD:
        row = cast(pd.Series, fig.loc[athlete])  # one athlete: a row
        return running_load_context(row, t)
    return {}


def flags_from_figures(fig: pd.DataFrame, *, as_of: Day, thresholds: Thresholds) -> list[Flag]:
    """The flags raised by figures from :func:`~hipnb.analysis.figures.athlete_figures` (computed
    on ``as_of``): athletes by name, each athlete's RED flags first, then in :class:`Kind` order."""
    day = as_day(as_of).date()
    out: list[Flag] = []
    for kind, (mask, figure, threshold) in _raised(fig, thresholds).items():
        hit = mask.fillna(False).to_numpy(dtype=bool)
        for athlete in fig.index[hit]:
            value = figure[athlete]
            thr = threshold[athlete] if isinstance(threshold, pd.Series) else threshold
            out.append(
                Flag(
                    athlete=str(athlete),
                    kind=kind,
                    level=kind.level,
                    figure=None if pd.isna(value) else float(value),
                    threshold=float(thr),
                    as_of=day,
                    context=_context(kind, fig, athlete, thresholds),
                )
            )
    return ordered(out)


def ordered(raised: list[Flag]) -> list[Flag]:
    """``raised`` in the order every view shows flags: athletes by name, each athlete's RED flags
    first, then in :class:`Kind` order."""
    return sorted(raised, key=lambda f: (f.athlete, f.level is not Level.RED, _KIND_ORDER[f.kind]))


def flags(
    holds: pd.DataFrame,
    runs: pd.DataFrame | None = None,
    *,
    as_of: Day,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
) -> list[Flag]:
    """Every flag raised on the day ``as_of`` (rows after it are ignored), from the holds of
    :func:`hipnb.read_logs` and the runs of :func:`hipnb.runs.read_runs` (optional).

    The kinds and their rules (each threshold a field of :class:`Thresholds`):

    * discomfort high (RED): a hold in the last 7 days scored ``discomfort_high`` or more;
    * discomfort mean (RED): a 14-day mean score of ``discomfort_mean_high`` or more;
    * inactive: no log for ``inactive_days`` days or more (or none yet);
    * low adherence: the daily target met on under ``min_adherence`` of the last 28 days (judged
      once the athlete's first hold is 28 days back: 4 days cannot judge 28);
    * asymmetry: side-plank asymmetry above ``max_asymmetry``;
    * discomfort rising: ``discomfort_rise`` points or more per two weeks;
    * holds falling: bound-angle holds falling ``hold_drop_s`` seconds or more a week;
    * running load: load ratio over ``load_ratio_high`` or a weekly rise over
      ``load_change_high``, while the routine's target was met on under ``load_adherence_low``.
    """
    fig = athlete_figures(holds, runs, as_of=as_of, target_s=thresholds.target_s)
    return flags_from_figures(fig, as_of=as_of, thresholds=thresholds)


def level_of(athlete_flags: list[Flag] | tuple[Flag, ...]) -> Level | None:
    """The highest level among one athlete's flags (None when there are none)."""
    if not athlete_flags:
        return None
    return Level.RED if any(f.level is Level.RED for f in athlete_flags) else Level.AMBER
