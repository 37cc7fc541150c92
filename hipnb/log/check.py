"""The rules a row must meet, from a table's column spec: one vectorised pass, used by append and
read, for every log (:data:`hipnb.log.spec.HOLDS`, :data:`hipnb.log.spec.RUNS`).

Cells arrive as text: an Arrow table of strings (the CSV reader's; null for an empty cell) or a
frame of strings (append). Each column is checked by its kind (:class:`hipnb.log.spec.Column`) and
typed on the way: few-valued columns (names, ids, choices, flags) by a rule applied once to each
distinct value, the rest by Arrow kernels, with a slower way taken only by the column that holds a
bad value. A rule that needs only the row lives here; rules that need the routines, the clock or an
override are the doors' (:mod:`hipnb.log.gate`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from hipnb.log.spec import (
    CLEAR,
    EDITABLE,
    FALSE_WORDS,
    HOLDS,
    PARTIAL_ACTIONS,
    TRUE_WORDS,
    Column,
    Table,
)
from hipnb.log.stamps import FUTURE_SLACK, future_words, parse_stamps
from hipnb.names import kept_name, name_problem
from hipnb.seconds import seconds_text

#: An exercise id: lower_snake_case.
SLUG_PATTERN = r"^[a-z][a-z0-9_]*$"
_SLUG = re.compile(SLUG_PATTERN)
#: The hidden column of a typed frame that holds each patch row's changes (a dict: field -> new
#: value, None to clear); present only when some row is a patch, and gone once they are applied.
PATCH = "_patch"

_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_PANDAS_TYPES = {
    pa.string(): pd.StringDtype("pyarrow", np.nan),
    pa.large_string(): pd.StringDtype("pyarrow", np.nan),
    pa.int64(): pd.Int64Dtype(),
}
Mask = NDArray[np.bool_]


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


def check_rows(
    raw: pa.Table | pd.DataFrame,
    *,
    table: Table = HOLDS,
    index: pd.Index | None = None,
    nulls: bool = False,
    aside: dict[int, str] | None = None,
    now: datetime | None = None,
) -> tuple[pd.DataFrame, pd.Series[Any]]:
    """Check rows against ``table``'s spec: a frame of strings (append) or an Arrow table of text
    (read).

    Returns the typed frame (every column of the table plus ``local_time``) and, per row, the
    reason it cannot be used (None for a good row; the first rule broken, in column order).
    Messages are built only for failing rows or distinct values. ``now``: a start more than a day
    after it is refused too. For the reader: ``nulls``: empty cells are null already; ``aside``:
    rows (by position) set aside and why; when given, the frame holds only the good rows, each
    under its position.
    """
    rows, out, index = _check(raw, table, index, nulls, aside, now)
    if aside is not None and rows.bad.any():
        good = pa.array(~rows.bad)
        out = dict(
            zip(out, _side_by_side(lambda a: a.filter(good), out.values(), len(good)), strict=True)
        )
        index = index[~rows.bad]
    frame = pa.table(out).to_pandas(types_mapper=_PANDAS_TYPES.get)
    frame.index = index
    if rows.patch.any():
        frame[PATCH] = rows.patches(frame)
    return frame, pd.Series(rows.reason, dtype=object, index=index if aside is None else rows.index)


def row_problems(
    raw: pa.Table | pd.DataFrame,
    *,
    table: Table = HOLDS,
    index: pd.Index | None = None,
    now: datetime | None = None,
) -> pd.Series:
    """What :func:`check_rows` says of each row, without building the typed frame (for append)."""
    rows, _, index = _check(raw, table, index, False, None, now)
    return pd.Series(rows.reason, dtype=object, index=index)


def _check(
    raw: pa.Table | pd.DataFrame,
    table: Table,
    index: pd.Index | None,
    nulls: bool,
    aside: dict[int, str] | None,
    now: datetime | None,
) -> tuple[_Rows, dict[str, pa.Array], pd.Index]:
    names = table.names
    if isinstance(raw, pd.DataFrame):
        index = raw.index
        text = {c: raw[c].astype("str").fillna("") for c in raw if c in names}
        raw = pa.table({c: pa.array(v, pa.string()) for c, v in text.items()})
    n = raw.num_rows
    # the columns are checked side by side (Arrow and numpy let go of the GIL), then settled in order
    cells = _side_by_side(lambda c: _cells(raw, c, n, nulls), names, n)
    rows = _Rows(n, dict(zip(names, cells, strict=True)), table, now)
    rows.index = pd.RangeIndex(n) if index is None else index
    for at, why in (aside or {}).items():
        rows.bad[at], rows.reason[at] = True, why
    typed = _side_by_side(lambda c: _CHECKS[c.kind](rows, c), table.columns, n)
    out = {c.name: array for c, array in zip(table.columns, typed, strict=True)}
    out["local_time"] = rows.local_time
    rows.settle()
    rows.patch_rules()
    return rows, out, rows.index


def _side_by_side(work: Callable[[Any], pa.Array], items: Iterable[Any], n: int) -> list[pa.Array]:
    """``work`` on each item; for a big table, a thread a core: Arrow and numpy let go of the GIL
    while they work, and each column is its own (what its rules find is settled in column order
    afterwards). A small table is done in this thread: threads would cost more than they save."""
    if n < _THREADED_ROWS:
        return [work(item) for item in items]
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        return list(pool.map(work, items))


#: Tables this long have their columns checked in threads (a squad's per-athlete files rarely are).
_THREADED_ROWS = 50_000


def _cells(raw: pa.Table, name: str, n: int, nulls: bool) -> pa.Array:
    """Column ``name`` as one text array, null where empty (all null when absent); ``nulls``: the
    CSV reader made empty cells null already."""
    if name not in raw.column_names:
        return pa.nulls(n, pa.string())
    arr = raw.column(name)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    return arr if nulls else _null_if_empty(arr)


def _null_if_empty(arr: pa.Array) -> pa.Array:
    if arr.null_count == len(arr) or not pc.any(pc.equal(arr, "")).as_py():
        return arr
    return pc.if_else(pc.equal(arr, ""), None, arr)


def _np(mask: pa.Array | NDArray[np.bool_]) -> Mask:
    if isinstance(mask, pa.Array | pa.ChunkedArray):
        return np.asarray(mask.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(mask, dtype=bool)


class _Rows:
    """The columns being checked, and what is wrong with each row so far."""

    def __init__(
        self, n: int, cells: dict[str, pa.Array], table: Table = HOLDS, now: datetime | None = None
    ):
        self.n = n
        self.cells = cells
        self.table = table
        self.now = now
        self.index: pd.Index = pd.RangeIndex(n)
        self.bad = np.zeros(n, dtype=bool)
        self.reason = np.full(n, None, dtype=object)
        self.local_time = pa.nulls(n, pa.timestamp("us"))
        self.blank: dict[str, Mask] = {}
        self.cleared: dict[str, Mask] = {}
        self.flags: dict[str, list[tuple[Mask, Callable[[int], str]]]] = {
            c.name: [] for c in table.columns
        }
        self.partial = self.patch = np.zeros(n, dtype=bool)
        if table.corrections and cells["action"].null_count < n:
            words = pc.utf8_lower(pc.utf8_trim_whitespace(cells["action"]))
            self.partial = _np(pc.is_in(words, pa.array(PARTIAL_ACTIONS)))
            self.patch = _np(pc.equal(words, "patch"))

    def flag(self, column: Column, mask: pa.Array | Mask, message: Callable[[int], str]) -> None:
        """Note that the rows in ``mask`` break a rule of ``column``; :meth:`settle` gives each row
        the first rule it breaks, in column order, and ``message(i)`` builds its reason."""
        self.flags[column.name].append((_np(mask), message))

    def settle(self) -> None:
        """The reason of each row: the first rule broken, columns in spec order."""
        for column in self.table.columns:
            for mask, message in self.flags[column.name]:
                mask = mask & ~self.bad
                for i in np.flatnonzero(mask):
                    self.reason[i] = message(int(i))
                self.bad |= mask

    def empty(self, column: Column, blank: Mask) -> None:
        """Remember which cells are blank; flag them where the column is needed (an identity
        column in every row, a required one in a new hold or an edit)."""
        self.blank[column.name] = blank
        if column.identity or column.required:
            need = blank if column.identity else blank & ~self.partial
            self.flag(column, need, lambda i: f"{column.name} is empty")

    def clearable(self, column: Column) -> pa.Array:
        """The column's cells with a patch's :data:`CLEAR` marks taken out (and remembered)."""
        cells = self.cells[column.name]
        if not self.patch.any() or column.required or not column.editable:
            return cells
        mask = self.patch & _np(pc.equal(pc.utf8_trim_whitespace(cells), CLEAR))
        self.cleared[column.name] = mask
        return pc.if_else(pa.array(mask), None, cells) if mask.any() else cells

    def patch_rules(self) -> None:
        """A patch carries the hold's identity and only fields a correction may change."""
        if not self.patch.any():
            return
        for column in self.table.columns:
            if not (column.editable or column.identity or column.name == "action"):
                why = f"a patch cannot change {column.name} (it changes only {', '.join(EDITABLE)})"
                mask = self.patch & ~self.blank[column.name] & ~self.bad
                self.reason[mask] = why
                self.bad |= mask

    def patches(self, frame: pd.DataFrame) -> pd.Series:
        """Each good patch row's changes as a dict (field -> typed value; None clears), else None."""
        out = pd.Series(None, index=frame.index, dtype="object")
        for i in np.flatnonzero(self.patch & ~self.bad):
            label, change = self.index[int(i)], dict[str, Any]()
            for name in EDITABLE:
                if name in self.cleared and self.cleared[name][i]:
                    change[name] = None
                elif not self.blank[name][i]:
                    change[name] = frame.at[label, name]
                    if name == "started_at":
                        change["local_time"] = frame.at[label, "local_time"]
            out.at[label] = change  # type: ignore[assignment]
        return out


