"""The durable append under a log's door: validate the whole batch by the columns' rules, then one
locked, fsynced write, or nothing. Every log is appended here by its table spec
(:class:`hipnb.log.spec.Table`): :class:`hipnb.SessionLog` (:mod:`hipnb.log.face`) is the hold
log's door, :class:`hipnb.runs.RunLog` the run log's."""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
from filelock import FileLock

from hipnb.errors import LogError, WriteError
from hipnb.log import torn
from hipnb.log.check import check_rows, first_rejected, normalized_names, row_problems
from hipnb.log.check import empty_log as _empty_log
from hipnb.log.identity import apply_corrections, hold_ids
from hipnb.log.read import read_logs, refuse_odd_file
from hipnb.log.rows import _Batch, _batch, _header_names
from hipnb.log.spec import EOL, HOLDS, Rows, Table

#: Signature of the low-level write :class:`SessionLog` uses (``os.write``): fd, bytes -> count.
Writer = Callable[[int, memoryview], int]


def lock_of(path: Path) -> FileLock:
    """The cross-process lock of the log at ``path`` (``.NAME.lock`` beside it): one object per
    file in this process, so the door and the append it makes under the lock share it."""
    key = Path(path).absolute()
    lock = _LOCKS.get(key)
    if lock is None:
        lock = _LOCKS[key] = FileLock(str(key.with_name(f".{key.name}.lock")))
    return lock


_LOCKS: dict[Path, FileLock] = {}


@contextlib.contextmanager
def locked(path: Path, lock: FileLock) -> Iterator[None]:
    """Hold ``lock`` for the log at ``path``: a path that is not a regular file, or whose lock file
    cannot be made, is refused at once (:class:`hipnb.LogError`), never waited on."""
    refuse_odd_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"{path}: could not append: {_os_reason(exc)}") from None
    _check_lock(path, lock)
    with lock:
        yield


def append_rows(
    path: Path,
    rows: Rows | pa.Table,
    *,
    table: Table = HOLDS,
    lock: FileLock | None = None,
    write: Writer = os.write,
    checked: bool = False,
    now: datetime | None = None,
) -> int:
    """Validate ``rows`` (dicts, a DataFrame, or their text from :func:`hipnb.log.rows.as_text`) by
    the rules of ``table``'s columns and append them durably; return how many. The low-level write under a log's door (:class:`hipnb.SessionLog`,
    :class:`hipnb.runs.RunLog`): it runs the rules every read applies, not the door's (the name
    gate, the catalog), and the clock's only when given ``now``; ``checked`` says the door has
    just checked these rows by the same rules (its gate), so they are not checked twice.

    Raises :class:`hipnb.LogError`, writing nothing, when:

    * a row is invalid (the message names the row, 1-based within this call, and the field);
    * a correction (``patch``, ``edit``, ``delete``; the hold log's) names no current hold of its
      athlete in the file as it is under the lock (never logged, or deleted), rows of this call
      included;
    * the file's header has no column for a value the rows carry (it would be lost);
    * the write fails (disk full, I/O error, no permission): the file is cut back to its size
      before the call, under the lock, so it stays byte-identical.

    The write is one ``write`` under a cross-process lock, then flush and fsync, so an append
    that returned survives a crash. The file's body is read only for corrections (to check
    them against the file as it is); otherwise only its header line and its last byte (to
    start a fresh line after a cut-off record).
    """
    path = Path(path)
    lock = lock_of(path) if lock is None else lock
    batch = _batch(rows, table)
    if not len(batch):
        return 0
    if not checked:
        reasons = row_problems(batch.table, table=table, index=batch.index, now=now)
        first = first_rejected(reasons)
        if first:
            raise LogError(
                f"{path}: row {first[0]} of this append: {first[1]} (nothing was written)"
            )
    for column in table.columns:
        if column.kind == "name":
            names = batch.table.column(column.name).combine_chunks()
            batch = batch.with_column(column.name, normalized_names(names))  # NFC, trimmed
    corrects = table.corrections and any(
        a and a.strip() for a in batch.table.column("action").to_pylist()
    )

    def check(columns: list[str]) -> None:
        _refuse_lost_values(path, batch, columns, table.names)
        if corrects:
            _check_corrections(path, batch)

    append_text(
        path,
        lock,
        batch.csv,
        table.names,
        table.required,
        write=write,
        check=check,
        guard=_utf8_and_whole_lines,
    )
    return len(batch)


