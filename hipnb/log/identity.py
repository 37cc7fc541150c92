"""Hold identity: how a row names the hold it is, and how a correction names the hold it changes.

A hold is one athlete's. It is known by its ``hold_id`` when it has one, else by its key
``session_id|exercise|side|started_at`` (the stamp in UTC with ``Z``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hipnb.log.spec import held_to_target
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
    if len(df) <= 64:  # a door's few rows: joined one at a time, quicker than column by column
        stamps = utc_texts(df["started_at"])
        parts = zip(df["session_id"], df["exercise"], df["side"], stamps, strict=True)
        return pd.Series(["|".join(map(str, p)) for p in parts], index=df.index, dtype=object)
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


#: The hidden column of a read frame that says where each correction row is (a ``Problem``'s file
#: and line), for the reasons a correction is refused; gone once corrections are applied.
WHERE = "_at"


def apply_corrections(
    rows: pd.DataFrame,
) -> tuple[pd.DataFrame, list[tuple[Any, str]], list[Any]]:
    """Apply the corrections among ``rows`` (in file order), field by field.

    ``rows`` are the rows that name or are named by a correction, or share a hold with another row.
    Per hold (its athlete and identity): a plain row or an ``edit`` sets the whole hold (the later
    copy winning); a ``patch`` changes only the fields it carries (:data:`hipnb.log.check.PATCH`),
    ``completed`` derived from the seconds when it changes them and does not say; a ``delete``
    removes the hold. A correction of a hold that is not current (never logged, or deleted) changes
    nothing and is reported. Returns the current holds (each under the index label of the row that
    last set it, patched values written in), ``(label, reason)`` for each refused correction, and
    the labels whose values a patch changed.
    """
    from hipnb.log.check import PATCH

    ident = hold_ids(rows)
    actions = rows["action"].astype("object").where(rows["action"].notna(), "")
    patches = rows[PATCH] if PATCH in rows else pd.Series(None, index=rows.index, dtype="object")
    current: dict[tuple[str, str], Any] = {}  # hold -> label of the row that holds its fields
    changes: dict[Any, dict[str, Any]] = {}  # label -> fields patched into it
    refused: list[tuple[Any, str]] = []
    for label, athlete, hold, action, given in zip(
        rows.index, rows["athlete"], ident, actions, patches, strict=True
    ):
        key = (str(athlete), str(hold))
        patch = given if isinstance(given, dict) else {}
        if action == "":
            current[key] = label
            continue
        base = current.get(key)
        if base is None:
            refused.append((label, f"{action} of {hold!r}: {athlete} has no current hold so named"))
            continue
        if action == "delete":
            del current[key]
        elif action == "edit":
            current[key] = label
        else:  # patch
            fields = changes.setdefault(base, {})
            fields.update(patch)
            _derive_completed(rows.loc[base], fields, patch)
    keep = rows.loc[list(current.values())].copy()
    patched = [label for label in changes if label in keep.index]
    for label in patched:
        keep.loc[label, "hold_id"] = ident.loc[label]  # its identity stays, wherever it moved
        for name, value in changes[label].items():
            keep.loc[label, name] = pd.NA if value is None else value
    return keep, refused, patched


def _derive_completed(base: pd.Series, fields: dict[str, Any], patch: dict[str, Any]) -> None:
    """``completed`` of a patched hold when the patch changes its seconds and does not say: it stays
    completed only if it reached its target (derived here, from the hold as the file has it now)."""
    if "completed" in patch or not {"actual_s", "target_s"} & set(patch):
        return
    actual = fields.get("actual_s", base["actual_s"])
    target = fields.get("target_s", base["target_s"])
    was = fields.get("completed", base["completed"])
    fields["completed"] = bool(was) and held_to_target(actual, target)
