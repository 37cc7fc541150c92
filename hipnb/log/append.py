"""The durable append: validate the whole batch, then one locked, fsynced write."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd
from filelock import FileLock

from hipnb.errors import LogError, LogWarning
from hipnb.log.read import _read_file
from hipnb.log.rows import _csv_text, _header_names, _to_text_frame
from hipnb.log.schema import COLUMNS, EOL, REQUIRED, _first_rejected, _validate


class SessionLog:
    """A session log file (CSV, UTF-8, header row, one row per hold).

    Example::

        >>> log = SessionLog("data/ana.csv")
        >>> log.append([{"session_id": "s1", "athlete": "ana", ...}])   # doctest: +SKIP
        >>> df = log.read()            # typed frame; df.attrs["problems"] lists rejected rows
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = FileLock(str(self.path.with_name(f".{self.path.name}.lock")))

    def __repr__(self) -> str:
        return f"SessionLog({str(self.path)!r})"

    def append(self, rows) -> int:
        """Validate ``rows`` (dicts or a DataFrame) and append them durably; return how many.

        Raises :class:`hipnb.LogError` naming the row (1-based, within this call) and the field if any
        row is invalid; nothing of that call is written then. The write is one ``write`` under a
        cross-process lock, followed by flush and fsync, so an append that returned survives a crash.
        """
        text_frame = _to_text_frame(rows)
        if text_frame.empty:
            return 0
        _, reason = _validate(text_frame)
        first = _first_rejected(reason)
        if first:
            raise LogError(
                f"{self.path}: row {first[0]} of this append: {first[1]} (nothing was written)"
            )
        append_text(
            self.path, self._lock, lambda columns: _csv_text(text_frame, columns), COLUMNS, REQUIRED
        )
        return len(text_frame)

    def read(self, errors: Literal["report", "raise"] = "report") -> pd.DataFrame:
        """Read and validate the whole log into a typed DataFrame.

        Columns: the schema's, with ``started_at`` as a UTC timestamp, ``local_time`` (the athlete's
        wall-clock time, from the row's own UTC offset), floats for seconds, bool ``completed``,
        nullable ints for ``rpe``/``discomfort`` and string columns for text. Columns may come in any
        order; columns outside the schema (and empty trailing ones) are ignored.

        ``errors="report"`` (default): unusable rows are left out and listed in
        ``df.attrs["problems"]`` as :class:`Problem` (file, line, reason), and a warning says how many.
        ``errors="raise"``: the first problem raises :class:`hipnb.LogError`.
        A missing file reads as an empty log.
        """
        if errors not in ("report", "raise"):
            raise ValueError("errors must be 'report' or 'raise'")
        df, found = _read_file(self.path)
        if found and errors == "raise":
            raise LogError(
                str(found[0]) + (f" (and {len(found) - 1} more)" if len(found) > 1 else "")
            )
        if found:
            warnings.warn(
                f"{self.path}: {len(found)} row(s) could not be used; first: {found[0]}",
                LogWarning,
                stacklevel=2,
            )
        df.attrs["problems"] = found
        return df


def append_text(
    path: Path,
    lock: FileLock,
    text_for: Callable[[list[str]], str],
    header: Sequence[str],
    required: Sequence[str],
) -> None:
    """The durable append, for any open CSV file (session logs, run logs).

    Under ``lock``, one ``write`` of ``text_for(columns)`` at the end of ``path`` (created with
    ``header`` when new or empty; otherwise ``columns`` are the file's own, which must hold every
    name in ``required``), then fsync. Rows already validated by the caller; the body is never read.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with lock:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                columns, prefix = list(header), ",".join(header) + EOL
            else:
                columns = _header_columns(path, fd, required)
                prefix = "" if os.pread(fd, 1, size - 1) in (b"\n", b"\r") else EOL
            data = (prefix + text_for(columns)).encode("utf-8")
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if size == 0:
            _fsync_dir(path.parent)


def _header_columns(path: Path, fd: int, required: Sequence[str]) -> list[str]:
    head = os.pread(fd, 65536, 0)
    line = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").rstrip("\r")
    columns = _header_names(line) or []
    missing = [c for c in required if c not in columns]
    if missing:
        raise LogError(
            f"{path}:1: cannot append: the header lacks {', '.join(missing)} "
            f"(header: {line[:120]!r})"
        )
    return columns


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
