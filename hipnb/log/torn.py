"""Rows a read sets aside by their line: a last line without a line end, and lines cut off so.

A log written by hipnb ends every row with a line end, so a last line without one was cut off by a
crash (``28.75`` lost its last bytes and reads as ``28``) or saved by a tool that omits the final
line end. The two look alike, so that row is set aside and reported until the user has checked it
and runs ``hipnb validate --accept FILE:LINE``. The next append starts a fresh line after it, and
first records the line, under the log's lock, in a sidecar beside the log (``.NAME.torn``) that
every read consults: the row stays reported after the append. Each entry names the line and a
checksum of its bytes, so an entry never applies to a line that has since been rewritten.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from pathlib import Path

from hipnb.errors import LogError

TORN = "torn"
ACCEPTED = "accepted"

UNTERMINATED = (
    "the last line has no line end: a write may have been cut off (its last characters lost) or "
    "the file was saved without a final line end; it is set aside: check the row, fix it if "
    "needed, then run: hipnb validate --accept {where}"
)
CUT_BEFORE_APPEND = (
    "the line had no line end when the next row was appended: a write may have been cut off "
    "(its last characters lost); it is set aside: check the row, fix it if needed, then run: "
    "hipnb validate --accept {where}"
)


def sidecar(path: Path) -> Path:
    """The file beside ``path`` that records its cut-off lines (hidden, not a ``*.csv``)."""
    return path.with_name(f".{path.name}.torn")


def line_crc(line: bytes) -> str:
    return format(zlib.crc32(line.rstrip(b"\r\n")), "08x")


def entries(path: Path) -> dict[tuple[int, str], str]:
    """``(line, crc) -> torn | accepted`` from the sidecar (empty when there is none)."""
    try:
        text = sidecar(path).read_text("utf-8", errors="replace")
    except OSError:
        return {}
    out: dict[tuple[int, str], str] = {}
    for row in text.splitlines():
        parts = row.split()
        if len(parts) == 3 and parts[0] in (TORN, ACCEPTED) and parts[1].isdigit():
            out[(int(parts[1]), parts[2])] = parts[0]
    return out


def record(path: Path, kind: str, line: int, crc: str) -> None:
    """Add one entry to the sidecar (fsynced)."""
    fd = os.open(sidecar(path), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{kind} {line} {crc}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def note_unterminated(path: Path, fd: int, size: int) -> None:
    """Under the append's lock, before it starts a fresh line: record the unterminated last line.

    Never fails the append: when the sidecar cannot be written, the fact is lost (the row then
    reads as it stands), which is no worse than a log without sidecars.
    """
    with contextlib.suppress(OSError):
        tail = os.pread(fd, min(size, 1 << 20), max(0, size - (1 << 20)))
        start = tail.rfind(b"\n") + 1
        if start == 0 and size > len(tail):  # a line over 1 MB: count from the start
            data = os.pread(fd, size, 0)
            line = data.count(b"\n") + 1
            last = data[data.rfind(b"\n") + 1 :]
        else:
            before = os.pread(fd, size - len(tail), 0).count(b"\n") if size > len(tail) else 0
            line = before + tail.count(b"\n") + 1
            last = tail[start:]
        if line > 1:  # a header without a line end is not a row
            record(path, TORN, line, line_crc(last))


def marks(path: Path | None, data: bytes, start: int, last: int) -> dict[int, str]:
    """Line -> reason for the lines of the body (``data[start:]``, file lines 2 to ``last``) set
    aside because they were or are unterminated, and not accepted since."""
    found: dict[int, str] = {}
    where = f"{path}:{{}}"
    book = entries(path) if path is not None else {}
    if data[-1:] not in (b"\n", b"\r"):
        text = data[max(start, data.rfind(b"\n") + 1) :]
        if book.get((last, line_crc(text))) != ACCEPTED:
            found[last] = UNTERMINATED.format(where=where.format(last))
    accepted = {k for k, v in book.items() if v == ACCEPTED}
    torn = {k for k, v in book.items() if v == TORN} - accepted
    if torn:
        lines = data[start:].split(b"\n")
        for line, crc in torn:
            if 0 <= line - 2 < len(lines) and line_crc(lines[line - 2]) == crc:
                found.setdefault(line, CUT_BEFORE_APPEND.format(where=where.format(line)))
    return found


def accept(path: Path, line: int) -> str:
    """Mark ``path``'s line ``line`` as checked: reads no longer set it aside. Returns a message."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LogError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    lines = data.split(b"\n")
    if not 2 <= line <= len(lines) or (line == len(lines) and not lines[-1]):
        raise LogError(f"{path}:{line}: no such row in the file")
    crc = line_crc(lines[line - 1])
    try:
        record(path, ACCEPTED, line, crc)
    except OSError as exc:
        raise LogError(f"{sidecar(path)}: cannot be written: {exc.strerror or exc}") from None
    return f"{path}:{line}: accepted as checked; reads keep it from now on"
