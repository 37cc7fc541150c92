"""The log's schema: its columns, the validation rules every row passes on the way in and out,
:class:`Problem` and :func:`athlete_path`, the one gate from an athlete's name to a file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import NamedTuple, TypedDict

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
#: Columns added for corrections and per-hold pain (optional: older files read as before).
EXTRA = ("hold_id", "action", "pain_at_s")
#: Every column, in the order new files get them.
ALL_COLUMNS = COLUMNS + EXTRA
REQUIRED = COLUMNS[:9]
OPTIONAL = COLUMNS[9:] + EXTRA
#: What ``action`` may say: empty (a new hold), ``edit`` or ``delete`` (of the hold named by hold_id).
ACTIONS = ("", "edit", "delete")
#: Longest hold a log accepts, in seconds. A 10-hour plank is a typo, not a record.
MAX_HOLD_S = 2 * 3600.0
#: Longest note :meth:`SessionLog.append` accepts, in characters. On read, a quoted field that runs
#: past this over several lines is taken for a quote that never closed.
NOTE_MAX = 2000
#: Longest athlete name, in characters.
NAME_MAX = 64
#: Rows end in CRLF (RFC 4180): Python's csv writer then quotes any field holding CR or LF, so a
#: stray carriage return in a note can never split a row.
EOL = "\r\n"
#: Keys that identify one hold (with the athlete) when it has no ``hold_id``.
DUPLICATE_KEY = ["session_id", "exercise", "side", "started_at"]

_SLUG_PATTERN = r"[a-z][a-z0-9_]*"
_STAMP = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
#: Windows refuses these as file names, with or without an extension.
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$")
#: Plain names keep their file name as they are: lower-case ASCII, as the first logs were written.
_PLAIN = re.compile(r"^[a-z0-9](?:[a-z0-9_.\-]{0,62}[a-z0-9_\-])?$")
_NAME_PUNCT = set(" '\u2019-\u2010._")


class _HoldRequired(TypedDict):
    session_id: str
    athlete: str
    started_at: datetime | str
    routine: str
    exercise: str
    side: str
    target_s: float
    actual_s: float
    completed: bool


class Hold(_HoldRequired, total=False):
    """One hold, as a row on its way into the log: what the timer, manual entry and corrections
    hand to :meth:`SessionLog.append` (a DataFrame with these columns works too).

    ``started_at`` is an aware datetime or ISO 8601 text with a UTC offset. The optional keys may be
    left out or None (unknown, never 0).
    """

    rpe: int | None
    discomfort: int | None
    note: str | None
    hold_id: str | None
    action: str | None
    pain_at_s: float | None


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


def normalize_name(name: str) -> str:
    """An athlete's name as the log keeps it: NFC-normalised and trimmed.

    Raises :class:`hipnb.LogError` saying what is wrong when the name cannot be used (see
    :func:`name_problem`). A decomposed "Zoë" and a composed one become the same name.

        >>> normalize_name("  Zoe\u0308 ")
        'Zoë'
    """
    if not isinstance(name, str):
        raise LogError(f"athlete name {name!r} is not text")
    clean = unicodedata.normalize("NFC", name).strip()
    why = name_problem(clean)
    if why:
        raise LogError(f"athlete name {clean[:40]!r} {why}")
    return clean


def name_problem(name: str) -> str | None:
    """Why ``name`` (already NFC and trimmed) cannot be an athlete's name, or None if it can.

    Names are 1-64 characters: letters and marks of any script, digits, spaces, apostrophes,
    hyphens, dots and underscores, with at least one letter or digit; no control characters.
    """
    if not name:
        return "is empty"
    if len(name) > NAME_MAX:
        return f"is longer than {NAME_MAX} characters"
    for ch in name:
        if ch in _NAME_PUNCT:
            continue
        kind = unicodedata.category(ch)
        if kind[0] not in "LMN":
            shown = repr(ch) if kind[0] in "CZ" else f"'{ch}'"
            return f"contains {shown}: use letters, digits, spaces, apostrophes, hyphens and dots"
    if "  " in name:
        return "has two spaces in a row"
    if not any(unicodedata.category(ch)[0] in "LN" for ch in name):
        return "has no letter or digit"
    return None


def athlete_file_stem(name: str) -> str:
    """The file name (without suffix) of an athlete's name: the mapping behind :func:`athlete_path`.

    A plain lower-case ASCII name keeps its own (``ana`` -> ``ana``), as the first logs were named.
    Any other name becomes a readable ASCII part and the first 10 hex digits of the SHA-256 of the
    NFC name, joined by ``~`` (a character plain names never hold): ``Zoë`` -> ``zoe~...``,
    ``李娜`` -> ``athlete~...``. So names that differ only in case, accents or script never share a
    file on case-insensitive disks, and Windows' reserved names (``CON``, ``nul.txt``) and trailing
    dots never reach the disk.

        >>> athlete_file_stem("ana")
        'ana'
        >>> athlete_file_stem("Ana María")[:10]
        'ana-maria~'
    """
    name = normalize_name(name)
    if _PLAIN.match(name) and ".." not in name and not _RESERVED.match(name):
        return name
    ascii_part = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_part).strip("-")[:40].strip("-") or "athlete"
    if _RESERVED.match(slug):
        slug = f"athlete-{slug}"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    return f"{slug}~{digest}"


def athlete_path(folder: str | Path, athlete: str, suffix: str = ".csv") -> Path:
    """The file for ``athlete`` inside ``folder``: the one way athlete names become file names.

    The name is checked and normalised (:func:`normalize_name`) and mapped by
    :func:`athlete_file_stem`; the path never leaves ``folder`` (else :class:`hipnb.LogError`).

        >>> athlete_path("data/logs", "ana").name
        'ana.csv'
    """
    try:
        stem = athlete_file_stem(athlete)
    except LogError as exc:
        raise LogError(f"{exc}; it cannot be used as a file name") from None
    base = Path(folder).resolve()
    path = (base / f"{stem}{suffix}").resolve()
    if path.parent != base:  # pragma: no cover - the stem holds no separator; kept as a guard
        raise LogError(f"athlete name {athlete!r} would leave the folder {base}")
    return path


# --------------------------------------------------------------------------------------------------
# validation: one vectorised pass over a frame of strings, used by both append and read


def _validate(
    raw: pa.Table | pd.DataFrame, *, typed: bool = True, index: pd.Index | None = None
) -> tuple[pd.DataFrame | None, pd.Series]:
    """Validate rows in the schema: a frame of strings (append) or an Arrow table (read).

    The table's columns may be text or already typed by the CSV reader (floats, bools, ints): typed
    columns only get their range checks. Returns the typed frame (every column of
    :data:`ALL_COLUMNS` plus ``local_time``) and, per row, the reason it cannot be used (None for a
    good row). One vectorised pass in Arrow compute; messages are built only for failing rows.
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
    col = {name: _column(raw, name, n) for name in ALL_COLUMNS}
    bad = np.zeros(n, dtype=bool)
    reason = np.full(n, None, dtype=object)

    def flag(mask, message, invert: bool = False) -> None:
        """Give rows in ``mask`` (not already rejected) a reason; ``message(i)`` builds it."""
        nonlocal bad
        mask = _np_bool(mask)
        mask = (~mask if invert else mask) & ~bad
        if mask.any():
            for i in np.flatnonzero(mask):
                reason[i] = message(int(i))
            bad |= mask

    def quoted(name, what, values=None):
        values = col[name] if values is None else values
        return lambda i: f"{name} '{_cell_text(values[i].as_py())[:40]}' {what}"

    out = {}
    out["session_id"] = _trim_edges(_text(col["session_id"]))
    out["routine"] = _per_unique(_text(col["routine"]), pc.utf8_trim_whitespace)
    for name in ("session_id", "routine"):
        flag(pc.equal(out[name], ""), lambda i, name=name: f"{name} is empty")
    athlete = _per_unique(_text(col["athlete"]), _normalize_names)
    flag(pc.equal(athlete, ""), lambda i: "athlete is empty")
    why = _per_unique(athlete, _name_problems)
    flag(pc.is_valid(why), lambda i: f"athlete '{athlete[i].as_py()[:40]}' {why[i].as_py()}")
    out["athlete"] = athlete

    local, offset, stamp_reason = _stamps(_text(col["started_at"]))
    if stamp_reason is not None:
        flag(stamp_reason != None, lambda i: stamp_reason[i])  # noqa: E711 (elementwise)
    local_np = np.asarray(local.fill_null(0).to_numpy(zero_copy_only=False), dtype="datetime64[us]")
    off_np = np.asarray(offset.fill_null(0), dtype="int64").astype("timedelta64[m]")
    out["started_at"] = pa.array(local_np - off_np, type=pa.timestamp("us", tz="UTC"))
    out["local_time"] = pa.array(local_np, type=pa.timestamp("us"))

    exercise = _per_unique(_text(col["exercise"]), pc.utf8_trim_whitespace)
    flag(
        _per_unique(exercise, lambda u: pc.match_substring_regex(u, f"^{_SLUG_PATTERN}$")),
        quoted("exercise", "is not an id", exercise),
        invert=True,
    )
    out["exercise"] = exercise
    side = _per_unique(_text(col["side"]), lambda u: pc.utf8_lower(pc.utf8_trim_whitespace(u)))
    flag(
        pc.invert(pc.is_in(side, pa.array(SIDES))),
        quoted("side", "is not one of left, right, both"),
    )
    out["side"] = side

    for name in ("target_s", "actual_s", "pain_at_s"):
        if name == "pain_at_s" and _all_empty(col[name]):
            out[name] = pa.nulls(n, pa.float64())
            continue
        num, blank = _numbers(col[name])
        if name != "pain_at_s":
            flag(blank, lambda i, name=name: f"{name} is empty")
        flag(
            pc.and_(pc.invert(blank), pc.invert(pc.is_finite(num.fill_null(np.nan)))),
            quoted(name, "is not a number of seconds"),
        )
        flag(pc.less(num, 0), quoted(name, "is negative"))
        flag(pc.greater(num, MAX_HOLD_S), quoted(name, "is absurd for one hold (over 2 h)"))
        out[name] = num

    done = col["completed"]
    if done.type != pa.bool_():
        text = _per_unique(_text(done), lambda u: pc.utf8_lower(pc.utf8_trim_whitespace(u)))
        flag(
            pc.invert(pc.is_in(text, pa.array(sorted(_TRUE | _FALSE)))),
            quoted("completed", "is not true/false"),
        )
        done = pc.is_in(text, pa.array(sorted(_TRUE)))
    else:
        flag(pc.is_null(done), lambda i: "completed '' is not true/false")
        done = done.fill_null(False)
    out["completed"] = done

    for name in ("rpe", "discomfort"):
        num, blank = _numbers(col[name])
        wrong = pc.or_kleene(
            pc.or_kleene(pc.is_nan(num.fill_null(0)), pc.not_equal(num, pc.round(num))),
            pc.or_kleene(pc.less(num, 0), pc.greater(num, 10)),
        )
        flag(
            pc.or_(pc.and_(pc.invert(blank), pc.is_null(num)), wrong.fill_null(False)),
            quoted(name, "is not a whole number from 0 to 10"),
        )
        out[name] = pc.cast(pc.if_else(wrong.fill_null(False), None, num), pa.int64(), safe=False)

    out["note"] = _empty_to_null(col["note"])
    if _all_empty(col["hold_id"]) and _all_empty(col["action"]):  # no corrections: most files
        out["hold_id"] = out["action"] = pa.nulls(n, pa.large_string())
    else:
        hold_id = _trim_edges(_text(col["hold_id"]))
        out["hold_id"] = _empty_to_null(hold_id)
        action = _per_unique(
            _text(col["action"]), lambda u: pc.utf8_lower(pc.utf8_trim_whitespace(u))
        )
        flag(
            pc.invert(pc.is_in(action, pa.array(ACTIONS))),
            quoted("action", "is not one of edit, delete (or empty)"),
        )
        flag(
            pc.and_(pc.not_equal(action, ""), pc.equal(hold_id, "")),
            lambda i: f"action '{action[i].as_py()}' needs the hold_id of the hold it applies to",
        )
        out["action"] = _empty_to_null(action)

    _ENCODED.clear()
    if not typed:  # append only needs to know which rows are bad
        return None, pd.Series(reason, index=index)
    table = pa.table({name: out[name] for name in (*ALL_COLUMNS, "local_time")})
    frame = table.to_pandas(types_mapper=_PANDAS_TYPES.get)
    frame.index = index
    return frame, pd.Series(reason, index=index)


