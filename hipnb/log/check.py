"""The rules a row must meet, from the column spec: one vectorised pass, used by append and read.

Each column is checked by its kind (:data:`hipnb.log.spec.SPEC`): text, name, stamp, id, choice,
seconds, flag, score, note, ref. A rule that needs only the row lives here; rules that need the
routines, the clock or an override are the doors' (:mod:`hipnb.log.gate`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NamedTuple, overload

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from hipnb.log._arrow import (
    _ENCODED,
    _PANDAS_TYPES,
    _all_empty,
    _column,
    _empty_to_null,
    _name_problems,
    _np_bool,
    _numbers,
    _per_unique,
    _text,
    _trim_edges,
    normalize_names,
    per_unique,
)
from hipnb.log.spec import (
    ALL_COLUMNS,
    CLEAR,
    EDITABLE,
    FALSE_WORDS,
    PARTIAL_ACTIONS,
    SPEC,
    TRUE_WORDS,
    Column,
)
from hipnb.log.stamps import parse_stamps

#: An exercise id: lower_snake_case.
SLUG_PATTERN = r"^[a-z][a-z0-9_]*$"


class Problem(NamedTuple):
    """One row (or file) that could not be used: where it is and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def problems(df: pd.DataFrame) -> list[Problem]:
    """The problems found while reading ``df`` (an empty list when there were none)."""
    return list(df.attrs.get("problems", []))


@overload
def check_rows(
    raw: pa.Table | pd.DataFrame, *, typed: Literal[True] = True, index: pd.Index | None = None
) -> tuple[pd.DataFrame, pd.Series[Any]]: ...
@overload
def check_rows(
    raw: pa.Table | pd.DataFrame, *, typed: Literal[False], index: pd.Index | None = None
) -> tuple[None, pd.Series[Any]]: ...
def check_rows(
    raw: pa.Table | pd.DataFrame, *, typed: bool = True, index: pd.Index | None = None
) -> tuple[pd.DataFrame | None, pd.Series[Any]]:
    """Check rows against the spec: a frame of strings (append) or an Arrow table (read).

    The table's columns may be text or already typed by the CSV reader (floats, bools): typed
    columns only get their range checks. Returns the typed frame (every column of
    :data:`ALL_COLUMNS` plus ``local_time``) and, per row, the reason it cannot be used (None for a
    good row; the first rule broken, in column order). Messages are built only for failing rows.
    """
    if isinstance(raw, pd.DataFrame):
        index = raw.index
        raw = pa.table(
            {
                c: pa.array(raw[c].astype("str").fillna("").to_numpy(dtype=object), pa.string())
                for c in raw.columns
                if c in ALL_COLUMNS
            }
        )
        n = len(index)
    else:
        n = raw.num_rows
        index = pd.RangeIndex(n) if index is None else index
    rows = _Rows(n, {c.name: _column(raw, c.name, n) for c in SPEC})
    out: dict[str, pa.Array] = {}
    for column in SPEC:
        out[column.name] = _CHECKS[column.kind](rows, column)
        if column.kind == "stamp":
            out["local_time"] = rows.local_time
    rows.patch_rules()
    _ENCODED.clear()
    if not typed:  # append only needs to know which rows are bad
        return None, pd.Series(rows.reason, index=index)
    table = pa.table({name: out[name] for name in (*ALL_COLUMNS, "local_time")})
    frame = table.to_pandas(types_mapper=_PANDAS_TYPES.get)
    frame.index = index
    if rows.patch.any():
        frame[PATCH] = rows.patches(frame)
    return frame, pd.Series(rows.reason, index=index)


#: The hidden column of a typed frame that holds each patch row's changes (a dict: field -> new
#: value, None to clear); present only when some row is a patch, and gone once they are applied.
PATCH = "_patch"


