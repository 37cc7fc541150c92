"""Stamps: when a hold (or a run) may have started, and stamps as text, parsed and written once.

The date rule lives here once. Every door that writes a hold or a run, and ``hipnb validate``,
applies :func:`start_problem` with the clock; every read applies its floor (no clock needed).
The log's stamp text (ISO 8601 with the athlete's own UTC offset) is parsed by
:func:`parse_stamps` (a read's whole column at once) and written by :func:`iso` and
:func:`stamp_texts`; :func:`utc_texts` is the UTC form hold identities use. One stamp as another
program wrote it (an export's date, a GPX time) is parsed by :func:`parse_stamp`, and the UTC
offset of a read row is :func:`offset_minutes`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from hipnb.errors import LogError

#: No hold or run starts before this instant: earlier dates are typing or clock mistakes.
EARLIEST_START = datetime(1990, 1, 1, tzinfo=UTC)
#: How far past the present a start may be (clock skew, a zone typed wrong): a day.
FUTURE_SLACK = timedelta(days=1)


def start_problem(when: datetime, *, now: datetime | None = None) -> str | None:
    """Why a start at ``when`` (aware) cannot be stored, or None when it can.

    Without ``now`` only the floor is checked (what a read can check from the row alone); with
    ``now`` a start more than :data:`FUTURE_SLACK` after it is refused too (what doors check).

        >>> start_problem(datetime(1989, 12, 31, tzinfo=UTC))
        'starts before 1990-01-01'
        >>> now = datetime(2026, 11, 29, 12, tzinfo=UTC)
        >>> start_problem(datetime(2062, 9, 13, 11, tzinfo=UTC), now=now)
        'starts more than a day in the future (2062-09-13)'
        >>> start_problem(datetime(2026, 11, 29, 7, tzinfo=UTC), now=now) is None
        True
    """
    if when.tzinfo is None:
        raise ValueError("start_problem needs an aware datetime")
    if when < EARLIEST_START:
        return f"starts before {EARLIEST_START.date().isoformat()}"
    if now is not None and when > now + FUTURE_SLACK:
        return future_words(when)
    return None


def future_words(when: datetime) -> str:
    """What a door says of a start more than :data:`FUTURE_SLACK` ahead (the rule is the caller's)."""
    return f"starts more than a day in the future ({when.date().isoformat()})"


# --------------------------------------------------------------------------------------------------
# starts as people type them


_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_WORDS = {"today": 0, "yesterday": 1}
#: What a start may look like, for messages.
WHEN_FORMS = "07:15, '2026-11-24 07:15', yesterday, or 2026-11-24T07:15:00-05:00"


def zone(tz: str | tzinfo | None) -> tzinfo | None:
    """A time zone from its IANA name (``Europe/Madrid``), a tzinfo, or None (this machine's zone).

    An unknown name raises :class:`hipnb.LogError`.
    """
    if tz is None or isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise LogError(f"unknown time zone {tz!r} (write it like Europe/Madrid or UTC)") from None


def existing_time(naive: datetime, tz: tzinfo | None) -> tuple[datetime, str | None]:
    """The time that exists for wall-clock ``naive`` in zone ``tz`` (None: this machine's), aware,
    and words saying so when it is not ``naive``: the one rule for local times, shared by every
    door and the runs import.

    A time the clocks skipped (02:30 on a spring-forward night) is moved forward by the change,
    the instant its wall clock would have shown (03:30 at the new offset); a time that happened
    twice (autumn) is taken at its first occurrence.

        >>> madrid = ZoneInfo("Europe/Madrid")
        >>> when, said = existing_time(datetime(2026, 3, 29, 2, 30), madrid)
        >>> when.isoformat(), said
        ('2026-03-29T03:30:00+02:00', '2026-03-29 02:30 did not exist in Europe/Madrid (the clocks went forward): 03:30+02:00, the time that exists')
        >>> existing_time(datetime(2026, 10, 25, 2, 30), madrid)[0].isoformat()
        '2026-10-25T02:30:00+02:00'
    """
    first = naive.replace(tzinfo=None, fold=0)
    if tz is None:
        when = first.astimezone()  # this machine's zone, through its own rules
        when = when.astimezone(UTC).astimezone()
    else:
        when = first.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    if when.replace(tzinfo=None) == first:
        return when, None
    name = getattr(tz, "key", None) or when.tzname() or "this time zone"
    return when, (
        f"{first:%Y-%m-%d %H:%M} did not exist in {name} (the clocks went forward): "
        f"{when:%H:%M}{iso(when)[19:]}, the time that exists"
    )


def local_datetime(
    day: date, at: time, tz: str | tzinfo | None = None, notes: list[str] | None = None
) -> datetime:
    """``day`` at wall-clock ``at`` in zone ``tz`` (default: this machine's), aware, whole seconds.

    The offset is the one the zone has on that day (summer or winter time), so a start typed for a
    day across a clock change carries the right one; a time the change skipped is the time that
    exists (:func:`existing_time`), and ``notes``, when given, gets the words saying so.

        >>> local_datetime(date(2026, 7, 1), time(7, 15), "Europe/Madrid").isoformat()
        '2026-07-01T07:15:00+02:00'
    """
    naive = datetime.combine(day, at.replace(microsecond=0, tzinfo=None))
    where = zone(tz)
    try:
        when, moved = existing_time(naive, where)
        if moved and notes is not None:
            notes.append(moved)
        return when
    except (OverflowError, ValueError, OSError):  # a year the zone's rules cannot place
        if naive.year < EARLIEST_START.year:
            raise LogError(f"start {naive:%Y-%m-%d %H:%M} {start_problem(_BEFORE_FLOOR)}") from None
        raise LogError(f"start {naive:%Y-%m-%d %H:%M} cannot be placed in the time zone") from None


def parse_day(
    text: str | date | None, *, tz: str | tzinfo | None = None, now: datetime | None = None
) -> date:
    """A local day from ``today``, ``yesterday``, ``YYYY-MM-DD`` or a date (None: today), in ``tz``."""
    today = _now(now, tz).date()
    if text is None:
        return today
    if isinstance(text, date):
        return text
    word = text.strip().lower()
    if word in _DAY_WORDS:
        return today - timedelta(days=_DAY_WORDS[word])
    if _DATE.match(word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            pass
    raise LogError(f"day {text!r} is not a day: write today, yesterday or 2026-11-24")


def parse_when(
    text: str | None,
    *,
    day: str | date | None = None,
    tz: str | tzinfo | None = None,
    now: datetime | None = None,
    notes: list[str] | None = None,
) -> datetime:
    """A start as people type it, as an aware datetime (whole seconds).

    ``text`` may be a time of day (``07:15``, ``7:15:30``) on ``day`` (``today``, ``yesterday``,
    ``YYYY-MM-DD``; default today), a date and time without an offset (``2026-11-24 07:15``), taken
    in zone ``tz`` (an IANA name; default this machine's zone, with the offset of that date), a full
    ISO 8601 stamp with its offset (kept as written), ``now``, ``today`` or ``yesterday`` (the
    present time of day on that day), or None (``day`` at the present time of day, default now).
    Anything else raises :class:`hipnb.LogError` saying what can be written. A local time the clocks
    skipped is the time that exists (:func:`existing_time`); ``notes``, when given, gets the words.

        >>> now = datetime(2026, 11, 29, 12, 30, tzinfo=UTC)
        >>> parse_when("07:15", day="yesterday", tz="America/New_York", now=now).isoformat()
        '2026-11-28T07:15:00-05:00'
        >>> parse_when("2026-11-24 07:15", tz="Europe/Madrid").isoformat()
        '2026-11-24T07:15:00+01:00'
    """
    present = _now(now, tz)
    word = (text or "").strip()
    low = word.lower()
    if low in ("", "now") or low in _DAY_WORDS:
        if low in _DAY_WORDS:
            if day is not None:
                raise LogError(f"give the day once: --when {text!r} and --day {day!r}")
            day = low
        if day is None:
            return present
        return local_datetime(parse_day(day, tz=tz, now=now), present.time(), tz, notes)
    clock = _TIME_OF_DAY.match(word)
    if clock:
        h, m, sec = int(clock[1]), int(clock[2]), int(clock[3] or 0)
        if h > 23 or m > 59 or sec > 59:
            raise LogError(f"start {text!r} is not a time of day (00:00 to 23:59:59)")
        return local_datetime(parse_day(day, tz=tz, now=now), time(h, m, sec), tz, notes)
    if _DATE.match(word):
        if day is not None:
            raise LogError(f"give the day once: --when {text!r} and --day {day!r}")
        return local_datetime(parse_day(word), present.time(), tz, notes)
    if not STAMP.match(word):
        raise LogError(f"start {text!r} is not a date-time: write {WHEN_FORMS}")
    try:
        stamp = parse_stamp(word)
    except ValueError:
        if int(word[:4]) < EARLIEST_START.year:  # year 0 is no datetime, but the rule is the floor
            raise LogError(f"start {text!r} {start_problem(_BEFORE_FLOOR)}") from None
        raise LogError(f"start {text!r} is not a real date-time") from None
    if day is not None:
        raise LogError(f"give the day once: --when {text!r} carries its date; leave out --day")
    if stamp.tzinfo is None:
        return local_datetime(stamp.date(), stamp.time(), tz, notes)
    return stamp.replace(microsecond=0)


def _now(now: datetime | None, tz: str | tzinfo | None) -> datetime:
    present = (now or datetime.now(UTC)).replace(microsecond=0)
    where = zone(tz)
    return present.astimezone() if where is None else present.astimezone(where)


# --------------------------------------------------------------------------------------------------
# stamps as text: the one parser (a read's column, vectorised) and the one writer


#: A stamp as a log accepts it: ISO 8601 date and time (``T`` or a space), seconds and fractions
#: optional, and a UTC offset (``Z``, ``+05:00`` or ``+0500``; a missing one is reported).
STAMP = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
#: Largest UTC offset a stamp may carry, in minutes (18 h either way).
MAX_OFFSET_MIN = 18 * 60

#: Integer arrays of stamp parts (years, months, ...), one element per row.
Ints = NDArray[np.signedinteger[Any]]


def parse_stamp(text: str) -> datetime:
    """One ISO 8601 date or date-time as another program wrote it: aware when it carries a UTC
    offset (``Z``, ``+01:00``, ``+0100``), naive when it does not; a bare date is its midnight.
    Raises ValueError when the text is none of these.

        >>> parse_stamp(" 2026-11-24T07:15:03Z ").isoformat()
        '2026-11-24T07:15:03+00:00'
        >>> parse_stamp("2026-11-24").isoformat()
        '2026-11-24T00:00:00'
    """
    return datetime.fromisoformat(text.strip())


def offset_minutes(utc: pd.Series, local: pd.Series) -> pd.Series:
    """The UTC offset, in whole minutes, of each stamp of a read (``started_at`` in UTC and
    ``local_time``, the wall clock): what a stamp written again carries after its time."""
    utc_wall = utc.dt.tz_convert("UTC").dt.tz_localize(None)
    minutes: pd.Series = ((local - utc_wall).dt.total_seconds() // 60).astype("Int64")
    return minutes


def iso(when: datetime) -> str:
    """An aware datetime as a log writes it: ISO 8601 with its own UTC offset.

        >>> iso(datetime.fromisoformat('2026-11-24 07:15:03-05:00'))
        '2026-11-24T07:15:03-05:00'

    A naive datetime raises :class:`hipnb.LogError` (its zone would be a guess).
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise LogError(f"started_at {when!s} has no time zone; give an aware datetime")
    if isinstance(when, pd.Timestamp):
        when = when.to_pydatetime()
    return when.isoformat()


def stamp_texts(utc: pd.Series, local: pd.Series | None = None) -> pd.Series:
    """Stamps as a log writes them, from a read's ``started_at`` (UTC) and ``local_time``.

    The offset is the difference between the two (without ``local``, the series' own zone), so a
    stamp read and written again is the text it was: ``2026-11-24T07:15:03-05:00``. Missing ones
    are empty text.
    """
    wall = local if local is not None else utc.dt.tz_localize(None)
    minutes = offset_minutes(utc, wall)
    sign = np.where(minutes < 0, "-", "+")
    am = minutes.abs()
    off = (
        pd.Series(sign, index=utc.index, dtype="str")
        + (am // 60).astype("str").str.zfill(2)
        + ":"
        + (am % 60).astype("str").str.zfill(2)
    )
    text: pd.Series[str] = (_wall_text(wall) + off).where(utc.notna(), "")
    return text


def utc_texts(utc: pd.Series) -> pd.Series:
    """Stamps in UTC with ``Z`` (``2026-11-24T12:15:03Z``): the form hold identities use."""
    return _wall_text(utc.dt.tz_convert("UTC")) + "Z"


def local_stamp(utc: pd.Timestamp, local: pd.Timestamp) -> str:
    """One stamp as it was written, from a read row's ``started_at`` and ``local_time``.

    >>> local_stamp(pd.Timestamp("2026-11-24T12:15:03Z"), pd.Timestamp("2026-11-24T07:15:03"))
    '2026-11-24T07:15:03-05:00'
    """
    return str(stamp_texts(pd.Series([utc]), pd.Series([local])).iloc[0])


def _wall_text(wall: pd.Series) -> pd.Series:
    if len(wall) <= 64:  # a door's few rows: one value at a time is quicker than the column kernels
        return pd.Series(
            [_one_wall(t) if t is not pd.NaT else "" for t in wall], index=wall.index, dtype=object
        )
    text = wall.dt.strftime("%Y-%m-%dT%H:%M:%S")
    frac = wall.dt.microsecond
    out: pd.Series = text.where(frac == 0, text + "." + frac.astype("str").str.zfill(6))
    return out


def _one_wall(t: pd.Timestamp) -> str:
    text = f"{t:%Y-%m-%dT%H:%M:%S}"
    return text if t.microsecond == 0 else f"{text}.{t.microsecond:06d}"


def parse_stamps(stamp: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray | None]:
    """(UTC instant, local wall-clock time, reasons) for a column of text stamps.

    Stamps in the form the log writes, ``2026-11-24T07:15:03-05:00``, go through Arrow's strict ISO
    8601 cast; any other form goes the general way (a space for ``T``, ``Z``, ``+0500``, no seconds, fractions).
    Both ways apply the same rules: a real calendar date, 00:00:00-23:59:59 (no leap second, no hour
    24, nothing rolled over), an offset whose minutes are 0-59 and at most 18 h, no start before
    :data:`EARLIEST_START`, and none after 9999-12-31 in UTC (no date-time holds it). ``reasons`` is None when every stamp is good, else an object array (None
    for a good row).
    """
    fast = _fast_stamps(stamp)
    if fast is not None:
        return fast[0], fast[1], None
    n = len(stamp)
    text = pc.utf8_trim_whitespace(stamp.fill_null("")) if n else stamp
    parts = pc.extract_regex(text, STAMP.pattern)

    def field(name: str, width: int | None = None) -> np.ndarray:
        part = pc.struct_field(parts, name).fill_null("")
        if width:
            part = pc.utf8_slice_codeunits(pc.utf8_rpad(part, width, "0"), 0, width)
        part = pc.if_else(pc.equal(part, ""), "0", part)
        return np.asarray(pc.cast(part, pa.int64()), dtype=np.int64)

    matched = np.asarray(parts.is_valid(), dtype=bool)
    year, month, day = field("y"), field("mo"), field("d")
    hour, minute, second, micro = field("h"), field("mi"), field("s"), field("f", 6)
    tz = pc.struct_field(parts, "tz").fill_null("")
    has_tz = np.asarray(pc.not_equal(tz, ""), dtype=bool)
    zulu = pc.equal(tz, "Z")
    tz = pc.if_else(pc.or_(zulu, pc.invert(pa.array(has_tz))), "+00:00", tz)
    sign = np.where(np.asarray(pc.starts_with(tz, "-"), dtype=bool), -1, 1)
    oh = np.asarray(pc.cast(pc.utf8_slice_codeunits(tz, 1, 3), pa.int64()), dtype=np.int64)
    om = np.asarray(pc.cast(pc.utf8_slice_codeunits(tz, -2), pa.int64()), dtype=np.int64)
    real = _calendar_ok(year, month, day, hour, minute, second)
    offset_ok = _offset_ok(oh, om)
    good = matched & real
    us = np.where(good, _epoch_us(year, month, day, hour, minute, second) + micro, 0)
    offset = np.where(offset_ok, sign * (oh * 60 + om), 0)
    early = us - offset * 60_000_000 < _EARLIEST_US
    beyond = us - offset * 60_000_000 > _LATEST_US
    reasons = np.full(n, None, dtype=object)
    blank = np.asarray(pc.equal(text, ""), dtype=bool)
    for i in np.flatnonzero(~(matched & has_tz & real & offset_ok) | (good & (early | beyond))):
        shown = f"started_at '{text[int(i)].as_py()[:40]}'"
        if blank[i]:
            reasons[i] = "started_at is empty"
        elif not matched[i]:
            reasons[i] = f"{shown} is not an ISO 8601 date-time"
        elif not has_tz[i]:
            reasons[i] = f"{shown} has no UTC offset (write it like 2026-11-24T07:15:03-05:00)"
        elif not offset_ok[i]:
            reasons[i] = f"{shown} has an impossible UTC offset (minutes 00-59, at most 18 h)"
        elif not real[i]:
            reasons[i] = f"{shown} is not a valid date-time"
        elif beyond[i]:
            reasons[i] = f"{shown} is after 9999-12-31 in UTC: no date-time holds it"
        else:
            reasons[i] = f"{shown} {start_problem(_BEFORE_FLOOR)}"
    utc = pa.array(us - offset * 60_000_000, pa.timestamp("us", tz="UTC"))
    return utc, pa.array(us, pa.timestamp("us")), reasons


_EARLIEST_US = int(EARLIEST_START.timestamp()) * 1_000_000
_LATEST_US = (datetime.max.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
    microseconds=1
)  # the last instant a Python date-time holds
_BEFORE_FLOOR = EARLIEST_START - timedelta(days=1)  # any start before the floor: its words
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


def _calendar_ok(
    year: Ints, month: Ints, day: Ints, hour: Ints, minute: Ints, second: Ints
) -> NDArray[np.bool_]:
    """Which date-times are real: months 1-12, days within their month, 00:00:00 to 23:59:59."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok: NDArray[np.bool_] = (
        (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= month_days)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
    )
    return ok


def _offset_ok(oh: Ints, om: Ints) -> NDArray[np.bool_]:
    """Which UTC offsets are real: minutes 0-59 and at most :data:`MAX_OFFSET_MIN` either way."""
    return (om <= 59) & (oh * 60 + om <= MAX_OFFSET_MIN)


def _epoch_us(
    year: Ints, month: Ints, day: Ints, hour: Ints, minute: Ints, second: Ints
) -> NDArray[np.int64]:
    """Microseconds since 1970-01-01 of a civil date-time (H. Hinnant's algorithm), in integers."""
    y = year.astype(np.int64) - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    us: NDArray[np.int64] = (days * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000
    return us


def _fast_stamps(stamp: pa.Array) -> tuple[pa.Array, pa.Array] | None:
    """(UTC instant, local time) when every stamp is in the form the log writes,
    ``2026-11-24T07:15:03-05:00``: Arrow's strict ISO 8601 cast gives the instant, the last six bytes
    the offset. None when any stamp is in another form, not a real date-time, or out of range: the
    general path then says why."""
    n = len(stamp)
    if n == 0 or stamp.null_count:
        return None
    width = np.int64 if pa.types.is_large_string(stamp.type) else np.int32
    ends = np.frombuffer(stamp.buffers()[1], dtype=width)[stamp.offset : stamp.offset + n + 1]
    if ends[-1] - ends[0] != 25 * n or not (np.diff(ends) == 25).all():
        return None
    try:
        utc = pc.cast(stamp, pa.timestamp("us", tz="UTC"))
    except pa.ArrowInvalid:
        return None
    raw = np.frombuffer(stamp.buffers()[2], dtype=np.uint8)[ends[0] : ends[-1]].reshape(n, 25)
    sign = raw[:, 19]
    if not (((sign == 43) | (sign == 45)) & (raw[:, 22] == 58)).all():
        return None  # 25 characters, but not ending in +HH:MM
    tail = raw[:, 19:].astype(np.int16) - 48  # sign, h, h, colon, m, m
    oh, om = tail[:, 1] * 10 + tail[:, 2], tail[:, 4] * 10 + tail[:, 5]
    offset = (oh * 60 + om) * (-4 - tail[:, 0])
    us = utc.cast(pa.int64()).to_numpy()
    if not _offset_ok(oh, om).all() or (us < _EARLIEST_US).any() or (us > _LATEST_US).any():
        return None
    return utc, pa.array(us + offset.astype(np.int64) * 60_000_000, pa.timestamp("us"))