def _all_empty(arr: pa.Array) -> bool:
    """Whether a column holds nothing at all (absent, all null or all empty text): cheap to tell."""
    if arr.null_count == len(arr):
        return True
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return not pc.max(pc.binary_length(arr)).as_py()
    return False


def _empty_to_null(arr: pa.Array) -> pa.Array:
    """Text with empty cells as null (missing), as the frame shows them."""
    arr = _text(arr) if arr.null_count != len(arr) else pa.nulls(len(arr), pa.large_string())
    if arr.null_count == len(arr) or not pc.any(pc.equal(arr, "")).as_py():
        return arr
    return pc.if_else(pc.equal(arr, ""), None, arr)


def _column(raw: pa.Table, name: str, n: int) -> pa.Array:
    """Column ``name`` of ``raw`` as one Arrow array; an all-empty text column when absent."""
    if name not in raw.column_names:
        return pa.nulls(n, pa.string()) if n else pa.array([], pa.string())
    arr = raw.column(name)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _text(arr: pa.Array) -> pa.Array:
    """Text with no nulls ("" where missing)."""
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    return arr.fill_null("") if arr.null_count else arr


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


_EDGE_SPACE = np.zeros(256, dtype=bool)
_EDGE_SPACE[[9, 10, 11, 12, 13, 32]] = True