class _Rows:
    """The columns being checked, and what is wrong with each row so far."""

    def __init__(self, n: int, cells: dict[str, pa.Array]):
        self.n = n
        self.cells = cells
        self.bad = np.zeros(n, dtype=bool)
        self.reason = np.full(n, None, dtype=object)
        self.local_time = pa.nulls(n, pa.timestamp("us"))
        self.blank: dict[str, NDArray[np.bool_]] = {}
        self.cleared: dict[str, NDArray[np.bool_]] = {}
        action = cells["action"]
        if _all_empty(action):
            self.partial = self.patch = np.zeros(n, dtype=bool)
        else:
            words = per_unique(_text(action), lambda u: pc.utf8_lower(pc.utf8_trim_whitespace(u)))
            self.partial = _np_bool(pc.is_in(words, pa.array(PARTIAL_ACTIONS)))
            self.patch = _np_bool(pc.equal(words, "patch"))

    def clearable(self, column: Column, cells: pa.Array) -> pa.Array:
        """``cells`` with a patch's :data:`CLEAR` marks taken out (and remembered) where the
        column is an optional one a correction may change."""
        if not self.patch.any() or column.required or not column.editable:
            return cells
        text = pc.utf8_trim_whitespace(_text(cells))
        mask = self.patch & _np_bool(pc.equal(text, CLEAR))
        if not mask.any():
            return cells
        self.cleared[column.name] = mask
        return pc.if_else(pa.array(mask), pa.scalar("", text.type), _text(cells))

    def patch_rules(self) -> None:
        """A patch carries the hold's identity and only fields a correction may change."""
        if not self.patch.any():
            return
        for column in SPEC:
            if column.editable or column.identity or column.name == "action":
                continue
            blank = self.blank.get(column.name, np.ones(self.n, dtype=bool))
            why = f"a patch cannot change {column.name} (it changes only {', '.join(EDITABLE)})"
            self.flag(self.patch & ~blank, _said(why))

    def patches(self, frame: pd.DataFrame) -> pd.Series:
        """Each patch row's changes as a dict (field -> typed value; None clears), else None."""
        out = np.full(self.n, None, dtype=object)
        for i in np.flatnonzero(self.patch & ~self.bad):
            change: dict[str, object] = {}
            for name in EDITABLE:
                if name in self.cleared and self.cleared[name][i]:
                    change[name] = None
                elif not self.blank.get(name, np.ones(self.n, dtype=bool))[i]:
                    change[name] = frame[name].iloc[i]
                    if name == "started_at":
                        change["local_time"] = frame["local_time"].iloc[i]
            out[i] = change
        return pd.Series(out, index=frame.index, dtype="object")

    def flag(self, mask: object, message: Callable[[int], str]) -> None:
        """Give rows in ``mask`` (not already rejected) a reason; ``message(i)`` builds it."""
        mask = _np_bool(mask) & ~self.bad
        if mask.any():
            for i in np.flatnonzero(mask):
                self.reason[i] = message(int(i))
            self.bad |= mask

    def empty(self, column: Column, blank: object) -> None:
        """Remember which cells are blank; flag them where the column is needed (a required
        column in a new hold or an edit, an identity column in every row)."""
        mask = _np_bool(blank)
        self.blank[column.name] = mask
        if column.identity:
            self.flag(mask, lambda i: f"{column.name} is empty")
        elif column.required:
            self.flag(mask & ~self.partial, lambda i: f"{column.name} is empty")


def _said(text: str) -> Callable[[int], str]:
    return lambda i: text


def _quoted(column: Column, values: pa.Array, what: str) -> Callable[[int], str]:
    return lambda i: f"{column.name} '{column.shown(values[i].as_py())[:40]}' {what}"


def _check_text(rows: _Rows, column: Column) -> pa.Array:
    text = _trim_edges(_text(rows.cells[column.name]))
    rows.empty(column, pc.equal(text, ""))
    return text if column.required else _empty_to_null(text)


def _check_name(rows: _Rows, column: Column) -> pa.Array:
    name = _per_unique(_text(rows.cells[column.name]), normalize_names)
    rows.empty(column, pc.equal(name, ""))
    why = _per_unique(name, _name_problems)
    rows.flag(
        pc.is_valid(why), lambda i: f"{column.name} '{name[i].as_py()[:40]}' {why[i].as_py()}"
    )
    return name


def _check_stamp(rows: _Rows, column: Column) -> pa.Array:
    text = _text(rows.cells[column.name])
    local, offset, reasons = parse_stamps(text)
    if reasons is not None:
        blank = _np_bool(pc.equal(pc.utf8_trim_whitespace(text), ""))
        rows.empty(column, blank)
        wrong = (reasons != None) & ~blank  # noqa: E711 (elementwise)
        rows.flag(wrong, lambda i: str(reasons[i]))
    else:
        rows.blank[column.name] = np.zeros(rows.n, dtype=bool)
    local_np = np.asarray(local.fill_null(0).to_numpy(zero_copy_only=False), dtype="datetime64[us]")
    off_np = np.asarray(offset.fill_null(0), dtype="int64").astype("timedelta64[m]")
    rows.local_time = pa.array(local_np, type=pa.timestamp("us"))
    return pa.array(local_np - off_np, type=pa.timestamp("us", tz="UTC"))


def _check_id(rows: _Rows, column: Column) -> pa.Array:
    ident = _per_unique(_text(rows.cells[column.name]), pc.utf8_trim_whitespace)
    blank = pc.equal(ident, "")
    rows.empty(column, blank)
    ok = _per_unique(ident, lambda u: pc.match_substring_regex(u, SLUG_PATTERN))
    rows.flag(pc.invert(pc.or_(ok, blank)), _quoted(column, ident, "is not an id"))
    return ident


