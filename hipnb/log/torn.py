"""Rows a read sets aside by their line: a last line without a line end, and lines cut off so.

A log written by hipnb ends every row with a line end, so a last line without one was cut off by a
crash (``28.75`` lost its last bytes and reads as ``28``) or saved by a tool that omits the final
line end. The two look alike, so that row is set aside and reported until the user has checked it
and runs ``hipnb validate --accept FILE:LINE``. The next append starts a fresh line after it, and
first records the line, under the log's lock, in a sidecar beside the log (``.NAME.torn``) that
every read consults: the row stays reported after the append. When that record cannot be made (a
full disk; the sidecar is a folder, a link or any other thing than a plain file), the append is
refused and says why, so a cut line never reads as good. Each entry names where the line starts
(its byte offset: the append reads no more than the log's last line to find it) and a checksum of
its bytes, so an entry never applies to a line that has since been rewritten. The sidecar is
never opened through a symbolic link.
"""

from __future__ import annotations

import errno
import os
import stat
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


def _open(path: Path, flags: int) -> int:
    """The sidecar of ``path``, opened without following a link; a folder, a link or any other
    thing than a plain file raises :class:`OSError`."""
    fd = os.open(sidecar(path), flags | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{sidecar(path)} is not a plain file")
    return fd


def entries(path: Path) -> dict[tuple[int | str, str], str]:
    """``(line, crc) -> torn | accepted`` from the sidecar (empty when there is none); an entry
    the append made names its line's byte offset (``"@123"``) instead of its number. Raises
    :class:`hipnb.LogError` when the sidecar is there but cannot be read (a folder, a link)."""
    try:
        fd = _open(path, os.O_RDONLY)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise LogError(f"{sidecar(path)}: {_unusable(exc)}") from None
    try:
        with os.fdopen(fd, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
    except OSError as exc:
        raise LogError(f"{sidecar(path)}: {_unusable(exc)}") from None
    out: dict[tuple[int | str, str], str] = {}
    for row in text.splitlines():
        parts = row.split()
        if len(parts) != 3 or parts[0] not in (TORN, ACCEPTED):
            continue
        if parts[1].isdigit():
            out[(int(parts[1]), parts[2])] = parts[0]
        elif parts[1][:1] == "@" and parts[1][1:].isdigit():
            out[(parts[1], parts[2])] = parts[0]
    return out


def _unusable(exc: OSError) -> str:
    if exc.errno in (errno.ELOOP, errno.EISDIR) or not exc.errno:
        return (
            "is not a plain file (a folder or a link): it records the log's cut-off lines and "
            "must be a plain file; move it away"
        )
    return f"cannot be used: {exc.strerror or exc}"


def record(path: Path, kind: str, where: int | str, crc: str) -> None:
    """Add one entry to the sidecar (fsynced): ``where`` is a line number or ``"@offset"``."""
    fd = _open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        data = f"{kind} {where} {crc}\n".encode()
        if os.write(fd, data) != len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)
    finally:
        os.close(fd)


def note_unterminated(path: Path, start: int, line: bytes) -> None:
    """Under the append's lock, before it starts a fresh line: record the unterminated last line,
    ``line``, which starts at byte ``start`` (:func:`last_line`).

    Raises :class:`hipnb.LogError` when the record cannot be made: the append must then write
    nothing, or the cut line would read as a good row.
    """
    if start == 0:  # a header without a line end is not a row
        return
    try:
        record(path, TORN, f"@{start}", line_crc(line))
    except OSError as exc:
        reason = (
            "no space left on the device"
            if exc.errno == errno.ENOSPC
            else _unusable(exc).replace("is not", "it is not", 1)
        )
        raise LogError(
            f"{path}: cannot append: its last line has no line end (a write was cut off, or the "
            f"file was saved without one), and the mark that keeps that line set aside cannot be "
            f"recorded in {sidecar(path)} ({reason}); nothing was written"
        ) from None


def last_line(fd: int, size: int, line_end: bytes = b"\n") -> tuple[int, bytes]:
    """(offset, bytes) of the file's last line, its line end left out, read back from the end a
    block at a time: only as much as the line holds."""
    end = size
    if end and os.pread(fd, 1, end - 1) == line_end:
        end -= 1
        if line_end == b"\n" and end and os.pread(fd, 1, end - 1) == b"\r":
            end -= 1
    parts: list[bytes] = []
    at, block = end, 4096
    while at > 0:
        step = min(block, at)
        chunk = os.pread(fd, step, at - step)
        cut = chunk.rfind(line_end)
        if cut >= 0:
            parts.append(chunk[cut + 1 :])
            at -= step - cut - 1
            break
        parts.append(chunk)
        at -= step
        block = min(block * 4, 1 << 24)
    return at, b"".join(reversed(parts))


def marks(path: Path | None, data: bytes, start: int, last: int, shift: int = 0) -> dict[int, str]:
    """Line -> reason for the lines of the body (``data[start:]``, file lines 2 to ``last``) set
    aside because they were or are unterminated, and not accepted since. ``shift``: the bytes the
    reader took off the front of the file (a byte order mark), for the entries that name an
    offset. A sidecar that cannot be read is reported at line 1 (the rows still read)."""
    found: dict[int, str] = {}
    where = f"{path}:{{}}"
    try:
        book = entries(path) if path is not None else {}
    except LogError as exc:
        found[1] = f"{exc}; cut-off lines it may record are not known"
        book = {}
    lines = data[start:].split(b"\n") if book else []
    kinds: dict[tuple[int, str], set[str]] = {}
    for (at, crc), kind in book.items():
        if isinstance(at, str):  # an offset names the line that starts there
            offset = int(at[1:]) - shift
            if not (start <= offset < len(data) and data[offset - 1 : offset] == b"\n"):
                continue
            at = data.count(b"\n", start, offset) + 2
        kinds.setdefault((at, crc), set()).add(kind)
    accepted = {k for k, v in kinds.items() if ACCEPTED in v}  # whichever was written first
    torn = {k for k, v in kinds.items() if TORN in v} - accepted
    if data[-1:] not in (b"\n", b"\r"):
        text = data[max(start, data.rfind(b"\n") + 1) :]
        if (last, line_crc(text)) not in accepted:
            found[last] = UNTERMINATED.format(where=where.format(last))
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
    from hipnb.log.read import _cr_only  # the reader's rule for old Mac line ends

    lines = data.split(b"\r" if _cr_only(data[: 1 << 16]) else b"\n")
    if not 2 <= line <= len(lines) or (line == len(lines) and not lines[-1]):
        raise LogError(f"{path}:{line}: no such row in the file")
    crc = line_crc(lines[line - 1])
    try:
        record(path, ACCEPTED, line, crc)
    except OSError as exc:
        raise LogError(f"{sidecar(path)}: {_unusable(exc)}") from None
    return f"{path}:{line}: accepted as checked; reads keep it from now on"
