"""Activity files: FIT (fitdecode), GPX and TCX (streamed through expat, keeping only each track's
or activity's summary). Only summaries leave this module, never GPS points.

A reader may raise on a hostile file; :func:`hipnb.runs.formats.read_activity_file` turns any
exception into a problem for that file. GPX and TCX readers raise :class:`XmlError` with the line
where reading stopped.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import IO, Any
from xml.parsers import expat

from hipnb.log import Problem
from hipnb.log.stamps import MAX_OFFSET_MIN, parse_stamp
from hipnb.runs.activity import Activity, Clock, Data, Parsed, is_run_type, utc_id
from hipnb.runs.activity import or_nan as _or_nan

_EARTH_M = 6_371_008.8  # mean Earth radius


class XmlError(ValueError):
    """A GPX or TCX file that cannot be read, with the line where reading stopped."""

    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line = line


def read_fit(data: Data, name: str) -> Parsed:
    import fitdecode

    sessions, offset = [], None
    with (
        warnings.catch_warnings(),  # fitdecode warns of damaged fields: a problem says it
        fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as fit,
    ):
        warnings.simplefilter("ignore")
        for frame in fit:
            if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                continue
            if frame.name == "session":
                sessions.append({f.name: f.value for f in frame.fields})
            elif frame.name == "activity":
                local, stamp = _field(frame, "local_timestamp"), _field(frame, "timestamp")
                if isinstance(local, datetime) and isinstance(stamp, datetime):
                    offset = local.replace(tzinfo=None) - stamp.replace(tzinfo=None)
    if not sessions:
        return [], [Problem(name, 1, "FIT file without a session summary (not an activity?)")]
    out = []
    for i, s in enumerate(sessions, 1):
        start = s.get("start_time")
        if not isinstance(start, datetime):
            return [], [Problem(name, 1, f"FIT session {i} has no start time")]
        start = start.astimezone(UTC)
        clock: Clock = "utc"
        if offset is not None and abs(offset) <= timedelta(minutes=MAX_OFFSET_MIN):
            minutes = round(offset.total_seconds() / 900) * 15
            start, clock = start.astimezone(timezone(timedelta(minutes=minutes))), "aware"
        sport = str(s.get("sport") or "")
        sub = str(s.get("sub_sport") or "")
        label = f"{sport} ({sub})" if sub and sub != "generic" else sport
        out.append(
            Activity(
                file=name,
                line=1,
                run_id=utc_id("fit", start),
                start=start,
                clock=clock,
                distance_m=_or_nan(_number(s.get("total_distance"))),
                duration_s=_or_nan(_number(s.get("total_elapsed_time"))),
                sport=label,
                is_run=sport == "running",
            )
        )
    return out, []


def _field(frame: Any, key: str) -> Any:  # a fitdecode frame (untyped)
    return frame.get_value(key) if frame.has_field(key) else None


def _number(value: Any) -> float | None:
    """A FIT field as a number; a damaged field (text, a tuple) is no number."""
    return float(value) if isinstance(value, int | float) else None


def _stamp(text: str, what: str) -> datetime:
    """An ISO 8601 time from a GPX or TCX element; a time without an offset is UTC."""
    try:
        when = parse_stamp(text)
    except ValueError:
        raise ValueError(f"{what} '{text.strip()[:40]}' is not an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _parse(
    data: Data | IO[bytes], start: Callable[..., None], end: Callable[[str, str], None]
) -> int:
    """Stream ``data`` through expat, calling ``start(tag, attrs, line)`` and ``end(tag, text)``
    with local tag names (namespaces dropped) and each element's own text; return the last line.

    Document type declarations are refused: activity files have none, and entities are how XML
    files are made to explode.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    text: list[str] = []

    def on_start(tag: str, attrs: dict[str, str]) -> None:
        text.clear()
        start(tag.rpartition(" ")[2], attrs, parser.CurrentLineNumber)

    def on_end(tag: str) -> None:
        end(tag.rpartition(" ")[2], "".join(text))
        text.clear()

    def no_doctype(*_: Any) -> None:
        raise ValueError("a document type declaration (activity files have none)")

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = text.append
    parser.StartDoctypeDeclHandler = no_doctype
    try:
        if isinstance(data, bytes | bytearray):
            parser.Parse(data, True)
        else:
            while chunk := data.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise XmlError(exc.lineno, str(exc)) from None
    except ValueError as exc:
        raise XmlError(parser.CurrentLineNumber, str(exc)) from None
    return parser.CurrentLineNumber


