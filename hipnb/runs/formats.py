"""Readers for activity exports: each turns one file into :class:`Activity` summaries and problems.

CSV exports are in :mod:`hipnb.runs.exports`, FIT, GPX and TCX files in :mod:`hipnb.runs.files`.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from hipnb.log import Problem
from hipnb.runs.activity import Activity, Parsed, is_run_type
from hipnb.runs.exports import read_csv_export
from hipnb.runs.files import read_fit, read_gpx, read_tcx

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
_READERS = {".fit": read_fit, ".gpx": read_gpx, ".tcx": read_tcx}

__all__ = ["ACTIVITY_SUFFIXES", "Activity", "is_run_type", "read_activity_file"]


def read_activity_file(path: Path, units: str | None = None) -> Parsed:
    """Summaries and problems from one file of any supported kind (``.gz`` or not)."""
    name = str(path)
    try:
        data = path.read_bytes()
        if path.suffix.lower() == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        return [], [Problem(name, 1, f"cannot read the file: {exc}")]
    reader = _READERS.get(_kind(path))
    return reader(data, name) if reader else read_csv_export(data, name, units)


def _kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""