def _check_corrections(path: Path, batch: _Batch) -> None:
    """Under the lock: each correction of ``batch`` must name a current hold of its athlete in
    the file as it is now (rows of the batch before it included); raises otherwise."""
    typed, _ = check_rows(batch.table, index=pd.RangeIndex(len(batch)))
    current = read_logs(path) if path.stat().st_size else _empty_log()  # as it is now
    current = current.assign(action=None)  # each is a hold now, whatever row made it
    named = set(hold_ids(typed)) | set(typed["hold_id"].dropna())
    relevant = current[
        current["athlete"].isin(set(typed["athlete"])).to_numpy()
        & hold_ids(current).isin(named).to_numpy()
    ]
    both = pd.concat([relevant, typed], ignore_index=True)
    _, refused, _ = apply_corrections(both)
    gone = {int(label) - len(relevant): why for label, why in refused}
    if gone:
        i = min(gone)
        raise LogError(f"{path}: row {i + 1} of this append: {gone[i]} (nothing was written)")


def append_text(
    path: Path,
    lock: FileLock,
    text_for: Callable[[list[str]], str],
    header: Sequence[str],
    required: Sequence[str],
    *,
    write: Writer = os.write,
    check: Callable[[list[str]], None] | None = None,
    guard: Callable[[Path, int, int], None] | None = None,
) -> None:
    """The durable append, for any open CSV file (session logs, run logs).

    Under ``lock``: read the header line (a new or empty file gets ``header``; an existing one
    must hold every name in ``required``, ``check(columns)`` may refuse, and ``guard(path, fd,
    size)`` may look at the existing bytes and refuse; a session log passes
    :func:`_utf8_and_whole_lines`, which reads the header and the last line only), then one
    ``write`` of ``text_for(columns)`` at the end, starting a fresh line after a cut-off record,
    in the file's own line end when it is CR alone (old Mac files), then fsync. Rows are
    validated by the caller; the body is never read. Any failure raises
    :class:`hipnb.LogError` and leaves the file byte-identical (it is cut back to its old size), or
    absent when the append would have created it. A path that is not a regular file (a FIFO, a
    device) or whose lock file cannot be made is refused at once, never waited on.
    """
    refuse_odd_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _check_lock(path, lock)
        with lock:
            refuse_odd_file(path)
            existed = os.path.lexists(path)
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                line_end = EOL
                if size == 0:
                    columns, prefix = list(header), ",".join(header) + EOL
                else:
                    head, line_end = _head(fd)
                    columns = _header_columns(path, head, required)
                    prefix = "" if os.pread(fd, 1, size - 1) in (b"\n", b"\r") else line_end
                    if guard is not None:
                        guard(path, fd, size)
                if check is not None:
                    check(columns)
                text = prefix + text_for(columns)
                if line_end == "\r":  # old Mac line ends: the rows keep the file's own
                    text = text.replace(EOL, line_end)
                data = text.encode("utf-8")
                try:
                    view = memoryview(data)
                    while view:
                        view = view[write(fd, view) :]
                    os.fsync(fd)
                except OSError:
                    if existed:
                        _cut_back(fd, size)
                    raise
            except BaseException:
                if not existed:  # a failed first append leaves no file (not an empty one)
                    with contextlib.suppress(OSError):
                        os.unlink(path)
                raise
            finally:
                os.close(fd)
            if size == 0:
                _fsync_dir(path.parent)
    except OSError as exc:
        raise WriteError(f"{path}: could not append: {_os_reason(exc)}") from None


