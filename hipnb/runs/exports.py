"""CSV exports: Strava's ``activities.csv``, a Garmin Connect CSV, a plain CSV of date, distance and
duration. Numbers, durations and dates as those exports write them; a cell that is not is reported
with its line, and the rest of the file still reads."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hipnb.log import Problem
from hipnb.log.stamps import parse_stamp
from hipnb.runs.activity import Activity, Clock, Data, Parsed, is_run_type
from hipnb.runs.activity import or_nan as _or_nan

if TYPE_CHECKING:
    from _csv import Reader as CsvReader  # what csv.reader() returns

_UNITS_M = {"km": 1000.0, "mi": 1609.344, "m": 1.0}


def _number(text: str) -> float | None:
    """A number from an export cell: ``--`` and blanks are None, ``1,234.5`` has thousands commas.

    Raises ValueError on text that is no number in English notation (a decimal comma, say).
    """
    text = text.strip()
    if text in ("", "--"):
        return None
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        hint = " (a decimal comma: a CSV from another locale?)" if "," in text else ""
        raise ValueError(f"'{text[:30]}' is not a number{hint}") from None


def _seconds(text: str) -> float | None:
    """Seconds from ``00:52:31``, ``52:31``, ``00:52:31.4`` or a plain number of seconds."""
    text = text.strip()
    if text in ("", "--"):
        return None
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)", text)
    if m:
        return int(m[1] or 0) * 3600 + int(m[2]) * 60 + float(m[3])
    return _number(text)


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_STRAVA_DATE = re.compile(
    r"([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})\s*([AP]M)", re.IGNORECASE
)


_STRAVA_DATE_GB = re.compile(r"(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})")


def _strava_date(text: str) -> datetime:
    """Strava's UTC date in English: ``Nov 3, 2026, 6:45:12 AM`` (or ``3 Nov 2026, 06:45:12``)."""
    gb = _STRAVA_DATE_GB.fullmatch(text.strip())
    if gb and _MONTHS.get(gb[2].title()):
        day, month, year, hour, minute, second = gb.groups()
        return datetime(
            int(year), _MONTHS[month.title()], int(day), int(hour), int(minute), int(second),
            tzinfo=UTC,
        )  # fmt: skip
    m = _STRAVA_DATE.fullmatch(text.strip())
    month = _MONTHS.get(m[1].title()) if m else None
    if not m or not month:
        raise ValueError(
            f"Activity Date '{text[:40]}' is not like 'Nov 3, 2026, 6:45:12 AM' "
            "(an export in another language?)"
        )
    hour = int(m[4]) % 12 + (12 if m[7].upper() == "PM" else 0)
    return datetime(int(m[3]), month, int(m[2]), hour, int(m[5]), int(m[6]), tzinfo=UTC)


def _any_date(text: str) -> tuple[datetime, Clock]:
    """An ISO 8601 date or date-time, with or without an offset; a bare date is taken as noon."""
    text = text.strip()
    try:
        when = parse_stamp(text)
    except ValueError:
        raise ValueError(f"date '{text[:40]}' is not an ISO 8601 date (like 2026-11-03)") from None
    if len(text) == 10:
        when = when.replace(hour=12)
    return when, ("aware" if when.tzinfo else "local")


# --------------------------------------------------------------------------------------------------
# CSV exports


def read_csv_export(data: Data, name: str, units: str | None) -> Parsed:
    """Activities from CSV bytes: the kind of export is told from its header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [Problem(name, line, "not UTF-8 text (a CSV saved in another encoding?)")]
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [c.strip() for c in next(rows, [])]
    if len(header) == 1 and ";" in header[0]:
        return [], [
            Problem(
                name,
                1,
                "fields are separated by ';': a CSV from another locale; save it comma-separated",
            )
        ]
    lower = [c.lower() for c in header]
    if _is_strava(lower):
        reader = _strava_rows
    elif "activity type" in lower and "date" in lower:
        reader = _garmin_rows
    elif any(c in _PLAIN_DATE for c in lower):
        reader = _plain_rows
    else:
        return [], [
            Problem(
                name,
                1,
                "not a known export: expected Strava's activities.csv in English (an export in "
                "another language: import its whole folder or .zip, whose activity files are "
                "read instead), a Garmin Connect CSV, or columns date, distance, duration",
            )
        ]
    return reader(rows, header, name, units)


def _is_strava(lower: list[str]) -> bool:
    """Whether a lower-cased header is Strava's activities.csv in English."""
    return "activity date" in lower and "activity type" in lower


