"""Since the last review: what changed for each athlete between two review days."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

import pandas as pd

from hipnb.analysis.adherence import streaks
from hipnb.analysis.days import Day, as_day, with_day
from hipnb.analysis.flags import Flag, Level
from hipnb.analysis.standing import Acknowledged
from hipnb.analysis.thresholds import Thresholds
from hipnb.seconds import seconds_text

if TYPE_CHECKING:
    from hipnb.analysis.review_day import ReviewDay

#: The kinds of change, in the order a coach reads them: what needs attention now comes first.
CHANGES = [
    "red flag", "new flag", "cleared flag", "acknowledged", "gone quiet", "streak broken",
    "new streak", "personal best",
]  # fmt: skip
COLUMNS = ["athlete", "change", "detail", "flag"]


def review_period(
    since: date | None, as_of: Day, last_log: Day | None = None
) -> tuple[pd.Timestamp, str]:
    """The day a review looks back to and its header in words, for the last review on ``since``
    (None: none recorded) and the review day ``as_of``; ``last_log`` is the last day with a hold.

    With no review, or a review after ``as_of``, it looks back 7 days; a review on ``as_of``
    looks back to it (nothing can be new, but standing RED flags still show).
    """
    end = as_day(as_of)
    week = end - pd.Timedelta(days=7)
    if since is None:
        start, head = week, f"No review yet: the last 7 days, up to {end:%a %d %b %Y}"
    elif as_day(since) > end:
        start = week
        head = (
            f"Your last review ({since:%a %d %b %Y}) is after {end:%a %d %b %Y}: "
            f"the last 7 days up to then"
        )
    elif as_day(since) == end:
        start, head = end, f"Reviewed today ({end:%a %d %b %Y}): nothing new since"
    else:
        start = as_day(since)
        head = f"Since your review on {since:%a %d %b}, up to {end:%a %d %b %Y}"
    if last_log is not None and as_day(last_log) < end:
        head += f" (the logs end on {as_day(last_log):%a %d %b %Y})"
    return start, head


def changes_since(
    df: pd.DataFrame,
    since: Day,
    *,
    as_of: Day,
    runs: pd.DataFrame | None = None,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
    acknowledged: Acknowledged | None = None,
    min_streak: int = 3,
) -> pd.DataFrame:
    """What needs attention on ``as_of`` and what changed since the review on ``since``.

    Columns: athlete, change (one of :data:`CHANGES`), detail (in words), flag (the
    :class:`~hipnb.analysis.flags.Flag` of a flag row, else None). The flags are those standing
    (:mod:`hipnb.analysis.standing`: silence clears none). The rows, in this order:

    * red flag: every RED flag standing on ``as_of`` (new or not: the words say which);
    * new flag: an AMBER flag standing on ``as_of`` but not on ``since``;
    * cleared flag: a flag standing on ``since`` that newer data shows gone on ``as_of``;
    * acknowledged: a flag standing on ``since`` the coach has acknowledged since (``acknowledged``
      maps (athlete, kind) to the day);
    * gone quiet: no log after ``since``, and none for ``inactive_days`` days or more;
    * streak broken: a streak of ``min_streak`` (3) days or more alive at the review has ended;
    * new streak: a streak of ``min_streak`` days or more that began after the review;
    * personal best: a hold after the review longer than every earlier hold of that exercise and
      side (a first-ever hold is not a best).

    The RED rows come first, then each athlete's changes.
    """
    from hipnb.analysis.review_day import ReviewDay

    after = ReviewDay(df, runs, as_of=as_of, thresholds=thresholds, acknowledged=acknowledged)
    return changes_between(after.on_day(since), after, min_streak=min_streak)


def changes_between(before: ReviewDay, after: ReviewDay, *, min_streak: int = 3) -> pd.DataFrame:
    """The rows of :func:`changes_since` from the review day ``before`` to the day ``after`` (the
    same logs and thresholds)."""
    since, as_of, thresholds = before.day, after.day, after.thresholds
    d = with_day(after.holds)
    if d.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows: list[tuple[object, str, str, Flag | None]] = []
    was = {(f.athlete, f.kind) for f in before.flags}
    for f in after.flags:
        if f.level is Level.RED:
            note = "" if (f.athlete, f.kind) in was else " (new since the review)"
            rows.append((f.athlete, "red flag", f.words + note, f))
    if since >= as_of:
        return _ordered(rows)

    last = d.groupby("athlete")["day"].max()
    quiet = last[(last <= since) & ((as_of - last).dt.days >= thresholds.inactive_days)]
    for athlete, day in quiet.items():
        rows.append(
            (athlete, "gone quiet", f"no log since the review; last {day:%a %d %b}, "
             f"{(as_of - day).days} days ago", None)
        )  # fmt: skip

    known_then = set(d.loc[d["day"] <= since, "athlete"])
    then = {(f.athlete, f.kind) for f in before.flags if f.athlete in known_then}
    now = {(f.athlete, f.kind) for f in after.flags}
    seen = {(f.athlete, f.kind): f for f in after.acknowledged_flags}
    for f in after.flags:
        if f.level is Level.RED or (f.athlete, f.kind) in then:
            continue
        if not (f.kind == "inactive" and f.athlete in quiet.index):
            rows.append((f.athlete, "new flag", f.words, f))
    for f in before.flags:
        key = (f.athlete, f.kind)
        if key not in then or key in now:
            continue
        if key in seen:
            on = after.acknowledged[key]
            rows.append((f.athlete, "acknowledged", f"on {on:%a %d %b}: {f.words}", f))
        else:
            rows.append((f.athlete, "cleared flag", f"cleared by newer data: {f.words}", f))
    target_s = thresholds.target_s
    then_s = streaks(d, target_s, as_of=since).set_index("athlete")
    now_s = streaks(d, target_s, as_of=as_of).set_index("athlete")
    for athlete, r in then_s.iterrows():
        if r["current_streak"] < min_streak:
            continue
        same = now_s.loc[cast(str, athlete), "current_start"] == r["current_start"]
        if not same:
            rows.append(
                (athlete, "streak broken", f"the {r['current_streak']}-day streak alive at the "
                 "review has ended", None)
            )  # fmt: skip
    for athlete, r in now_s.iterrows():
        if r["current_streak"] >= min_streak and r["current_start"] > since:
            rows.append(
                (athlete, "new streak", f"{r['current_streak']} days in a row since "
                 f"{r['current_start']:%a %d %b}", None)
            )  # fmt: skip

    old = d[d["day"] <= since].groupby(["athlete", "exercise", "side"])["actual_s"].max()
    new = d[d["day"] > since]
    if len(new):
        idx = new.groupby(["athlete", "exercise", "side"])["actual_s"].idxmax()
        best = new.loc[idx].set_index(["athlete", "exercise", "side"])
        best = best.join(old.rename("old_s"), how="inner")
        for hold, r in best[best["actual_s"] > best["old_s"]].iterrows():
            athlete, exercise, side = cast(tuple[str, str, str], hold)
            where = "" if side == "both" else f" ({side})"
            rows.append(
                (athlete, "personal best", f"{exercise.replace('_', ' ')}{where} "
                 f"{seconds_text(r['actual_s'])} on {r['day']:%a %d %b} "
                 f"(best before {seconds_text(r['old_s'])})",
                 None)
            )  # fmt: skip

    return _ordered(rows)


def _ordered(rows: list[tuple[object, str, str, Flag | None]]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["flag"] = out["flag"].astype(object)
    red = out["change"] != "red flag"
    order = out["change"].map(CHANGES.index)
    out = out.assign(_red=red, _order=order)
    out = out.sort_values(["_red", "athlete", "_order"], kind="stable")
    return out[COLUMNS].reset_index(drop=True)
