"""The session log: an open CSV file, one row per hold, validated on the way in and on the way out.

* :meth:`SessionLog.append` validates a batch, then writes it in one locked, flushed and fsynced write:
  an append that returned is durable, and appending never reads or rewrites the rest of the file.
* :meth:`SessionLog.read` returns a typed DataFrame; every row that cannot be used is reported as a
  :class:`Problem` (file, line, reason) in ``df.attrs["problems"]`` (or raised, with ``errors="raise"``).
  Rows read + rows rejected = rows in the file, always.
* :func:`read_logs` reads one file or a folder of them (a squad) and merges duplicated rows once.

Schema and meaning of each column: ``COLUMNS`` below and the design notes.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from filelock import FileLock

from hipnb.errors import LogError
from hipnb.routines import SIDES

COLUMNS = (
    "session_id",
    "athlete",
    "started_at",
    "routine",
    "exercise",
    "side",
    "target_s",
    "actual_s",
    "completed",
    "rpe",
    "discomfort",
    "note",
)
REQUIRED = COLUMNS[:9]
OPTIONAL = COLUMNS[9:]
#: Longest hold a log accepts, in seconds. A 10-hour plank is a typo, not a record.
MAX_HOLD_S = 2 * 3600.0
#: Rows end in CRLF (RFC 4180): Python's csv writer then quotes any field holding CR or LF, so a
#: stray carriage return in a note can never split a row.
EOL = "\r\n"
#: Keys that identify one hold; rows equal on these are the same hold logged twice.
DUPLICATE_KEY = ["session_id", "exercise", "side", "started_at"]

_ATHLETE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_ATHLETE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}"
_SLUG_PATTERN = r"[a-z][a-z0-9_]*"
_STAMP = re.compile(
    r"^(?P<local>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_BLANK = re.compile(rb"(?:\s|\xef\xbb\xbf)*\Z")  # stops at the first character that is not blank
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


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


def athlete_path(folder: str | Path, athlete: str, suffix: str = ".csv") -> Path:
    """The file for ``athlete`` inside ``folder``: the one way athlete ids become file names.

    Refuses ids with path separators, ``..``, leading dots or anything that would leave ``folder``
    (raises :class:`hipnb.LogError`). Ids are 1-64 letters, digits, ``_``, ``-`` or ``.``.
    """
    if not isinstance(athlete, str) or not _ATHLETE.match(athlete) or ".." in athlete:
        raise LogError(
            f"athlete id {athlete!r} cannot be used as a file name: use 1-64 letters, digits, "
            "'_', '-' or '.', starting with a letter or digit"
        )
    base = Path(folder).resolve()
    path = (base / f"{athlete}{suffix}").resolve()
    if path.parent != base:
        raise LogError(f"athlete id {athlete!r} would leave the folder {base}")
    return path


# --------------------------------------------------------------------------------------------------
# validation: one vectorised pass over a frame of strings, used by both append and read


def _validate(raw) -> tuple[pd.DataFrame, pd.Series]:
    """Validate strings in the schema (a DataFrame or an Arrow table of text columns).

    Returns the typed frame and, per row, the reason it cannot be used (None for a good row). One
    vectorised pass in Arrow compute; messages are built only for the rows that fail.
    """
    n = raw.num_rows if isinstance(raw, pa.Table) else len(raw)
    index = pd.RangeIndex(n) if isinstance(raw, pa.Table) else raw.index
    # trim spaces a spreadsheet may leave: ids on their few distinct values, numbers only when
    # they fail to parse, stamps only off the canonical path, notes never
    text = {name: _arrow_text(raw, name, n, strip=False) for name in COLUMNS}
    text["session_id"] = pc.utf8_trim_whitespace(text["session_id"])
    for name in ("athlete", "routine", "exercise", "side", "completed"):
        text[name] = _per_unique(text[name], pc.utf8_trim_whitespace)
    bad = np.zeros(n, dtype=bool)
    reason = np.full(n, None, dtype=object)

    def flag(mask, message, invert: bool = False) -> None:
        """Give rows in ``mask`` (not already rejected) a reason; ``message(i)`` builds it."""
        nonlocal bad
        mask = _np_bool(mask)
        mask = (~mask if invert else mask) & ~bad
        if mask.any():
            for i in np.flatnonzero(mask):
                reason[i] = message(i)
            bad |= mask

    def quoted(name, what):
        values = text[name]
        return lambda i: f"{name} '{str(values[int(i)].as_py())[:40]}' {what}"

    out = {}
    for name in ("session_id", "routine"):
        flag(pc.equal(text[name], ""), lambda i, name=name: f"{name} is empty")
        out[name] = text[name]
    flag(pc.equal(text["athlete"], ""), lambda i: "athlete is empty")
    flag(
        _per_unique(
            text["athlete"], lambda u: pc.match_substring_regex(u, f"^{_ATHLETE_PATTERN}$")
        ),
        quoted("athlete", "is not a valid id"),
        invert=True,
    )
    out["athlete"] = text["athlete"]

    stamp = text["started_at"]
    local, offset = _fast_stamps(stamp)
    if local is None:  # not every stamp is in the canonical form: take the general path
        stamp = pc.utf8_trim_whitespace(stamp)
        flag(pc.equal(stamp, ""), lambda i: "started_at is empty")
        parts = pc.extract_regex(stamp, _STAMP.pattern)
        local_text, tz = pc.struct_field(parts, "local"), pc.struct_field(parts, "tz")
        flag(pc.is_null(local_text), quoted("started_at", "is not an ISO 8601 date-time"))
        flag(
            pc.equal(tz, ""),
            quoted("started_at", "has no UTC offset (write it like 2026-11-24T07:15:03-05:00)"),
        )
        local = _parse_local(local_text)
        offset = _offset_minutes(tz)
        flag(
            pc.greater(pc.abs(offset), 18 * 60),
            quoted("started_at", "has an impossible UTC offset"),
        )
        # parsers roll 2026-02-30 over to March: a date-time must read back as it was written
        rolled = pc.or_kleene(
            pc.not_equal(pc.day(local), _int_slice(local_text, 8, 10)),
            pc.not_equal(pc.hour(local), _int_slice(local_text, 11, 13)),
        )
        flag(
            pc.or_kleene(pc.is_null(local), rolled),
            quoted("started_at", "is not a valid date-time"),
        )
    local_np = np.asarray(local.fill_null(0).to_numpy(zero_copy_only=False), dtype="datetime64[us]")
    off_np = np.asarray(offset.fill_null(0), dtype="int64").astype("timedelta64[m]")
    out["started_at"] = pa.array(local_np - off_np, type=pa.timestamp("us", tz="UTC"))
    out["local_time"] = pa.array(local_np, type=pa.timestamp("us"))

    flag(
        _per_unique(text["exercise"], lambda u: pc.match_substring_regex(u, f"^{_SLUG_PATTERN}$")),
        quoted("exercise", "is not an id"),
        invert=True,
    )
    out["exercise"] = text["exercise"]
    side = pc.utf8_lower(text["side"])
    flag(
        pc.invert(pc.is_in(side, pa.array(SIDES))),
        quoted("side", "is not one of left, right, both"),
    )
    out["side"] = side

    for name in ("target_s", "actual_s"):
        num, blank = _numbers(text[name])
        flag(blank, lambda i, name=name: f"{name} is empty")
        flag(
            pc.invert(pc.is_finite(num.fill_null(np.nan))),
            quoted(name, "is not a number of seconds"),
        )
        flag(pc.less(num, 0), quoted(name, "is negative"))
        flag(pc.greater(num, MAX_HOLD_S), quoted(name, "is absurd for one hold (over 2 h)"))
        out[name] = num

    done = pc.utf8_lower(text["completed"])
    flag(
        pc.invert(pc.is_in(done, pa.array(sorted(_TRUE | _FALSE)))),
        quoted("completed", "is not true/false"),
    )
    out["completed"] = pc.is_in(done, pa.array(sorted(_TRUE)))

    for name in ("rpe", "discomfort"):
        num, blank = _numbers(text[name])
        wrong = pc.or_kleene(
            pc.or_kleene(pc.is_nan(num.fill_null(0)), pc.not_equal(num, pc.round(num))),
            pc.or_kleene(pc.less(num, 0), pc.greater(num, 10)),
        )
        flag(
            pc.or_(pc.and_(pc.invert(blank), pc.is_null(num)), wrong.fill_null(False)),
            quoted(name, "is not a whole number from 0 to 10"),
        )
        out[name] = pc.cast(pc.if_else(wrong.fill_null(False), None, num), pa.int64(), safe=False)

    note = _arrow_text(raw, "note", n, strip=False)
    out["note"] = pc.if_else(pc.equal(note, ""), None, note)

    table = pa.table({name: out[name] for name in (*COLUMNS, "local_time")})
    typed = table.to_pandas(types_mapper=_PANDAS_TYPES.get)
    typed.index = index
    return typed, pd.Series(reason, index=index)


_PANDAS_TYPES = {
    pa.string(): pd.StringDtype("pyarrow", np.nan),
    pa.large_string(): pd.StringDtype("pyarrow", np.nan),
    pa.int64(): pd.Int64Dtype(),
}


def _np_bool(mask) -> np.ndarray:
    if isinstance(mask, pa.ChunkedArray | pa.Array):
        return np.asarray(mask.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(mask, dtype=bool)


def _arrow_text(raw, name: str, n: int, strip: bool = True) -> pa.Array:
    """Column ``name`` as an Arrow string array with no nulls ("" where missing)."""
    if isinstance(raw, pa.Table):
        arr = raw.column(name) if name in raw.column_names else None
    else:
        arr = (
            pa.array(raw[name].astype("str").fillna("").to_numpy(dtype=object), pa.string())
            if name in raw
            else None
        )
    if arr is None:
        return pa.array([""] * n, pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.string()).fill_null("")
    return pc.utf8_trim_whitespace(arr) if strip else arr


def _numbers(arr: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(numbers, blank): floats from text, null where a cell is blank or not a number."""
    blank = pc.equal(arr, "")
    try:
        return pc.if_else(blank, None, arr).cast(pa.float64()), blank
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # spaces or text: the slow way
        arr = pc.utf8_trim_whitespace(arr)
        blank = pc.equal(arr, "")
        cells = pd.Series(pc.if_else(blank, None, arr).to_pylist(), dtype=object)
        num = pd.to_numeric(cells, errors="coerce").astype("float64").to_numpy()
        return pa.array(num, pa.float64(), from_pandas=True), blank


