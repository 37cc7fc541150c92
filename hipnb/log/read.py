"""The one reader: a log file or a folder of them into a typed, validated DataFrame.

pyarrow parses the bytes, types included. Whatever it cannot parse takes the fault path: bytes
that would take the whole file down (not UTF-8, a bare CR) are mended and their rows set aside
(:mod:`hipnb.log.torn`), then a quote-aware scan of the bytes (numpy, over newlines, quotes and
commas only) cuts each structural fault (a row with the wrong number of fields, a record cut off by
a crash, a quote that never closes) out of the file, reports it by its line, and every other record
is parsed. Only a header that cannot be used stops a file. Python's csv module only ever reads
single lines around such a fault, never the whole file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import mmap
import os
import re
import stat
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from numpy.typing import NDArray

from hipnb.errors import LogError, LogWarning
from hipnb.log import torn
from hipnb.log.check import PATCH, Problem, check_rows, empty_log
from hipnb.log.identity import WHERE, apply_corrections, hold_ids
from hipnb.log.rows import _header_names
from hipnb.log.spec import ALL_COLUMNS, COLUMNS, FALSE_WORDS, NOTE_MAX, REQUIRED, SPEC, TRUE_WORDS
from hipnb.log.stamps import STAMP

_BLANK = re.compile(rb"(?:\s|\xef\xbb\xbf)*\Z")  # stops at the first character that is not blank
_CONVERSION = re.compile(r"In CSV column #(\d+): CSV conversion error to (\w+)")
_CHUNK = 8 << 20
_REJECTED = "_rejected"  # rows validation refused, until read_logs leaves them out


def read_logs(
    path_or_folder: str | Path | Iterable[str | Path],
    errors: Literal["report", "raise"] = "report",
    *,
    _stacklevel: int = 2,
) -> pd.DataFrame:
    """Read one log file, a folder of ``*.csv`` logs (a squad) or a list of files, combined.

    Returns a typed frame: ``started_at`` as a UTC timestamp, ``local_time`` (the athlete's
    wall-clock time, from the row's own UTC offset), floats for seconds, bool ``completed``,
    nullable ints for ``rpe``/``discomfort``, text for the rest; every column of the schema is
    there even when a file lacks the optional ones. Columns outside the schema are ignored. Rows are
    in athlete order, then by time.

    Corrections are applied (see the README's log section): rows with ``action`` ``edit`` or
    ``delete`` replace or remove the hold named by their ``hold_id``, in file order, and two plain
    rows of the same athlete's same hold (same ``session_id``, ``exercise``, ``side``,
    ``started_at``) are kept once, the later copy winning.

    ``errors="report"`` (default): unusable rows are left out and listed in
    ``df.attrs["problems"]`` as :class:`Problem` (file, line, reason), with one warning; a file that
    cannot be read at all (a folder named ``x.csv``, no permission, a header that is not UTF-8) is
    reported at its line 1 and the rest still load, unless it is the one file asked for: then, as with
    ``errors="raise"``, :class:`hipnb.LogError` is raised. ``errors="raise"``: the first problem raises
    :class:`hipnb.LogError`. A row with bytes that are not UTF-8, and a last line without a line end
    (until ``hipnb validate --accept FILE:LINE``), are set aside and reported like any bad row.
    A path that does not exist raises :class:`hipnb.LogError` (a mistyped
    path); :meth:`SessionLog.read` reads a missing file as an empty log instead.
    """
    if errors not in ("report", "raise"):
        raise ValueError("errors must be 'report' or 'raise'")
    single = False
    if isinstance(path_or_folder, str | Path):
        p = Path(path_or_folder)
        try:
            if p.is_dir():
                files = sorted(p.glob("*.csv"))
            elif p.exists() or p.is_symlink():
                files, single = [p], True
            else:
                raise LogError(f"{p}: no such log file or folder")
        except OSError as exc:
            raise LogError(f"{p}: cannot be read: {exc.strerror or exc}") from None
    else:
        files = [Path(f) for f in path_or_folder]
    frames, found = [], []
    for f in files:
        try:
            df, probs = _read_file(f)
        except LogError as exc:
            if errors == "raise" or single:
                raise
            found.append(Problem(str(f), 1, f"file not read: {_without_file(exc, f)}"))
            continue
        if probs and errors == "raise":
            raise LogError(
                str(probs[0]) + (f" (and {len(probs) - 1} more)" if len(probs) > 1 else "")
            )
        frames.append(df)
        found += probs
    if not frames:
        df = empty_log()
    elif len(frames) == 1:
        df = frames[0]
    else:
        df = pd.concat(frames, ignore_index=True)
    df, refused = _current_holds(df)
    found += refused
    if found:
        warnings.warn(
            f"{len(found)} problem(s) reading logs; first: {found[0]}",
            LogWarning,
            stacklevel=_stacklevel,
        )
    df.attrs = {"problems": found}
    return df


def _without_file(exc: LogError, f: Path) -> str:
    text = str(exc)
    if text.startswith(f"{f}:"):
        return re.sub(r"^\d+: ", "", text[len(str(f)) + 1 :].lstrip(" "))
    return text


# --------------------------------------------------------------------------------------------------
# merging: corrections and duplicates, then athlete and time order


def _current_holds(df: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Apply corrections and merge duplicates (file order decides), then sort by athlete and time.

    Only rows that may answer earlier rows pay: correction rows, the rows whose hold they name,
    and rows that share an athlete and a start time with another row. Returns the frame and a
    :class:`Problem` for each correction that names no current hold (it changes nothing).
    """
    n = len(df)
    rejected = df.pop(_REJECTED).eq(True).to_numpy() if _REJECTED in df else np.zeros(n, bool)
    where = df.pop(WHERE) if WHERE in df else None
    if n == 0:
        return df.drop(columns=[PATCH], errors="ignore").reset_index(drop=True), []
    athlete_codes = _sorted_codes(df["athlete"])
    times = df["started_at"].to_numpy(dtype="datetime64[us]").view("int64")
    order = _athlete_time_order(athlete_codes, times)
    a, t = (athlete_codes, times) if order is None else (athlete_codes[order], times[order])
    same = (a[1:] == a[:-1]) & (t[1:] == t[:-1])
    involved = np.zeros(n, dtype=bool)
    if same.any():
        rows = np.arange(n) if order is None else order
        involved[rows[1:][same]] = True
        involved[rows[:-1][same]] = True
    corrections = df["action"].notna().to_numpy() & ~rejected
    if corrections.any() or df["hold_id"].notna().any():
        named = df.loc[corrections | df["hold_id"].notna().to_numpy(), ["athlete", "hold_id"]]
        # a key is session|exercise|side|stamp, read from the right: a session id may hold '|'
        sessions = named["hold_id"].dropna().str.rsplit("|", n=3).str[0].unique()
        mine = (
            df["athlete"].isin(named["athlete"].unique()).to_numpy()
            & df["session_id"].isin(sessions).to_numpy()
        )
        ident = hold_ids(df.loc[mine])
        involved[np.flatnonzero(mine)] |= ident.isin(set(named["hold_id"].dropna())).to_numpy()
        involved |= df["hold_id"].notna().to_numpy()
    involved &= ~rejected
    keep = ~rejected
    found: list[Problem] = []
    if involved.any():
        current, refused, changed = apply_corrections(df.loc[involved])
        keep[np.flatnonzero(involved)] = False
        keep[current.index.to_numpy()] = True
        for label in changed:
            for name in (*ALL_COLUMNS, "local_time"):
                df.loc[label, name] = current.loc[label, name]
        if len(changed):  # a patch may have moved a start: put the rows in order again
            times = df["started_at"].to_numpy(dtype="datetime64[us]").view("int64")
            order = _athlete_time_order(athlete_codes, times)
        for label, reason in refused:
            at = where.loc[label] if where is not None else None
            file, line = at if isinstance(at, tuple) else ("", 0)
            found.append(Problem(file, line, reason))
    df = df.drop(columns=[PATCH], errors="ignore")
    if order is None:
        return (df if keep.all() else df[keep]).reset_index(drop=True), found
    order = order[keep[order]]
    if len(order) == n and (order[1:] > order[:-1]).all():
        return df.reset_index(drop=True), found
    return df.take(order).reset_index(drop=True), found


def _sorted_codes(names: pd.Series) -> np.ndarray:
    """Codes of ``names`` that sort as the names do (hash the few distinct names, sort those)."""
    arr = pa.array(names.array) if not isinstance(names.array, pd.arrays.ArrowStringArray) else None
    encoded = (arr if arr is not None else names.array._pa_array).dictionary_encode()
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    rank = np.empty(len(encoded.dictionary), dtype=np.int64)
    rank[np.argsort(np.asarray(encoded.dictionary.to_pylist(), dtype=object))] = np.arange(
        len(rank)
    )
    ranks: NDArray[np.int64] = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    return ranks


def _athlete_time_order(codes: np.ndarray, times: np.ndarray) -> np.ndarray | None:
    """Row order by athlete, then time, file order among equals.

    Logs are appended in time order, so a stable sort on the athlete alone (a radix sort when the
    codes fit 16 bits) is usually enough; the time order is then checked in one pass. None: the
    rows are in order already (one athlete's file, appended in time), found in one pass.
    """
    new_athlete = codes[1:] != codes[:-1]
    if (codes[1:] >= codes[:-1]).all() and (new_athlete | (times[1:] >= times[:-1])).all():
        return None
    small = codes.max(initial=0) < 1 << 15
    order = np.argsort(codes.astype(np.int16) if small else codes, kind="stable")
    a, t = codes[order], times[order]
    if ((a[1:] != a[:-1]) | (t[1:] >= t[:-1])).all():
        return order
    return np.lexsort((times, codes))


# --------------------------------------------------------------------------------------------------
# one file


@dataclass
class _Body:
    """The parseable bytes of a file's body and the line where each of its records starts."""

    data: bytes | memoryview
    lines: np.ndarray | None = None  # None: not yet scanned (no fault seen)
    problems: list[Problem] = field(default_factory=list)
    last_lines: np.ndarray | None = None  # the line where each record ends


def refuse_odd_file(path: Path) -> None:
    """Raise :class:`hipnb.LogError` when ``path`` exists and is not a regular file: a folder, a
    FIFO, a device or a socket (opening one to read could wait for ever). A missing path passes."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise LogError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    mode = info.st_mode
    if stat.S_ISREG(mode) and info.st_size == 0 and _virtual(path):
        raise LogError(
            f"{path}: is a system file (its size says 0 but it has text), not a log file"
        )
    if stat.S_ISDIR(mode):
        raise LogError(f"{path}: is a folder, not a log file")
    if not stat.S_ISREG(mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise LogError(f"{path}: is {kind}, not a log file (a log is a regular .csv file)")


def _virtual(path: Path) -> bool:
    """Whether an empty-looking regular file yields bytes anyway (/proc, /sys): never waits."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return bool(os.read(fd, 1))
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _read_file(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    name = str(path)
    refuse_odd_file(path)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                return empty_log(), [_empty_problem(name)]
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except IsADirectoryError:
        raise LogError(f"{name}: is a folder, not a log file") from None
    except PermissionError:
        raise LogError(f"{name}: cannot be read: permission denied") from None
    except OSError as exc:
        raise LogError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    try:
        return _read_bytes(data, name, path)
    finally:
        with contextlib.suppress(BufferError):  # a view still open: the GC closes it later
            data.close()


def _empty_problem(name: str) -> Problem:
    return Problem(name, 1, "empty file: expected a header row: " + ",".join(COLUMNS))


def _read_bytes(
    data: bytes | mmap.mmap, name: str, path: Path | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a log's bytes: pyarrow over the whole body when it parses, else the fault path, which
    cuts out and reports each record it cannot use and reads every other one. ``path`` (the file
    itself) lets the read consult the sidecar of lines cut off before an append (:mod:`.torn`)."""
    view = memoryview(data)
    if len(view) <= 1 << 16 and _BLANK.match(view):
        return empty_log(), [_empty_problem(name)]
    start = 3 if bytes(view[:3]) == b"\xef\xbb\xbf" else 0
    if _cr_only(bytes(view[start : start + (1 << 16)])):  # old Mac line ends: CR alone
        data = bytes(view).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        view = memoryview(data)
    end = data.find(b"\n", start)
    header_end = len(view) if end < 0 else end + 1
    names = _header(bytes(view[start:header_end]), name)
    body = _Body(view[header_end:])
    if not len(body.data) or (_BLANK.match(body.data[: 1 << 16]) and _BLANK.match(body.data)):
        return empty_log(), []
    buf = np.frombuffer(body.data, dtype=np.uint8)
    aside = torn.marks(path, buf, 2)  # line -> why the row there is set aside
    table = None
    if buf[-1] == 10 and not aside:
        table, _ = _parse(body, names)
        if table is not None and _has_multiline_fields(buf, table.num_rows):
            table = None  # line breaks inside fields: make sure no quote swallows later rows
    if table is None:  # mend bad bytes, cut structural faults out, parse the rest
        buf, mended = torn.mend(buf, 2)
        aside = mended | aside
        body = _split_faults(buf, len(names), name)
        if not len(body.data):
            return empty_log(), _leftover(aside, body.problems, name)
        table, error = _parse(body, names)
        if table is None:  # pragma: no cover - the scan left only whole records
            raise LogError(f"{name}: could not be parsed: {error}")
    typed, reason = check_rows(table)
    bad = reason.notna().to_numpy().copy()
    why = reason.to_numpy(dtype=object).copy()
    found = list(body.problems)
    if aside:
        assert body.lines is not None and body.last_lines is not None
        unplaced = {}
        for line, text in aside.items():
            r = int(np.searchsorted(body.lines, line, side="right")) - 1
            if r >= 0 and body.last_lines[r] >= line:
                bad[r], why[r] = True, text
            else:
                unplaced[line] = text
        found = _leftover(unplaced, found, name)
    # the fast path parsed one record per line (as many line ends as rows): record i is on line i + 2
    lines = body.lines if body.lines is not None else np.arange(2, len(typed) + 2)
    found += [Problem(name, int(lines[i]), str(why[i])) for i in np.flatnonzero(bad)]
    corrections = typed["action"].notna().to_numpy() & ~bad
    if corrections.any():  # where each correction is, should it name no current hold
        at = np.full(len(typed), None, dtype=object)
        for i in np.flatnonzero(corrections):
            at[i] = (name, int(lines[i]))
        typed[WHERE] = at
    typed[_REJECTED] = bad  # left out when the frame is put in order: one take, not two
    return typed, sorted(found, key=lambda p: p.line)


def _leftover(aside: dict[int, str], found: list[Problem], name: str) -> list[Problem]:
    """``found`` plus a problem for each set-aside line no reported record already covers."""
    seen = {p.line for p in found}
    return found + [Problem(name, line, text) for line, text in aside.items() if line not in seen]


def _cr_only(head: bytes) -> bool:
    """Whether the file's lines end with CR alone (old Mac spreadsheets): its first line does."""
    cr, lf = head.find(b"\r"), head.find(b"\n")
    return cr >= 0 and (lf < 0 or cr < lf) and head[cr + 1 : cr + 2] != b"\n"


def _header(raw: bytes, name: str) -> list[str]:
    """Column names from the header line; raises :class:`LogError` when the file cannot be a log."""
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise LogError(
            f"{name}:1: the file is not UTF-8 text (byte {raw[exc.start]:#04x}); "
            "save it as 'CSV UTF-8'"
        ) from None
    names = _header_names(line)
    if names is None:
        raise LogError(f"{name}:1: the header is not one CSV line: {line[:120]!r}")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        if len(names) == 1 and ";" in names[0]:
            reason = (
                "the file is separated by semicolons; hipnb logs use commas "
                "(save as CSV with ',' as the field delimiter)"
            )
        else:
            reason = (
                f"missing required column(s) {', '.join(missing)}; "
                f"expected a header like: {','.join(COLUMNS)}"
            )
        raise LogError(f"{name}:1: {reason}")
    named = [c for c in names if c]
    if len(set(named)) != len(named):
        raise LogError(f"{name}:1: the header repeats a column name")
    return names


def _parse(body: _Body, names: list[str]) -> tuple[pa.Table | None, str]:
    """Parse the body with pyarrow, typed; None and pyarrow's message on a structural fault.

    A value the typed parser refuses (``thirty`` seconds) sends only its column back to text, where
    validation says what is wrong with it.
    """
    columns = [c if c else f"_unnamed_{i}" for i, c in enumerate(names)]
    wanted = [c for c in columns if c in ALL_COLUMNS]
    # large_string: the text pandas keeps, so no column is cast again on the way to the frame
    kinds = {c.name: c for c in SPEC}
    types = {
        c: pa.float64()
        if kinds[c].numeric
        else pa.bool_()
        if kinds[c].kind == "flag"
        else pa.large_string()
        for c in wanted
    }
    block = 4 << 20
    while True:
        try:
            table = pacsv.read_csv(
                pa.py_buffer(body.data),
                read_options=pacsv.ReadOptions(column_names=columns, block_size=block, skip_rows=0),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=types,
                    include_columns=wanted,
                    strings_can_be_null=False,
                    null_values=[""],
                    true_values=[v for b in TRUE_WORDS for v in (b, b.upper(), b.title())],
                    false_values=[v for b in FALSE_WORDS for v in (b, b.upper(), b.title())],
                ),
            )
            return table, ""
        except pa.ArrowInvalid as exc:
            text = str(exc)
            m = _CONVERSION.search(text)
            column = columns[int(m.group(1))] if m else None
            if column is not None and types[column] != pa.large_string():
                types[column] = pa.large_string()  # only this column goes back to text
                continue
            if "straddling" in text and block <= len(body.data):  # a field longer than a block
                block = len(body.data) + 1
                continue
            return None, text


def _has_multiline_fields(buf: np.ndarray, rows: int) -> bool:
    """Whether some field holds a line break: more line ends than rows (and the header)."""
    count = 0
    for i in range(0, len(buf), _CHUNK):
        count += int(np.count_nonzero(buf[i : i + _CHUNK] == 10))
    return count != rows


# --------------------------------------------------------------------------------------------------
# the scan: records, their lines and field counts, from newlines, quotes and commas


@dataclass
class _Scan:
    starts: np.ndarray  # byte offset where each record starts
    ends: np.ndarray  # byte offset just past each record (past its line end when it has one)
    lines: np.ndarray  # file line (1-based, the header is line 1) where each record starts
    fields: np.ndarray  # fields in each record, counting only commas outside quotes
    odd: np.ndarray  # the record leaves a quote open (only the last record can)
    multiline: np.ndarray  # the record spans several lines
    blank: np.ndarray  # the record is empty or only spaces
    last: np.ndarray  # file line where each record ends


def _positions(buf: np.ndarray, byte: int, start: int) -> np.ndarray:
    parts = [
        np.flatnonzero(buf[i : i + _CHUNK] == byte) + i for i in range(start, len(buf), _CHUNK)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _scan(buf: np.ndarray, start: int) -> _Scan:
    """Records of ``buf[start:]``, quotes balanced from ``start``, all in numpy.

    Quotes pair up into quoted spans; a newline or comma inside a span is text. Each question is
    asked of the few spans, never of each of the millions of commas.
    """
    newlines = _positions(buf, 10, start)
    quotes = _positions(buf, 34, start)
    opens, closes = quotes[0::2], quotes[1::2]
    if len(closes) < len(opens):  # a quote left open runs to the end of the file
        closes = np.append(closes, len(buf))
    line_base = 2 + (int(np.count_nonzero(buf[:start] == 10)) if start else 0)
    outside = np.searchsorted(opens, newlines) <= np.searchsorted(closes, newlines)
    rec_end = newlines[outside] + 1
    if len(rec_end) == 0 or rec_end[-1] < len(buf):
        rec_end = np.append(rec_end, len(buf))
    rec_start = np.concatenate(([start], rec_end[:-1]))
    n = len(rec_start)
    nl_index = np.flatnonzero(outside)  # index among all newlines of each record's line end
    first_line = np.concatenate(([0], nl_index + 1))[:n]
    last_line = np.append(nl_index, len(newlines))[:n]
    commas = _positions(buf, 44, start)
    fields = np.diff(np.concatenate(([0], np.searchsorted(commas, rec_end)))) + 1
    if len(opens):
        quoted = np.searchsorted(commas, closes) - np.searchsorted(commas, opens)
        owner = np.searchsorted(rec_end, opens, side="right")
        fields -= np.bincount(owner, weights=quoted, minlength=n)[:n].astype(np.int64)
    odd = np.zeros(n, dtype=bool)
    odd[-1] = len(quotes) % 2 == 1  # only the last record can leave a quote open
    lengths = rec_end - rec_start
    blank = (lengths <= 2) | ((fields == 1) & (lengths < 256))
    for i in np.flatnonzero(blank):  # short or one-field records: are they only spaces?
        blank[i] = not bytes(buf[rec_start[i] : rec_end[i]]).strip()
    return _Scan(
        rec_start,
        rec_end,
        first_line + line_base,
        fields,
        odd,
        last_line > first_line,
        blank,
        last_line + line_base,
    )


def _split_faults(buf: np.ndarray, width: int, name: str) -> _Body:
    """Cut structural faults out of the body, report them, and keep every whole record after them.

    A fault is a record with the wrong number of fields, a record left open at the end of the file
    (a write cut off inside a quoted field), or a quoted field that runs over lines that are
    themselves complete rows, or over :data:`NOTE_MAX` characters across lines (a quote that never
    closed). After a quote that never closed, reading starts again at the first complete row.
    """
    pieces: list[bytes] = []
    lines: list[np.ndarray] = []
    lasts: list[np.ndarray] = []
    problems: list[Problem] = []
    pos = 0
    while pos < len(buf):
        scan = _scan(buf, pos)
        n = len(scan.starts)
        lengths = scan.ends - scan.starts
        spaces = scan.blank & (lengths > 2)  # the parser skips empty lines, not lines of spaces
        suspect = ~scan.blank & ((scan.fields != width) | scan.odd)
        inside: dict[int, int] = {}
        for m in np.flatnonzero(~scan.blank & scan.multiline):  # rare: fields with line breaks
            at = _complete_row_inside(buf, int(scan.starts[m]), int(scan.ends[m]), width)
            if at is not None:
                inside[int(m)] = at
                suspect[m] = True
            elif lengths[m] > NOTE_MAX + 1000:
                suspect[m] = True
        rescan = None
        first = 0
        for at_i in np.flatnonzero(suspect | spaces):
            i = int(at_i)
            _keep(buf, scan, first, i, pieces, lines, lasts)
            first = i + 1
            if spaces[i]:
                continue
            s, e, line = int(scan.starts[i]), int(scan.ends[i]), int(scan.lines[i])
            cut = e >= len(buf) and buf[-1] != 10
            if i in inside:
                reason = "a quote opened here never closes (it runs over complete rows that follow)"
                rescan = inside[i]
            elif scan.odd[i]:
                reason = "the record is cut off inside a quoted field (a write was cut off)"
            elif scan.multiline[i] and scan.fields[i] == width:
                reason = (
                    f"a quoted field runs over {NOTE_MAX:,} characters across lines: "
                    "a quote opened here never closes"
                )
                rescan = _next_line(buf, s)
            else:
                record = _one_record(bytes(buf[s:e]))
                if len(record) > width and not any(v.strip() for v in record[width:]):
                    pieces.append(_csv_line(record[:width]))  # empty cells a spreadsheet added
                    lines.append(np.array([line]))
                    lasts.append(np.array([scan.last[i]]))
                    continue
                reason = f"row has {len(record) or scan.fields[i]} fields, expected {width}"
                if cut:
                    reason += " (the last line is incomplete: a write was cut off)"
            problems.append(Problem(name, line, reason))
            if rescan is not None:
                break
        if rescan is not None:
            pos = rescan
            continue
        _keep(buf, scan, first, n, pieces, lines, lasts)
        break
    joined = b"".join(pieces)
    if joined and not joined.endswith(b"\n"):
        joined += b"\r\n"
    none = np.zeros(0, dtype=np.int64)
    return _Body(
        joined,
        np.concatenate(lines) if lines else none,
        problems,
        np.concatenate(lasts) if lasts else none,
    )


def _keep(
    buf: NDArray[np.uint8],
    scan: _Scan,
    a: int,
    b: int,
    pieces: list[bytes],
    lines: list[NDArray[np.int64]],
    lasts: list[NDArray[np.int64]],
) -> None:
    """Keep records ``a`` to ``b - 1`` of ``scan``: their bytes, and the lines of the non-blank ones."""
    if b <= a:
        return
    piece = bytes(buf[int(scan.starts[a]) : int(scan.ends[b - 1])])
    if pieces and piece and not pieces[-1].endswith(b"\n"):
        pieces[-1] += b"\r\n"
    pieces.append(piece)
    lines.append(scan.lines[a:b][~scan.blank[a:b]])
    lasts.append(scan.last[a:b][~scan.blank[a:b]])


def _next_line(buf: np.ndarray, start: int) -> int:
    nl = np.flatnonzero(buf[start : start + (1 << 20)] == 10)
    return start + int(nl[0]) + 1 if len(nl) else len(buf)


def _complete_row_inside(buf: np.ndarray, start: int, end: int, width: int) -> int | None:
    """Offset of the first line, after the record's first line, where a complete row starts."""
    text = bytes(buf[start:end])
    at = text.find(b"\n")
    while 0 <= at < len(text) - 1:
        if _row_starts_at(buf, start + at + 1, width):
            return start + at + 1
        at = text.find(b"\n", at + 1)
    return None


def _row_starts_at(buf: np.ndarray, offset: int, width: int) -> bool:
    """Whether a whole row starts at ``offset``: the record read from there (over line breaks in
    quotes, as the file would be read) has the right field count and a date-time."""
    chunk = bytes(buf[offset : offset + NOTE_MAX * 4 + 4096]).decode("utf-8", errors="replace")
    try:
        record = next(csv.reader(io.StringIO(chunk, newline="")), [])
    except csv.Error:
        return False
    return len(record) == width and any(STAMP.match(v.strip()) for v in record)


def _one_record(raw: bytes) -> list[str]:
    """The fields of one record, as well as they can be told (it may be broken)."""
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    try:
        return next(csv.reader([text]), [])
    except csv.Error:  # a bare line break outside quotes: count the commas
        return text.split(",")


def _csv_line(values: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue().encode("utf-8")