def _quoted(column: Column, values: pa.Array, what: str) -> Callable[[int], str]:
    """The reason of row ``i``: the column, its value (seconds with their unit, text quoted), ``what``."""

    def said(i: int) -> str:
        value = values[i].as_py()
        if column.kind == "seconds" and seconds_text(value, exact=True):
            return f"{column.name} {seconds_text(value, exact=True)} {what}"
        return f"{column.name} '{column.shown(value or '')[:40]}' {what}"

    return said


# --------------------------------------------------------------------------------------------------
# few-valued columns: a rule per distinct value


Rule = Callable[[str], tuple[Any, str | None]]  # text -> (value, what is wrong or None)


def _by_value(rows: _Rows, column: Column, rule: Rule, kind: pa.DataType) -> pa.Array:
    """Apply ``rule`` to each distinct trimmed text of the column once and spread the answers back:
    the typed values, blank cells (value "" or None) and a reason for each row the rule refuses."""
    cells = rows.cells[column.name]
    distinct = pc.unique(cells).drop_null().to_pylist()
    answers = [rule(v.strip()) for v in distinct]
    values, whys = [a[0] for a in answers], [a[1] for a in answers]
    if not any(whys) and all(v not in ("", None) for v in values):  # the usual case: all good
        rows.empty(column, _np(cells.is_null()))
        if kind == pa.bool_():
            return pc.is_in(
                cells, pa.array([d for d, v in zip(distinct, values, strict=True) if v], cells.type)
            )
        if values == distinct:
            return cells
    encoded = cells.dictionary_encode()
    answers = [rule(v.strip()) for v in encoded.dictionary.to_pylist()]
    values, whys = [a[0] for a in answers], [a[1] for a in answers]
    codes = encoded.indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
    rows.empty(column, np.array([v in ("", None) for v in values] + [True])[codes])
    if any(whys):
        why = np.array([*whys, None], dtype=object)[codes]
        rows.flag(column, why != None, lambda i: f"{column.name} {why[i]}")  # noqa: E711 (elementwise)
    return pc.take(pa.array(values, kind), encoded.indices)


