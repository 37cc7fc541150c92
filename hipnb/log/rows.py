"""Rows in: dicts, frames or hand-entered holds turned into text in the schema, and back to CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from hipnb.errors import LogError
from hipnb.log.schema import ALL_COLUMNS, EOL, REQUIRED, Hold, _first_rejected, _validate

# --------------------------------------------------------------------------------------------------
# rows in: anything row-like -> frame of strings in the schema


def _to_text_frame(rows) -> pd.DataFrame:
    """Turn dicts, a DataFrame (e.g. one returned by read) or an iterable of mappings into strings."""
    if isinstance(rows, Mapping):
        rows = [rows]
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    out = {}
    for name in ALL_COLUMNS:
        if name not in df:
            if name in REQUIRED:
                raise LogError(f"rows have no {name!r} column (required: {', '.join(REQUIRED)})")
            out[name] = pd.Series([""] * len(df), index=df.index, dtype="str")
            continue
        out[name] = _column_text(df, name)
    return pd.DataFrame(out, index=df.index)


@dataclass
class _Batch:
    """Rows on their way in: every column of the schema as text, in an Arrow table."""

    table: pa.Table
    index: pd.Index

    def __len__(self) -> int:
        return self.table.num_rows

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


def _batch(rows) -> _Batch:
    """Rows (a mapping, an iterable of mappings or a DataFrame) as a text batch in the schema.

    Mappings are turned into text one cell at a time (a session is a handful of rows); a frame
    column by column.
    """
    if isinstance(rows, Mapping):
        rows = [rows]
    if isinstance(rows, pd.DataFrame) and len(rows) <= 64 and "local_time" not in rows:
        rows = rows.to_dict("records")  # a session: cell by cell is quicker than column by column
    if isinstance(rows, pd.DataFrame):
        frame = _to_text_frame(rows)
        table = pa.table(
            {c: pa.array(frame[c].to_numpy(dtype=object), pa.string()) for c in ALL_COLUMNS}
        )
        return _Batch(table, frame.index)
    rows = list(rows)
    present = set().union(*(r.keys() for r in rows)) if rows else set(ALL_COLUMNS)
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise LogError(f"rows have no {missing[0]!r} column (required: {', '.join(REQUIRED)})")
    columns = {
        name: pa.array([_cell(name, r.get(name)) for r in rows], pa.string())
        for name in ALL_COLUMNS
    }
    return _Batch(pa.table(columns), pd.RangeIndex(len(rows)))


def _cell(name: str, v) -> str:
    """One value as the log writes it (seconds as floats, as the frame path writes them)."""
    numeric = isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
    if name in ("target_s", "actual_s", "pain_at_s") and numeric and not pd.isna(v):
        return repr(float(v))
    return _scalar_text(v)


def _column_text(df: pd.DataFrame, name: str) -> pd.Series:
    s = df[name]
    if name == "started_at":
        return _stamp_text(s, df.get("local_time"))
    if name in ("target_s", "actual_s", "pain_at_s") and pd.api.types.is_numeric_dtype(s):
        return s.astype("float64").map(repr).where(s.notna(), "")
    if name == "completed" and pd.api.types.is_bool_dtype(s):
        return s.map({True: "true", False: "false"}).astype("str").fillna("")
    if name in ("rpe", "discomfort") and pd.api.types.is_numeric_dtype(s):
        num = s.astype("Float64")
        whole = num.round()
        text = whole.astype("Int64", errors="ignore") if (whole == num).all() else num
        return text.astype("str").where(num.notna(), "").fillna("")
    return s.map(_scalar_text).astype("str")


def _scalar_text(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating):
        return repr(float(v)) if float(v) % 1 else str(int(v))
    if isinstance(v, datetime):
        return _iso(v)
    return str(v)


def _iso(v: datetime) -> str:
    if v.tzinfo is None or v.utcoffset() is None:
        raise LogError(f"started_at {v!s} has no time zone; give an aware datetime")
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    return v.isoformat()


def _stamp_text(s: pd.Series, local: pd.Series | None) -> pd.Series:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        utc = s.dt.tz_convert("UTC").dt.tz_localize(None)
        wall = local if local is not None else s.dt.tz_localize(None)
        minutes = ((wall - utc).dt.total_seconds() // 60).astype("Int64")
        sign = np.where(minutes < 0, "-", "+")
        am = minutes.abs()
        off = (
            pd.Series(sign, index=s.index)
            + (am // 60).astype("str").str.zfill(2)
            + ":"
            + (am % 60).astype("str").str.zfill(2)
        )
        frac = wall.dt.microsecond
        fmt = wall.dt.strftime("%Y-%m-%dT%H:%M:%S")
        fmt = fmt.where(frac == 0, fmt + "." + frac.astype("str").str.zfill(6))
        return (fmt + off).where(s.notna(), "")
    return s.map(_scalar_text).astype("str")


def _csv_text(text_frame: pd.DataFrame, columns: list[str]) -> str:
    buf = io.StringIO()
    text_frame.reindex(columns=columns, fill_value="").to_csv(
        buf, header=False, index=False, lineterminator=EOL
    )
    return buf.getvalue()


def to_frame(rows) -> pd.DataFrame:
    """Validate rows in memory (dicts or a frame) and return them typed, as :meth:`SessionLog.read`
    would; raises :class:`hipnb.LogError` naming the first bad row and field."""
    typed, reason = _validate(_to_text_frame(rows))
    first = _first_rejected(reason)
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

    ``target_s`` defaults to ``actual_s``; ``started_at`` defaults to now, in this machine's time zone.
    ``completed`` is true when the hold reached its target. Validation happens in
    :meth:`SessionLog.append`, like any other row.
    """
    when = started_at or datetime.now().astimezone().replace(microsecond=0)
    stamp = when if isinstance(when, str) else _iso(when)
    target = actual_s if target_s is None else target_s
    try:
        completed = float(actual_s) >= float(target)
    except (TypeError, ValueError):
        completed = False  # the numbers themselves are reported by validation
    return {
        "session_id": f"manual-{athlete}-{stamp}",
        "athlete": athlete,
        "started_at": stamp,
        "routine": "manual",
        "exercise": exercise,
        "side": side,
        "target_s": target,
        "actual_s": actual_s,
        "completed": completed,
        "rpe": rpe,
        "discomfort": discomfort,
        "note": note,
    }
