"""Checks of the command line's arguments, made while it is parsed, and its one-line errors.

Each ``*_arg`` function is an argparse ``type=``: it returns the parsed value or raises
``argparse.ArgumentTypeError`` with the reason, which :class:`Parser` prints as one line,
``hipnb: error: ...``, with exit status 2 and no traceback.

    >>> date_arg("2026-11-24")
    '2026-11-24'
    >>> date_arg("2026-02-30")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: '2026-02-30' is not a date: day is out of range for month
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn

from hipnb.log.stamps import start_problem

__all__ = ["Parser", "count_arg", "date_arg", "folder_arg"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line, ``hipnb: error: REASON (see --help)``."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("hipnb").strip()
        where = f"{command}: " if command else ""
        helps = f"hipnb {command} --help" if command else "hipnb --help"
        print(f"hipnb: error: {where}{message} (see {helps})", file=sys.stderr)
        raise SystemExit(2)


def date_arg(text: str) -> str:
    """A calendar date written ``YYYY-MM-DD``, on or after 1990-01-01 (the log's date rule)."""
    if not _DATE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it YYYY-MM-DD")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: {exc}") from None
    problem = start_problem(datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{text!r}: {problem.removeprefix('starts ')}")
    return day.isoformat()


def count_arg(text: str) -> int:
    """A whole number, 1 or more."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    return n


def folder_arg(text: str) -> Path:
    """A folder to write into: it may not exist yet, but it may not be a file."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a folder")
    return path