class _Track:
    """The running summary of one GPX track: first and last time, distance, its points."""

    def __init__(self, line: int):
        self.line, self.name, self.type = line, "", ""
        self.points = self.timed = 0
        self.first = self.last = ""
        self.metres = 0.0
        self.prev: tuple[float, float, float | None] | None = None
        self.here: list[Any] = [0.0, 0.0, None]

    def point(self, attrs: dict[str, str]) -> None:
        self.points += 1
        try:
            self.here = [float(attrs["lat"]), float(attrs["lon"]), None]
        except (KeyError, ValueError):
            raise ValueError("a <trkpt> without a number for lat and lon") from None

    def close_point(self) -> None:
        lat, lon, ele = self.here
        if self.prev is not None:
            self.metres += _metres(self.prev, (lat, lon, ele))
        self.prev = (lat, lon, ele)


def _metres(a: tuple[float, float, float | None], b: tuple[float, float, float | None]) -> float:
    """Haversine distance between two points, with the climb when both have an elevation."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    flat = 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(h)))
    if a[2] is None or b[2] is None:
        return flat
    return math.hypot(flat, b[2] - a[2])


def read_gpx(data: Data | IO[bytes], name: str) -> Parsed:
    """Each track's summary, read as a stream: no point is kept after the next one is read."""
    tracks: list[_Track] = []
    stack: list[str] = []

    def start(tag: str, attrs: dict[str, str], line: int) -> None:
        if tag == "trk":
            tracks.append(_Track(line))
        elif tracks and stack and stack[-1] == "trkseg" and tag == "trkpt":
            tracks[-1].point(attrs)
        elif tag == "trkseg" and tracks:
            tracks[-1].prev = None  # a gap between segments is not run
        stack.append(tag)

    def end(tag: str, text: str) -> None:
        stack.pop()
        if not tracks or not stack:
            return
        track, parent = tracks[-1], stack[-1]
        if parent == "trkpt" and tag == "time" and text.strip():
            track.timed += 1
            track.first = track.first or text
            track.last = text
        elif parent == "trkpt" and tag == "ele" and text.strip():
            track.here[2] = float(text)
        elif parent == "trkseg" and tag == "trkpt":
            track.close_point()
        elif parent == "trk" and tag in ("name", "type"):
            setattr(track, tag, text.strip())

    _parse(data, start, end)
    out, found = [], []
    for i, track in enumerate(tracks, 1):
        if not track.points:
            found.append(Problem(name, track.line, f"track {i} has no points"))
            continue
        if track.timed < track.points:
            found.append(
                Problem(
                    name, track.line, f"track {i} has points without <time>: cannot date the run"
                )
            )
            continue
        begin, finish = _stamp(track.first, "<time>"), _stamp(track.last, "<time>")
        out.append(
            Activity(
                file=name,
                line=track.line,
                run_id=utc_id("gpx", begin),
                start=begin,
                clock="utc",
                distance_m=track.metres,
                duration_s=(finish - begin).total_seconds(),
                sport=track.type or "unknown",
                is_run=is_run_type(track.type) if track.type else None,
                name=track.name,
            )
        )
    if not tracks:
        found.append(Problem(name, 1, "GPX file without a track"))
    return out, found


def read_tcx(data: Data | IO[bytes], name: str) -> Parsed:
    """Each activity's summary (its Id and its laps' time and distance), read as a stream."""
    acts: list[dict[str, Any]] = []
    stack: list[str] = []

    def start(tag: str, attrs: dict[str, str], line: int) -> None:
        if tag == "Activity" and stack[-1:] == ["Activities"]:
            acts.append({"line": line, "sport": attrs.get("Sport", ""), "id": "", "laps": []})
        elif tag == "Lap" and acts and stack[-1:] == ["Activity"]:
            acts[-1]["laps"].append([math.nan, math.nan])
        stack.append(tag)

    def end(tag: str, text: str) -> None:
        stack.pop()
        if not acts or not stack:
            return
        act, parent = acts[-1], stack[-1]
        if parent == "Activity" and tag == "Id":
            act["id"] = text.strip()
        elif parent == "Lap" and act["laps"] and tag in ("TotalTimeSeconds", "DistanceMeters"):
            act["laps"][-1][tag == "DistanceMeters"] = float(text)

    _parse(data, start, end)
    if not acts:
        return [], [Problem(name, 1, "TCX file without an <Activity>")]
    out, found = [], []
    for i, act in enumerate(acts, 1):
        if not act["laps"]:
            found.append(Problem(name, act["line"], f"activity {i} has no <Lap> summary"))
            continue
        try:
            begin = _stamp(act["id"], "<Id>")
        except ValueError as exc:
            found.append(Problem(name, act["line"], f"activity {i}: {exc}"))
            continue
        sport = act["sport"]
        out.append(
            Activity(
                file=name,
                line=act["line"],
                run_id=utc_id("tcx", begin),
                start=begin,
                clock="utc",
                distance_m=sum(lap[1] for lap in act["laps"]),
                duration_s=sum(lap[0] for lap in act["laps"]),
                sport=sport,
                is_run=is_run_type(sport) if sport not in ("", "Other") else None,
            )
        )
    return out, found
