"""The one reader: a log file or a folder of them into a typed, validated DataFrame.

Every log is read here, by its table spec (:class:`hipnb.log.spec.Table`): the hold log by
:func:`read_logs`, the run log by :func:`hipnb.runs.read_runs`, both through :func:`read_files`.
pyarrow parses the body as text; :func:`hipnb.log.check.check_rows` types and checks each column
from the spec. When the body is not one whole record a line (a row with the wrong number of fields,
a quote that never closes, bytes that are not UTF-8, a bare CR, a blank line, a note holding a line
break), it is read line by line instead: each line that cannot be used is reported by its number,
and pyarrow parses the rest. Only a header that cannot be used stops a file.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from hipnb.errors import LogError
from hipnb.log import torn
from hipnb.log.check import PATCH, Problem, check_rows, empty_frame
from hipnb.log.identity import WHERE, apply_corrections
from hipnb.log.rows import _header_names
from hipnb.log.spec import ALL_COLUMNS, HOLDS, Table
from hipnb.log.stamps import STAMP

_BLANK = re.compile(rb"(?:\s|\xef\xbb\xbf)*\Z")  # stops at the first character that is not blank
#: Why a file is not UTF-8, and what gives it back (one sentence for the header and the rows).
OTHER_ENCODING = (
    "a spreadsheet saved the file in another encoding (Windows-1252, Mac Roman): "
    "hipnb repair {file} gives it back in UTF-8"
)
NOT_UTF8 = "the row is not UTF-8 text (byte {byte:#04x}); it is set aside: " + OTHER_ENCODING
BARE_CR = "a bare carriage return (CR) splits the row; it is set aside"


def read_logs(
    path_or_folder: str | Path | Iterable[str | Path],
    errors: Literal["report", "raise"] = "report",
) -> pd.DataFrame:
    """Read one log file, a folder of ``*.csv`` logs (a squad) or a list of files, combined.

    Returns a typed frame: ``started_at`` as a UTC timestamp, ``local_time`` (the athlete's
    wall-clock time, from the row's own UTC offset), floats for seconds, bool ``completed``,
    nullable ints for ``rpe``/``discomfort``, text for the rest; every column of the schema is
    there even when a file lacks the optional ones; columns outside it are ignored. Rows keep the
    files' order (files by name), except that each athlete's rows are put in time order (file
    order among equal times) in the places that athlete's rows had.

    Corrections are applied (see the README's log section) in file order, and two plain rows of
    the same athlete's same hold are kept once, the later copy winning.

    Problems travel in one channel, never as a warning: with ``errors="report"`` (default),
    unusable rows are left out and listed in ``df.attrs["problems"]`` as :class:`Problem` (file,
    line, reason); with ``errors="raise"`` the first is raised as :class:`hipnb.LogError`. A row with
    bytes that are not UTF-8, and a last line without a line end (until ``hipnb validate --accept
    FILE:LINE``), are set aside like any bad row. A file that cannot be read at all (a folder named
    ``x.csv``, no permission, an unusable header) is reported at its line 1 and the rest load,
    unless it is the one file asked for: then, as with ``errors="raise"`` for any problem,
    :class:`hipnb.LogError` is raised. A path that does not exist raises :class:`hipnb.LogError`;
    :meth:`SessionLog.read` reads a missing file as an empty log instead.
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
    df, found = read_files(files, HOLDS, errors=errors, single=single)
    df, refused = _current_holds(df)
    found += refused
    df.attrs = {"problems": found}
    return df


def read_files(
    files: Iterable[Path],
    table: Table,
    *,
    errors: Literal["report", "raise"] = "report",
    single: bool = False,
) -> tuple[pd.DataFrame, list[Problem]]:
    """The rows of ``files``, logs of ``table``, as written: typed and checked, in file order,
    and every problem found (file after file, each by line). A file that cannot be read at all is
    a problem at its line 1, unless ``single`` (the one file asked for) or ``errors="raise"``:
    then :class:`hipnb.LogError` is raised, as it is for the first bad row with
    ``errors="raise"``.

    Each file is parsed on its own (its own header, line ends, cut-off lines); the cells of all of
    them are then checked in one pass, so a squad of small files costs one check, not one each.
    """
    parts: list[tuple[int, str, Parsed]] = []
    found: list[tuple[int, Problem]] = []  # (the file's place, the problem)
    stop: LogError | None = None
    for k, f in enumerate(files):
        try:
            parts.append((k, str(f), _parse_path(f, table)))
        except LogError as exc:
            if errors == "raise" or single:
                stop = exc  # raised after any problem of the files before it
                break
            found.append((k, Problem(str(f), 1, f"file not read: {_without_file(exc, f)}")))
    df, checked = _check_files(parts, table)
    found = sorted(found + checked, key=lambda kp: (kp[0], kp[1].line))
    if errors == "raise" and found:
        first = [p for k, p in found if k == found[0][0]]
        more = f" (and {len(first) - 1} more)" if len(first) > 1 else ""
        raise LogError(f"{first[0]}{more}")
    if stop is not None:
        raise stop
    return df, [p for _, p in found]


def rows_as_written(path: Path) -> pd.DataFrame:
    """One log file's usable rows as written, typed, corrections not applied: the file's history,
    which the log's face (:class:`hipnb.SessionLog`) looks up under its lock. Raises
    :class:`hipnb.LogError` when the file cannot be read at all."""
    df, _ = _read_bytes(_parse_path(path, HOLDS), str(path), HOLDS)
    return df


def _without_file(exc: LogError, f: Path) -> str:
    text = str(exc)
    if text.startswith(f"{f}:"):
        return re.sub(r"^\d+: ", "", text[len(str(f)) + 1 :].lstrip(" "))
    return text


# --------------------------------------------------------------------------------------------------
# merging: corrections and duplicates, then each athlete's rows in time order


def _current_holds(df: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Apply corrections and merge duplicates (file order decides), then put each athlete's rows
    in time order, in one take.

    Only rows that may answer other rows pay: rows with a ``hold_id`` (corrections), the rows of
    the sessions they name, and rows that share an athlete and a start time. Returns the frame and
    a :class:`Problem` for each correction that names no current hold.
    """
    where = df.pop(WHERE) if WHERE in df else None
    times = _times(df)
    order, grouped = _athlete_order(df, times)
    involved = _shared_start(df, grouped, times)
    refs = df["hold_id"].notna().to_numpy()
    if refs.any():
        named = df.loc[refs, ["athlete", "hold_id"]]
        # a key is session|exercise|side|stamp, read from the right: a session id may hold '|'
        sessions = named["hold_id"].str.rsplit("|", n=3).str[0].unique()
        athletes = df["athlete"].isin(named["athlete"].unique()).to_numpy()
        involved |= refs | (athletes & df["session_id"].isin(sessions).to_numpy())
    found: list[Problem] = []
    if involved.any():
        current, refused, changed = apply_corrections(df[involved])
        columns = [*ALL_COLUMNS, "local_time"]
        for label in changed:
            df.loc[label, columns] = current.loc[label, columns]
        for label, reason in refused:
            at = where.loc[label] if where is not None else None
            file, line = at if isinstance(at, tuple) else ("", 0)
            found.append(Problem(file, line, reason))
        keep = ~involved
        keep[df.index.get_indexer(current.index)] = True
        df = df[keep]
        order, _ = _athlete_order(df, _times(df))
    df = df.drop(columns=[PATCH], errors="ignore")
    return (df if order is None else df.take(order)).reset_index(drop=True), found


def _athlete_order(
    df: pd.DataFrame, times: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(order, grouped): ``order`` puts each athlete's rows in time order (file order among equal
    times) in the places that athlete's rows had, None when they are so already; ``grouped`` lists
    the rows athlete after athlete, each in time order, None when the rows are in time order
    overall (a log appended in time order, found in one pass). ``times``: :func:`_times`."""
    if (times[1:] >= times[:-1]).all():
        return None, None
    codes = pd.factorize(df["athlete"])[0]
    small = codes.max(initial=0) < 1 << 15
    slots = np.argsort(codes.astype(np.int16) if small else codes, kind="stable")
    a, t = codes[slots], times[slots]
    if ((a[1:] != a[:-1]) | (t[1:] >= t[:-1])).all():
        return None, slots
    grouped = np.lexsort((times, codes))
    order = np.empty_like(slots)
    order[slots] = grouped
    return order, grouped


def _shared_start(df: pd.DataFrame, grouped: np.ndarray | None, times: np.ndarray) -> np.ndarray:
    """Which rows share an athlete and a start time with another row (a hold written twice): in
    ``grouped`` order (or time order) such rows stand next to each other."""
    rows = np.arange(len(df)) if grouped is None else grouped
    in_order = times[rows]
    same = in_order[1:] == in_order[:-1]
    found = np.zeros(len(df), dtype=bool)
    near = rows[np.append(same, False) | np.insert(same, 0, False)] if len(df) else rows
    if len(near):
        key = pd.DataFrame({"a": pd.factorize(df["athlete"].iloc[near])[0], "t": times[near]})
        found[near[key.duplicated(keep=False).to_numpy()]] = True
    return found


def _times(df: pd.DataFrame) -> np.ndarray:
    return df["started_at"].to_numpy(dtype="datetime64[us]").view("int64")


# --------------------------------------------------------------------------------------------------
# odd files


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


# --------------------------------------------------------------------------------------------------
# one file


def _parse_path(path: Path, table: Table) -> Parsed:
    """The file at ``path`` parsed (:func:`_parse_file`); :class:`hipnb.LogError` when it cannot
    be read at all."""
    name = str(path)
    refuse_odd_file(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise LogError(f"{name}: is a folder, not a log file") from None
    except PermissionError:
        raise LogError(f"{name}: cannot be read: permission denied") from None
    except OSError as exc:
        raise LogError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    return _parse_file(data, name, path, table)


def _empty_problem(name: str, table: Table) -> Problem:
    return Problem(name, 1, "empty file: expected a header row: " + ",".join(table.first))


Parsed = tuple[pa.Table | None, "list[int] | np.ndarray", list[Problem], dict[int, str]]


def _parse_file(data: bytes, name: str, path: Path | None = None, table: Table = HOLDS) -> Parsed:
    """A log's bytes as text cells: pyarrow over the whole body when it is one good record a line,
    else line by line (:func:`_records`), which reports each line it cannot use and keeps every
    other one. Returns the table (None: no rows), the file line of each of its rows, the problems
    found, and the rows set aside (by position: the sidecar of cut-off lines, :mod:`.torn`)."""
    if _BLANK.match(data):
        return None, [], [_empty_problem(name, table)], {}
    shift = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    data = data[shift:]
    if _cr_only(data[: 1 << 16]):  # old Mac line ends: CR alone
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    end = data.find(b"\n")
    start = len(data) if end < 0 else end + 1
    names = _header(data[:start], name, table)
    if _BLANK.match(data, start):
        return None, [], [], {}
    lines = _count_lf(data, start) + (data[-1:] != b"\n")
    aside = torn.marks(path, data, start, lines + 1, shift)  # line -> why it is set aside
    sidecar = [Problem(name, 1, aside.pop(1))] if 1 in aside else []
    open_quote = aside and data[data.rfind(b"\n") + 1 :].count(b'"') % 2  # pyarrow would close it
    wanted = table.names
    cells = None if open_quote else _parse(data, names, wanted, skip=1)
    skipped: list[tuple[str, int]] = []
    if cells is None and not open_quote and _utf8(data):  # rows of the wrong width, maybe
        cells = _parse(data, names, wanted, skip=1, skipped=skipped)
    if cells is not None and cells.num_rows + len(skipped) == lines:  # one record a line
        left_out = _skipped_lines(data, start, skipped, len(names)) if skipped else {}
        if left_out is not None:  # record i is on line at[i]
            kept = np.delete(np.arange(2, lines + 2), [line - 2 for line in left_out])
            rows = {int(np.searchsorted(kept, line)): why for line, why in aside.items()}
            rows = {i: why for i, why in rows.items() if i < len(kept) and kept[i] in aside}
            found = [Problem(name, line, why) for line, why in sorted(left_out.items()) if why]
            return cells, kept, sidecar + found, rows
    body, at, found = _records(data[start:], len(names), aside, name, table.longest)
    found = sidecar + found
    if not at:
        return None, [], found, {}
    cells = _parse(body, names, wanted, skip=0)
    if cells is None:  # pragma: no cover - the scan left only whole records
        raise LogError(f"{name}: could not be parsed")
    return cells, at, found, {}


def _read_bytes(
    parsed: Parsed, name: str, table: Table = HOLDS
) -> tuple[pd.DataFrame, list[Problem]]:
    """The typed frame of a parsed file's good rows, and every problem found, by line."""
    typed, found = _check_files([(0, name, parsed)], table)
    return typed, [p for _, p in sorted(found, key=lambda kp: kp[1].line)]


def _check_files(
    parts: list[tuple[int, str, Parsed]], table: Table
) -> tuple[pd.DataFrame, list[tuple[int, Problem]]]:
    """The typed frame of the good rows of parsed files (``(place, name, parsed)``), checked in
    one pass, and each problem found with its file's place. Rows are labelled by their position
    among all the files' rows."""
    found = [(k, p) for k, _, (_, _, probs, _) in parts for p in probs]
    parts = [part for part in parts if part[2][0] is not None]
    if not parts:
        return empty_frame(table), found
    sizes = [part[2][0].num_rows for part in parts]  # type: ignore[union-attr]
    starts = np.cumsum([0, *sizes])
    at = np.concatenate([np.asarray(part[2][1], dtype=np.int64) for part in parts])
    aside = {
        int(starts[j]) + i: why for j, part in enumerate(parts) for i, why in part[2][3].items()
    }
    cells = parts[0][2][0] if len(parts) == 1 else _stacked(parts, table)
    now = datetime.now(UTC) if table.future_on_read else None
    typed, reason = check_rows(cells, table=table, nulls=True, aside=aside, now=now)
    bad = np.flatnonzero(reason.notna().to_numpy())
    owner = np.searchsorted(starts, bad, side="right") - 1
    found += [
        (parts[j][0], Problem(parts[j][1], int(at[i]), str(reason.iloc[i])))
        for i, j in zip(bad, owner, strict=True)
    ]
    if table.corrections:
        corrections = typed.index[typed["action"].notna().to_numpy()]
        if len(corrections):  # where each correction is, should it name no current hold
            files = np.searchsorted(starts, corrections, side="right") - 1
            typed[WHERE] = pd.Series(
                {i: (parts[j][1], int(at[i])) for i, j in zip(corrections, files, strict=True)},
                dtype=object,
            )
    return typed, found


def _stacked(parts: list[tuple[int, str, Parsed]], table: Table) -> pa.Table:
    """The cells of several parsed files, one after the other, in ``table``'s columns (a column a
    file lacks is empty there)."""
    tables = [part[2][0] for part in parts if part[2][0] is not None]

    def column(t: pa.Table, c: str) -> list[pa.Array]:
        return t.column(c).chunks if c in t.column_names else [pa.nulls(t.num_rows, pa.string())]

    return pa.table(
        {
            c: pa.chunked_array([a for t in tables for a in column(t, c)], pa.string())
            for c in table.names
        }
    )


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _count_lf(data: bytes, start: int) -> int:
    """Line feeds in ``data[start:]``, counted 8 MB at a time (three times as fast as bytes.count)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    return sum(
        int(np.count_nonzero(buf[i : i + (8 << 20)] == 10)) for i in range(start, len(buf), 8 << 20)
    )


def _cr_only(head: bytes) -> bool:
    """Whether the file's lines end with CR alone (old Mac spreadsheets): its first line does."""
    cr, lf = head.find(b"\r"), head.find(b"\n")
    return cr >= 0 and (lf < 0 or cr < lf) and head[cr + 1 : cr + 2] != b"\n"


def _header(raw: bytes, name: str, table: Table = HOLDS) -> list[str]:
    """Column names from the header line; raises :class:`LogError` when the file cannot be a log
    of ``table``."""
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise LogError(
            f"{name}:1: the file is not UTF-8 text (byte {raw[exc.start]:#04x}): "
            + OTHER_ENCODING.format(file=name)
        ) from None
    names = _header_names(line)
    if names is None:
        raise LogError(f"{name}:1: the header is not one CSV line: {line[:120]!r}")
    missing = [c for c in table.required if c not in names]
    if missing:
        if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
            how = (
                "semicolons, as a spreadsheet saves it in a region whose decimal mark is a comma"
                if ";" in names[0]
                else "tabs, as a spreadsheet saves 'Unicode Text'"
            )
            reason = (
                f"the file is separated by {how}; hipnb logs use commas: "
                f"hipnb repair {name} gives it back"
            )
        else:
            reason = (
                f"missing required {'column' if len(missing) == 1 else 'columns'} {', '.join(missing)}; "
                f"expected a header like: {','.join(table.first)}"
            )
        raise LogError(f"{name}:1: {reason}")
    named = [c for c in names if c]
    if len(set(named)) != len(named):
        raise LogError(f"{name}:1: the header repeats a column name")
    return names


def _parse(
    data: bytes,
    names: list[str],
    known: Iterable[str] = ALL_COLUMNS,
    skip: int = 1,
    skipped: list[tuple[str, int]] | None = None,
) -> pa.Table | None:
    """Every cell of the ``known`` columns as text (null when empty); None when pyarrow cannot
    parse it (bytes that are not UTF-8; a row with the wrong number of fields, unless ``skipped``
    is given: such rows are then left out and listed there, as their text and field count; give it
    only for UTF-8 text, as pyarrow decodes a row's text before it hands it over)."""
    columns = [c if c else f"_unnamed_{i}" for i, c in enumerate(names)]
    wanted = [c for c in columns if c in known]

    def set_aside(row: pacsv.InvalidRow) -> str:
        assert skipped is not None
        skipped.append((row.text, row.actual_columns))
        return "skip"

    block = 4 << 20
    while True:
        try:
            return pacsv.read_csv(
                pa.py_buffer(data),
                read_options=pacsv.ReadOptions(
                    column_names=columns, block_size=block, skip_rows=skip
                ),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=True,
                    invalid_row_handler=None if skipped is None else set_aside,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(wanted, pa.string()),
                    include_columns=wanted,
                    strings_can_be_null=True,
                    null_values=[""],
                ),
            )
        except pa.ArrowInvalid as exc:
            if "straddling" in str(exc) and block <= len(data):  # a field longer than a block
                block = len(data) + 1
                if skipped:
                    skipped.clear()
                continue
            return None


def _skipped_lines(
    data: bytes, start: int, skipped: list[tuple[str, int]], width: int
) -> dict[int, str] | None:
    """Line -> why, for each row pyarrow left out for its field count, found by its text (a line
    of spaces is blank: no reason); None when one cannot be placed for sure (then the file is
    read line by line)."""
    if len(skipped) > 20 or any(fields > width for _, fields in skipped):
        return None  # many faults, or maybe empty cells a spreadsheet added: the line scan decides
    found: dict[int, str] = {}
    for text, fields in skipped:
        needle, at, line = text.encode(), start - 1, 0
        while not line or line in found:  # a whole line of this text, not one placed already
            at = data.find(needle, at + 1)
            if at < 0:
                return None
            end = data[at + len(needle) : at + len(needle) + 1]
            whole = data[at - 1 : at] == b"\n" and end in (b"\n", b"\r", b"")
            line = 2 + data.count(b"\n", start, at) if whole else 0
        cut = at + len(needle) == len(data)
        found[line] = _wrong_width(fields, width, cut) if needle.strip() else ""
    return found


# --------------------------------------------------------------------------------------------------
# line by line: which lines make a whole record, and why the others cannot be read


def _records(
    body: bytes, width: int, aside: dict[int, str], name: str, longest: int
) -> tuple[bytes, list[int], list[Problem]]:
    """The whole records of ``body`` (its line ``i`` is file line ``i + 2``), the line each starts
    on, and a :class:`Problem` for every other line that is not blank.

    A record is one line, or several when a quoted field holds line breaks. Cannot be read: a
    record with the wrong number of fields; a quote that never closes (a write cut off inside a
    quoted field, or a quote that runs over complete rows); bytes that are not UTF-8; a bare CR; a
    line set aside in ``aside``. After a record that cannot be read, reading goes on at its next
    line, so every line is read or reported. Empty cells a spreadsheet added after the last column
    are dropped. ``longest``: the longest text a cell is meant to hold (a quoted field past 4
    times this, over several lines, never closed).
    """
    lines = body.split(b"\n")
    unterminated = lines[-1] != b""
    if not unterminated:
        lines.pop()
    bad_bytes = _not_utf8(body, lines)
    special = set(bad_bytes) | {line - 2 for line in aside}
    keep: list[bytes] = []
    at: list[int] = []
    found: list[Problem] = []
    i = 0
    while i < len(lines):
        line, no = lines[i], i + 2
        if (  # most lines: one whole record, nothing odd about it
            line.count(b",") == width - 1
            and b'"' not in line
            and line.find(b"\r") in (-1, len(line) - 1)
            and i not in special
        ):
            keep.append(line)
            at.append(no)
            i += 1
            continue
        j = i
        fields, open_quote, bare_cr = _fields(line)
        while open_quote and j + 1 < len(lines) and sum(map(len, lines[i : j + 1])) <= longest * 4:
            j += 1
            fields, open_quote, bare_cr = _fields(b"\n".join(lines[i : j + 1]))
        record = b"\n".join(lines[i : j + 1])
        if not record.strip():
            i += 1
            continue
        why = next((bad_bytes[k] for k in range(i, j + 1) if k in bad_bytes), None)
        if why:  # bytes cut inside a character, on a line cut off: the cut is the reason
            why = aside.get(no, why)
        elif any(_row_starts(lines, k, width) for k in range(i + 1, j + 1)):
            why = "a quote opened here never closes (it runs over complete rows that follow)"
        elif open_quote and j + 1 == len(lines):
            why = "the record is cut off inside a quoted field (a write was cut off)"
        elif open_quote:
            why = f"a quoted field runs over {longest:,} characters across lines: never closed"
        elif bare_cr:
            why = BARE_CR
        elif len(fields) > width and not any(f.group(0).strip() for f in fields[width:]):
            record = record[: record.rfind(b",", 0, fields[width].start())] + b"\r"
        elif len(fields) != width:
            why = _wrong_width(len(fields), width, unterminated and j + 1 == len(lines))
        why = why or next((aside[k + 2] for k in range(i, j + 1) if k + 2 in aside), None)
        if why:
            found.append(Problem(name, no, why))
            i += 1
            continue
        keep.append(record)
        at.append(no)
        i = j + 1
    return b"\n".join([*keep, b""]), at, found


def _wrong_width(fields: int, width: int, cut: bool) -> str:
    """Why a row with ``fields`` fields cannot be read; ``cut``: it is an unterminated last line."""
    why = f"row has {fields} fields, expected {width}"
    return why + " (the last line is incomplete: a write was cut off)" if cut else why


#: One field as pyarrow reads it: a quote opens a quoted part only at the start of a field.
_FIELD = re.compile(rb'"(?:[^"]|"")*(?P<end>"?)(?P<tail>[^,]*)|(?P<plain>[^,]*)')


def _fields(record: bytes) -> tuple[list[re.Match[bytes]], bool, bool]:
    """The fields of a record, whether it ends inside a quoted field, and whether a CR stands
    outside quotes (the record's own line-end CR aside)."""
    text = record.removesuffix(b"\r")
    fields: list[re.Match[bytes]] = []
    pos = 0
    while True:
        m = _FIELD.match(text, pos)
        assert m is not None  # every alternative may match nothing
        fields.append(m)
        pos = m.end() + 1
        if pos > len(text):
            break
    last = fields[-1]
    open_quote = last.group("plain") is None and last.group("end") == b""
    bare_cr = any(b"\r" in (f.group("tail") or f.group("plain") or b"") for f in fields)
    return fields, open_quote, bare_cr


def _not_utf8(body: bytes, lines: list[bytes]) -> dict[int, str]:
    """Index -> why, for the lines whose bytes are not UTF-8 (a check per line only when some are)."""
    found: dict[int, str] = {}
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        for k, line in enumerate(lines):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                found[k] = NOT_UTF8.format(byte=line[exc.start], file="FILE")
    return found


def _row_starts(lines: list[bytes], k: int, width: int) -> bool:
    """Whether a whole row starts at line ``k``: the record read from there (over line breaks in
    quotes) has the right number of fields and a date-time."""
    j = k
    fields, open_quote, _ = _fields(lines[k])
    while open_quote and j + 1 < min(len(lines), k + 8):
        j += 1
        fields, open_quote, _ = _fields(b"\n".join(lines[k : j + 1]))
    stamps = (f.group(0).strip(b'" ').decode("utf-8", "replace") for f in fields)
    return not open_quote and len(fields) == width and any(STAMP.match(v) for v in stamps)