def _check_name(rows: _Rows, column: Column) -> pa.Array:
    def rule(v: str) -> tuple[Any, str | None]:
        name = kept_name(v)
        why = name_problem(name) if name else None
        return name, (f"'{name[:40]}' {why}" if why else None)

    return _by_value(rows, column, rule, pa.string())


def _check_id(rows: _Rows, column: Column) -> pa.Array:
    def rule(v: str) -> tuple[Any, str | None]:
        ok = not v or _SLUG.match(v)
        return v, (None if ok else f"'{v[:40]}' is not an id")

    return _by_value(rows, column, rule, pa.string())


def _check_choice(rows: _Rows, column: Column) -> pa.Array:
    shown = ", ".join(c for c in column.choices if c) + (
        " (or empty)" if "" in column.choices else ""
    )

    def rule(v: str) -> tuple[Any, str | None]:
        word = v.lower()
        ok = not word or word in column.choices
        return (word or None), (None if ok else f"'{v[:40]}' is not one of {shown}")

    return _by_value(rows, column, rule, pa.string())


def _check_flag(rows: _Rows, column: Column) -> pa.Array:
    def rule(v: str) -> tuple[Any, str | None]:
        word = v.lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS, None
        return (None, None) if not word else (False, f"'{v[:40]}' is not true/false")

    done = _by_value(rows, column, rule, pa.bool_())
    blank = rows.blank[column.name]
    rows.flag(column, blank & ~rows.partial, lambda i: f"{column.name} '' is not true/false")
    return done.fill_null(False)