def _check_choice(rows: _Rows, column: Column) -> pa.Array:
    cells = rows.cells[column.name]
    if not column.required and _all_empty(cells):  # most files: no corrections
        return pa.nulls(rows.n, pa.large_string())
    value = _per_unique(_text(cells), lambda u: pc.utf8_lower(pc.utf8_trim_whitespace(u)))
    shown = ", ".join(c for c in column.choices if c)
    if "" in column.choices:
        shown += " (or empty)"
    blank = pc.equal(value, "")
    rows.empty(column, blank)
    rows.flag(
        pc.invert(pc.or_(pc.is_in(value, pa.array(column.choices)), blank)),
        _quoted(column, cells, f"is not one of {shown}"),
    )
    return value if column.required else _empty_to_null(value)


def _check_seconds(rows: _Rows, column: Column) -> pa.Array:
    cells = rows.cells[column.name]
    if not column.required and _all_empty(cells):
        rows.blank[column.name] = np.ones(rows.n, dtype=bool)
        return pa.nulls(rows.n, pa.float64())
    num, blank = _numbers(cells)
    rows.empty(column, blank)
    rows.flag(
        pc.and_(pc.invert(blank), pc.invert(pc.is_finite(num.fill_null(np.nan)))),
        _quoted(column, cells, "is not a number of seconds"),
    )
    if column.low is not None:
        rows.flag(pc.less(num, column.low), _quoted(column, cells, "is negative"))
    if column.high is not None:
        rows.flag(pc.greater(num, column.high), _quoted(column, cells, column.over_high))
    return num


def _check_flag(rows: _Rows, column: Column) -> pa.Array:
    done = rows.cells[column.name]
    if done.type == pa.bool_():
        blank = _np_bool(pc.is_null(done))
        rows.blank[column.name] = blank
        rows.flag(blank & ~rows.partial, lambda i: f"{column.name} '' is not true/false")
        return done.fill_null(False)
    text = _per_unique(_text(done), lambda u: pc.utf8_lower(pc.utf8_trim_whitespace(u)))
    blank = _np_bool(pc.equal(text, ""))
    rows.blank[column.name] = blank
    words = pc.is_in(text, pa.array(sorted(TRUE_WORDS + FALSE_WORDS)))
    rows.flag(
        ~_np_bool(words) & ~(blank & rows.partial),
        _quoted(column, done, "is not true/false"),
    )
    return pc.is_in(text, pa.array(sorted(TRUE_WORDS)))


def _check_score(rows: _Rows, column: Column) -> pa.Array:
    cells = rows.clearable(column, rows.cells[column.name])
    num, blank = _numbers(cells)
    rows.empty(column, blank)
    low, high = column.low or 0, column.high or 0
    wrong = pc.or_kleene(
        pc.or_kleene(pc.is_nan(num.fill_null(0)), pc.not_equal(num, pc.round(num))),
        pc.or_kleene(pc.less(num, low), pc.greater(num, high)),
    )
    rows.flag(
        pc.or_(pc.and_(pc.invert(blank), pc.is_null(num)), wrong.fill_null(False)),
        _quoted(column, cells, f"is not a whole number from {low:g} to {high:g}"),
    )
    return pc.cast(pc.if_else(wrong.fill_null(False), None, num), pa.int64(), safe=False)


def _check_note(rows: _Rows, column: Column) -> pa.Array:
    cells = rows.clearable(column, rows.cells[column.name])
    if rows.patch.any():
        rows.empty(column, pc.equal(_text(cells), ""))
    return _empty_to_null(cells)


def _check_ref(rows: _Rows, column: Column) -> pa.Array:
    cells = rows.cells[column.name]
    action = rows.cells.get("action")
    if _all_empty(cells) and (action is None or _all_empty(action)):
        return pa.nulls(rows.n, pa.large_string())
    ref = _trim_edges(_text(cells))
    if action is not None:  # a correction names the hold it applies to
        wants = pc.not_equal(pc.utf8_trim_whitespace(_text(action)), "")
        rows.flag(
            pc.and_(wants, pc.equal(ref, "")),
            lambda i: (
                f"action '{str(action[i].as_py() or '').strip().lower()}' needs the "
                f"{column.name} of the hold it applies to"
            ),
        )
    return _empty_to_null(ref)


_CHECKS: dict[str, Callable[[_Rows, Column], pa.Array]] = {
    "text": _check_text,
    "name": _check_name,
    "stamp": _check_stamp,
    "id": _check_id,
    "choice": _check_choice,
    "seconds": _check_seconds,
    "flag": _check_flag,
    "score": _check_score,
    "note": _check_note,
    "ref": _check_ref,
}


def first_rejected(reason: pd.Series) -> tuple[int, str] | None:
    """(row number counting from 1, why) for the first row :func:`check_rows` rejected, or None."""
    bad = np.flatnonzero(reason.notna().to_numpy())
    return (int(bad[0]) + 1, str(reason.iloc[bad[0]])) if len(bad) else None


def empty_log() -> pd.DataFrame:
    """An empty typed log frame, with every column a read gives."""
    typed, _ = check_rows(pd.DataFrame({c: pd.Series([], dtype="str") for c in ALL_COLUMNS}))
    typed.attrs["problems"] = []
    return typed