def strava_header_problem(head: bytes) -> str | None:
    """Why the start of a Strava ``activities.csv`` cannot be read here, or None when it can.

    Strava writes the header in the account's language; only its English one is read.
    """
    text = head.decode("utf-8-sig", errors="replace")
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0], newline="")), [])
    if _is_strava([c.strip().lower() for c in header]):
        return None
    shown = ", ".join(c.strip()[:30] for c in header[:3])
    return f"its header ({shown}, ...) is not Strava's in English (an account in another language?)"


def _records(
    rows: CsvReader, header: list[str], name: str
) -> Iterator[tuple[int, list[str], Problem | None]]:
    """(line, cells, problem) for each record, cells empty when there is a problem for each record; repeated names keep their first."""
    line = rows.line_num + 1
    while True:
        try:
            fields = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, [], Problem(name, line, f"unreadable CSV record: {exc}")
            return
        here, line = line, rows.line_num + 1
        if not any(f.strip() for f in fields):
            continue
        if len(fields) < len(header):
            fields = fields + [""] * (len(header) - len(fields))
        yield here, fields, None


def _col(header: list[str], *names: str, nth: int = 0) -> int | None:
    """Index of the ``nth`` column named any of ``names`` (case-insensitive), or None."""
    wanted = {n.lower() for n in names}
    hits = [i for i, c in enumerate(header) if c.lower() in wanted]
    return hits[nth] if len(hits) > nth else None


def _strava_rows(rows: CsvReader, header: list[str], name: str, units: str | None) -> Parsed:
    c_id, c_date = _col(header, "Activity ID"), _col(header, "Activity Date")
    c_name, c_type = _col(header, "Activity Name"), _col(header, "Activity Type")
    c_time = _col(header, "Elapsed Time")
    c_km, c_m = _col(header, "Distance"), _col(header, "Distance", nth=1)
    if c_time is None or c_km is None or c_date is None or c_type is None:  # chosen by date, type
        return [], [Problem(name, 1, "Strava CSV without 'Elapsed Time' or 'Distance' columns")]
    scale = _UNITS_M[units or "km"]
    found, out = [], []
    for line, f, problem in _records(rows, header, name):
        if problem:
            found.append(problem)
            continue
        try:
            start = _strava_date(f[c_date])
            metres = _number(f[c_m]) if c_m is not None else None
            if metres is None:
                first = _number(f[c_km])
                metres = None if first is None else first * scale
            seconds = _number(f[c_time])
        except ValueError as exc:
            found.append(Problem(name, line, str(exc)))
            continue
        sport = f[c_type].strip()
        ident = f[c_id].strip() if c_id is not None else ""
        out.append(
            Activity(
                file=name,
                line=line,
                run_id=f"strava:{ident or start.isoformat()}",
                start=start,
                clock="utc",
                distance_m=_or_nan(metres),
                duration_s=_or_nan(seconds),
                sport=sport,
                is_run=is_run_type(sport),
                name=f[c_name].strip() if c_name is not None else "",
            )
        )
    return out, found


