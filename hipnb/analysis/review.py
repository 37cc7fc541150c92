"""Since the last review: what changed for each athlete between two review days."""

from __future__ import annotations

import pandas as pd

from hipnb.analysis.adherence import streaks
from hipnb.analysis.days import BAND_LOW_S, review_day, with_day
from hipnb.analysis.roster import THRESHOLDS, flag_table

#: The kinds of change, in the order a coach reads them.
CHANGES = ["new flag", "cleared flag", "gone quiet", "streak broken", "new streak", "personal best"]


def changes_since(
    df: pd.DataFrame,
    since: pd.Timestamp | str,
    as_of: pd.Timestamp | str | None = None,
    target_s: float = BAND_LOW_S,
    min_streak: int = 3,
    **thresholds,
) -> pd.DataFrame:
    """What changed between the review on ``since`` and ``as_of`` (default: the last day in the log).

    Columns: athlete, change (one of :data:`CHANGES`), detail (in words). A change is:

    * new flag / cleared flag: a flag of :func:`~hipnb.analysis.flag_table` raised on ``as_of`` but
      not on ``since``, or the other way round;
    * gone quiet: no log after ``since``, and none for ``inactive_days`` (7) days or more;
    * streak broken: a streak of ``min_streak`` (3) days or more alive at the review has ended;
    * new streak: a streak of ``min_streak`` days or more that began after the review;
    * personal best: a hold after the review longer than every earlier hold of that exercise and
      side (a first-ever hold is not a best).

    ``thresholds`` are those of :func:`~hipnb.analysis.roster`.
    """
    cols = ["athlete", "change", "detail"]
    since = pd.Timestamp(since).normalize()
    as_of = review_day(df, as_of)
    if as_of is None or as_of <= since:
        return pd.DataFrame(columns=cols)
    t = {**THRESHOLDS, **thresholds}
    d = with_day(df)
    d = d[d["day"] <= as_of]
    rows: list[tuple[str, str, str]] = []

    last = d.groupby("athlete")["day"].max()
    quiet = last[(last <= since) & ((as_of - last).dt.days >= t["inactive_days"])]
    for athlete, day in quiet.items():
        rows.append(
            (athlete, "gone quiet", f"no log since the review; last {day:%a %d %b}, "
             f"{(as_of - day).days} days ago")
        )  # fmt: skip

    before = flag_table(d, as_of=since, target_s=target_s, **thresholds)
    after = flag_table(d, as_of=as_of, target_s=target_s, **thresholds)
    before = before[before["athlete"].isin(d.loc[d["day"] <= since, "athlete"])]
    key = ["athlete", "rule"]
    both = after.merge(before, on=key, how="outer", suffixes=("", "_then"), indicator="status")
    for r in both.itertuples():
        if r.status == "left_only":
            if not (r.rule == "inactive" and r.athlete in quiet.index):
                rows.append((r.athlete, "new flag", r.detail))
        elif r.status == "right_only":
            rows.append((r.athlete, "cleared flag", f"no longer: {r.detail_then}"))

    then = streaks(d, target_s, as_of=since).set_index("athlete")
    now = streaks(d, target_s, as_of=as_of).set_index("athlete")
    for athlete, r in then.iterrows():
        if r["current_streak"] < min_streak:
            continue
        same = now.loc[athlete, "current_start"] == r["current_start"]
        if not same:
            rows.append(
                (athlete, "streak broken", f"the {r['current_streak']}-day streak alive at the "
                 "review has ended")
            )  # fmt: skip
    for athlete, r in now.iterrows():
        if r["current_streak"] >= min_streak and r["current_start"] > since:
            rows.append(
                (athlete, "new streak", f"{r['current_streak']} days in a row since "
                 f"{r['current_start']:%a %d %b}")
            )  # fmt: skip

    old = d[d["day"] <= since].groupby(["athlete", "exercise", "side"])["actual_s"].max()
    new = d[d["day"] > since]
    if len(new):
        idx = new.groupby(["athlete", "exercise", "side"])["actual_s"].idxmax()
        best = new.loc[idx].set_index(["athlete", "exercise", "side"])
        best = best.join(old.rename("old_s"), how="inner")
        for (athlete, exercise, side), r in best[best["actual_s"] > best["old_s"]].iterrows():
            where = "" if side == "both" else f" ({side})"
            rows.append(
                (athlete, "personal best", f"{exercise.replace('_', ' ')}{where} "
                 f"{r['actual_s']:.0f} s on {r['day']:%a %d %b} (best before {r['old_s']:.0f} s)")
            )  # fmt: skip

    out = pd.DataFrame(rows, columns=cols)
    out["_order"] = out["change"].map(CHANGES.index)
    return out.sort_values(["athlete", "_order"], kind="stable")[cols].reset_index(drop=True)