def _parse_local(local_text: pa.Array) -> pa.Array:
    """Wall-clock timestamps from the date-time part; null where the text is no real date-time."""
    fast = pc.strptime(local_text, format="%Y-%m-%dT%H:%M:%S", unit="us", error_is_null=True)
    retry = pc.and_(pc.is_null(fast), pc.is_valid(local_text))
    if not pc.any(retry).as_py():
        return fast
    slow = pd.to_datetime(
        pd.Series(local_text.to_pylist(), dtype=object).str.replace(" ", "T", regex=False),
        format="ISO8601",
        errors="coerce",
    ).astype("datetime64[us]")
    return pc.if_else(retry, pa.array(slow, pa.timestamp("us"), from_pandas=True), fast)


def _per_unique(arr: pa.Array, fn) -> pa.Array:
    """``fn`` applied to each distinct value once, spread back over ``arr`` (ids, sides, offsets)."""
    encoded = arr.dictionary_encode()
    return pc.take(fn(encoded.dictionary), encoded.indices)


def _int_slice(text: pa.Array, start: int, stop: int) -> pa.Array:
    # callers pass text whose slice is digits (checked by a regex or the canonical form)
    return pc.cast(pc.utf8_slice_codeunits(text, start, stop), pa.int64())


_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24]
_SEPARATORS = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":", 22: ":"}
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


