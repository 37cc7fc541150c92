"""Logged holds by short reference, and the correction rows that edit or delete them.

The file stays append-only: a correction is a new row naming the hold by its identity
(:func:`hipnb.log.hold_ids`) in ``hold_id``: a patch (``action=patch``) carries only the fields it
changes, a delete (``action=delete``) nothing more. Reads apply them (README, "The log").

    >>> import pandas as pd
    >>> from hipnb.log import to_frame
    >>> df = to_frame([{"session_id": "s1", "athlete": "Zoë", "routine": "manual",
    ...     "started_at": "2026-11-24T07:15:03-05:00", "exercise": "side_plank", "side": "left",
    ...     "target_s": 40, "actual_s": 4000, "completed": True}])
    >>> row = correction_row(df.iloc[0], "patch", actual_s=40, note="")
    >>> row["action"], row["hold_id"], row["actual_s"], row["note"], row["side"]
    ('patch', 's1|side_plank|left|2026-11-24T12:15:03Z', 40, '-', None)
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
from hipnb.log import ALL_COLUMNS, COLUMNS, EDITABLE, Hold, hold_ids, normalize_name
from hipnb.log.identity import hold_identity, plain
from hipnb.log.spec import CLEAR, SPEC_BY_NAME
from hipnb.log.stamps import iso, local_stamp, parse_stamp, parse_when
from hipnb.seconds import seconds_text

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

    ``day`` is the athlete's local date (``YYYY-MM-DD``). Rows are in athlete order (by name), then
    by time, whatever the order of the log's rows: a squad file lists athlete after athlete.
    """
    out = df.assign(ref=hold_refs(df))
    if athlete is not None:
        out = out[out["athlete"] == normalize_name(athlete)]
    if day is not None:
        wanted = date.fromisoformat(day) if isinstance(day, str) else day
        out = out[out["local_time"].dt.date == wanted]
    return out.sort_values(["athlete", "started_at"], kind="stable")


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
    """A correction of ``hold`` (a row of a read log): a ``patch``, a ``delete``, or a whole-row
    ``edit`` (as the first corrections were written, kept for the files that hold them).

    A patch carries the hold's identity (``athlete``, ``hold_id``) and only ``changes`` (keys from
    :data:`EDITABLE`; ``started_at`` as ISO 8601 text with an offset or an aware datetime); an empty
    value (None or ``""``) of an optional field clears it (written as ``-``). ``completed`` is derived
    when the patch is applied, unless given. A delete carries the identity only. An edit carries
    every field of the hold, ``changes`` replacing theirs. Validation happens in
    :meth:`hipnb.SessionLog.patch`, like any other row, under the log's lock.
    """
    if action not in ("patch", "edit", "delete"):
        raise ValueError("action must be 'patch', 'delete' or 'edit'")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise LogError(f"a correction cannot change {', '.join(unknown)}")
    changes = {name: _cell_value(name, value) for name, value in changes.items()}
    row: dict[str, Any] = dict.fromkeys(ALL_COLUMNS)
    row |= {"athlete": hold["athlete"], "hold_id": hold_identity(hold), "action": action}
    if action == "patch":
        for name, value in changes.items():
            clear = value is None or value == ""
            row[name] = CLEAR if clear and not SPEC_BY_NAME[name].required else value
        return cast(Hold, row)
    if action == "delete":
        return cast(Hold, row)
    row |= {name: plain(hold.get(name)) for name in COLUMNS if name not in ("athlete",)}
    row |= {"started_at": _stamp(hold), "pain_at_s": plain(hold.get("pain_at_s"))}
    row |= changes
    if "completed" not in changes and {"actual_s", "target_s"} & set(changes):
        with contextlib.suppress(TypeError, ValueError):  # a bad number is reported by validation
            row["completed"] = bool(row["completed"]) and float(row["actual_s"]) >= float(
                row["target_s"]
            )
    return cast(Hold, row)


def hold_after(hold: pd.Series, **changes: Any) -> Hold:
    """``hold`` as it will read once ``changes`` are applied: a whole row, for the gate's checks."""
    row = dict(correction_row(hold, "edit", **changes))
    row["action"] = row["hold_id"] = None
    return cast(Hold, row)


def _cell_value(name: str, value: Any) -> Any:
    if name == "started_at" and isinstance(value, datetime):
        return value.isoformat()
    if name == "side" and isinstance(value, str):
        return value.strip().lower()
    return value


def changed_fields(before: pd.Series, row: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(field, old, new)`` for each field a correction ``row`` changes in ``before``, as text.

    For a patch, the fields it carries (``-`` clears, shown as empty); for an edit, every field.
    """
    out = []
    old_stamp = _stamp(before)
    patch = row.get("action") == "patch"
    for name in EDITABLE:
        if patch and row.get(name) is None:
            continue
        old = old_stamp if name == "started_at" else _text(name, before.get(name))
        new = "" if patch and row.get(name) == CLEAR else _text(name, row.get(name))
        numeric = SPEC_BY_NAME[name].numeric
        if not (_same_number(old, new) if numeric else old == new):
            out.append((name, old, new))
    return out


def only_changed(row: Hold, changed: list[tuple[str, str, str]]) -> Hold:
    """A patch ``row`` carrying only the fields that ``changed`` lists (the rest left unchanged)."""
    keep = {name for name, _, _ in changed}
    out = {k: (v if k not in EDITABLE or k in keep else None) for k, v in row.items()}
    return cast(Hold, out)


def hold_label(hold: pd.Series) -> str:
    """One line naming a hold for a person picking it: time, exercise, side, whole seconds.

    >>> hold_label(pd.Series({"local_time": pd.Timestamp("2026-11-24T07:15"), "exercise":
    ...     "side_plank", "side": "left", "actual_s": 7.203034828, "target_s": 60.0,
    ...     "completed": False}))
    '07:15 side_plank (left), 7 s of 60 s, not completed'
    """
    done = "" if hold["completed"] else ", not completed"
    return (
        f"{hold['local_time']:%H:%M} {hold['exercise']} ({hold['side']}), "
        f"{seconds_text(hold['actual_s'])} of {seconds_text(hold['target_s'])}{done}"
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
    own = parse_stamp(stamp)
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
    return SPEC_BY_NAME[name].shown(plain(value))