def _utf8_and_whole_lines(path: Path, fd: int, size: int) -> None:
    """Under the lock: refuse to add UTF-8 rows to a file that is not UTF-8 (one file, one
    encoding), and record an unterminated last line before the append ends it (:mod:`.torn`).

    Only the two lines the append stands on are read: the header and the last line. A last line
    without a line end that stops inside a character was cut off there (a crash): it is set aside
    as a cut line, never taken for another encoding.
    """
    head, line_end = _head(fd)
    start, last = torn.last_line(fd, size, line_end.encode()[-1:])
    whole = os.pread(fd, 1, size - 1) in (b"\n", b"\r")
    for where, text, final in (("its header", head, True), ("its last line", last, whole)):
        try:
            codecs.utf_8_decode(text, "strict", final)
        except UnicodeDecodeError as exc:
            raise LogError(
                f"{path}{':1' if start == 0 or where == 'its header' else ''}: cannot append: "
                f"the file is not UTF-8 text ({where} has byte {text[exc.start]:#04x}); nothing "
                "was written. A spreadsheet saved it in another encoding: give it back in UTF-8 "
                f"first: hipnb repair '{path}' --in-place"
            ) from None
    if not whole:
        torn.note_unterminated(path, start, last)


def _head(fd: int) -> tuple[bytes, str]:
    """The file's header line and its line end (CR alone in old Mac files; CRLF when none)."""
    data = os.pread(fd, 65536, 0)
    end = re.search(rb"\r\n|\r|\n", data)
    if end is None:
        return data, EOL
    return data[: end.start()], end.group().decode()


def _check_lock(path: Path, lock: FileLock) -> None:
    """Refuse at once when the lock file cannot be made (a read-only or virtual folder such as
    /proc): the lock would otherwise wait for ever."""
    try:
        os.close(os.open(lock.lock_file, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as exc:
        raise WriteError(
            f"{path}: could not append: cannot make its lock file {lock.lock_file} "
            f"({exc.strerror or exc})"
        ) from None


def _header_columns(path: Path, head: bytes, required: Sequence[str]) -> list[str]:
    line = head.decode("utf-8-sig", errors="replace")
    columns = _header_names(line) or []
    missing = [c for c in required if c not in columns]
    if missing:
        raise LogError(
            f"{path}:1: cannot append: the header lacks {', '.join(missing)} "
            f"(header: {line[:120]!r})"
        )
    return columns


def _refuse_lost_values(
    path: Path, batch: _Batch, columns: list[str], names: Sequence[str]
) -> None:
    """Raise when a value of the batch has no column in the file's header (it would be dropped);
    ``names``: the columns of the log's table."""
    lost = []
    for name in names:
        if name in columns:
            continue
        cells = batch.table.column(name).to_pylist()
        filled = [i for i, v in enumerate(cells) if v]
        if filled:
            lost.append(f"{name}={cells[filled[0]][:30]!r} (row {filled[0] + 1})")
    if lost:
        raise LogError(
            f"{path}:1: cannot append: the header has no column for {', '.join(lost)}, so the "
            f"{'value' if len(lost) == 1 else 'values'} would be lost; nothing was written. Log to a new file (new logs get every "
            f"column: {','.join(names)}), or, if this file holds no rows yet, put that line "
            "as its first line"
        )


def _cut_back(fd: int, size: int) -> None:
    """Truncate a file back to ``size`` after a failed write, so it holds no partial record."""
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    except OSError as exc:  # pragma: no cover - needs a disk that fails twice
        raise LogError(
            f"the write failed and the file could not be cut back ({_os_reason(exc)}); "
            "its last line may be a cut-off record, which reading reports"
        ) from None


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device (nothing was written)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"no permission to write ({exc.strerror})"
    return f"{exc.strerror or exc} (nothing was written)"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
