"""Logged holds by short reference, and the correction rows that edit or delete them.

The file stays append-only: an edit is a new row (``action=edit``) carrying every field of the hold
as it should now read, and a delete is a row (``action=delete``) naming the hold; both name the hold
by its identity (:func:`hipnb.log.hold_ids`) in ``hold_id``. Reads apply them (README, "The log").

    >>> import pandas as pd
    >>> from hipnb.log import to_frame
    >>> df = to_frame([{"session_id": "s1", "athlete": "Zoë", "routine": "manual",
    ...     "started_at": "2026-11-24T07:15:03-05:00", "exercise": "side_plank", "side": "left",
    ...     "target_s": 40, "actual_s": 4000, "completed": True}])
    >>> row = correction_row(df.iloc[0], "edit", actual_s=40)
    >>> row["action"], row["hold_id"], row["actual_s"], row["started_at"]
    ('edit', 's1|side_plank|left|2026-11-24T12:15:03Z', 40, '2026-11-24T07:15:03-05:00')
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, cast

import pandas as pd

from hipnb.errors import LogError
from hipnb.log import COLUMNS, EDITABLE, Hold, hold_ids, normalize_name
from hipnb.log.identity import hold_identity, plain
from hipnb.log.spec import SPEC_BY_NAME
from hipnb.log.stamps import iso, local_stamp, parse_when

#: Length of a hold's short reference (hex digits); longer only if two holds of one file collide.
REF_LEN = 8


def hold_refs(df: pd.DataFrame) -> pd.Series:
    """A short reference for each current hold of ``df``: hex digits of a hash of its identity.

    The reference depends only on the athlete and the hold's identity, so it stays the same after
    the hold is edited (its side or time included). It has :data:`REF_LEN` digits, more for the
    whole frame when two holds would share one.
    """
    if df.empty:
        return pd.Series([], index=df.index, dtype="object")
    digests = [
        hashlib.sha256(f"{a}\x1f{i}".encode()).hexdigest()
        for a, i in zip(df["athlete"].astype("str"), hold_ids(df), strict=True)
    ]
    length = REF_LEN
    while len({d[:length] for d in digests}) < len(set(digests)):
        length += 2
    return pd.Series([d[:length] for d in digests], index=df.index, dtype="object")


def select_holds(
    df: pd.DataFrame, athlete: str | None = None, day: str | date | None = None
) -> pd.DataFrame:
    """The current holds of ``df`` (one athlete's, one local day's, when given) with a ``ref`` column.

    ``day`` is the athlete's local date (``YYYY-MM-DD``). Rows keep the log's order (athlete, time).
    """
    out = df.assign(ref=hold_refs(df))
    if athlete is not None:
        out = out[out["athlete"] == normalize_name(athlete)]
    if day is not None:
        wanted = date.fromisoformat(day) if isinstance(day, str) else day
        out = out[out["local_time"].dt.date == wanted]
    return out


def find_hold(df: pd.DataFrame, ref: str) -> pd.Series:
    """The current hold whose reference is ``ref`` (or starts with it, at least 4 digits).

    Raises :class:`hipnb.LogError` when no hold, or more than one, matches.
    """
    ref = ref.strip().lower()
    if len(ref) < 4:
        raise LogError(f"hold reference {ref!r} is too short: give at least 4 of its digits")
    refs = hold_refs(df)
    hits = refs[refs.str.startswith(ref)] if len(refs) else refs
    if len(hits) == 0:
        raise LogError(f"no current hold {ref!r} (list them with `hipnb holds`)")
    if len(hits) > 1:
        raise LogError(f"hold reference {ref!r} matches {len(hits)} holds: give more digits")
    hold: pd.Series = df.loc[hits.index[0]]
    return hold


def correction_row(hold: pd.Series, action: str, **changes: Any) -> Hold:
    """A row that edits (``action="edit"``) or deletes (``"delete"``) ``hold``, a row of a read log.

    The row carries every field of the hold, the ``changes`` replacing theirs (keys from
    :data:`EDITABLE`; ``started_at`` as ISO 8601 text with an offset or an aware datetime), and
    ``hold_id`` set to the hold's identity, so editing an edited hold edits the same hold. When the
    seconds change and ``completed`` is not given, the hold stays completed only if it reached
    its target. Validation happens in :meth:`hipnb.SessionLog.append`, like any other row.
    """
    if action not in ("edit", "delete"):
        raise ValueError("action must be 'edit' or 'delete'")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise LogError(f"a correction cannot change {', '.join(unknown)}")
    row: dict[str, Any] = {name: plain(hold.get(name)) for name in COLUMNS}
    row["started_at"] = _stamp(hold)
    row["pain_at_s"] = plain(hold.get("pain_at_s"))
    row["hold_id"] = hold_identity(hold)
    row["action"] = action
    for name, value in changes.items():
        if name == "started_at" and isinstance(value, datetime):
            value = value.isoformat()
        if name == "side" and isinstance(value, str):
            value = value.strip().lower()
        row[name] = value
    if "completed" not in changes and {"actual_s", "target_s"} & set(changes):
        with contextlib.suppress(TypeError, ValueError):  # a bad number is reported by validation
            row["completed"] = bool(row["completed"]) and float(row["actual_s"]) >= float(
                row["target_s"]
            )
    return cast(Hold, row)


def changed_fields(before: pd.Series, row: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(field, old, new)`` for each field a correction ``row`` changes in ``before``, as text."""
    out = []
    old_stamp = _stamp(before)
    for name in EDITABLE:
        old = old_stamp if name == "started_at" else _text(name, before.get(name))
        new = _text(name, row.get(name))
        numeric = name in ("target_s", "actual_s")
        if not (_same_number(old, new) if numeric else old == new):
            out.append((name, old, new))
    return out


def hold_label(hold: pd.Series) -> str:
    """One line naming a hold for a person picking it: time, exercise, side, seconds."""
    done = "" if hold["completed"] else ", not completed"
    return (
        f"{hold['local_time']:%H:%M} {hold['exercise']} ({hold['side']}), "
        f"{hold['actual_s']:g} s of {hold['target_s']:g}{done}"
    )


def hold_start(hold: pd.Series, text: str) -> str:
    """The start ``text`` gives for ``hold``, as a stamp: any form :func:`hipnb.log.stamps.parse_when`
    reads, a time of day (``06:50``) or a date and time without an offset taken on the hold's own day
    and in its own UTC offset.

        >>> hold_start(pd.Series({"started_at": pd.Timestamp("2026-11-24T12:15:03Z"),
        ...     "local_time": pd.Timestamp("2026-11-24T07:15:03")}), "6:50")
        '2026-11-24T06:50:00-05:00'
    """
    stamp = _stamp(hold)
    own = datetime.fromisoformat(stamp)
    has_date = bool(re.match(r"^\s*\d{4}-", text))
    when = parse_when(text, day=None if has_date else own.date(), tz=own.tzinfo)
    return iso(when)


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def _stamp(hold: pd.Series) -> str:
    """The hold's start as it was written: local wall-clock time with its own UTC offset."""
    return local_stamp(hold["started_at"], hold["local_time"])


def _text(name: str, value: Any) -> str:
    return SPEC_BY_NAME[name].text(plain(value))