def _offset_type(arr: pa.Array) -> type[np.integer]:
    """The integer type of a text array's offsets buffer (64-bit for large strings)."""
    return np.int64 if pa.types.is_large_string(arr.type) else np.int32


def _trim_edges(arr: pa.Array) -> pa.Array:
    """``arr`` with spaces trimmed off the few values that have any, found by their edge bytes."""
    n = len(arr)
    if n == 0:
        return arr
    ends = np.frombuffer(arr.buffers()[1], dtype=_offset_type(arr))[arr.offset : arr.offset + n + 1]
    data = arr.buffers()[2]
    if data is None or ends[-1] == ends[0]:
        return arr
    raw = np.frombuffer(data, dtype=np.uint8)
    nonempty = ends[1:] > ends[:-1]
    first = raw[np.where(nonempty, ends[:-1], 0)]
    last = raw[np.where(nonempty, ends[1:] - 1, 0)]
    padded = nonempty & (_EDGE_SPACE[first] | _EDGE_SPACE[last])
    if not padded.any():
        return arr
    return pc.if_else(pa.array(padded), pc.utf8_trim_whitespace(arr), arr)


def _normalize_names(u: pa.Array) -> pa.Array:
    return pa.array([unicodedata.normalize("NFC", v).strip() for v in u.to_pylist()], u.type)


