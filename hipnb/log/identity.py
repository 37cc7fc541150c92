"""Hold identity: how a row names the hold it is, and how a correction names the hold it changes.

A hold is one athlete's. It is known by its ``hold_id`` when it has one, else by its key
``session_id|exercise|side|started_at`` (the stamp in UTC with ``Z``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hipnb.log.stamps import utc_texts


def hold_keys(df: pd.DataFrame) -> pd.Series:
    """Each row's key: ``session_id|exercise|side|started_at``, the stamp in UTC with ``Z``.

    A hold without a ``hold_id`` is known by this key (with its athlete); a correction of it names
    the key in its ``hold_id``.

        >>> df = pd.DataFrame({"session_id": ["s1"], "exercise": ["side_plank"], "side": ["left"],
        ...                    "started_at": pd.to_datetime(["2026-11-24T07:15:03-05:00"])})
        >>> hold_keys(df).iloc[0]
        's1|side_plank|left|2026-11-24T12:15:03Z'
    """
    keys: pd.Series = (
        df["session_id"].astype("str")
        + "|"
        + df["exercise"].astype("str")
        + "|"
        + df["side"].astype("str")
        + "|"
        + utc_texts(df["started_at"])
    )
    return keys.astype("object")


def hold_ids(df: pd.DataFrame) -> pd.Series:
    """Each row's hold identity: its ``hold_id`` when it has one, else its key (:func:`hold_keys`)."""
    if "hold_id" not in df:
        return hold_keys(df)
    given = df["hold_id"]
    return given.astype("object").where(given.notna(), hold_keys(df))


def hold_identity(hold: pd.Series) -> str:
    """The identity of one hold (a row of a read log): its ``hold_id``, else its key."""
    one = pd.DataFrame(
        {
            "session_id": [str(hold["session_id"])],
            "exercise": [str(hold["exercise"])],
            "side": [str(hold["side"])],
            "started_at": pd.to_datetime([hold["started_at"]], utc=True),
            "hold_id": [plain(hold.get("hold_id")) or None],
        }
    )
    return str(hold_ids(one).iloc[0])


def plain(value: Any) -> Any:
    """A cell as a plain Python value (None for missing)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value