def _garmin_rows(rows: CsvReader, header: list[str], name: str, units: str | None) -> Parsed:
    c_type, c_date = _col(header, "Activity Type"), _col(header, "Date")
    c_title, c_time = _col(header, "Title"), _col(header, "Time", "Elapsed Time")
    c_dist = _col(header, "Distance", "Distance (km)", "Distance (mi)")
    if c_dist is None or c_time is None or c_date is None or c_type is None:  # ditto
        return [], [Problem(name, 1, "Garmin CSV without 'Distance' or 'Time' columns")]
    said = re.search(r"\((km|mi)\)", header[c_dist].lower())
    unit = said[1] if said else units
    if unit is None:
        return [], [
            Problem(
                name,
                1,
                "Garmin CSV distances do not say their unit: pass units='km' or "
                "'mi' (--units km|mi), as the Garmin account is set",
            )
        ]
    found, out = [], []
    for line, f, problem in _records(rows, header, name):
        if problem:
            found.append(problem)
            continue
        try:
            start = datetime.strptime(f[c_date].strip(), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            found.append(
                Problem(
                    name,
                    line,
                    f"Date '{f[c_date][:40]}' is not like 2026-11-03 "
                    "06:45:12 (an export in another locale?)",
                )
            )
            continue
        try:
            distance, seconds = _number(f[c_dist]), _seconds(f[c_time])
        except ValueError as exc:
            found.append(Problem(name, line, str(exc)))
            continue
        sport = f[c_type].strip()
        out.append(
            Activity(
                file=name,
                line=line,
                run_id=f"garmin:{start.isoformat()}",
                start=start,
                clock="local",
                distance_m=_or_nan(distance and distance * _UNITS_M[unit]),
                duration_s=_or_nan(seconds),
                sport=sport,
                is_run=is_run_type(sport),
                name=f[c_title].strip() if c_title is not None else "",
            )
        )
    return out, found


_PLAIN_DATE = ("date", "start", "started_at", "start_time")
_PLAIN_DIST = {
    "distance": None,
    "distance_km": "km",
    "km": "km",
    "distance_mi": "mi",
    "miles": "mi",
    "distance_m": "m",
    "metres": "m",
    "meters": "m",
}
_PLAIN_TIME = (
    "duration",
    "duration_s",
    "time",
    "elapsed",
    "elapsed_time",
    "moving_time",
    "seconds",
)


def _plain_rows(rows: CsvReader, header: list[str], name: str, units: str | None) -> Parsed:
    lower = [re.sub(r"\s*\((\w+)\)$", r"_\1", c.lower()) for c in header]  # "distance (km)"
    c_date = next(i for i, c in enumerate(lower) if c in _PLAIN_DATE)
    c_dist = next((i for i, c in enumerate(lower) if c in _PLAIN_DIST), None)
    c_time = next((i for i, c in enumerate(lower) if c in _PLAIN_TIME), None)
    c_type = next((i for i, c in enumerate(lower) if c in ("type", "sport", "activity")), None)
    c_name = next((i for i, c in enumerate(lower) if c in ("name", "title", "note")), None)
    if c_dist is None or c_time is None:
        return [], [Problem(name, 1, "a plain CSV needs columns date, distance and duration")]
    unit = _PLAIN_DIST[lower[c_dist]] or units
    if unit is None:
        return [], [
            Problem(
                name,
                1,
                "the distance column does not say its unit: name it distance_km or "
                "distance_mi, or pass units='km' or 'mi' (--units km|mi)",
            )
        ]
    found, out = [], []
    for line, f, problem in _records(rows, header, name):
        if problem:
            found.append(problem)
            continue
        try:
            start, clock = _any_date(f[c_date])
            distance, seconds = _number(f[c_dist]), _seconds(f[c_time])
        except ValueError as exc:
            found.append(Problem(name, line, str(exc)))
            continue
        sport = f[c_type].strip() if c_type is not None else ""
        out.append(
            Activity(
                file=name,
                line=line,
                run_id=plain_run_id(f[c_date], distance, seconds, unit),
                start=start,
                clock=clock,
                distance_m=_or_nan(distance and distance * _UNITS_M[unit]),
                duration_s=_or_nan(seconds),
                sport=sport or "run",
                is_run=is_run_type(sport) if sport else True,
                name=f[c_name].strip() if c_name is not None else "",
            )
        )
    return out, found


def plain_run_id(date: str, distance: float | None, seconds: float | None, unit: str) -> str:
    """A plain-CSV run's id, from its content: ``csv:<date>/<metres>m/<seconds>s``.

    Two runs on one day are two ids; the same row imported again is the same id. Runs imported
    before had ``csv:<date>`` (:func:`legacy_run_id`), still recognised by the importer.
    """
    metres = "-" if distance is None else f"{distance * _UNITS_M[unit]:.0f}"
    secs = "-" if seconds is None else f"{seconds:.0f}"
    return f"{legacy_run_id(date)}/{metres}m/{secs}s"


def legacy_run_id(date: str) -> str:
    """The id plain-CSV runs were imported under first: ``csv:<date as written>``."""
    return f"csv:{date.strip()}"


_DATE_ONLY = re.compile(r"csv:\d{4}-\d{2}-\d{2}(?:/|$)")


def date_only(run_id: str) -> bool:
    """Whether a run's id says its plain CSV gave a date without a time (its start, noon, is no
    time of day): ``csv:2026-11-03/8000m/2700s`` or the old ``csv:2026-11-03``.

        >>> date_only("csv:2026-11-03/8000m/2700s"), date_only("csv:2026-11-03T07:00:00/8000m/2700s")
        (True, False)
    """
    return _DATE_ONLY.match(run_id) is not None
