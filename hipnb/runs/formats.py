"""Readers for activity exports: each turns one file into :class:`Activity` summaries and problems.

Strava's ``activities.csv``, a Garmin Connect CSV, a plain CSV (date, distance, duration), FIT
(fitdecode), GPX (gpxpy) and TCX (the standard library's XML parser: a TCX file is a few summary
fields per lap). Only summaries are kept: no GPS point leaves this module.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree

from hipnb.log import Problem

#: How a start time was written: ``utc`` (an instant, the athlete's offset unknown), ``local`` (a
#: wall-clock time, its offset unknown) or ``aware`` (both known).
Clock = Literal["utc", "local", "aware"]
ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
_RUN = re.compile(r"\brun(ning)?\b", re.IGNORECASE)
_UNITS_M = {"km": 1000.0, "mi": 1609.344, "m": 1.0}


@dataclass
class Activity:
    """One activity's summary, as its source wrote it (times not yet in the athlete's zone)."""

    file: str
    line: int
    run_id: str
    start: datetime
    clock: Clock
    distance_m: float
    duration_s: float
    sport: str
    is_run: bool | None  # None: the source does not say what it was
    name: str = ""


Parsed = tuple[list[Activity], list[Problem]]


def is_run_type(sport: str) -> bool:
    """Whether an activity type names running (``Run``, ``Trail Run``, ``Treadmill Running``...)."""
    return bool(_RUN.search(sport or ""))


def read_activity_file(path: Path, units: str | None = None) -> Parsed:
    """Summaries and problems from one file of any supported kind (``.gz`` or not)."""
    name = str(path)
    kind = _kind(path)
    try:
        data = path.read_bytes()
        if path.suffix.lower() == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        return [], [Problem(name, 1, f"cannot read the file: {exc}")]
    if kind == ".fit":
        return _fit(data, name)
    if kind == ".gpx":
        return _gpx(data, name)
    if kind == ".tcx":
        return _tcx(data, name)
    return _csv(data, name, units)


def _kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


# --------------------------------------------------------------------------------------------------
# numbers and times as exports write them


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
    value = _number(text)
    if value is None:
        return None
    return value


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
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"date '{text[:40]}' is not an ISO 8601 date (like 2026-11-03)") from None
    if len(text) == 10:
        when = when.replace(hour=12)
    return when, ("aware" if when.tzinfo else "local")


# --------------------------------------------------------------------------------------------------
# CSV exports


def _csv(data: bytes, name: str, units: str | None) -> Parsed:
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
    if "activity date" in lower and "activity type" in lower:
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
                "not a known export: expected Strava's activities.csv (in English), "
                "a Garmin Connect CSV, or columns date, distance, duration",
            )
        ]
    return reader(rows, header, name, units)


def _records(rows, header: list[str], name: str):
    """(line, cells by column name, problem) for each record; repeated names keep their first."""
    line = rows.line_num + 1
    while True:
        try:
            fields = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, None, Problem(name, line, f"unreadable CSV record: {exc}")
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


def _strava_rows(rows, header, name, units) -> Parsed:
    c_id, c_date = _col(header, "Activity ID"), _col(header, "Activity Date")
    c_name, c_type = _col(header, "Activity Name"), _col(header, "Activity Type")
    c_time = _col(header, "Elapsed Time")
    c_km, c_m = _col(header, "Distance"), _col(header, "Distance", nth=1)
    if c_time is None or c_km is None:
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
                name,
                line,
                f"strava:{ident or start.isoformat()}",
                start,
                "utc",
                _or_nan(metres),
                _or_nan(seconds),
                sport,
                is_run_type(sport),
                f[c_name].strip() if c_name is not None else "",
            )
        )
    return out, found


def _garmin_rows(rows, header, name, units) -> Parsed:
    c_type, c_date = _col(header, "Activity Type"), _col(header, "Date")
    c_title, c_time = _col(header, "Title"), _col(header, "Time", "Elapsed Time")
    c_dist = _col(header, "Distance", "Distance (km)", "Distance (mi)")
    if c_dist is None or c_time is None:
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
                name,
                line,
                f"garmin:{start.isoformat()}",
                start,
                "local",
                _or_nan(distance and distance * _UNITS_M[unit]),
                _or_nan(seconds),
                sport,
                is_run_type(sport),
                f[c_title].strip() if c_title is not None else "",
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


def _plain_rows(rows, header, name, units) -> Parsed:
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
                name,
                line,
                f"csv:{f[c_date].strip()}",
                start,
                clock,
                _or_nan(distance and distance * _UNITS_M[unit]),
                _or_nan(seconds),
                sport or "run",
                is_run_type(sport) if sport else True,
                f[c_name].strip() if c_name is not None else "",
            )
        )
    return out, found


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


# --------------------------------------------------------------------------------------------------
# activity files


def _fit(data: bytes, name: str) -> Parsed:
    import fitdecode

    sessions, offset = [], None
    try:
        with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as fit:
            for frame in fit:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                if frame.name == "session":
                    sessions.append({f.name: f.value for f in frame.fields})
                elif frame.name == "activity":
                    local, stamp = _field(frame, "local_timestamp"), _field(frame, "timestamp")
                    if isinstance(local, datetime) and isinstance(stamp, datetime):
                        offset = local.replace(tzinfo=None) - stamp.replace(tzinfo=None)
    except fitdecode.FitError as exc:
        return [], [Problem(name, 1, f"not a readable FIT file: {exc}")]
    if not sessions:
        return [], [Problem(name, 1, "FIT file without a session summary (not an activity?)")]
    out = []
    for i, s in enumerate(sessions, 1):
        start = s.get("start_time")
        if not isinstance(start, datetime):
            return [], [Problem(name, 1, f"FIT session {i} has no start time")]
        start = start.astimezone(UTC)
        clock: Clock = "utc"
        if offset is not None and abs(offset) <= timedelta(hours=18):
            minutes = round(offset.total_seconds() / 900) * 15
            start, clock = start.astimezone(_fixed(minutes)), "aware"
        sport = str(s.get("sport") or "")
        sub = str(s.get("sub_sport") or "")
        label = f"{sport} ({sub})" if sub and sub != "generic" else sport
        out.append(
            Activity(
                name,
                1,
                f"fit:{start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
                start,
                clock,
                _or_nan(s.get("total_distance")),
                _or_nan(s.get("total_elapsed_time")),
                label,
                sport == "running",
            )
        )
    return out, []


def _field(frame, key: str):
    return frame.get_value(key) if frame.has_field(key) else None


def _fixed(minutes: int):
    from datetime import timezone

    return timezone(timedelta(minutes=minutes))


def _xml_problem(name: str, exc: Exception, what: str) -> Problem:
    m = re.search(r"line (\d+)", str(exc))
    position = getattr(exc, "position", None)
    line = position[0] if position else int(m[1]) if m else 1
    return Problem(name, line, f"not a readable {what} file: {exc}")


def _line_of(data: bytes, tag: bytes, nth: int = 0) -> int:
    at = -1
    for _ in range(nth + 1):
        at = data.find(tag, at + 1)
        if at < 0:
            return 1
    return data[:at].count(b"\n") + 1


def _gpx(data: bytes, name: str) -> Parsed:
    import gpxpy
    import gpxpy.gpx

    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig", errors="replace"))
    except gpxpy.gpx.GPXException as exc:
        return [], [_xml_problem(name, exc, "GPX")]
    out, found = [], []
    for i, track in enumerate(gpx.tracks):
        line = _line_of(data, b"<trk>", i)
        points = [p for seg in track.segments for p in seg.points]
        if not points:
            found.append(Problem(name, line, f"track {i + 1} has no points"))
            continue
        if any(p.time is None for p in points):
            found.append(
                Problem(name, line, f"track {i + 1} has points without <time>: cannot date the run")
            )
            continue
        start, end = points[0].time, points[-1].time
        clock: Clock = "utc"
        if start.tzinfo is None:  # GPX times are UTC by the standard
            start, end = start.replace(tzinfo=UTC), end.replace(tzinfo=UTC)
        sport = (track.type or "").strip()
        out.append(
            Activity(
                name,
                line,
                f"gpx:{start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
                start,
                clock,
                float(track.length_3d() or track.length_2d() or 0.0),
                (end - start).total_seconds(),
                sport or "unknown",
                is_run_type(sport) if sport else None,
                (track.name or "").strip(),
            )
        )
    if not gpx.tracks:
        found.append(Problem(name, 1, "GPX file without a track"))
    return out, found


_TCX = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"


def _tcx(data: bytes, name: str) -> Parsed:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return [], [_xml_problem(name, exc, "TCX")]
    out, found = [], []
    activities = root.findall(f"{_TCX}Activities/{_TCX}Activity")
    if not activities:
        return [], [Problem(name, 1, "TCX file without an <Activity>")]
    for i, act in enumerate(activities):
        line = _line_of(data, b"<Activity ", i)
        ident = (act.findtext(f"{_TCX}Id") or "").strip()
        try:
            start = datetime.fromisoformat(ident.replace("Z", "+00:00"))
            laps = act.findall(f"{_TCX}Lap")
            seconds = sum(float(lap.findtext(f"{_TCX}TotalTimeSeconds") or "nan") for lap in laps)
            metres = sum(float(lap.findtext(f"{_TCX}DistanceMeters") or "nan") for lap in laps)
        except ValueError as exc:
            found.append(Problem(name, line, f"activity {i + 1}: {exc}"))
            continue
        if not laps:
            found.append(Problem(name, line, f"activity {i + 1} has no <Lap> summary"))
            continue
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        sport = act.get("Sport", "")
        out.append(
            Activity(
                name,
                line,
                f"tcx:{start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
                start,
                "utc",
                metres,
                seconds,
                sport,
                is_run_type(sport) if sport not in ("", "Other") else None,
            )
        )
    return out, found
