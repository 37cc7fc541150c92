"""Flags that silence cannot clear: each kind judged on the last day its data speaks.

A flag about data (a discomfort score, side planks, bound-angle holds, runs) is judged on the
athlete's last day with that data on or before the review day: when an athlete stops logging, the
windows empty, but the last thing the data said still stands, with "no ... since" in its words. It
clears when newer data shows it cleared, or when the coach acknowledges that flag for that athlete
(the acknowledgement covers the data up to its day; newer data raising it again shows it again).
Flags about silence itself (no log for days, the daily target missed) are judged on the review day.

Example::

    standing_flags(holds, runs, as_of="2026-12-05", acknowledged={("emma", Kind.INACTIVE): day})
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import cast

import pandas as pd

from hipnb.analysis.days import Day, as_day, day_of, up_to
from hipnb.analysis.figures import athlete_figures
from hipnb.analysis.flags import Flag, Kind, flags_from_figures, ordered
from hipnb.analysis.thresholds import Thresholds

#: The data each kind is judged on: its last day is the kind's evidence day.
EVIDENCE = {
    Kind.DISCOMFORT_HIGH: "scored",
    Kind.DISCOMFORT_MEAN: "scored",
    Kind.INACTIVE: "hold",
    Kind.LOW_ADHERENCE: "bound",
    Kind.ASYMMETRY: "plank",
    Kind.DISCOMFORT_RISING: "scored",
    Kind.HOLDS_FALLING: "bound",
    Kind.RUNNING_LOAD: "run",
}
#: Kinds that silence raises: judged on the review day itself, never carried.
SILENCE_KINDS = frozenset({Kind.INACTIVE, Kind.LOW_ADHERENCE})

#: Who acknowledged what: (athlete, kind) -> the day the coach acknowledged it.
Acknowledged = Mapping[tuple[str, Kind], date]


def evidence_days(holds: pd.DataFrame, runs: pd.DataFrame | None, *, as_of: Day) -> pd.DataFrame:
    """Per athlete (index) and data of :data:`EVIDENCE` (columns ``hold``, ``scored``, ``bound``,
    ``plank``, ``run``): the last local day with that data on or before ``as_of`` (NaT: none)."""
    day = as_day(as_of)
    h = up_to(holds, day)
    d, who = day_of(h), h["athlete"]
    masks = {
        "hold": pd.Series(True, index=h.index),
        "scored": h["discomfort"].notna(),
        "bound": h["exercise"] == "bound_angle",
        "plank": h["exercise"] == "side_plank",
    }
    out = pd.DataFrame({k: d[m].groupby(who[m]).max() for k, m in masks.items()})
    if runs is not None and len(runs):
        r = up_to(runs, day)
        out = out.join(day_of(r).groupby(r["athlete"]).max().rename("run"),
                       how="outer")  # fmt: skip
    else:
        out["run"] = pd.NaT
    return out.astype("datetime64[ns]")


def raised_flags(
    holds: pd.DataFrame,
    runs: pd.DataFrame | None = None,
    *,
    as_of: Day,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
    figures: pd.DataFrame | None = None,
) -> list[Flag]:
    """The flags raised on ``as_of``, each kind of :data:`EVIDENCE` judged on the athlete's last day
    with its data (a flag judged on an earlier day says so: :attr:`Flag.quiet`), the kinds of
    :data:`SILENCE_KINDS` on ``as_of`` itself. ``figures`` are :func:`athlete_figures` on ``as_of``
    when already computed. Sorted as :func:`~hipnb.analysis.flags.flags` sorts them."""
    day = as_day(as_of)
    if figures is None:
        figures = athlete_figures(holds, runs, as_of=day, target_s=thresholds.target_s)
    evidence = evidence_days(holds, runs, as_of=day)
    out = [
        f
        for f in flags_from_figures(figures, as_of=day, thresholds=thresholds)
        if f.kind in SILENCE_KINDS or _evidence(evidence, f.athlete, f.kind) == day
    ]
    earlier: dict[pd.Timestamp, set[tuple[str, Kind]]] = {}
    for kind, data in EVIDENCE.items():
        if kind not in SILENCE_KINDS:
            col = evidence[data].dropna()
            for athlete, last in col[col < day].items():
                earlier.setdefault(last, set()).add((str(athlete), kind))
    for last, wanted in sorted(earlier.items()):
        names = {a for a, _ in wanted}
        mine_h = holds[holds["athlete"].isin(names)]
        mine_r = runs[runs["athlete"].isin(names)] if runs is not None and len(runs) else None
        fig = athlete_figures(mine_h, mine_r, as_of=last, target_s=thresholds.target_s)
        out += [
            dataclasses.replace(f, quiet=True)
            for f in flags_from_figures(fig, as_of=last, thresholds=thresholds)
            if (f.athlete, f.kind) in wanted
        ]
    return ordered(out)


def acknowledged_flags(
    raised: list[Flag],
    evidence: pd.DataFrame,
    *,
    as_of: Day,
    acknowledged: Acknowledged | None,
) -> list[Flag]:
    """Of ``raised``, the flags the coach has acknowledged: on or before ``as_of`` and on or after
    the last day of the flag's data (``evidence``: :func:`evidence_days`). A flag raised by data
    newer than its acknowledgement is not among them."""
    day = as_day(as_of)
    hidden = []
    for f in raised:
        on = (acknowledged or {}).get((f.athlete, f.kind))
        last = _evidence(evidence, f.athlete, f.kind)
        if on is not None and as_day(on) <= day and pd.notna(last) and as_day(on) >= last:
            hidden.append(f)
    return hidden


def standing_flags(
    holds: pd.DataFrame,
    runs: pd.DataFrame | None = None,
    *,
    as_of: Day,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
    acknowledged: Acknowledged | None = None,
) -> list[Flag]:
    """The flags standing on ``as_of``: :func:`raised_flags` less :func:`acknowledged_flags`.

    Example::

        standing_flags(holds, runs, as_of="2026-12-05")   # emma's 9/10 of 22 Nov still stands
    """
    raised = raised_flags(holds, runs, as_of=as_of, thresholds=thresholds)
    evidence = evidence_days(holds, runs, as_of=as_of)
    hidden = acknowledged_flags(raised, evidence, as_of=as_of, acknowledged=acknowledged)
    return [f for f in raised if f not in hidden]


def _evidence(evidence: pd.DataFrame, athlete: str, kind: Kind) -> pd.Timestamp:
    """The athlete's last day with the kind's data (NaT: none)."""
    if athlete not in evidence.index:
        return cast(pd.Timestamp, pd.NaT)
    return cast(pd.Timestamp, evidence.at[athlete, EVIDENCE[kind]])
