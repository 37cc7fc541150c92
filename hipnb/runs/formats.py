"""Readers for activity exports: each turns one file into :class:`Activity` summaries and problems.

CSV exports are in :mod:`hipnb.runs.exports`, FIT, GPX and TCX files in :mod:`hipnb.runs.files`.
Every file is its own fault domain: whatever goes wrong while reading one (a damaged byte, a
hostile file, a file too big) becomes one :class:`hipnb.log.Problem` naming it, and the other
files still import. No file is read past :data:`MAX_FILE_BYTES` once decompressed.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import IO, Any, cast

from hipnb.log import Problem
from hipnb.runs.activity import Activity, Parsed, is_run_type
from hipnb.runs.exports import read_csv_export
from hipnb.runs.files import read_fit, read_gpx, read_tcx

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
#: No activity file is read past this many bytes once decompressed (a gzip bomb stops here): an
#: hour's GPX recorded every second is about 0.5 MB, a 10^6-point one about 100 MB.
MAX_FILE_BYTES = 200_000_000
_READERS = {".fit": read_fit}
_STREAMED = {".gpx": read_gpx, ".tcx": read_tcx}
_CHUNK = 1 << 20

#: Opens one file's bytes (a file on disk, a member of a zip) as a binary stream.
Opener = Callable[[], AbstractContextManager[Any]]

__all__ = [
    "ACTIVITY_SUFFIXES",
    "MAX_FILE_BYTES",
    "Activity",
    "TooBig",
    "file_opener",
    "is_run_type",
    "kind",
    "read_activity",
    "read_activity_file",
    "read_head",
]


class TooBig(ValueError):
    """A file bigger than :data:`MAX_FILE_BYTES` once decompressed."""


def read_activity_file(path: Path, units: str | None = None) -> Parsed:
    """Summaries and problems from one file of any supported kind (``.gz`` or not); never raises."""
    return read_activity(str(path), file_opener(path), units)


def file_opener(path: Path) -> Opener:
    """The :data:`Opener` of a file on disk."""
    return partial(Path.open, path, "rb")


def read_activity(name: str, opener: Opener, units: str | None = None) -> Parsed:
    """Summaries and problems from the bytes ``opener`` gives, read as the file ``name`` says.

    GPX and TCX are measured first (decompressed and counted, nothing kept), then parsed as a
    stream; FIT and CSV files are read into memory, under the same cap.

    Never raises (but for KeyboardInterrupt and its kind): any exception becomes a problem
    ``name:LINE: reason``, line 1 when the reader cannot tell where it stopped.
    """
    what = kind(name)[1:].upper() or "CSV"
    streamed = kind(name) in _STREAMED
    try:
        data = bytearray()
        for chunk in _chunks(name, opener):
            if not streamed:
                data += chunk  # grown in place: no second copy of a big file
    except TooBig as exc:
        return [], [Problem(name, 1, str(exc))]
    except Exception as exc:  # noqa: BLE001 - a bad gzip stream, a zip member's CRC, a disk error
        return [], [Problem(name, 1, f"cannot read the file: {_reason(exc)}")]
    try:
        if streamed:
            with opener() as raw:
                return _STREAMED[kind(name)](_decoded(name, raw), name)
        reader = _READERS.get(kind(name))
        return reader(data, name) if reader else read_csv_export(data, name, units)
    except Exception as exc:  # noqa: BLE001 - every file is its own fault domain
        line = getattr(exc, "line", None) or getattr(exc, "lineno", None) or 1
        return [], [Problem(name, int(line), f"not a readable {what} file: {_reason(exc)}")]


def _decoded(name: str, raw: IO[bytes]) -> IO[bytes]:
    """``raw``, gunzipped when ``name`` ends in ``.gz``."""
    return cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if _gzipped(name) else raw


def _chunks(name: str, opener: Opener) -> Iterator[bytes]:
    """The file's (decompressed) bytes in chunks; :class:`TooBig` once past the cap."""
    size = 0
    with opener() as raw:
        stream = _decoded(name, raw)
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise TooBig(
                    f"more than {MAX_FILE_BYTES // 1_000_000} MB"
                    f"{' once decompressed' if _gzipped(name) else ''}: not read (no activity "
                    "file is that big; a damaged or hostile file?)"
                )
            yield chunk


def read_head(opener: Opener, size: int) -> bytes:
    """The first ``size`` bytes of a file (not decompressed)."""
    with opener() as raw:
        return bytes(raw.read(size))


def _gzipped(name: str) -> bool:
    return name.lower().endswith(".gz")


def kind(name: str) -> str:
    """The suffix that says how to read ``name``: ``.fit``, ``.gpx``, ``.tcx``, ``.csv``..."""
    suffixes = [s.lower() for s in Path(name).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _reason(exc: BaseException) -> str:
    text = re.sub(r"\s+", " ", str(exc)).strip()[:200]
    return f"{text} ({type(exc).__name__})" if text else type(exc).__name__