def _fast_stamps(stamp: pa.Array):
    """Every stamp in the canonical form ``2026-11-24T07:15:03-05:00``: parsed as fixed-width bytes.

    Returns (local time, offset minutes), or (None, None) when any row is not canonical or not a
    real date-time, so that the caller takes the general path, which says what is wrong.
    """
    n = len(stamp)
    if n == 0 or stamp.null_count:
        return None, None
    ends = np.frombuffer(stamp.buffers()[1], dtype=np.int32)[stamp.offset : stamp.offset + n + 1]
    if not (np.diff(ends) == 25).all():
        return None, None
    raw = np.frombuffer(stamp.buffers()[2], dtype=np.uint8)[ends[0] : ends[0] + 25 * n]
    raw = raw.reshape(n, 25)
    d = raw[:, _DIGITS].astype(np.int32) - 48
    sign = raw[:, 19]
    if (
        (d.min() < 0 or d.max() > 9)
        or any((raw[:, i] != ord(c)).any() for i, c in _SEPARATORS.items())
        or ((sign != ord("+")) & (sign != ord("-"))).any()
    ):
        return None, None
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month, day, hour, minute, second, oh, om = (d[:, i] * 10 + d[:, i + 1] for i in range(4, 18, 2))
    if ((month < 1) | (month > 12)).any():
        return None, None
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[month] + (leap & (month == 2))
    if (
        ((day < 1) | (day > month_days)).any()
        or (hour > 23).any()
        or (minute > 59).any()
        or (second > 59).any()
        or (om > 59).any()
        or (oh * 60 + om > 18 * 60).any()
    ):
        return None, None
    # days since 1970-01-01 from the civil date (H. Hinnant's algorithm), in integer arithmetic
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    days = era.astype(np.int64) * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    seconds = days * 86400 + hour * 3600 + minute * 60 + second
    local = (seconds * 1_000_000).view("datetime64[us]")
    offset = np.where(sign == ord("-"), -1, 1) * (oh * 60 + om)
    return pa.array(local, pa.timestamp("us")), pa.array(offset.astype(np.int64), pa.int64())


