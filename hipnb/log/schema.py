"""The log's schema: its columns, the validation rules every row passes on the way in and out,
:class:`Problem` and :func:`athlete_path`, the one gate from an athlete's name to a file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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


def _first_rejected(reason: pd.Series) -> tuple[int, str] | None:
    """(row number counting from 1, why) for the first row validation rejected, or None."""
    bad = np.flatnonzero(reason.notna().to_numpy())
    return (int(bad[0]) + 1, str(reason.iloc[bad[0]])) if len(bad) else None


def empty_log() -> pd.DataFrame:
    """An empty typed log frame."""
    typed, _ = _validate(pd.DataFrame({c: pd.Series([], dtype="str") for c in COLUMNS}))
    typed.attrs["problems"] = []
    return typed