def _name_problems(u: pa.Array) -> pa.Array:
    return pa.array([name_problem(v) if v else None for v in u.to_pylist()], pa.string())


_PANDAS_TYPES = {
    pa.string(): pd.StringDtype("pyarrow", np.nan),
    pa.large_string(): pd.StringDtype("pyarrow", np.nan),
    pa.int64(): pd.Int64Dtype(),
}


def _np_bool(mask) -> np.ndarray:
    if isinstance(mask, pa.ChunkedArray | pa.Array):
        return np.asarray(mask.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(mask, dtype=bool)


_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


def _numbers(arr: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(numbers, blank): floats from a typed or text column; null where blank or not a number."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        if pa.types.is_null(arr.type):
            return pa.nulls(len(arr), pa.float64()), pa.array(np.ones(len(arr), dtype=bool))
        return arr.cast(pa.float64()), arr.is_null()
    arr = _trim_edges(arr.fill_null(""))
    blank = pc.equal(arr, "")
    try:
        return pc.if_else(blank, None, arr).cast(pa.float64()), blank
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # text in a number column
        ok = pc.match_substring_regex(arr, _NUMBER)
        return pc.if_else(ok, arr, None).cast(pa.float64()), blank


def _per_unique(arr: pa.Array, fn) -> pa.Array:
    """``fn`` applied to each distinct value once, spread back over ``arr`` (ids, sides, names).

    When ``fn`` changes no distinct value (text already trimmed, names already NFC), ``arr``
    itself comes back: spreading a million strings back costs more than finding the few distinct.
    """
    if len(arr) == 0:
        return fn(arr)
    encoded = _encoded(arr)
    mapped = fn(encoded.dictionary)
    if mapped.type == encoded.dictionary.type and mapped.equals(encoded.dictionary):
        return arr
    out = pc.take(mapped, encoded.indices)
    if mapped.type == arr.type:
        _ENCODED.append((out, pa.DictionaryArray.from_arrays(encoded.indices, mapped)))
    return out


_ENCODED: list[tuple[pa.Array, pa.DictionaryArray]] = []


def _encoded(arr: pa.Array) -> pa.DictionaryArray:
    """``arr`` dictionary-encoded, once per array (validation asks several questions of each)."""
    for seen, encoded in _ENCODED:
        if seen is arr:
            return encoded
    encoded = arr.dictionary_encode()
    _ENCODED.append((arr, encoded))
    del _ENCODED[:-8]
    return encoded


_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24]
_SEPARATORS = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":", 22: ":"}
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


