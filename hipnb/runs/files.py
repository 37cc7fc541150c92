"""Activity files: FIT (fitdecode), GPX (gpxpy) and TCX (the standard library's XML parser: a TCX
file is a few summary fields per lap). Only summaries leave this module, never GPS points."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.etree import ElementTree

from hipnb.log import Problem
from hipnb.runs.activity import Activity, Clock, Parsed, is_run_type
from hipnb.runs.activity import or_nan as _or_nan


def read_fit(data: bytes, name: str) -> Parsed:
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
                file=name,
                line=1,
                run_id=f"fit:{start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
                start=start,
                clock=clock,
                distance_m=_or_nan(s.get("total_distance")),
                duration_s=_or_nan(s.get("total_elapsed_time")),
                sport=label,
                is_run=sport == "running",
            )
        )
    return out, []


def _field(frame: Any, key: str) -> Any:  # a fitdecode frame (untyped)
    return frame.get_value(key) if frame.has_field(key) else None


def _fixed(minutes: int) -> timezone:
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


def read_gpx(data: bytes, name: str) -> Parsed:
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
        assert start is not None and end is not None  # every point has a time (checked above)
        clock: Clock = "utc"
        if start.tzinfo is None:  # GPX times are UTC by the standard
            start, end = start.replace(tzinfo=UTC), end.replace(tzinfo=UTC)
        sport = (track.type or "").strip()
        out.append(
            Activity(
                file=name,
                line=line,
                run_id=f"gpx:{start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
                start=start,
                clock=clock,
                distance_m=float(track.length_3d() or track.length_2d() or 0.0),
                duration_s=(end - start).total_seconds(),
                sport=sport or "unknown",
                is_run=is_run_type(sport) if sport else None,
                name=(track.name or "").strip(),
            )
        )
    if not gpx.tracks:
        found.append(Problem(name, 1, "GPX file without a track"))
    return out, found


_TCX = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"


def read_tcx(data: bytes, name: str) -> Parsed:
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
                file=name,
                line=line,
                run_id=f"tcx:{start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
                start=start,
                clock="utc",
                distance_m=metres,
                duration_s=seconds,
                sport=sport,
                is_run=is_run_type(sport) if sport not in ("", "Other") else None,
            )
        )
    return out, found
