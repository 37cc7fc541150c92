"""What an import reads: one file, a folder of files, or a Strava bulk export (folder or ``.zip``).

A zip is read in place, member by member, never extracted; a member whose name would leave the
export (absolute, or with ``..``) is reported and not read. Each member is capped like a file
(:data:`hipnb.runs.formats.MAX_FILE_BYTES`).

A Strava export's ``activities.csv`` is written in the account's language. When its header is
Strava's English one it lists every activity (with names); otherwise the export's activity files
(FIT, GPX, TCX, gzipped), which do not depend on language, are read instead and a note says so.
"""

from __future__ import annotations

import re
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from hipnb.errors import HipnbError
from hipnb.log import Problem
from hipnb.runs.exports import strava_header_problem
from hipnb.runs.formats import ACTIVITY_SUFFIXES, Opener, file_opener, kind, read_head
from hipnb.seconds import plural

_WANTED = (*ACTIVITY_SUFFIXES, ".csv")
_HEAD_BYTES = 1 << 16


@dataclass(frozen=True)
class Source:
    """One file to read: its name as problems show it and how to open its bytes."""

    name: str
    open: Opener


@dataclass
class Found:
    """The files an import reads, notes on how they were chosen, and members refused."""

    sources: list[Source]
    notes: list[str]
    problems: list[Problem]


def find_sources(path: Path, stack: ExitStack) -> Found:
    """The files to read for ``path``; zips stay open in ``stack`` while they are read.

    Raises :class:`hipnb.HipnbError` when there is nothing to read, saying why (a folder holding
    only a zip says to import the zip).
    """
    if not path.is_file() and not path.is_dir():
        raise HipnbError(f"{path}: not a file or a folder")
    if path.is_file() and path.suffix.lower() != ".zip":
        return Found([Source(str(path), file_opener(path))], [], [])
    refused: list[Problem] = []
    if path.is_file():
        entries = _zip_entries(path, stack, refused)
    else:
        entries = {
            p.relative_to(path).as_posix(): Source(str(p), file_opener(p))
            for p in sorted(path.rglob("*"))
            if p.is_file()
        }
    found = _choose(entries)
    found.problems = refused + found.problems
    zips = [rel for rel in entries if rel.lower().endswith(".zip")]
    if found.sources and zips:
        found.notes.append(
            f"{path}: {', '.join(zips[:3])}{' ...' if len(zips) > 3 else ''} not read "
            "(import a zip by its name)"
        )
    if found.sources or refused:
        return found
    if zips:
        raise HipnbError(
            f"{path}: no activity files here, only {', '.join(zips[:3])}: import the zip itself, "
            f"e.g. hipnb runs import '{path / zips[0]}' (it is read without unzipping)"
        )
    raise HipnbError(
        f"{path}: no activity files (.fit, .gpx, .tcx or .csv, gzipped or not) in it"
        if path.is_dir()
        else f"{path}: a zip without activity files (.fit, .gpx, .tcx or .csv) in it"
    )


def _zip_entries(path: Path, stack: ExitStack, refused: list[Problem]) -> dict[str, Source]:
    try:
        archive = stack.enter_context(zipfile.ZipFile(path))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise HipnbError(f"{path}: not a readable zip file ({exc})") from None
    entries = {}
    for info in infos:
        if info.is_dir():
            continue
        if _leaves(info.filename):
            refused.append(
                Problem(
                    f"{path}/{info.filename}",
                    1,
                    "a member name that leaves the export (absolute or with '..'): not read",
                )
            )
            continue
        entries[info.filename] = Source(f"{path}/{info.filename}", partial(archive.open, info))
    return entries


def _leaves(member: str) -> bool:
    """Whether a zip member's name is absolute or climbs out with ``..`` (on any system)."""
    name = member.replace("\\", "/")
    return name.startswith("/") or bool(re.match(r"[A-Za-z]:", name)) or ".." in name.split("/")


def _wanted(rel: str) -> bool:
    return kind(rel) in _WANTED and not rel.lower().endswith(".zip")


def _choose(entries: dict[str, Source]) -> Found:
    """A Strava export's activities.csv (or its activity files), else every file of a known kind."""
    lists = sorted(
        (rel for rel in entries if PurePosixPath(rel).name.lower() == "activities.csv"),
        key=lambda rel: (rel.count("/"), rel),
    )
    if not lists or lists[0].count("/") > 1:
        return Found([s for rel, s in entries.items() if _wanted(rel)], [], [])
    listing = entries[lists[0]]
    files = [s for rel, s in entries.items() if kind(rel) in ACTIVITY_SUFFIXES and rel not in lists]
    try:
        why = strava_header_problem(read_head(listing.open, _HEAD_BYTES))
    except Exception:  # noqa: BLE001 - its reader reports what is wrong with it
        why = None
    if why is None or not files:
        return Found([listing], [], [])
    note = (
        f"{listing.name}: {why}; read its {plural(len(files), 'activity file')} instead "
        "(FIT, GPX and TCX do not depend on the account's language; they carry no activity names)"
    )
    return Found(files, [note], [])