def _offset_minutes(tz: pa.Array) -> pa.Array:
    tz = tz.fill_null("")
    tz = pc.if_else(pc.equal(tz, ""), "Z", tz)
    digits = pc.replace_substring(pc.if_else(pc.equal(tz, "Z"), "+0000", tz), ":", "")
    sign = pc.if_else(pc.starts_with(digits, "-"), -1, 1)
    hours = pc.cast(pc.utf8_slice_codeunits(digits, 1, 3), pa.int64(), safe=False)
    minutes = pc.cast(pc.utf8_slice_codeunits(digits, 3, 5), pa.int64(), safe=False)
    return pc.multiply(sign, pc.add(pc.multiply(hours, 60), minutes))


# --------------------------------------------------------------------------------------------------
# rows in: anything row-like -> frame of strings in the schema


def _to_text_frame(rows) -> pd.DataFrame:
    """Turn dicts, a DataFrame (e.g. one returned by read) or an iterable of mappings into strings."""
    if isinstance(rows, Mapping):
        rows = [rows]
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    out = {}
    for name in COLUMNS:
        if name not in df:
            if name in REQUIRED:
                raise LogError(f"rows have no {name!r} column (required: {', '.join(REQUIRED)})")
            out[name] = pd.Series([""] * len(df), index=df.index, dtype="str")
            continue
        out[name] = _column_text(df, name)
    return pd.DataFrame(out, index=df.index)


