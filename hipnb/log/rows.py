"""Rows in: dicts, frames or hand-entered holds turned into the log's text (each value written as
its column's spec says), and back to CSV."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import pandas as pd
import pyarrow as pa

from hipnb.errors import LogError
from hipnb.log.check import check_rows, first_rejected
from hipnb.log.spec import EOL, HOLDS, Hold, Rows, Table, held_to_target
from hipnb.log.stamps import iso, stamp_texts

# --------------------------------------------------------------------------------------------------
# rows in: anything row-like -> frame of strings in the schema


def _to_text_frame(rows: Rows, table: Table = HOLDS) -> pd.DataFrame:
    """Turn dicts, a DataFrame (e.g. one returned by read) or an iterable of mappings into strings."""
    if isinstance(rows, pd.DataFrame):
        df = rows
    else:
        df = pd.DataFrame([rows] if isinstance(rows, Mapping) else list(rows))
    out: dict[str, pd.Series] = {}
    required = table.required
    for name in table.names:
        if name not in df:
            if name in required:
                raise LogError(f"rows have no {name!r} column (required: {', '.join(required)})")
            out[name] = pd.Series([""] * len(df), index=df.index, dtype="str")
            continue
        out[name] = _column_text(df, name, table)
    return pd.DataFrame(out, index=df.index)


@dataclass
class _Batch:
    """Rows on their way in: every column of the schema as text, in an Arrow table."""

    table: pa.Table
    index: pd.Index

    def __len__(self) -> int:
        n: int = self.table.num_rows
        return n

    def csv(self, columns: list[str]) -> str:
        """The rows as CSV text (CRLF line ends) with ``columns`` in that order."""
        cells = [
            self.table.column(c).to_pylist() if c in self.table.column_names else None
            for c in columns
        ]
        empty = [""] * len(self)
        buf = io.StringIO()
        csv.writer(buf, lineterminator=EOL).writerows(
            zip(*(c if c is not None else empty for c in cells), strict=True)
        )
        return buf.getvalue()

    def with_column(self, name: str, values: pa.Array) -> _Batch:
        at = self.table.column_names.index(name)
        return _Batch(self.table.set_column(at, name, values), self.index)


def as_text(rows: Rows | Iterable[Mapping[str, Any]] | pa.Table, table: Table = HOLDS) -> pa.Table:
    """Rows (a mapping, an iterable of mappings or a DataFrame) as the log writes them: an Arrow
    table of text, a column for each of ``table``'s columns (``""`` for a value left out), which
    :func:`hipnb.log.check.check_rows` checks and :func:`hipnb.log.append.append_rows` writes."""
    return _batch(cast(Rows, rows), table).table


def _batch(rows: Rows | pa.Table, table: Table = HOLDS) -> _Batch:
    """Rows (a mapping, an iterable of mappings or a DataFrame) as a text batch in ``table``'s
    schema (a table of text from :func:`as_text` is taken as it is).

    Mappings are turned into text one cell at a time (a session is a handful of rows); a frame
    column by column.
    """
    if isinstance(rows, pa.Table):
        return _Batch(rows, pd.RangeIndex(rows.num_rows))
    names, required = table.names, table.required
    if isinstance(rows, pd.DataFrame) and (len(rows) > 64 or "local_time" in rows):
        frame = _to_text_frame(rows, table)
        cells = pa.table({c: pa.array(frame[c].to_numpy(dtype=object), pa.string()) for c in names})
        return _Batch(cells, frame.index)
    if isinstance(rows, pd.DataFrame):
        # a session: cell by cell is quicker than column by column
        records = cast(list[Mapping[str, Any]], rows.to_dict("records"))
    elif isinstance(rows, Mapping):
        records = [rows]
    else:  # an iterable of holds
        records = list(rows)
    present = set().union(*(r.keys() for r in records)) if records else set(names)
    missing = [c for c in required if c not in present]
    if missing:
        raise LogError(f"rows have no {missing[0]!r} column (required: {', '.join(required)})")
    columns = {
        c.name: pa.array([c.text(r.get(c.name)) for r in records], pa.string())
        for c in table.columns
    }
    return _Batch(pa.table(columns), pd.RangeIndex(len(records)))


def _column_text(df: pd.DataFrame, name: str, table: Table = HOLDS) -> pd.Series[str]:
    s = df[name]
    if name == "started_at" and isinstance(s.dtype, pd.DatetimeTZDtype):
        return stamp_texts(s, df.get("local_time"))
    return table.by_name[name].texts(s)


def _csv_text(text_frame: pd.DataFrame, columns: list[str]) -> str:
    buf = io.StringIO()
    text_frame.reindex(columns=columns, fill_value="").to_csv(
        buf, header=False, index=False, lineterminator=EOL
    )
    return buf.getvalue()


def to_frame(rows: Rows) -> pd.DataFrame:
    """Validate rows in memory (dicts or a frame) and return them typed, as :meth:`SessionLog.read`
    would; raises :class:`hipnb.LogError` naming the first bad row and field."""
    typed, reason = check_rows(_to_text_frame(rows))
    first = first_rejected(reason)
    if first:
        raise LogError(f"row {first[0]}: {first[1]}")
    typed.attrs["problems"] = []
    return typed


def _header_names(line: str) -> list[str] | None:
    """Column names from one header line, or None if it is not a single well-formed CSV line."""
    try:
        return [c.strip() for c in next(csv.reader([line], strict=True), [])]
    except csv.Error:
        return None


def manual_row(
    athlete: str,
    exercise: str,
    side: str,
    actual_s: float,
    target_s: float | None = None,
    started_at: datetime | str | None = None,
    rpe: int | None = None,
    discomfort: int | None = None,
    note: str = "",
) -> Hold:
    """One log row for a hold done away from the screen (``routine`` is ``"manual"``).

    Each row gets a session id of its own (``manual-`` and 12 random hex digits), so two holds
    logged alike (same exercise, side and start) are two holds, never one. ``started_at`` defaults
    to now, in this machine's time zone. Without ``target_s`` the target and ``completed`` are left
    to the door (:meth:`hipnb.SessionLog.add`: the routine's target, else the held time); with it,
    ``completed`` is true when the hold reached its target. The row is checked when it is added.
    """
    when = started_at or datetime.now().astimezone().replace(microsecond=0)
    stamp = when if isinstance(when, str) else iso(when)
    completed: bool | None = None
    if target_s is not None:
        try:
            completed = held_to_target(actual_s, target_s)
        except (TypeError, ValueError):
            completed = False  # the numbers themselves are reported by validation
    return {
        "session_id": f"manual-{uuid.uuid4().hex[:12]}",
        "athlete": athlete,
        "started_at": stamp,
        "routine": "manual",
        "exercise": exercise,
        "side": side,
        "target_s": target_s,
        "actual_s": actual_s,
        "completed": completed,
        "rpe": rpe,
        "discomfort": discomfort,
        "note": note,
    }