def _calendar_ok(year, month, day, hour, minute, second) -> np.ndarray:
    """Which date-times are real: months 1-12, days within their month, 00:00:00 to 23:59:59."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
    return (
        (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= month_days)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
    )


def _offset_ok(oh, om) -> np.ndarray:
    """Which UTC offsets are real: minutes 0-59 and at most 18 hours either way."""
    return (om <= 59) & (oh * 60 + om <= 18 * 60)


def _epoch_us(year, month, day, hour, minute, second) -> np.ndarray:
    """Microseconds since 1970-01-01 of a civil date-time (H. Hinnant's algorithm), in integers."""
    y = year.astype(np.int64) - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    return (days * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000


def _stamps(stamp: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray | None]:
    """(local wall-clock time, offset minutes, reasons) for text stamps.

    Stamps in the canonical form ``2026-11-24T07:15:03-05:00`` are parsed as fixed-width bytes; any
    other form goes the general way (a space for ``T``, ``Z``, ``+0500``, no seconds, fractions).
    Both ways apply the same rules: a real calendar date, 00:00:00-23:59:59 (no leap second, no hour
    24, nothing rolled over), an offset whose minutes are 0-59 and at most 18 h. ``reasons`` is None
    when every stamp is good, else an object array (None for a good row).
    """
    fast = _fast_stamps(stamp)
    if fast is not None:
        return fast[0], fast[1], None
    n = len(stamp)
    text = _trim_edges(stamp)
    parts = pc.extract_regex(text, _STAMP.pattern)

    def field(name: str, width: int | None = None) -> np.ndarray:
        part = pc.struct_field(parts, name).fill_null("")
        if width:
            part = pc.utf8_slice_codeunits(pc.utf8_rpad(part, width, "0"), 0, width)
        part = pc.if_else(pc.equal(part, ""), "0", part)
        return np.asarray(pc.cast(part, pa.int64()), dtype=np.int64)

    matched = _np_bool(parts.is_valid())
    year, month, day = field("y"), field("mo"), field("d")
    hour, minute, second, micro = field("h"), field("mi"), field("s"), field("f", 6)
    tz = pc.struct_field(parts, "tz").fill_null("")
    has_tz = _np_bool(pc.not_equal(tz, ""))
    zulu = pc.equal(tz, "Z")
    tz = pc.if_else(pc.or_(zulu, pc.invert(pc.cast(has_tz, pa.bool_()))), "+00:00", tz)
    sign = np.where(_np_bool(pc.starts_with(tz, "-")), -1, 1)
    oh = np.asarray(pc.cast(pc.utf8_slice_codeunits(tz, 1, 3), pa.int64()), dtype=np.int64)
    om = np.asarray(pc.cast(pc.utf8_slice_codeunits(tz, -2), pa.int64()), dtype=np.int64)
    real = _calendar_ok(year, month, day, hour, minute, second)
    offset_ok = _offset_ok(oh, om)
    reasons = np.full(n, None, dtype=object)
    blank = _np_bool(pc.equal(text, ""))
    for i in np.flatnonzero(~(matched & has_tz & real & offset_ok)):
        shown = f"started_at '{text[int(i)].as_py()[:40]}'"
        if blank[i]:
            reasons[i] = "started_at is empty"
        elif not matched[i]:
            reasons[i] = f"{shown} is not an ISO 8601 date-time"
        elif not has_tz[i]:
            reasons[i] = f"{shown} has no UTC offset (write it like 2026-11-24T07:15:03-05:00)"
        elif not offset_ok[i]:
            reasons[i] = f"{shown} has an impossible UTC offset (minutes 00-59, at most 18 h)"
        else:
            reasons[i] = f"{shown} is not a valid date-time"
    good = matched & real
    us = np.where(good, _epoch_us(year, month, day, hour, minute, second) + micro, 0)
    offset = np.where(offset_ok, sign * (oh * 60 + om), 0)
    local = pa.array(us.view("datetime64[us]"), pa.timestamp("us"))
    return local, pa.array(offset, pa.int64()), reasons


def _fast_stamps(stamp: pa.Array) -> tuple[pa.Array, pa.Array] | None:
    """Every stamp in the canonical form ``2026-11-24T07:15:03-05:00``: parsed as fixed-width bytes.

    Returns (local time, offset minutes), or None when any row is not canonical or not a real
    date-time, so that the caller takes the general path, which says what is wrong.
    """
    n = len(stamp)
    if n == 0 or stamp.null_count:
        return None
    offsets = np.frombuffer(stamp.buffers()[1], dtype=_offset_type(stamp))
    ends = offsets[stamp.offset : stamp.offset + n + 1]
    if ends[-1] - ends[0] != 25 * n or not (np.diff(ends) == 25).all():
        return None
    raw = np.frombuffer(stamp.buffers()[2], dtype=np.uint8)[ends[0] : ends[0] + 25 * n]
    raw = raw.reshape(n, 25)
    # one pass: each byte minus its position's lowest allowed value must be within its range
    if not ((raw - _LOW) <= _SPAN).all() or (raw[:, 19] == 44).any():  # 44: ',' between + and -
        return None

    digits = np.ascontiguousarray(raw.T[_DIGITS]) - np.uint8(48)  # one row per digit position
    at = {c: i for i, c in enumerate(_DIGITS)}

    def num(*cols: int) -> np.ndarray:
        out = digits[at[cols[0]]].astype(np.int32)
        for c in cols[1:]:
            out = out * 10 + digits[at[c]]
        return out

    year, month, day = num(0, 1, 2, 3), num(5, 6), num(8, 9)
    hour, minute, second, oh, om = num(11, 12), num(14, 15), num(17, 18), num(20, 21), num(23, 24)
    if not (
        _calendar_ok(year, month, day, hour, minute, second).all() and _offset_ok(oh, om).all()
    ):
        return None
    local = _epoch_us(year, month, day, hour, minute, second).view("datetime64[us]")
    offset = np.where(raw[:, 19] == 45, -1, 1) * (oh * 60 + om)
    return pa.array(local, pa.timestamp("us")), pa.array(offset.astype(np.int64), pa.int64())


_LOW = np.full(25, 48, dtype=np.uint8)  # digits: '0' plus at most 9
_SPAN = np.full(25, 9, dtype=np.uint8)
for _at, _char in {**_SEPARATORS, 19: "+"}.items():
    _LOW[_at], _SPAN[_at] = ord(_char), 0
_SPAN[19] = 2  # '+' (43) or '-' (45); ',' (44) is refused separately


def hold_keys(df: pd.DataFrame) -> pd.Series:
    """Each row's key: ``session_id|exercise|side|started_at``, the stamp in UTC with ``Z``.

    A hold without a ``hold_id`` is known by this key (with its athlete); a correction of it names
    the key in its ``hold_id``.

        >>> df = pd.DataFrame({"session_id": ["s1"], "exercise": ["side_plank"], "side": ["left"],
        ...                    "started_at": pd.to_datetime(["2026-11-24T07:15:03-05:00"])})
        >>> hold_keys(df).iloc[0]
        's1|side_plank|left|2026-11-24T12:15:03Z'
    """
    utc = df["started_at"].dt.tz_convert("UTC")
    stamp = utc.dt.strftime("%Y-%m-%dT%H:%M:%S")
    micro = utc.dt.microsecond
    stamp = stamp.where(micro == 0, stamp + "." + micro.astype("str").str.zfill(6))
    keys = (
        df["session_id"].astype("str")
        + "|"
        + df["exercise"].astype("str")
        + "|"
        + df["side"].astype("str")
        + "|"
        + stamp
        + "Z"
    )
    return keys.astype("object")


def hold_ids(df: pd.DataFrame) -> pd.Series:
    """Each row's hold identity: its ``hold_id`` when it has one, else its key (:func:`hold_keys`)."""
    if "hold_id" not in df:
        return hold_keys(df)
    given = df["hold_id"]
    return given.astype("object").where(given.notna(), hold_keys(df))


def _first_rejected(reason: pd.Series) -> tuple[int, str] | None:
    """(row number counting from 1, why) for the first row validation rejected, or None."""
    bad = np.flatnonzero(reason.notna().to_numpy())
    return (int(bad[0]) + 1, str(reason.iloc[bad[0]])) if len(bad) else None


def empty_log() -> pd.DataFrame:
    """An empty typed log frame, with every column a read gives."""
    typed, _ = _validate(pd.DataFrame({c: pd.Series([], dtype="str") for c in ALL_COLUMNS}))
    typed.attrs["problems"] = []
    return typed