# --------------------------------------------------------------------------------------------------
# many-valued columns: Arrow kernels


def _trimmed(cells: pa.Array) -> pa.Array:
    return _null_if_empty(pc.utf8_trim_whitespace(cells))


def _check_text(rows: _Rows, column: Column) -> pa.Array:
    text = _trimmed(rows.cells[column.name])
    rows.empty(column, _np(text.is_null()))
    return text if column.blank is None else text.fill_null(column.blank)


def _check_ref(rows: _Rows, column: Column) -> pa.Array:
    ref = _trimmed(rows.cells[column.name])
    action = rows.cells["action"]
    wants = _np(_trimmed(action).is_valid()) & _np(ref.is_null())
    rows.flag(
        column,
        wants,
        lambda i: (
            f"action '{str(action[i].as_py() or '').strip().lower()}' needs the "
            f"{column.name} of the hold it applies to"
        ),
    )
    rows.blank[column.name] = _np(ref.is_null())
    return ref


def _check_note(rows: _Rows, column: Column) -> pa.Array:
    cells = rows.clearable(column)
    rows.blank[column.name] = _np(cells.is_null())
    return cells


def _numbers(rows: _Rows, column: Column) -> tuple[pa.Array, pa.Array]:
    """(numbers, cells) of a numeric column, its blank cells remembered; a cell that is not a number
    is null in the numbers (the caller says why). Spaces are trimmed only when the plain cast fails."""
    cells = rows.clearable(column)
    try:
        num = pc.cast(cells, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # spaces, or text in a number column
        text = _trimmed(cells)
        ok = pc.match_substring_regex(text, _NUMBER)
        num = pc.cast(pc.if_else(ok, text, None), pa.float64())
        cells = pc.if_else(text.is_null(), None, cells)
    rows.empty(column, _np(cells.is_null()))
    return num, cells


def _check_quantity(rows: _Rows, column: Column) -> pa.Array:
    """Seconds or metres: a finite number within the column's range."""
    num, cells = _numbers(rows, column)
    if cells.null_count == rows.n:
        return num
    rows.flag(
        column,
        pc.and_(cells.is_valid(), pc.invert(pc.is_finite(num.fill_null(np.nan)))),
        _quoted(column, cells, f"is not a number of {column.kind}"),
    )
    if column.low is not None:
        rows.flag(column, pc.less(num, column.low), _quoted(column, cells, "is negative"))
    if column.high is not None:
        rows.flag(column, pc.greater(num, column.high), _quoted(column, cells, column.over_high))
    return num


def _check_score(rows: _Rows, column: Column) -> pa.Array:
    num, cells = _numbers(rows, column)
    if cells.null_count == rows.n:
        return pa.nulls(rows.n, pa.int64())
    low, high = column.low or 0, column.high or 0
    right = pc.and_(
        pc.equal(num, pc.round(num)), pc.and_(pc.greater_equal(num, low), pc.less_equal(num, high))
    )
    wrong = pc.and_(cells.is_valid(), pc.invert(right.fill_null(False)))
    rows.flag(
        column, wrong, _quoted(column, cells, f"is not a whole number from {low:g} to {high:g}")
    )
    return pc.cast(pc.if_else(wrong, None, num), pa.int64(), safe=False)


def _check_stamp(rows: _Rows, column: Column) -> pa.Array:
    cells = rows.cells[column.name]
    utc, rows.local_time, reasons = parse_stamps(cells)
    if reasons is None:
        rows.empty(column, np.zeros(rows.n, dtype=bool))
    else:
        blank = _np(_trimmed(cells).is_null())
        rows.empty(column, blank)
        rows.flag(column, (reasons != None) & ~blank, lambda i: str(reasons[i]))  # noqa: E711
    if rows.now is not None:
        late = pc.greater(utc, pa.scalar(rows.now + FUTURE_SLACK, utc.type))
        rows.flag(
            column,
            late,
            lambda i: (
                f"{column.name} '{cells[i].as_py().strip()[:40]}' "
                + future_words(rows.local_time[i].as_py())
            ),
        )
    return utc


_CHECKS: dict[str, Callable[[_Rows, Column], pa.Array]] = {
    "text": _check_text,
    "name": _check_name,
    "stamp": _check_stamp,
    "id": _check_id,
    "choice": _check_choice,
    "seconds": _check_quantity,
    "metres": _check_quantity,
    "flag": _check_flag,
    "score": _check_score,
    "note": _check_note,
    "ref": _check_ref,
}


def first_rejected(reason: pd.Series) -> tuple[int, str] | None:
    """(row number counting from 1, why) for the first row :func:`check_rows` rejected, or None."""
    bad = np.flatnonzero(reason.notna().to_numpy())
    return (int(bad[0]) + 1, str(reason.iloc[bad[0]])) if len(bad) else None


def normalized_names(names: pa.Array) -> pa.Array:
    """Athletes' names as the log keeps them (NFC, trimmed), each distinct name worked once."""
    encoded = names.dictionary_encode()
    clean = [kept_name(v or "") for v in encoded.dictionary.to_pylist()]
    return pc.take(pa.array(clean, pa.string()), encoded.indices)


def empty_frame(table: Table) -> pd.DataFrame:
    """An empty typed frame of ``table``, with every column a read gives."""
    empty = pd.DataFrame({c: pd.Series([], dtype="str") for c in table.names})
    typed, _ = check_rows(empty, table=table)
    typed.attrs["problems"] = []
    return typed


def empty_log() -> pd.DataFrame:
    """An empty typed hold log frame, with every column a read gives."""
    return empty_frame(HOLDS)