def _column_text(df: pd.DataFrame, name: str) -> pd.Series:
    s = df[name]
    if name == "started_at":
        return _stamp_text(s, df.get("local_time"))
    if name in ("target_s", "actual_s") and pd.api.types.is_numeric_dtype(s):
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


# --------------------------------------------------------------------------------------------------
# the log


def to_frame(rows) -> pd.DataFrame:
    """Validate rows in memory (dicts or a frame) and return them typed, as :meth:`SessionLog.read`
    would; raises :class:`hipnb.LogError` naming the first bad row and field."""
    typed, reason = _validate(_to_text_frame(rows))
    first = _first_rejected(reason)
    if first:
        raise LogError(f"row {first[0]}: {first[1]}")
    typed.attrs["problems"] = []
    return typed


def _first_rejected(reason: pd.Series) -> tuple[int, str] | None:
    """(row number counting from 1, why) for the first row validation rejected, or None."""
    bad = np.flatnonzero(reason.notna().to_numpy())
    return (int(bad[0]) + 1, str(reason.iloc[bad[0]])) if len(bad) else None


class SessionLog:
    """A session log file (CSV, UTF-8, header row, one row per hold).

    Example::

        >>> log = SessionLog("data/ana.csv")
        >>> log.append([{"session_id": "s1", "athlete": "ana", ...}])   # doctest: +SKIP
        >>> df = log.read()            # typed frame; df.attrs["problems"] lists rejected rows
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = FileLock(str(self.path.with_name(f".{self.path.name}.lock")))

    def __repr__(self) -> str:
        return f"SessionLog({str(self.path)!r})"

    def append(self, rows) -> int:
        """Validate ``rows`` (dicts or a DataFrame) and append them durably; return how many.

        Raises :class:`hipnb.LogError` naming the row (1-based, within this call) and the field if any
        row is invalid; nothing of that call is written then. The write is one ``write`` under a
        cross-process lock, followed by flush and fsync, so an append that returned survives a crash.
        """
        text_frame = _to_text_frame(rows)
        if text_frame.empty:
            return 0
        _, reason = _validate(text_frame)
        first = _first_rejected(reason)
        if first:
            raise LogError(
                f"{self.path}: row {first[0]} of this append: {first[1]} (nothing was written)"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size == 0:
                    columns, prefix = list(COLUMNS), ",".join(COLUMNS) + EOL
                else:
                    columns = self._header_columns(fd)
                    prefix = "" if os.pread(fd, 1, size - 1) in (b"\n", b"\r") else EOL
                data = (prefix + _csv_text(text_frame, columns)).encode("utf-8")
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            if size == 0:
                _fsync_dir(self.path.parent)
        return len(text_frame)

    def _header_columns(self, fd: int) -> list[str]:
        head = os.pread(fd, 65536, 0)
        line = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").rstrip("\r")
        columns = _header_names(line) or []
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise LogError(
                f"{self.path}:1: cannot append: the header lacks {', '.join(missing)} "
                f"(header: {line[:120]!r})"
            )
        return columns

    def read(self, errors: Literal["report", "raise"] = "report") -> pd.DataFrame:
        """Read and validate the whole log into a typed DataFrame.

        Columns: the schema's, with ``started_at`` as a UTC timestamp, ``local_time`` (the athlete's
        wall-clock time, from the row's own UTC offset), floats for seconds, bool ``completed``,
        nullable ints for ``rpe``/``discomfort`` and string columns for text. Columns may come in any
        order; columns outside the schema (and empty trailing ones) are ignored.

        ``errors="report"`` (default): unusable rows are left out and listed in
        ``df.attrs["problems"]`` as :class:`Problem` (file, line, reason), and a warning says how many.
        ``errors="raise"``: the first problem raises :class:`hipnb.LogError`.
        A missing file reads as an empty log.
        """
        if errors not in ("report", "raise"):
            raise ValueError("errors must be 'report' or 'raise'")
        df, found = _read_file(self.path)
        if found and errors == "raise":
            raise LogError(
                str(found[0]) + (f" (and {len(found) - 1} more)" if len(found) > 1 else "")
            )
        if found:
            warnings.warn(
                f"{self.path}: {len(found)} row(s) could not be used; first: {found[0]}",
                LogWarning,
                stacklevel=2,
            )
        df.attrs["problems"] = found
        return df


class LogWarning(UserWarning):
    """Warned when rows of a log were rejected on read (they are listed in ``attrs["problems"]``)."""


def empty_log() -> pd.DataFrame:
    """An empty typed log frame."""
    typed, _ = _validate(pd.DataFrame({c: pd.Series([], dtype="str") for c in COLUMNS}))
    typed.attrs["problems"] = []
    return typed


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_file(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    name = str(path)
    if not path.exists():
        return empty_log(), []
    with open(path, "rb") as f:
        head = f.read(1 << 16)
        size = os.fstat(f.fileno()).st_size
        f.seek(max(size - 1, 0))
        last = f.read(1)
    if size <= len(head) and _BLANK.match(head):
        return empty_log(), [
            Problem(name, 1, "empty file: expected a header row: " + ",".join(COLUMNS))
        ]
    fast = _fast_parse(path, head, last)
    if fast is not None:
        typed, reason = _validate(fast)
        if reason.isna().all():
            return typed.reset_index(drop=True), []
    return _careful_read(path.read_bytes(), name)


def _header_names(line: str) -> list[str] | None:
    """Column names from one header line, or None if it is not a single well-formed CSV line."""
    try:
        return [c.strip() for c in next(csv.reader([line], strict=True), [])]
    except csv.Error:
        return None


def _fast_parse(path: Path, head: bytes, last: bytes) -> pa.Table | None:
    """Parse with pyarrow (memory-mapped) when the file looks clean: it ends with a line end and its
    first line is a complete header. None means 'use the careful parser'."""
    import pyarrow.csv as pacsv

    end = head.find(b"\n")
    if last != b"\n" or end < 0:
        return None
    header = head[:end].decode("utf-8-sig", errors="replace").rstrip("\r")
    names = _header_names(header)
    if names is None or any(c not in names for c in REQUIRED) or len(set(names)) != len(names):
        return None
    try:  # a row with the wrong number of fields raises: the careful parser then reports it
        return pacsv.read_csv(
            pa.memory_map(str(path)),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=4 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                include_columns=[c for c in COLUMNS if c in names],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException, UnicodeDecodeError):
        return None


def _careful_read(data: bytes, name: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The authoritative parser: Python's csv module, tracking the line where each record starts."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LogError(
            f"{name}:{line}: the file is not UTF-8 text (byte {data[exc.start]:#04x}); "
            "save it as 'CSV UTF-8'"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    found: list[Problem] = []
    records, lines = [], []
    prev = 0
    try:
        for record in reader:
            start, prev = prev + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # a blank line is not a row
            records.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise LogError(f"{name}:{reader.line_num}: unreadable CSV: {exc}") from None
    if not records:
        return empty_log(), [Problem(name, 1, "empty file: expected a header row")]
    header, header_line = [c.strip() for c in records[0]], lines[0]
    body, body_lines = records[1:], lines[1:]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        if len(header) == 1 and ";" in header[0]:
            reason = (
                "the file is separated by semicolons; hipnb logs use commas "
                "(save as CSV with ',' as the field delimiter)"
            )
        else:
            reason = (
                f"missing required column(s) {', '.join(missing)}; "
                f"expected a header like: {','.join(COLUMNS)}"
            )
        raise LogError(f"{name}:{header_line}: {reason}")
    keep = [i for i, c in enumerate(header) if c]  # drop unnamed (trailing empty) columns
    width = len(header)
    torn = body_lines[-1] if body_lines and not text.endswith(("\n", "\r")) else None
    good_rows, good_lines = [], []
    for record, line in zip(body, body_lines, strict=True):
        extra = record[width:]
        if len(record) < width or any(v.strip() for v in extra):
            found.append(Problem(name, line, f"row has {len(record)} fields, expected {width}"))
            continue
        good_rows.append([record[i] for i in keep])
        good_lines.append(line)
    raw = pd.DataFrame(good_rows, columns=[header[i] for i in keep], dtype="str")
    if raw.columns.duplicated().any():
        raise LogError(f"{name}:{header_line}: the header repeats a column name")
    raw = raw.reindex(columns=[c for c in COLUMNS if c in raw.columns])
    typed, reason = _validate(raw)
    bad = reason.notna().to_numpy()
    found += [Problem(name, good_lines[i], str(reason.iloc[i])) for i in np.flatnonzero(bad)]
    found = [
        p._replace(reason=p.reason + " (the last line is incomplete: a write was cut off)")
        if p.line == torn
        else p
        for p in sorted(found, key=lambda p: p.line)
    ]
    return typed[~bad].reset_index(drop=True), found


def read_logs(
    path_or_folder: str | Path | Iterable[str | Path],
    errors: Literal["report", "raise"] = "report",
) -> pd.DataFrame:
    """Read one log file, a folder of ``*.csv`` logs (a squad) or a list of files, combined.

    Rows logged twice (same ``session_id``, ``exercise``, ``side`` and ``started_at``: the same
    session in two files, or a hold re-appended with the end-of-session answers) are kept once, the
    later copy winning. Problems from every file are in ``df.attrs["problems"]``;
    a file that cannot be read at all is reported there too (with ``errors="report"``) and the rest
    still load.
    """
    if isinstance(path_or_folder, str | Path):
        p = Path(path_or_folder)
        if p.is_dir():
            files = sorted(p.glob("*.csv"))
        elif p.exists():
            files = [p]
        else:
            raise LogError(f"{p}: no such log file or folder")
    else:
        files = [Path(f) for f in path_or_folder]
    frames, found = [], []
    for f in files:
        try:
            df, probs = _read_file(f)
        except LogError as exc:
            if errors == "raise":
                raise
            found.append(Problem(str(f), 1, f"file not read: {exc}"))
            continue
        if probs and errors == "raise":
            raise LogError(str(probs[0]))
        frames.append(df)
        found += probs
    if frames:
        df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        df.attrs = {}
    else:
        df = empty_log()
    # the later copy of a hold wins: that is how end-of-session answers attach to a hold
    df = df.drop_duplicates(subset=DUPLICATE_KEY, keep="last")
    df = df.sort_values(["athlete", "started_at"], kind="stable").reset_index(drop=True)
    if found:
        warnings.warn(
            f"{len(found)} problem(s) reading logs; first: {found[0]}", LogWarning, stacklevel=2
        )
    df.attrs["problems"] = found
    return df


# --------------------------------------------------------------------------------------------------
# rows made by hand, and rows leaving for a spreadsheet

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT_COLUMNS = ("session_id", "athlete", "routine", "exercise", "side", "note")


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
) -> dict:
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


def export_for_spreadsheet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a log frame to ``path`` as CSV for spreadsheets, safe from formula injection.

    Text cells that start with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading
    apostrophe, so a spreadsheet shows them as text instead of running them. Numbers, times and
    booleans are written as they are. The file has a UTF-8 BOM so Excel reads accents right.
    """
    text = _to_text_frame(df)
    for name in _TEXT_COLUMNS:
        cells = text[name]
        text[name] = cells.where(~cells.str.startswith(_FORMULA_START), "'" + cells)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(",".join(COLUMNS) + EOL + _csv_text(text, list(COLUMNS)), encoding="utf-8-sig")
    return path
